//! `customapi.configuration`: configuration for a custom API's main-operation plug-in
//! (Switchboard's addition; Dataverse has no such column). Frozen.

use sea_orm_migration::prelude::*;

use super::text_null;

fn custom_api() -> TableAlterStatement {
    Table::alter().table(Alias::new("customapi")).to_owned()
}

pub(super) async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.alter_table(custom_api().add_column(text_null("configuration")).to_owned())
        .await
}

pub(super) async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.alter_table(custom_api().drop_column(Alias::new("configuration")).to_owned())
        .await
}
