//! `backgroundoperation` rows: custom API calls run in the background.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "backgroundoperation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub backgroundoperationid: Uuid,
    pub backgroundoperationstatecode: i32,
    pub backgroundoperationstatuscode: i32,
    pub name: String,
    pub displayname: Option<String>,
    pub inputparameters: String,
    pub outputparameters: Option<String>,
    pub starttime: Option<i64>,
    pub endtime: Option<i64>,
    pub retrycount: i32,
    pub errorcode: Option<i32>,
    pub errormessage: Option<String>,
    pub runas: String,
    pub createdon: i64,
    pub modifiedon: i64,
    pub ttlinseconds: i32,
    pub correlationid: Option<Uuid>,
    #[serde(rename = "_asyncoperationid_value")]
    pub asyncoperationid: Option<Uuid>,
    pub location: Option<String>,
    pub callbackuri: Option<String>,
    pub callbackkind: Option<i32>,
    pub callbackstatecode: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
