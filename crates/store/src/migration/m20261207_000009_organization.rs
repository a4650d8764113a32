//! The `organization` row (Dataverse's organization settings: `plugintracelogsetting`) and
//! `changestamp`, one counter per kind of change other processes must notice (security,
//! organization settings). Frozen.

use sea_orm_migration::prelude::*;
use switchboard_model::ids;

use super::{big, col, insert, int, key, table, text};

pub(super) async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(table(
        "organization",
        [
            key("organizationid"),
            text("name"),
            int("languagecode"),
            int("plugintracelogsetting"),
            big("modifiedon"),
        ],
    ))
    .await?;
    m.create_table(table(
        "changestamp",
        [
            col("name").text().not_null().primary_key().to_owned(),
            big("version"),
        ],
    ))
    .await?;
    m.exec_stmt(insert(
        "organization",
        &[
            "organizationid",
            "name",
            "languagecode",
            "plugintracelogsetting",
            "modifiedon",
        ],
        vec![
            ids::ORGANIZATION_ID.into(),
            "Switchboard".into(),
            1033.into(),
            // Dataverse's default: Exception (failures are kept).
            1.into(),
            0i64.into(),
        ],
    ))
    .await?;
    for name in ["security", "organization"] {
        m.exec_stmt(insert(
            "changestamp",
            &["name", "version"],
            vec![name.into(), 0i64.into()],
        ))
        .await?;
    }
    Ok(())
}

pub(super) async fn down(_: &SchemaManager<'_>) -> Result<(), DbErr> {
    super::irreversible("m20261207_000009_organization")
}
