//! `systemuser` rows.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "systemuser")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub systemuserid: Uuid,
    #[sea_orm(unique)]
    pub domainname: String,
    pub fullname: String,
    #[serde(rename = "_businessunitid_value")]
    pub businessunitid: Uuid,
    pub isdisabled: bool,
    pub uilanguageid: Option<i32>,
    pub createdon: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
