//! Importing a solution: one transaction that creates or updates every component, or
//! writes nothing at all.

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, TransactionTrait,
};
use switchboard_model::{
    ApiItemKind, BASE_LANGUAGE, CustomApi, ExportKey, LocalizedLabel, Message, MessageId,
    PluginAssembly, PluginPackage, PluginTypeRef, ProcessingStep, Solution, Table, ids,
};
use uuid::Uuid;

use crate::entity::{
    customapi, entitydefinition, localizedlabel, pluginassembly, pluginpackage, plugintype,
    publisher, sdkmessage, solution,
};
use crate::tables::{TableChange, TableError};
use crate::{Store, items};

/// What one solution package contributes.
#[derive(Debug, Clone, Copy)]
pub struct ImportInput<'a> {
    /// The manifest.
    pub solution: &'a Solution,
    /// Custom APIs.
    pub apis: &'a [&'a CustomApi],
    /// Plug-in assemblies with their types.
    pub assemblies: &'a [PluginAssembly],
    /// Plug-in packages.
    pub packages: &'a [PluginPackage],
    /// Processing steps.
    pub steps: &'a [ProcessingStep],
    /// Tables (custom ones, and columns added to built-in ones).
    pub tables: &'a [Table],
}

/// Which kind of component a conflict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// `customapi`.
    CustomApi,
    /// `customapirequestparameter`.
    RequestParameter,
    /// `customapiresponseproperty`.
    ResponseProperty,
}

impl From<ApiItemKind> for ItemKind {
    fn from(kind: ApiItemKind) -> Self {
        match kind {
            ApiItemKind::RequestParameter => ItemKind::RequestParameter,
            ApiItemKind::ResponseProperty => ItemKind::ResponseProperty,
        }
    }
}

impl ItemKind {
    /// The table's logical name.
    pub fn table(self) -> &'static str {
        match self {
            ItemKind::CustomApi => "customapi",
            ItemKind::RequestParameter => "customapirequestparameter",
            ItemKind::ResponseProperty => "customapiresponseproperty",
        }
    }
}

/// An immutable column whose value the package changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Which kind of component.
    pub kind: ItemKind,
    /// The custom API's unique name.
    pub api: String,
    /// The parameter or property unique name, for items.
    pub item: Option<String>,
    /// The column (as the solution file names it).
    pub column: &'static str,
    /// The stored value.
    pub stored: String,
    /// The package's value.
    pub incoming: String,
}

