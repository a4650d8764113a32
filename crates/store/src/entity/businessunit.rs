//! `businessunit` rows (one root business unit; users and roles belong to it).
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "businessunit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub businessunitid: Uuid,
    pub name: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
