//! `sdkmessageprocessingstep` rows.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "sdkmessageprocessingstep")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sdkmessageprocessingstepid: Uuid,
    pub name: String,
    pub description: Option<String>,
    #[serde(rename = "_sdkmessageid_value")]
    pub sdkmessageid: Option<Uuid>,
    pub sdkmessagename: Option<String>,
    #[serde(rename = "_plugintypeid_value")]
    pub plugintypeid: Option<Uuid>,
    pub plugintypename: Option<String>,
    pub plugintypeexportkey: Option<String>,
    pub primaryobjecttypecode: Option<String>,
    pub secondaryobjecttypecode: Option<String>,
    pub stage: i32,
    pub mode: i32,
    pub rank: i32,
    pub filteringattributes: Option<String>,
    pub configuration: Option<String>,
    pub asyncautodelete: bool,
    pub invocationsource: Option<i32>,
    pub statecode: i32,
    pub solutionid: Uuid,
    /// The secure configuration's row (`sdkmessageprocessingstepsecureconfig`); the text
    /// itself is never part of a step row.
    #[serde(rename = "_sdkmessageprocessingstepsecureconfigid_value")]
    pub sdkmessageprocessingstepsecureconfigid: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
