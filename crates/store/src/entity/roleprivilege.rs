//! `roleprivilege` rows.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roleprivilege")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub roleid: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub privilegename: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
