//! Table definitions imported from solutions (one row per table, the definition as JSON).
//! The physical record tables themselves are created by the import and at start-up for the
//! built-in ones (`tables.rs`), because their shape comes from data, not from a migration.
//! Frozen.

use sea_orm_migration::prelude::*;

use super::col;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("entitydefinition"))
                .col(col("entitydefinitionid").uuid().not_null().primary_key())
                .col(col("logicalname").text().not_null().unique_key())
                .col(col("entitysetname").text().not_null().unique_key())
                .col(col("solutionid").uuid().null())
                .col(col("definition").text().not_null())
                .col(col("createdon").big_integer().not_null())
                .col(col("modifiedon").big_integer().not_null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(Alias::new("entitydefinition"))
                .to_owned(),
        )
        .await
    }
}
