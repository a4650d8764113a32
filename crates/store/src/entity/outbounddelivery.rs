//! `outbounddelivery` rows: one per outbound HTTP attempt (Switchboard's own system table).
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "outbounddelivery")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub outbounddeliveryid: Uuid,
    pub createdon: i64,
    pub purpose: String,
    pub method: String,
    #[sea_orm(column_type = "Text")]
    pub url: String,
    pub host: String,
    pub attempt: i32,
    pub httpstatuscode: Option<i32>,
    pub durationms: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub errormessage: Option<String>,
    pub outcome: i32,
    #[serde(rename = "_regardingobjectid_value")]
    pub regardingobjectid: Option<Uuid>,
    pub regardingobjecttypecode: Option<String>,
    pub correlationid: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
