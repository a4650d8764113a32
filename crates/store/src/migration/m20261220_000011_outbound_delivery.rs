//! `outbounddelivery`: every outbound HTTP attempt (webhooks, callbacks), with its outcome;
//! found by time (`ix_outbounddelivery_createdon`: the retention cleanup) and by the record
//! it was made for (`ix_outbounddelivery_regardingobjectid`). Frozen.

use sea_orm_migration::prelude::*;

use super::{big, drop, index, int, int_null, key, table, text, text_null, uuid_null};

pub(super) async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(table(
        "outbounddelivery",
        [
            key("outbounddeliveryid"),
            big("createdon"),
            text("purpose"),
            text("method"),
            text("url"),
            text("host"),
            int("attempt"),
            int_null("httpstatuscode"),
            int("durationms"),
            text_null("errormessage"),
            int("outcome"),
            uuid_null("regardingobjectid"),
            text_null("regardingobjecttypecode"),
            uuid_null("correlationid"),
        ],
    ))
    .await?;
    m.create_index(index(
        "ix_outbounddelivery_createdon",
        "outbounddelivery",
        &["createdon"],
    ))
    .await?;
    m.create_index(index(
        "ix_outbounddelivery_regardingobjectid",
        "outbounddelivery",
        &["regardingobjectid"],
    ))
    .await
}

pub(super) async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.drop_table(drop("outbounddelivery")).await
}
