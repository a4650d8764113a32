//! `pluginassembly` rows.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "pluginassembly")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pluginassemblyid: Uuid,
    pub name: String,
    pub fullname: String,
    pub version: Option<String>,
    pub isolationmode: i32,
    pub sourcetype: i32,
    pub filename: Option<String>,
    pub kind: String,
    #[serde(skip)]
    pub content: Option<Vec<u8>>,
    pub sha256: Option<String>,
    pub solutionid: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
