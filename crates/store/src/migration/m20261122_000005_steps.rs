//! Processing-step registration: secure configuration in its own table
//! (`sdkmessageprocessingstepsecureconfig`, as Dataverse keeps it), referenced from the step
//! by `sdkmessageprocessingstepsecureconfigid`. Never returned by the Web API.
//!
//! Frozen: later changes go in new migrations, never here.

use sea_orm_migration::prelude::*;

use super::col;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("sdkmessageprocessingstepsecureconfig"))
                .col(
                    col("sdkmessageprocessingstepsecureconfigid")
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(col("secureconfig").text().not_null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("sdkmessageprocessingstep"))
                .add_column(col("sdkmessageprocessingstepsecureconfigid").uuid().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("sdkmessageprocessingstep"))
                .drop_column(Alias::new("sdkmessageprocessingstepsecureconfigid"))
                .to_owned(),
        )
        .await?;
        m.drop_table(
            Table::drop()
                .table(Alias::new("sdkmessageprocessingstepsecureconfig"))
                .to_owned(),
        )
        .await
    }
}
