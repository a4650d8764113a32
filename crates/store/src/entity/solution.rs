//! `solution` rows.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "solution")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub solutionid: Uuid,
    #[sea_orm(unique)]
    pub uniquename: String,
    pub friendlyname: Option<String>,
    pub description: Option<String>,
    pub version: String,
    pub ismanaged: bool,
    pub publisherid: Uuid,
    pub installedon: i64,
    pub modifiedon: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
