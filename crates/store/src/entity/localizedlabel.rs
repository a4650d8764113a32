//! `localizedlabel` rows.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "localizedlabel")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub objectid: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub attributename: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub languagecode: i32,
    pub objecttable: String,
    pub label: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