impl Conflict {
    /// The user-facing message.
    pub fn message(&self) -> Message {
        let name = match &self.item {
            Some(item) => format!("{}.{item}", self.api),
            None => self.api.clone(),
        };
        Message::new(MessageId::ImportImmutableChanged)
            .arg("component", self.kind.table())
            .arg("name", name)
            .arg("column", self.column)
            .arg("stored", &self.stored)
            .arg("incoming", &self.incoming)
    }
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportError {
    /// Immutable columns would change.
    Conflicts(Vec<Conflict>),
    /// The import as a whole is not allowed (managed over unmanaged, downgrade, …).
    Refused(Message),
    /// A table definition cannot be stored (names the table's logical name).
    Table(String, Message),
    /// Processing steps break registration rules (every refused step, each with the first
    /// rule it breaks).
    Steps(Vec<crate::steps::StepFailure>),
    /// The database failed.
    Database(DbErr),
}

impl From<DbErr> for ImportError {
    fn from(e: DbErr) -> Self {
        ImportError::Database(e)
    }
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Solution unique name.
    pub solution: String,
    /// Its version.
    pub version: String,
    /// Whether it is managed.
    pub managed: bool,
    /// Components created (`customapi sb_Echo`, `pluginassembly X`, …).
    pub created: Vec<String>,
    /// Components updated.
    pub updated: Vec<String>,
    /// Components removed (managed upgrades drop what the new version no longer has).
    pub removed: Vec<String>,
    /// Non-fatal findings.
    pub warnings: Vec<Message>,
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Store {
    /// Imports several packages in one transaction: all of them, or nothing.
    pub async fn import(
        &self,
        inputs: &[ImportInput<'_>],
    ) -> Result<Vec<ImportReport>, ImportError> {
        let txn = self.connection().begin().await?;
        let mut reports = Vec::new();
        for input in inputs {
            reports.push(import_one(&txn, input).await?);
        }
        // Steps last: their messages and plug-in types may come from any package of the
        // import. Every refused step is reported; then nothing is written.
        let mut failures = Vec::new();
        for (input, report) in inputs.iter().zip(&mut reports) {
            let solution_id = solution::Entity::find()
                .filter(solution::Column::Uniquename.eq(&input.solution.unique_name))
                .one(&txn)
                .await?
                .map_or_else(
                    || ids::solution_id(&input.solution.unique_name),
                    |s| s.solutionid,
                );
            for s in input.steps {
                match crate::steps::import_step(&txn, s, solution_id).await {
                    Ok(change) => {
                        let label = format!("sdkmessageprocessingstep {}", s.name);
                        if change.created {
                            report.created.push(label)
                        } else {
                            report.updated.push(label)
                        }
                        report.warnings.extend(change.warnings);
                    }
                    Err(crate::steps::StepError::Rejected { rule, message }) => {
                        failures.push(crate::steps::StepFailure {
                            id: s.id,
                            rule,
                            message,
                        })
                    }
                    Err(crate::steps::StepError::Database(e)) => return Err(e.into()),
                }
            }
        }
        if !failures.is_empty() {
            return Err(ImportError::Steps(failures));
        }
        txn.commit().await?;
        Ok(reports)
    }
}

async fn import_one(
    txn: &DatabaseTransaction,
    input: &ImportInput<'_>,
) -> Result<ImportReport, ImportError> {
    let sol = input.solution;
    let now = now_millis();
    let mut report = ImportReport {
        solution: sol.unique_name.clone(),
        version: sol.version.to_string(),
        managed: sol.managed,
        ..Default::default()
    };
    let solution_id = ids::solution_id(&sol.unique_name);
    let existing = solution::Entity::find()
        .filter(solution::Column::Uniquename.eq(&sol.unique_name))
        .one(txn)
        .await?;
    let solution_id = existing.as_ref().map_or(solution_id, |s| s.solutionid);
    if let Some(old) = &existing {
        if old.ismanaged != sol.managed {
            let id = if sol.managed {
                MessageId::ImportManagedOverUnmanaged
            } else {
                MessageId::ImportUnmanagedOverManaged
            };
            return Err(ImportError::Refused(
                Message::new(id).arg("solution", &sol.unique_name),
            ));
        }
        match switchboard_model::SolutionVersion::parse(&old.version) {
            Ok(stored) if sol.version < stored && sol.managed => {
                return Err(ImportError::Refused(
                    Message::new(MessageId::ImportOlderVersion)
                        .arg("solution", &sol.unique_name)
                        .arg("incoming", &sol.version)
                        .arg("stored", &old.version),
                ));
            }
            Ok(stored) if sol.version == stored => report.warnings.push(
                Message::new(MessageId::ImportSameVersion)
                    .arg("solution", &sol.unique_name)
                    .arg("version", &sol.version),
            ),
            _ => {}
        }
    }

    // Publisher and solution rows.
    let publisher_id = ids::publisher_id(&sol.publisher.unique_name);
    let publisher_row = publisher::ActiveModel {
        publisherid: Set(publisher_id),
        uniquename: Set(sol.publisher.unique_name.clone()),
        friendlyname: Set(base_text(&sol.publisher.names)),
        description: Set(base_text(&sol.publisher.descriptions)),
        customizationprefix: Set(sol.publisher.prefix.clone()),
        customizationoptionvalueprefix: Set(sol.publisher.option_value_prefix),
    };
    if publisher::Entity::find_by_id(publisher_id)
        .one(txn)
        .await?
        .is_some()
    {
        publisher::Entity::update(publisher_row).exec(txn).await?;
    } else {
        publisher::Entity::insert(publisher_row)
            .exec_without_returning(txn)
            .await?;
    }
    let solution_row = solution::ActiveModel {
        solutionid: Set(solution_id),
        uniquename: Set(sol.unique_name.clone()),
        friendlyname: Set(base_text(&sol.names)),
        description: Set(base_text(&sol.descriptions)),
        version: Set(sol.version.to_string()),
        ismanaged: Set(sol.managed),
        publisherid: Set(publisher_id),
        installedon: Set(existing.as_ref().map_or(now, |s| s.installedon)),
        modifiedon: Set(now),
    };
    if existing.is_some() {
        solution::Entity::update(solution_row).exec(txn).await?;
    } else {
        solution::Entity::insert(solution_row)
            .exec_without_returning(txn)
            .await?;
    }
    replace_labels(txn, solution_id, "solution", "friendlyname", &sol.names).await?;
    replace_labels(
        txn,
        solution_id,
        "solution",
        "description",
        &sol.descriptions,
    )
    .await?;
    replace_labels(
        txn,
        publisher_id,
        "publisher",
        "friendlyname",
        &sol.publisher.names,
    )
    .await?;

    // Custom APIs: check every immutable column first, so all conflicts are reported.
    let mut conflicts = Vec::new();
    let mut stored_apis = Vec::new();
    for api in input.apis {
        let id = ids::custom_api_id(api.unique_name.as_str());
        let stored = customapi::Entity::find_by_id(id).one(txn).await?;
        if let Some(row) = &stored {
            if row.solutionid != solution_id {
                let owner = solution::Entity::find_by_id(row.solutionid)
                    .one(txn)
                    .await?;
                if owner.as_ref().is_some_and(|o| o.ismanaged) || row.ismanaged {
                    return Err(ImportError::Refused(
                        Message::new(MessageId::ImportApiOwnedElsewhere)
                            .arg("name", &api.unique_name)
                            .arg(
                                "owner",
                                owner.map_or_else(|| "?".to_owned(), |o| o.uniquename),
                            )
                            .arg("solution", &sol.unique_name),
                    ));
                }
            }
            conflicts.extend(api_conflicts(txn, row, api).await?);
        }
        stored_apis.push(stored);
    }
    if !conflicts.is_empty() {
        return Err(ImportError::Conflicts(conflicts));
    }

    let mut in_package = HashSet::new();
    for (api, stored) in input.apis.iter().zip(stored_apis) {
        let id = ids::custom_api_id(api.unique_name.as_str());
        in_package.insert(id);
        write_api(
            txn,
            api,
            id,
            solution_id,
            sol.managed,
            now,
            stored.is_some(),
        )
        .await?;
        let label = format!("customapi {}", api.unique_name);
        if stored.is_some() {
            report.updated.push(label)
        } else {
            report.created.push(label)
        }
    }

    // A managed upgrade removes the APIs the new version no longer contains; an unmanaged
    // import never deletes (Dataverse semantics).
    if sol.managed {
        let owned = customapi::Entity::find()
            .filter(customapi::Column::Solutionid.eq(solution_id))
            .all(txn)
            .await?;
        for row in owned
            .into_iter()
            .filter(|r| !in_package.contains(&r.customapiid))
        {
            delete_api(txn, &row).await?;
            report.removed.push(format!("customapi {}", row.uniquename));
        }
    }

    for assembly in input.assemblies {
        let existed = write_assembly(txn, assembly, solution_id).await?;
        let label = format!("pluginassembly {}", assembly.name);
        if existed {
            report.updated.push(label)
        } else {
            report.created.push(label)
        }
    }
    for package in input.packages {
        let id = ids::plugin_package_id(&package.unique_name);
        let row = pluginpackage::ActiveModel {
            pluginpackageid: Set(id),
            uniquename: Set(package.unique_name.clone()),
            name: Set(package.name.clone()),
            version: Set(package.version.clone()),
            filename: Set(package.file_name.clone()),
            solutionid: Set(solution_id),
        };
        let label = format!("pluginpackage {}", package.unique_name);
        if pluginpackage::Entity::find_by_id(id)
            .one(txn)
            .await?
            .is_some()
        {
            pluginpackage::Entity::update(row).exec(txn).await?;
            report.updated.push(label);
        } else {
            pluginpackage::Entity::insert(row)
                .exec_without_returning(txn)
                .await?;
            report.created.push(label);
        }
    }
    write_tables(txn, input.tables, solution_id, &mut report).await?;

    // Plug-in references that nothing imported so far provides run without a main
    // operation; say so rather than fail (unpacked sources often omit binaries).
    for api in input.apis {
        let resolved = match &api.plugin_type {
            PluginTypeRef::None => true,
            PluginTypeRef::Id(id) | PluginTypeRef::ExportKey(ExportKey::Guid(id)) => {
                plugintype::Entity::find_by_id(*id)
                    .one(txn)
                    .await?
                    .is_some()
            }
            PluginTypeRef::ExportKey(ExportKey::Hex(_)) => false,
        };
        if !resolved {
            let reference = match &api.plugin_type {
                PluginTypeRef::Id(id) => id.to_string(),
                PluginTypeRef::ExportKey(k) => k.to_string(),
                PluginTypeRef::None => String::new(),
            };
            report.warnings.push(
                Message::new(MessageId::ApiPluginTypeUnresolved)
                    .arg("name", &api.unique_name)
                    .arg("reference", reference),
            );
        }
    }
    Ok(report)
}

/// Creates or widens the record tables; lookups must point at tables that exist after the
/// import (built-in, stored, or in this import).
async fn write_tables(
    txn: &DatabaseTransaction,
    tables: &[Table],
    solution_id: Uuid,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let mut known: Vec<String> = vec!["systemuser".into(), "businessunit".into()];
    known.extend(
        entitydefinition::Entity::find()
            .all(txn)
            .await?
            .into_iter()
            .map(|r| r.logicalname),
    );
    known.extend(tables.iter().map(|t| t.logical_name.clone()));
    for table in tables {
        for column in &table.columns {
            for target in column.lookup_targets().unwrap_or_default() {
                if !known.contains(target) {
                    return Err(ImportError::Table(
                        table.logical_name.clone(),
                        Message::new(MessageId::ImportTableConflict)
                            .arg("table", &table.logical_name)
                            .arg(
                                "detail",
                                format!(
                                    "lookup {} targets {target}, which is not a table",
                                    column.logical_name
                                ),
                            ),
                    ));
                }
            }
        }
    }
    for table in tables {
        let owned = table.is_custom.then_some(solution_id);
        match crate::tables::sync_table(txn, table, owned).await {
            Ok(TableChange::Created) => report
                .created
                .push(format!("entity {}", table.logical_name)),
            Ok(TableChange::Updated(_)) => report
                .updated
                .push(format!("entity {}", table.logical_name)),
            Err(TableError::Incompatible(m)) => {
                return Err(ImportError::Table(table.logical_name.clone(), m));
            }
            Err(TableError::Database(e)) => return Err(e.into()),
        }
    }
    Ok(())
}

fn base_text(label: &LocalizedLabel) -> Option<String> {
    label.base_text(BASE_LANGUAGE).map(str::to_owned)
}

fn show<T: std::fmt::Debug>(v: &Option<T>) -> String {
    match v {
        Some(v) => format!("{v:?}").trim_matches('"').to_owned(),
        None => "(empty)".to_owned(),
    }
}

async fn api_conflicts(
    txn: &DatabaseTransaction,
    row: &customapi::Model,
    api: &CustomApi,
) -> Result<Vec<Conflict>, DbErr> {
    let mut out = Vec::new();
    let name = api.unique_name.to_string();
    let mut check = |kind, item: Option<&str>, column, stored: String, incoming: String| {
        if stored != incoming {
            out.push(Conflict {
                kind,
                api: name.clone(),
                item: item.map(str::to_owned),
                column,
                stored,
                incoming,
            });
        }
    };
    let bound = api.binding.table().map(|t| t.to_string());
    check(
        ItemKind::CustomApi,
        None,
        "uniquename",
        row.uniquename.clone(),
        name.clone(),
    );
    check(
        ItemKind::CustomApi,
        None,
        "bindingtype",
        row.bindingtype.to_string(),
        api.binding.binding_type().code().to_string(),
    );
    check(
        ItemKind::CustomApi,
        None,
        "boundentitylogicalname",
        show(&row.boundentitylogicalname),
        show(&bound),
    );
    check(
        ItemKind::CustomApi,
        None,
        "isfunction",
        bit(row.isfunction),
        bit(api.is_function),
    );
    check(
        ItemKind::CustomApi,
        None,
        "allowedcustomprocessingsteptype",
        row.allowedcustomprocessingsteptype.to_string(),
        api.allowed_step_type.code().to_string(),
    );
    check(
        ItemKind::CustomApi,
        None,
        "workflowsdkstepenabled",
        bit(row.workflowsdkstepenabled),
        bit(api.workflow_sdk_step_enabled),
    );

    for kind in ApiItemKind::ALL {
        let optional = |o: bool| (kind == ApiItemKind::RequestParameter).then(|| bit(o));
        let stored: Vec<ItemColumns> = items::of_api(txn, kind, row.customapiid)
            .await?
            .into_iter()
            .map(|o| ItemColumns {
                optional: optional(o.is_optional),
                unique_name: o.unique_name,
                field_type: o.field_type.to_string(),
                entity: show(&o.logical_entity_name),
            })
            .collect();
        for p in api.items(kind) {
            let incoming = ItemColumns {
                unique_name: p.unique_name.to_string(),
                field_type: p.field_type.code().to_string(),
                optional: optional(p.is_optional),
                entity: show(&p.logical_entity_name.as_ref().map(|e| e.to_string())),
            };
            incoming.compare(kind.into(), &stored, &mut check);
        }
    }
    Ok(out)
}

/// The columns of a request parameter or response property that an import may not change
/// (`isoptional` only for parameters), as text for the conflict message.
struct ItemColumns {
    unique_name: String,
    field_type: String,
    optional: Option<String>,
    entity: String,
}

impl ItemColumns {
    /// Reports each column of this incoming item that differs from the stored item of the
    /// same unique name (matched without regard to case); a new item has nothing to compare.
    fn compare(
        &self,
        kind: ItemKind,
        stored: &[ItemColumns],
        check: &mut impl FnMut(ItemKind, Option<&str>, &'static str, String, String),
    ) {
        let Some(old) = stored
            .iter()
            .find(|o| o.unique_name.eq_ignore_ascii_case(&self.unique_name))
        else {
            return;
        };
        let item = Some(self.unique_name.as_str());
        let optional = match (&old.optional, &self.optional) {
            (Some(stored), Some(incoming)) => Some(("isoptional", stored, incoming)),
            _ => None,
        };
        let pairs = [
            Some(("uniquename", &old.unique_name, &self.unique_name)),
            Some(("type", &old.field_type, &self.field_type)),
            optional,
            Some(("logicalentityname", &old.entity, &self.entity)),
        ];
        for (column, stored, incoming) in pairs.into_iter().flatten() {
            check(kind, item, column, stored.clone(), incoming.clone());
        }
    }
}

fn bit(b: bool) -> String {
    if b { "1" } else { "0" }.to_owned()
}

async fn write_api(
    txn: &DatabaseTransaction,
    api: &CustomApi,
    id: Uuid,
    solution_id: Uuid,
    managed: bool,
    now: i64,
    exists: bool,
) -> Result<(), DbErr> {
    let name = api.unique_name.as_str();
    let message_id = ids::custom_api_message_id(name);
    let (type_id, export_key) = match &api.plugin_type {
        PluginTypeRef::None => (None, None),
        PluginTypeRef::Id(id) => (Some(*id), None),
        PluginTypeRef::ExportKey(k) => (None, Some(k.to_string())),
    };
    let row = customapi::ActiveModel {
        customapiid: Set(id),
        uniquename: Set(name.to_owned()),
        name: Set(api.name.clone()),
        displayname: Set(base_text(&api.display_name)),
        description: Set(base_text(&api.description)),
        bindingtype: Set(api.binding.binding_type().code()),
        boundentitylogicalname: Set(api.binding.table().map(|t| t.to_string())),
        isfunction: Set(api.is_function),
        isprivate: Set(api.is_private),
        allowedcustomprocessingsteptype: Set(api.allowed_step_type.code()),
        executeprivilegename: Set(api.execute_privilege.clone()),
        configuration: Set(api.configuration.clone()),
        workflowsdkstepenabled: Set(api.workflow_sdk_step_enabled),
        iscustomizable: Set(api.is_customizable),
        plugintypeid: Set(type_id),
        plugintypeexportkey: Set(export_key),
        sdkmessageid: Set(message_id),
        solutionid: Set(solution_id),
        ismanaged: Set(managed),
        modifiedon: Set(now),
    };
    if exists {
        customapi::Entity::update(row).exec(txn).await?;
    } else {
        customapi::Entity::insert(row)
            .exec_without_returning(txn)
            .await?;
    }
    let message = sdkmessage::ActiveModel {
        sdkmessageid: Set(message_id),
        name: Set(name.to_owned()),
        isbuiltin: Set(false),
        customapiid: Set(Some(id)),
    };
    if sdkmessage::Entity::find_by_id(message_id)
        .one(txn)
        .await?
        .is_some()
    {
        sdkmessage::Entity::update(message).exec(txn).await?;
    } else {
        sdkmessage::Entity::insert(message)
            .exec_without_returning(txn)
            .await?;
    }
    replace_display_labels(txn, id, "customapi", &api.display_name, &api.description).await?;

    // Items: upsert the package's, and on managed upgrades drop the ones it no longer has.
    for kind in ApiItemKind::ALL {
        let old = items::of_api(txn, kind, id).await?;
        let mut kept = HashSet::new();
        for item in api.items(kind) {
            let item_id = match kind {
                ApiItemKind::RequestParameter => ids::request_parameter_id,
                ApiItemKind::ResponseProperty => ids::response_property_id,
            }(name, item.unique_name.as_str());
            kept.insert(item_id);
            let exists = old.iter().any(|o| o.id == item_id);
            items::write(txn, kind, (id, item_id), item, exists).await?;
            replace_display_labels(
                txn,
                item_id,
                kind.table(),
                &item.display_name,
                &item.description,
            )
            .await?;
        }
        if managed {
            let dropped: Vec<Uuid> = old
                .iter()
                .map(|o| o.id)
                .filter(|id| !kept.contains(id))
                .collect();
            for old in &dropped {
                delete_labels(txn, *old).await?;
            }
            items::delete(txn, kind, &dropped).await?;
        }
    }
    Ok(())
}

async fn delete_api(txn: &DatabaseTransaction, row: &customapi::Model) -> Result<(), DbErr> {
    for kind in ApiItemKind::ALL {
        let ids: Vec<Uuid> = items::of_api(txn, kind, row.customapiid)
            .await?
            .iter()
            .map(|item| item.id)
            .collect();
        for id in &ids {
            delete_labels(txn, *id).await?;
        }
        items::delete(txn, kind, &ids).await?;
    }
    delete_labels(txn, row.customapiid).await?;
    sdkmessage::Entity::delete_by_id(row.sdkmessageid)
        .exec(txn)
        .await?;
    customapi::Entity::delete_by_id(row.customapiid)
        .exec(txn)
        .await?;
    Ok(())
}

async fn delete_labels(txn: &impl ConnectionTrait, object: Uuid) -> Result<(), DbErr> {
    localizedlabel::Entity::delete_many()
        .filter(localizedlabel::Column::Objectid.eq(object))
        .exec(txn)
        .await?;
    Ok(())
}

/// Replaces the per-language labels of one column of one row.
/// Replaces the `displayname` and `description` labels of a row.
async fn replace_display_labels(
    txn: &impl ConnectionTrait,
    object: Uuid,
    table: &str,
    display_name: &LocalizedLabel,
    description: &LocalizedLabel,
) -> Result<(), DbErr> {
    replace_labels(txn, object, table, "displayname", display_name).await?;
    replace_labels(txn, object, table, "description", description).await
}

async fn replace_labels(
    txn: &impl ConnectionTrait,
    object: Uuid,
    table: &str,
    attribute: &str,
    label: &LocalizedLabel,
) -> Result<(), DbErr> {
    localizedlabel::Entity::delete_many()
        .filter(localizedlabel::Column::Objectid.eq(object))
        .filter(localizedlabel::Column::Attributename.eq(attribute))
        .exec(txn)
        .await?;
    if label.labels.is_empty() {
        return Ok(());
    }
    let rows = label
        .labels
        .iter()
        .map(|(lcid, text)| localizedlabel::ActiveModel {
            objectid: Set(object),
            attributename: Set(attribute.to_owned()),
            languagecode: Set(*lcid as i32),
            objecttable: Set(table.to_owned()),
            label: Set(text.clone()),
        });
    localizedlabel::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

async fn write_assembly(
    txn: &DatabaseTransaction,
    a: &PluginAssembly,
    solution_id: Uuid,
) -> Result<bool, DbErr> {
    let existed = pluginassembly::Entity::find_by_id(a.id)
        .one(txn)
        .await?
        .is_some();
    let row = pluginassembly::ActiveModel {
        pluginassemblyid: Set(a.id),
        name: Set(a.name.clone()),
        fullname: Set(a.full_name.clone()),
        version: Set(a.version.clone()),
        isolationmode: Set(a.isolation_mode),
        sourcetype: Set(a.source_type),
        filename: Set(a.file_name.clone()),
        kind: Set(a.kind.as_str().to_owned()),
        content: Set(a.content.clone()),
        sha256: Set(a.sha256.clone()),
        solutionid: Set(solution_id),
    };
    if existed {
        pluginassembly::Entity::update(row).exec(txn).await?;
    } else {
        pluginassembly::Entity::insert(row)
            .exec_without_returning(txn)
            .await?;
    }
    // The types are part of the assembly: the package's list replaces the stored one.
    plugintype::Entity::delete_many()
        .filter(plugintype::Column::Pluginassemblyid.eq(a.id))
        .exec(txn)
        .await?;
    for t in &a.types {
        plugintype::Entity::delete_by_id(t.id).exec(txn).await?;
        plugintype::Entity::insert(plugintype::ActiveModel {
            plugintypeid: Set(t.id),
            pluginassemblyid: Set(a.id),
            typename: Set(t.name.clone()),
            assemblyqualifiedname: Set(t.assembly_qualified_name.clone()),
            friendlyname: Set(t.friendly_name.clone()),
            description: Set(t.description.clone()),
        })
        .exec_without_returning(txn)
        .await?;
    }
    Ok(existed)
}
