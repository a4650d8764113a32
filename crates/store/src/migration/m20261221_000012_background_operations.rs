//! `backgroundoperation`: custom API calls run in the background (`Prefer: respond-async`),
//! with Dataverse's columns (SPEC Integrations §3.3) and Switchboard's own: the status monitor's URL (`location`), the callback to
//! notify (`callbackuri`, `callbackkind`, `callbackstatecode`) and the system job running the
//! call (`asyncoperationid`). Times are epoch milliseconds, as in the other tables. Also seeds
//! the `OnBackgroundOperationComplete` message. Frozen.

use sea_orm_migration::prelude::*;

use switchboard_model::ids::{ON_BACKGROUND_OPERATION_COMPLETE, on_background_operation_complete_id};

use super::{
    big, big_null, drop, index, insert, int, int_null, key, table, text, text_null, uuid_null,
};

pub(super) async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(table(
        "backgroundoperation",
        [
            key("backgroundoperationid"),
            int("backgroundoperationstatecode"),
            int("backgroundoperationstatuscode"),
            text("name"),
            text_null("displayname"),
            text("inputparameters"),
            text_null("outputparameters"),
            big_null("starttime"),
            big_null("endtime"),
            int("retrycount"),
            int_null("errorcode"),
            text_null("errormessage"),
            text("runas"),
            big("createdon"),
            big("modifiedon"),
            int("ttlinseconds"),
            uuid_null("correlationid"),
            uuid_null("asyncoperationid"),
            text_null("location"),
            text_null("callbackuri"),
            int_null("callbackkind"),
            int_null("callbackstatecode"),
        ],
    ))
    .await?;
    // The retention cleanup finds rows whose time to live has passed.
    m.create_index(index(
        "ix_backgroundoperation_createdon",
        "backgroundoperation",
        &["createdon"],
    ))
    .await?;
    // The message asynchronous steps register on to hear of ended operations.
    m.exec_stmt(insert(
        "sdkmessage",
        &["sdkmessageid", "name", "isbuiltin"],
        vec![
            on_background_operation_complete_id().into(),
            ON_BACKGROUND_OPERATION_COMPLETE.into(),
            true.into(),
        ],
    ))
    .await
}

pub(super) async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.exec_stmt(
        Query::delete()
            .from_table(Alias::new("sdkmessage"))
            .and_where(Expr::col(Alias::new("sdkmessageid")).eq(on_background_operation_complete_id()))
            .to_owned(),
    )
    .await?;
    m.drop_table(drop("backgroundoperation")).await
}
