//! The `organization` row (Dataverse's organization settings: `plugintracelogsetting`) and
//! `changestamp`, one counter per kind of change other processes must notice (security,
//! organization settings). Frozen.

use sea_orm_migration::prelude::*;

use super::col;
use switchboard_model::ids;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("organization"))
                .col(col("organizationid").uuid().not_null().primary_key())
                .col(col("name").text().not_null())
                .col(col("languagecode").integer().not_null())
                .col(col("plugintracelogsetting").integer().not_null())
                .col(col("modifiedon").big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("changestamp"))
                .col(col("name").text().not_null().primary_key())
                .col(col("version").big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table(Alias::new("organization"))
                .columns(
                    [
                        "organizationid",
                        "name",
                        "languagecode",
                        "plugintracelogsetting",
                        "modifiedon",
                    ]
                    .map(Alias::new),
                )
                .values_panic([
                    ids::ORGANIZATION_ID.into(),
                    "Switchboard".into(),
                    1033.into(),
                    // Dataverse's default: Exception (failures are kept).
                    1.into(),
                    0i64.into(),
                ])
                .to_owned(),
        )
        .await?;
        for name in ["security", "organization"] {
            m.exec_stmt(
                Query::insert()
                    .into_table(Alias::new("changestamp"))
                    .columns(["name", "version"].map(Alias::new))
                    .values_panic([name.into(), 0i64.into()])
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
