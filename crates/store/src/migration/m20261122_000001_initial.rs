//! The first schema: solutions, publishers, custom APIs with their parameters, properties
//! and labels, plug-in assemblies/types/packages, sdk messages (built-ins seeded) and steps.
//! Frozen.

use sea_orm_migration::prelude::*;
use switchboard_model::ids::BUILT_IN_MESSAGES;

use super::{
    big, boolean, col, foreign_key, int, int_null, key, primary_key, table, text, text_null,
    text_unique, uuid, uuid_null,
};

/// `table.column` references `to`'s key column of the same name.
fn references(table: &str, column: &str, to: &str, cascade: bool) -> ForeignKeyCreateStatement {
    foreign_key((table, column), (to, column), cascade)
}

/// A unique index `ux_{table}_{columns}`.
fn unique_index(table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = super::index(&format!("ux_{table}_{}", columns.join("_")), table, columns);
    index.unique();
    index
}

pub(super) async fn up(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(table(
        "publisher",
        [
            key("publisherid"),
            text_unique("uniquename"),
            text_null("friendlyname"),
            text_null("description"),
            text("customizationprefix"),
            int_null("customizationoptionvalueprefix"),
        ],
    ))
    .await?;
    m.create_table(
        table(
            "solution",
            [
                key("solutionid"),
                text_unique("uniquename"),
                text_null("friendlyname"),
                text_null("description"),
                text("version"),
                boolean("ismanaged"),
                uuid("publisherid"),
                big("installedon"),
                big("modifiedon"),
            ],
        )
        .foreign_key(&mut references("solution", "publisherid", "publisher", false))
        .to_owned(),
    )
    .await?;
    m.create_table(
        table(
            "customapi",
            [
                key("customapiid"),
                text_unique("uniquename"),
                text("name"),
                text_null("displayname"),
                text_null("description"),
                int("bindingtype"),
                text_null("boundentitylogicalname"),
                boolean("isfunction"),
                boolean("isprivate"),
                int("allowedcustomprocessingsteptype"),
                text_null("executeprivilegename"),
                boolean("workflowsdkstepenabled"),
                boolean("iscustomizable"),
                uuid_null("plugintypeid"),
                text_null("plugintypeexportkey"),
                uuid("sdkmessageid"),
                uuid("solutionid"),
                boolean("ismanaged"),
                big("modifiedon"),
            ],
        )
        .foreign_key(&mut references("customapi", "solutionid", "solution", false))
        .to_owned(),
    )
    .await?;
    // Request parameters and response properties: the same columns but `isoptional`.
    for (name, optional) in [
        ("customapirequestparameter", true),
        ("customapiresponseproperty", false),
    ] {
        let mut columns = vec![
            key(&format!("{name}id")),
            uuid("customapiid"),
            text("uniquename"),
            text("name"),
            text_null("displayname"),
            text_null("description"),
            int("type"),
        ];
        if optional {
            columns.push(boolean("isoptional"));
        }
        columns.extend([text_null("logicalentityname"), boolean("iscustomizable")]);
        m.create_table(
            table(name, columns)
                .foreign_key(&mut references(name, "customapiid", "customapi", true))
                .to_owned(),
        )
        .await?;
        m.create_index(unique_index(name, &["customapiid", "uniquename"]))
            .await?;
    }
    m.create_table(
        table(
            "localizedlabel",
            [
                uuid("objectid"),
                text("attributename"),
                int("languagecode"),
                text("objecttable"),
                text("label"),
            ],
        )
        .primary_key(
            primary_key(&["objectid", "attributename", "languagecode"]).name("pk_localizedlabel"),
        )
        .to_owned(),
    )
    .await?;
    m.create_table(
        table(
            "pluginassembly",
            [
                key("pluginassemblyid"),
                text("name"),
                text("fullname"),
                text_null("version"),
                int("isolationmode"),
                int("sourcetype"),
                text_null("filename"),
                text("kind"),
                col("content").blob().null().to_owned(),
                text_null("sha256"),
                uuid("solutionid"),
            ],
        )
        .foreign_key(&mut references("pluginassembly", "solutionid", "solution", false))
        .to_owned(),
    )
    .await?;
    m.create_table(
        table(
            "plugintype",
            [
                key("plugintypeid"),
                uuid("pluginassemblyid"),
                text("typename"),
                text_null("assemblyqualifiedname"),
                text_null("friendlyname"),
                text_null("description"),
            ],
        )
        .foreign_key(&mut references(
            "plugintype",
            "pluginassemblyid",
            "pluginassembly",
            true,
        ))
        .to_owned(),
    )
    .await?;
    m.create_table(
        table(
            "pluginpackage",
            [
                key("pluginpackageid"),
                text_unique("uniquename"),
                text("name"),
                text_null("version"),
                text_null("filename"),
                uuid("solutionid"),
            ],
        )
        .foreign_key(&mut references("pluginpackage", "solutionid", "solution", false))
        .to_owned(),
    )
    .await?;
    m.create_table(table(
        "sdkmessage",
        [
            key("sdkmessageid"),
            text_unique("name"),
            boolean("isbuiltin"),
            uuid_null("customapiid"),
        ],
    ))
    .await?;
    m.create_table(
        table(
            "sdkmessageprocessingstep",
            [
                key("sdkmessageprocessingstepid"),
                text("name"),
                text_null("description"),
                uuid_null("sdkmessageid"),
                text_null("sdkmessagename"),
                uuid_null("plugintypeid"),
                text_null("plugintypename"),
                text_null("plugintypeexportkey"),
                text_null("primaryobjecttypecode"),
                text_null("secondaryobjecttypecode"),
                int("stage"),
                int("mode"),
                int("rank"),
                text_null("filteringattributes"),
                text_null("configuration"),
                boolean("asyncautodelete"),
                int_null("invocationsource"),
                int("statecode"),
                uuid("solutionid"),
            ],
        )
        .foreign_key(&mut references(
            "sdkmessageprocessingstep",
            "solutionid",
            "solution",
            false,
        ))
        .to_owned(),
    )
    .await?;

    let mut seed = Query::insert()
        .into_table(Alias::new("sdkmessage"))
        .columns(["sdkmessageid", "name", "isbuiltin"].map(Alias::new))
        .to_owned();
    for message in BUILT_IN_MESSAGES {
        seed.values_panic([message.id.into(), message.name.into(), true.into()]);
    }
    m.exec_stmt(seed).await
}

pub(super) async fn down(_: &SchemaManager<'_>) -> Result<(), DbErr> {
    super::irreversible("m20261122_000001_initial")
}
