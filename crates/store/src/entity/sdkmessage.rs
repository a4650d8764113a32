//! `sdkmessage` rows.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "sdkmessage")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sdkmessageid: Uuid,
    #[sea_orm(unique)]
    pub name: String,
    pub isbuiltin: bool,
    #[serde(rename = "_customapiid_value")]
    pub customapiid: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
