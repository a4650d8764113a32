//! `sdkmessageprocessingstepimage`: the record snapshots (pre/post entity images) a
//! processing step receives, as Dataverse registers them. Frozen.

use sea_orm_migration::prelude::*;

use super::{col, drop, index, int, key, table, text_null, uuid};

const TABLE: &str = "sdkmessageprocessingstepimage";
const STEP_ID: &str = "sdkmessageprocessingstepid";

/// A name-like column (nvarchar(256) in Dataverse).
fn name256(name: &str) -> ColumnDef {
    col(name).string_len(256).not_null().to_owned()
}

pub(super) async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        table(
            TABLE,
            [
                key("sdkmessageprocessingstepimageid"),
                uuid(STEP_ID),
                name256("name"),
                name256("entityalias"),
                int("imagetype"),
                text_null("attributes"),
                name256("messagepropertyname"),
                text_null("description"),
            ],
        )
        .foreign_key(
            ForeignKey::create()
                .from(Alias::new(TABLE), Alias::new(STEP_ID))
                .to(Alias::new("sdkmessageprocessingstep"), Alias::new(STEP_ID))
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned(),
    )
    .await?;
    m.create_index(index("ix_sdkmessageprocessingstepimage_step", TABLE, &[STEP_ID]))
        .await
}

pub(super) async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.drop_table(drop(TABLE)).await
}
