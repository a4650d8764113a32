//! `sdkmessageprocessingstepimage` rows: the pre/post entity images registered on a step.
#![allow(missing_docs)]

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "sdkmessageprocessingstepimage")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub sdkmessageprocessingstepimageid: Uuid,
    #[serde(rename = "_sdkmessageprocessingstepid_value")]
    pub sdkmessageprocessingstepid: Uuid,
    pub name: String,
    pub entityalias: String,
    pub imagetype: i32,
    pub attributes: Option<String>,
    pub messagepropertyname: String,
    pub description: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
