//! The durable job queue: `asyncoperation` (Dataverse's system jobs) with the columns that
//! apply to Switchboard, plus `leaseexpireson` (when a node's claim lapses). Times are epoch
//! milliseconds, as in the other tables. Frozen.

use sea_orm_migration::prelude::*;

use super::col;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("asyncoperation"))
                .col(col("asyncoperationid").uuid().not_null().primary_key())
                .col(col("name").text().not_null())
                .col(col("operationtype").integer().not_null())
                .col(col("statecode").integer().not_null())
                .col(col("statuscode").integer().not_null())
                .col(col("data").text().null())
                .col(col("message").text().null())
                .col(col("friendlymessage").text().null())
                .col(col("errorcode").integer().null())
                .col(col("retrycount").integer().not_null())
                .col(col("correlationid").uuid().null())
                .col(col("requestid").uuid().null())
                .col(col("messagename").text().null())
                .col(col("depth").integer().not_null())
                .col(col("owningextensionid").uuid().null())
                .col(col("primaryentitytype").text().null())
                .col(col("regardingobjectid").uuid().null())
                .col(col("ownerid").uuid().null())
                .col(col("createdon").big_integer().not_null())
                .col(col("modifiedon").big_integer().not_null())
                .col(col("startedon").big_integer().null())
                .col(col("completedon").big_integer().null())
                .col(col("postponeuntil").big_integer().not_null())
                .col(col("executiontimespan").double().null())
                .col(col("hostid").text().null())
                .col(col("leaseexpireson").big_integer().null())
                .col(col("asyncautodelete").boolean().not_null())
                .to_owned(),
        )
        .await?;
        // Claiming looks for Ready jobs due now (and Locked jobs whose lease lapsed).
        m.create_index(
            Index::create()
                .name("ix_asyncoperation_claim")
                .table(Alias::new("asyncoperation"))
                .col(Alias::new("statecode"))
                .col(Alias::new("postponeuntil"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("asyncoperation")).to_owned())
            .await
    }
}
