//! `sdkmessageprocessingstepimage`: the record snapshots (pre/post entity images) a
//! processing step receives, as Dataverse registers them. Frozen.

use sea_orm_migration::prelude::*;

use super::col;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const TABLE: &str = "sdkmessageprocessingstepimage";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new(TABLE))
                .col(
                    col("sdkmessageprocessingstepimageid")
                        .uuid()
                        .not_null()
                        .primary_key(),
                )
                .col(col("sdkmessageprocessingstepid").uuid().not_null())
                .col(col("name").string_len(256).not_null())
                .col(col("entityalias").string_len(256).not_null())
                .col(col("imagetype").integer().not_null())
                .col(col("attributes").text().null())
                .col(col("messagepropertyname").string_len(256).not_null())
                .col(col("description").text().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Alias::new(TABLE), Alias::new("sdkmessageprocessingstepid"))
                        .to(
                            Alias::new("sdkmessageprocessingstep"),
                            Alias::new("sdkmessageprocessingstepid"),
                        )
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sdkmessageprocessingstepimage_step")
                .table(Alias::new(TABLE))
                .col(Alias::new("sdkmessageprocessingstepid"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new(TABLE)).to_owned())
            .await
    }
}
