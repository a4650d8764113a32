//! `plugintracelog`: what plug-ins traced, one row per plug-in call. Frozen.

use sea_orm_migration::prelude::*;

use super::{big, drop, index, int, key, table, text, text_null, uuid, uuid_null};

pub(super) async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(table(
        "plugintracelog",
        [
            key("plugintracelogid"),
            text("typename"),
            text("messagename"),
            text_null("primaryentity"),
            int("mode"),
            int("operationtype"),
            int("depth"),
            uuid("correlationid"),
            uuid_null("pluginstepid"),
            text("messageblock"),
            text_null("exceptiondetails"),
            text_null("configuration"),
            big("performanceexecutionstarttime"),
            int("performanceexecutionduration"),
            big("createdon"),
            uuid_null("createdby"),
        ],
    ))
    .await?;
    m.create_index(index(
        "ix_plugintracelog_correlationid",
        "plugintracelog",
        &["correlationid"],
    ))
    .await
}

pub(super) async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.drop_table(drop("plugintracelog")).await
}
