//! `plugintracelog`: what plug-ins traced, one row per plug-in call. Frozen.

use sea_orm_migration::prelude::*;

use super::col;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("plugintracelog"))
                .col(col("plugintracelogid").uuid().not_null().primary_key())
                .col(col("typename").text().not_null())
                .col(col("messagename").text().not_null())
                .col(col("primaryentity").text().null())
                .col(col("mode").integer().not_null())
                .col(col("operationtype").integer().not_null())
                .col(col("depth").integer().not_null())
                .col(col("correlationid").uuid().not_null())
                .col(col("pluginstepid").uuid().null())
                .col(col("messageblock").text().not_null())
                .col(col("exceptiondetails").text().null())
                .col(col("configuration").text().null())
                .col(
                    col("performanceexecutionstarttime")
                        .big_integer()
                        .not_null(),
                )
                .col(col("performanceexecutionduration").integer().not_null())
                .col(col("createdon").big_integer().not_null())
                .col(col("createdby").uuid().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_plugintracelog_correlationid")
                .table(Alias::new("plugintracelog"))
                .col(Alias::new("correlationid"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("plugintracelog")).to_owned())
            .await
    }
}
