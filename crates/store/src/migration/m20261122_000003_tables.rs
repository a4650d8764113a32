//! Table definitions imported from solutions (one row per table, the definition as JSON).
//! The physical record tables themselves are created by the import and at start-up for the
//! built-in ones (`tables.rs`), because their shape comes from data, not from a migration.
//! Frozen.

use sea_orm_migration::prelude::*;

use super::{big, drop, key, table, text, text_unique, uuid_null};

pub(super) async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(table(
        "entitydefinition",
        [
            key("entitydefinitionid"),
            text_unique("logicalname"),
            text_unique("entitysetname"),
            uuid_null("solutionid"),
            text("definition"),
            big("createdon"),
            big("modifiedon"),
        ],
    ))
    .await
}

pub(super) async fn down(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.drop_table(drop("entitydefinition")).await
}
