//! `publisher` rows.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "publisher")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub publisherid: Uuid,
    #[sea_orm(unique)]
    pub uniquename: String,
    pub friendlyname: Option<String>,
    pub description: Option<String>,
    pub customizationprefix: String,
    pub customizationoptionvalueprefix: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
