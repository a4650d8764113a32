//! `plugintype` rows.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "plugintype")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub plugintypeid: Uuid,
    #[serde(rename = "_pluginassemblyid_value")]
    pub pluginassemblyid: Uuid,
    pub typename: String,
    pub assemblyqualifiedname: Option<String>,
    pub friendlyname: Option<String>,
    pub description: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
