//! The first schema: solutions, publishers, custom APIs with their parameters, properties
//! and labels, plug-in assemblies/types/packages, sdk messages (built-ins seeded) and steps.
//!
//! Frozen: later changes go in new migrations, never here.

use sea_orm_migration::prelude::*;
use switchboard_model::ids::BUILT_IN_MESSAGES;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

fn id(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .uuid()
        .not_null()
        .primary_key()
        .to_owned()
}
fn uuid(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .uuid()
        .not_null()
        .to_owned()
}
fn uuid_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).uuid().null().to_owned()
}
fn text(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .text()
        .not_null()
        .to_owned()
}
fn text_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).text().null().to_owned()
}
fn int(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .integer()
        .not_null()
        .to_owned()
}
fn int_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).integer().null().to_owned()
}
fn big(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .big_integer()
        .not_null()
        .to_owned()
}
fn boolean(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .boolean()
        .not_null()
        .to_owned()
}
fn fk(
    table: &str,
    column: &str,
    to: &str,
    to_column: &str,
    cascade: bool,
) -> ForeignKeyCreateStatement {
    let mut fk = ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(to), Alias::new(to_column))
        .to_owned();
    if cascade {
        fk.on_delete(ForeignKeyAction::Cascade);
    }
    fk
}

async fn create(
    manager: &SchemaManager<'_>,
    table: &str,
    columns: Vec<ColumnDef>,
    fks: Vec<ForeignKeyCreateStatement>,
) -> Result<(), DbErr> {
    let mut stmt = Table::create().table(Alias::new(table)).to_owned();
    for mut c in columns {
        stmt.col(&mut c);
    }
    for mut f in fks {
        stmt.foreign_key(&mut f);
    }
    manager.create_table(stmt).await
}

async fn unique_index(
    manager: &SchemaManager<'_>,
    table: &str,
    columns: &[&str],
) -> Result<(), DbErr> {
    let mut idx = Index::create()
        .name(format!("ux_{table}_{}", columns.join("_")))
        .table(Alias::new(table))
        .unique()
        .to_owned();
    for c in columns {
        idx.col(Alias::new(*c));
    }
    manager.create_index(idx).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create(
            manager,
            "publisher",
            vec![
                id("publisherid"),
                text("uniquename").unique_key().to_owned(),
                text_null("friendlyname"),
                text_null("description"),
                text("customizationprefix"),
                int_null("customizationoptionvalueprefix"),
            ],
            vec![],
        )
        .await?;
        create(
            manager,
            "solution",
            vec![
                id("solutionid"),
                text("uniquename").unique_key().to_owned(),
                text_null("friendlyname"),
                text_null("description"),
                text("version"),
                boolean("ismanaged"),
                uuid("publisherid"),
                big("installedon"),
                big("modifiedon"),
            ],
            vec![fk(
                "solution",
                "publisherid",
                "publisher",
                "publisherid",
                false,
            )],
        )
        .await?;
        create(
            manager,
            "customapi",
            vec![
                id("customapiid"),
                text("uniquename").unique_key().to_owned(),
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
            vec![fk(
                "customapi",
                "solutionid",
                "solution",
                "solutionid",
                false,
            )],
        )
        .await?;
        create(
            manager,
            "customapirequestparameter",
            vec![
                id("customapirequestparameterid"),
                uuid("customapiid"),
                text("uniquename"),
                text("name"),
                text_null("displayname"),
                text_null("description"),
                int("type"),
                boolean("isoptional"),
                text_null("logicalentityname"),
                boolean("iscustomizable"),
            ],
            vec![fk(
                "customapirequestparameter",
                "customapiid",
                "customapi",
                "customapiid",
                true,
            )],
        )
        .await?;
        unique_index(
            manager,
            "customapirequestparameter",
            &["customapiid", "uniquename"],
        )
        .await?;
        create(
            manager,
            "customapiresponseproperty",
            vec![
                id("customapiresponsepropertyid"),
                uuid("customapiid"),
                text("uniquename"),
                text("name"),
                text_null("displayname"),
                text_null("description"),
                int("type"),
                text_null("logicalentityname"),
                boolean("iscustomizable"),
            ],
            vec![fk(
                "customapiresponseproperty",
                "customapiid",
                "customapi",
                "customapiid",
                true,
            )],
        )
        .await?;
        unique_index(
            manager,
            "customapiresponseproperty",
            &["customapiid", "uniquename"],
        )
        .await?;
        let mut label_pk = Index::create().name("pk_localizedlabel").to_owned();
        label_pk
            .col(Alias::new("objectid"))
            .col(Alias::new("attributename"))
            .col(Alias::new("languagecode"));
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("localizedlabel"))
                    .col(uuid("objectid"))
                    .col(text("attributename"))
                    .col(int("languagecode"))
                    .col(text("objecttable"))
                    .col(text("label"))
                    .primary_key(&mut label_pk)
                    .to_owned(),
            )
            .await?;
        create(
            manager,
            "pluginassembly",
            vec![
                id("pluginassemblyid"),
                text("name"),
                text("fullname"),
                text_null("version"),
                int("isolationmode"),
                int("sourcetype"),
                text_null("filename"),
                text("kind"),
                ColumnDef::new(Alias::new("content"))
                    .blob()
                    .null()
                    .to_owned(),
                text_null("sha256"),
                uuid("solutionid"),
            ],
            vec![fk(
                "pluginassembly",
                "solutionid",
                "solution",
                "solutionid",
                false,
            )],
        )
        .await?;
        create(
            manager,
            "plugintype",
            vec![
                id("plugintypeid"),
                uuid("pluginassemblyid"),
                text("typename"),
                text_null("assemblyqualifiedname"),
                text_null("friendlyname"),
                text_null("description"),
            ],
            vec![fk(
                "plugintype",
                "pluginassemblyid",
                "pluginassembly",
                "pluginassemblyid",
                true,
            )],
        )
        .await?;
        create(
            manager,
            "pluginpackage",
            vec![
                id("pluginpackageid"),
                text("uniquename").unique_key().to_owned(),
                text("name"),
                text_null("version"),
                text_null("filename"),
                uuid("solutionid"),
            ],
            vec![fk(
                "pluginpackage",
                "solutionid",
                "solution",
                "solutionid",
                false,
            )],
        )
        .await?;
        create(
            manager,
            "sdkmessage",
            vec![
                id("sdkmessageid"),
                text("name").unique_key().to_owned(),
                boolean("isbuiltin"),
                uuid_null("customapiid"),
            ],
            vec![],
        )
        .await?;
        create(
            manager,
            "sdkmessageprocessingstep",
            vec![
                id("sdkmessageprocessingstepid"),
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
            vec![fk(
                "sdkmessageprocessingstep",
                "solutionid",
                "solution",
                "solutionid",
                false,
            )],
        )
        .await?;

        let mut seed = Query::insert()
            .into_table(Alias::new("sdkmessage"))
            .columns([
                Alias::new("sdkmessageid"),
                Alias::new("name"),
                Alias::new("isbuiltin"),
            ])
            .to_owned();
        for message in BUILT_IN_MESSAGES {
            seed.values_panic([message.id.into(), message.name.into(), true.into()]);
        }
        manager.exec_stmt(seed).await
    }
}
