//! `pluginpackage` rows.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "pluginpackage")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pluginpackageid: Uuid,
    #[sea_orm(unique)]
    pub uniquename: String,
    pub name: String,
    pub version: Option<String>,
    pub filename: Option<String>,
    pub solutionid: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
