//! The durable job queue: `asyncoperation` (Dataverse's system jobs) with the columns that
//! apply to Switchboard, plus `leaseexpireson` (when a node's claim lapses). Times are epoch
//! milliseconds, as in the other tables. Frozen.

use sea_orm_migration::prelude::*;

use super::{
    big, big_null, boolean, col, drop, index, int, int_null, key, table, text, text_null,
    uuid_null,
};

pub(super) async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(table(
        "asyncoperation",
        [
            key("asyncoperationid"),
            text("name"),
            int("operationtype"),
            int("statecode"),
            int("statuscode"),
            text_null("data"),
            text_null("message"),
            text_null("friendlymessage"),
            int_null("errorcode"),
            int("retrycount"),
            uuid_null("correlationid"),
            uuid_null("requestid"),
            text_null("messagename"),
            int("depth"),
            uuid_null("owningextensionid"),
            text_null("primaryentitytype"),
            uuid_null("regardingobjectid"),
            uuid_null("ownerid"),
            big("createdon"),
            big("modifiedon"),
            big_null("startedon"),
            big_null("completedon"),
            big("postponeuntil"),
            col("executiontimespan").double().null().to_owned(),
            text_null("hostid"),
            big_null("leaseexpireson"),
            boolean("asyncautodelete"),
        ],
    ))
    .await?;
    // Claiming looks for Ready jobs due now (and Locked jobs whose lease lapsed).
    m.create_index(index(
        "ix_asyncoperation_claim",
        "asyncoperation",
        &["statecode", "postponeuntil"],
    ))
    .await
}

pub(super) async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.drop_table(drop("asyncoperation")).await
}
