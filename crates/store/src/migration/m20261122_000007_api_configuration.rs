//! `customapi.configuration`: configuration for a custom API's main-operation plug-in
//! (Switchboard's addition; Dataverse has no such column). Frozen.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("customapi"))
                .add_column(ColumnDef::new(Alias::new("configuration")).text().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("customapi"))
                .drop_column(Alias::new("configuration"))
                .to_owned(),
        )
        .await
    }
}
