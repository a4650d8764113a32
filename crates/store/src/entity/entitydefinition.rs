//! `entitydefinition` rows: one table definition each, stored as JSON.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "entitydefinition")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub entitydefinitionid: Uuid,
    #[sea_orm(unique)]
    pub logicalname: String,
    #[sea_orm(unique)]
    pub entitysetname: String,
    pub solutionid: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub definition: String,
    pub createdon: i64,
    pub modifiedon: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
