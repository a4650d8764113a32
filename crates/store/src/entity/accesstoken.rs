//! `accesstoken` rows.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accesstoken")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub accesstokenid: Uuid,
    pub systemuserid: Uuid,
    #[sea_orm(unique)]
    pub tokenhash: String,
    pub createdon: i64,
    pub expireson: Option<i64>,
    pub revoked: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
