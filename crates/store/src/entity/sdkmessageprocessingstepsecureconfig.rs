//! `sdkmessageprocessingstepsecureconfig` rows: a step's secure configuration, kept apart
//! from the step so that reading steps never reveals it.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sdkmessageprocessingstepsecureconfig")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sdkmessageprocessingstepsecureconfigid: Uuid,
    pub secureconfig: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
