//! `customapi` rows.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "customapi")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub customapiid: Uuid,
    #[sea_orm(unique)]
    pub uniquename: String,
    pub name: String,
    pub displayname: Option<String>,
    pub description: Option<String>,
    pub bindingtype: i32,
    pub boundentitylogicalname: Option<String>,
    pub isfunction: bool,
    pub isprivate: bool,
    pub allowedcustomprocessingsteptype: i32,
    pub executeprivilegename: Option<String>,
    pub configuration: Option<String>,
    pub workflowsdkstepenabled: bool,
    pub iscustomizable: bool,
    #[serde(rename = "_plugintypeid_value")]
    pub plugintypeid: Option<Uuid>,
    pub plugintypeexportkey: Option<String>,
    #[serde(rename = "_sdkmessageid_value")]
    pub sdkmessageid: Uuid,
    pub solutionid: Uuid,
    pub ismanaged: bool,
    pub modifiedon: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
