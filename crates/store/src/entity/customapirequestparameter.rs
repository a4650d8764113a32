//! `customapirequestparameter` rows.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "customapirequestparameter")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub customapirequestparameterid: Uuid,
    #[serde(rename = "_customapiid_value")]
    pub customapiid: Uuid,
    pub uniquename: String,
    pub name: String,
    pub displayname: Option<String>,
    pub description: Option<String>,
    pub r#type: i32,
    pub isoptional: bool,
    pub logicalentityname: Option<String>,
    pub iscustomizable: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
