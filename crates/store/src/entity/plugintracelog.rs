//! `plugintracelog` rows.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "plugintracelog")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub plugintracelogid: Uuid,
    pub typename: String,
    pub messagename: String,
    pub primaryentity: Option<String>,
    pub mode: i32,
    pub operationtype: i32,
    pub depth: i32,
    pub correlationid: Uuid,
    #[serde(rename = "_pluginstepid_value")]
    pub pluginstepid: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub messageblock: String,
    pub exceptiondetails: Option<String>,
    pub configuration: Option<String>,
    pub performanceexecutionstarttime: i64,
    pub performanceexecutionduration: i32,
    pub createdon: i64,
    #[serde(rename = "_createdby_value")]
    pub createdby: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
