//! `asyncoperation` rows: system jobs (the durable queue of asynchronous steps).
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "asyncoperation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub asyncoperationid: Uuid,
    pub name: String,
    pub operationtype: i32,
    pub statecode: i32,
    pub statuscode: i32,
    pub data: Option<String>,
    pub message: Option<String>,
    pub friendlymessage: Option<String>,
    pub errorcode: Option<i32>,
    pub retrycount: i32,
    pub correlationid: Option<Uuid>,
    pub requestid: Option<Uuid>,
    pub messagename: Option<String>,
    pub depth: i32,
    #[serde(rename = "_owningextensionid_value")]
    pub owningextensionid: Option<Uuid>,
    pub primaryentitytype: Option<String>,
    #[serde(rename = "_regardingobjectid_value")]
    pub regardingobjectid: Option<Uuid>,
    #[serde(rename = "_ownerid_value")]
    pub ownerid: Option<Uuid>,
    pub createdon: i64,
    pub modifiedon: i64,
    pub startedon: Option<i64>,
    pub completedon: Option<i64>,
    pub postponeuntil: i64,
    pub executiontimespan: Option<f64>,
    pub hostid: Option<String>,
    pub leaseexpireson: Option<i64>,
    pub asyncautodelete: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
