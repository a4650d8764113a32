//! Reading stored definitions back as model values, and row counts.

use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use switchboard_model::{
    AllowedStepType, ApiItem, ApiItemKind, Binding, CustomApi, ExportKey, FieldType,
    LocalizedLabel, LogicalName, PluginTypeRef, Publisher, Solution, SolutionVersion, UniqueName,
};
use uuid::Uuid;

use crate::Store;
use crate::entity::{
    customapi, customapirequestparameter as param, customapiresponseproperty as prop,
    localizedlabel, pluginassembly, pluginpackage, plugintype, publisher, sdkmessage,
    sdkmessageprocessingstep, solution,
};
use crate::items::{self, ItemRow};

/// A custom API as stored, with its ids and owning solution.
#[derive(Debug, Clone, Serialize)]
pub struct StoredApi {
    /// `customapiid`.
    pub id: Uuid,
    /// `sdkmessageid`.
    pub sdk_message_id: Uuid,
    /// Unique name of the owning solution.
    pub solution: String,
    /// Whether the owning solution is managed.
    pub managed: bool,
    /// The definition.
    pub api: CustomApi,
}

fn corrupt(what: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(format!("stored definition is not valid: {what}"))
}

type Labels = HashMap<(Uuid, String), BTreeMap<u32, String>>;

fn label(labels: &Labels, id: Uuid, attribute: &str, base: &Option<String>) -> LocalizedLabel {
    LocalizedLabel {
        default: base.clone(),
        labels: labels
            .get(&(id, attribute.to_owned()))
            .cloned()
            .unwrap_or_default(),
    }
}

impl Store {
    /// Every stored custom API, ordered by unique name.
    pub async fn list_apis(&self) -> Result<Vec<StoredApi>, DbErr> {
        let db = self.reader();
        let solutions: HashMap<Uuid, solution::Model> = solution::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.solutionid, s))
            .collect();
        let mut labels: Labels = HashMap::new();
        for l in localizedlabel::Entity::find().all(db).await? {
            labels
                .entry((l.objectid, l.attributename))
                .or_default()
                .insert(l.languagecode as u32, l.label);
        }
        let mut stored_items: HashMap<(ApiItemKind, Uuid), Vec<ItemRow>> = HashMap::new();
        for kind in ApiItemKind::ALL {
            for item in items::all(db, kind).await? {
                stored_items
                    .entry((kind, item.api_id))
                    .or_default()
                    .push(item);
            }
        }
        let mut out = Vec::new();
        for row in customapi::Entity::find()
            .order_by_asc(customapi::Column::Uniquename)
            .all(db)
            .await?
        {
            let table = || {
                let raw = row
                    .boundentitylogicalname
                    .as_deref()
                    .ok_or_else(|| corrupt("bound API without table"))?;
                LogicalName::parse(raw).map_err(corrupt)
            };
            let binding = match row.bindingtype {
                0 => Binding::Global,
                1 => Binding::Entity(table()?),
                2 => Binding::EntityCollection(table()?),
                other => return Err(corrupt(format!("bindingtype {other}"))),
            };
            let plugin_type = match (row.plugintypeid, &row.plugintypeexportkey) {
                (Some(id), _) => PluginTypeRef::Id(id),
                (None, Some(key)) => {
                    PluginTypeRef::ExportKey(ExportKey::parse(key).map_err(corrupt)?)
                }
                (None, None) => PluginTypeRef::None,
            };
            let field_type = |code: i32| {
                FieldType::from_code(code.into()).ok_or_else(|| corrupt(format!("type {code}")))
            };
            let entity = |name: &Option<String>| {
                name.as_deref()
                    .map(LogicalName::parse)
                    .transpose()
                    .map_err(corrupt)
            };
            let mut items = |kind| -> Result<Vec<ApiItem>, DbErr> {
                let rows = stored_items.remove(&(kind, row.customapiid));
                rows.unwrap_or_default()
                    .into_iter()
                    .map(|p| {
                        Ok(ApiItem {
                            unique_name: UniqueName::parse(&p.unique_name).map_err(corrupt)?,
                            display_name: label(&labels, p.id, "displayname", &p.display_name),
                            description: label(&labels, p.id, "description", &p.description),
                            name: p.name,
                            field_type: field_type(p.field_type)?,
                            is_optional: p.is_optional,
                            logical_entity_name: entity(&p.logical_entity_name)?,
                            is_customizable: p.is_customizable,
                        })
                    })
                    .collect()
            };
            let request_parameters = items(ApiItemKind::RequestParameter)?;
            let response_properties = items(ApiItemKind::ResponseProperty)?;
            let owner = solutions.get(&row.solutionid);
            out.push(StoredApi {
                id: row.customapiid,
                sdk_message_id: row.sdkmessageid,
                solution: owner.map(|s| s.uniquename.clone()).unwrap_or_default(),
                managed: row.ismanaged,
                api: CustomApi {
                    unique_name: UniqueName::parse(&row.uniquename).map_err(corrupt)?,
                    display_name: label(&labels, row.customapiid, "displayname", &row.displayname),
                    description: label(&labels, row.customapiid, "description", &row.description),
                    name: row.name,
                    binding,
                    is_function: row.isfunction,
                    is_private: row.isprivate,
                    allowed_step_type: AllowedStepType::from_code(
                        row.allowedcustomprocessingsteptype.into(),
                    )
                    .ok_or_else(|| corrupt("allowedcustomprocessingsteptype"))?,
                    execute_privilege: row.executeprivilegename,
                    workflow_sdk_step_enabled: row.workflowsdkstepenabled,
                    is_customizable: row.iscustomizable,
                    plugin_type,
                    configuration: row.configuration,
                    request_parameters,
                    response_properties,
                },
            });
        }
        Ok(out)
    }

    /// Rows per table, for reports and for tests that check nothing was written.
    pub async fn row_counts(&self) -> Result<BTreeMap<&'static str, u64>, DbErr> {
        let db = self.reader();
        let mut counts = BTreeMap::new();
        counts.insert("customapi", customapi::Entity::find().count(db).await?);
        counts.insert(
            "customapirequestparameter",
            param::Entity::find().count(db).await?,
        );
        counts.insert(
            "customapiresponseproperty",
            prop::Entity::find().count(db).await?,
        );
        counts.insert(
            "localizedlabel",
            localizedlabel::Entity::find().count(db).await?,
        );
        counts.insert(
            "pluginassembly",
            pluginassembly::Entity::find().count(db).await?,
        );
        counts.insert(
            "pluginpackage",
            pluginpackage::Entity::find().count(db).await?,
        );
        counts.insert("plugintype", plugintype::Entity::find().count(db).await?);
        counts.insert("publisher", publisher::Entity::find().count(db).await?);
        counts.insert("sdkmessage", sdkmessage::Entity::find().count(db).await?);
        counts.insert(
            "sdkmessageprocessingstep",
            sdkmessageprocessingstep::Entity::find().count(db).await?,
        );
        counts.insert("solution", solution::Entity::find().count(db).await?);
        Ok(counts)
    }

    /// The stored solutions: unique name, version and managed flag.
    pub async fn list_solutions(&self) -> Result<Vec<(String, String, bool)>, DbErr> {
        let rows = solution::Entity::find()
            .order_by_asc(solution::Column::Uniquename)
            .all(self.reader())
            .await?;
        Ok(rows
            .into_iter()
            .map(|s| (s.uniquename, s.version, s.ismanaged))
            .collect())
    }

    /// A stored solution by unique name (in any case, as Dataverse compares them), with its
    /// names and descriptions in every language and its publisher.
    pub async fn solution(&self, unique_name: &str) -> Result<Option<Solution>, DbErr> {
        let db = self.reader();
        let Some(row) = solution::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .find(|s| s.uniquename.eq_ignore_ascii_case(unique_name))
        else {
            return Ok(None);
        };
        let owner = publisher::Entity::find_by_id(row.publisherid)
            .one(db)
            .await?
            .ok_or_else(|| corrupt(format!("solution {} has no publisher", row.uniquename)))?;
        let labelled = |id, attribute, base: Option<String>| async move {
            Ok::<_, DbErr>(LocalizedLabel {
                default: base,
                labels: self.labels(id, attribute).await?,
            })
        };
        Ok(Some(Solution {
            names: labelled(row.solutionid, "friendlyname", row.friendlyname).await?,
            descriptions: labelled(row.solutionid, "description", row.description).await?,
            version: SolutionVersion::parse(&row.version).map_err(corrupt)?,
            managed: row.ismanaged,
            publisher: Publisher {
                names: labelled(owner.publisherid, "friendlyname", owner.friendlyname).await?,
                // Publisher descriptions are stored in the base language only.
                descriptions: LocalizedLabel {
                    default: owner.description,
                    labels: BTreeMap::new(),
                },
                unique_name: owner.uniquename,
                prefix: owner.customizationprefix,
                option_value_prefix: owner.customizationoptionvalueprefix,
            },
            unique_name: row.uniquename,
        }))
    }

    /// The stored steps' names for one message id.
    pub async fn steps_for_message(
        &self,
        message: Uuid,
    ) -> Result<Vec<sdkmessageprocessingstep::Model>, DbErr> {
        sdkmessageprocessingstep::Entity::find()
            .filter(sdkmessageprocessingstep::Column::Sdkmessageid.eq(message))
            .all(self.reader())
            .await
    }
}

impl Store {
    /// A cheap fingerprint of everything imports change: readers compare it to know when
    /// to rebuild what they derived from the definitions.
    pub async fn registry_version(&self) -> Result<(u64, i64), DbErr> {
        use sea_orm::QuerySelect;
        let db = self.reader();
        let count = solution::Entity::find().count(db).await?;
        let latest: Option<i64> = solution::Entity::find()
            .select_only()
            .column_as(solution::Column::Modifiedon.max(), "latest")
            .into_tuple::<Option<i64>>()
            .one(db)
            .await?
            .flatten();
        Ok((count, latest.unwrap_or(0)))
    }
}

/// A plug-in type with what is needed to run it (no binary: see [`Store::assembly_content`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginTarget {
    /// `plugintypeid`.
    pub type_id: Uuid,
    /// The type name (what a component exports it as).
    pub type_name: String,
    /// `pluginassemblyid`.
    pub assembly_id: Uuid,
    /// The assembly's name.
    pub assembly_name: String,
    /// WebAssembly (runnable here) or foreign.
    pub kind: switchboard_model::PluginAssemblyKind,
    /// SHA-256 of the stored binary, when there is one.
    pub sha256: Option<String>,
}

impl Store {
    /// Every plug-in type with its assembly.
    pub async fn plugin_targets(&self) -> Result<Vec<PluginTarget>, DbErr> {
        use sea_orm::QuerySelect;
        let db = self.reader();
        let assemblies: HashMap<Uuid, (String, String, Option<String>)> =
            pluginassembly::Entity::find()
                .select_only()
                .columns([
                    pluginassembly::Column::Pluginassemblyid,
                    pluginassembly::Column::Name,
                    pluginassembly::Column::Kind,
                    pluginassembly::Column::Sha256,
                ])
                .into_tuple::<(Uuid, String, String, Option<String>)>()
                .all(db)
                .await?
                .into_iter()
                .map(|(id, name, kind, sha)| (id, (name, kind, sha)))
                .collect();
        let types = plugintype::Entity::find().all(db).await?;
        Ok(types
            .into_iter()
            .filter_map(|t| {
                let (name, kind, sha) = assemblies.get(&t.pluginassemblyid)?.clone();
                Some(PluginTarget {
                    type_id: t.plugintypeid,
                    type_name: t.typename,
                    assembly_id: t.pluginassemblyid,
                    assembly_name: name,
                    kind: switchboard_model::PluginAssemblyKind::from_stored(&kind),
                    sha256: sha,
                })
            })
            .collect())
    }

    /// The stored binary of an assembly.
    pub async fn assembly_content(&self, assembly_id: Uuid) -> Result<Option<Vec<u8>>, DbErr> {
        Ok(pluginassembly::Entity::find_by_id(assembly_id)
            .one(self.reader())
            .await?
            .and_then(|a| a.content))
    }
}

/// A plug-in assembly's bytes, read through a given connection (an open transaction).
pub async fn assembly_content_in<C: sea_orm::ConnectionTrait>(
    db: &C,
    assembly_id: Uuid,
) -> Result<Option<Vec<u8>>, DbErr> {
    Ok(pluginassembly::Entity::find_by_id(assembly_id)
        .one(db)
        .await?
        .and_then(|a| a.content))
}

/// A definition table's key column: `{table}id`.
fn key_column(table: &str) -> String {
    format!("{table}id")
}

/// Tables with localizable columns, and those columns.
pub const LOCALIZABLE: &[(&str, &[&str])] = &[
    ("customapi", &["displayname", "description"]),
    ("customapirequestparameter", &["displayname", "description"]),
    ("customapiresponseproperty", &["displayname", "description"]),
    ("solution", &["friendlyname", "description"]),
    ("publisher", &["friendlyname"]),
];

impl Store {
    /// Whether a record of a localizable table exists.
    pub async fn record_exists(&self, table: &str, id: Uuid) -> Result<bool, DbErr> {
        if !LOCALIZABLE.iter().any(|(t, _)| *t == table) {
            return Ok(false);
        }
        let statement = Query::select()
            .expr(Expr::val(1))
            .from(Alias::new(table))
            .and_where(Expr::col(Alias::new(key_column(table))).eq(id))
            .to_owned();
        Ok(self.reader().query_one(&statement).await?.is_some())
    }

    /// The labels of one column of one record, by language.
    pub async fn labels(&self, id: Uuid, attribute: &str) -> Result<BTreeMap<u32, String>, DbErr> {
        Ok(localizedlabel::Entity::find()
            .filter(localizedlabel::Column::Objectid.eq(id))
            .filter(localizedlabel::Column::Attributename.eq(attribute))
            .all(self.reader())
            .await?
            .into_iter()
            .map(|l| (l.languagecode as u32, l.label))
            .collect())
    }

    /// The labels of `table`'s records `ids`: (record, column) → language → text.
    pub async fn labels_of(
        &self,
        table: &str,
        ids: &[Uuid],
    ) -> Result<HashMap<(Uuid, String), BTreeMap<u32, String>>, DbErr> {
        let mut out: HashMap<(Uuid, String), BTreeMap<u32, String>> = HashMap::new();
        // Bounded `IN (…)` lists: a page holds up to 5,000 rows.
        for chunk in ids.chunks(500) {
            for l in localizedlabel::Entity::find()
                .filter(localizedlabel::Column::Objecttable.eq(table))
                .filter(localizedlabel::Column::Objectid.is_in(chunk.iter().copied()))
                .all(self.reader())
                .await?
            {
                out.entry((l.objectid, l.attributename))
                    .or_default()
                    .insert(l.languagecode as u32, l.label);
            }
        }
        Ok(out)
    }

    /// Sets labels of one column (SetLocLabels): each language given is replaced; the base
    /// language also updates the record's own column. Marks definitions as changed.
    pub async fn set_labels(
        &self,
        table: &str,
        id: Uuid,
        attribute: &str,
        labels: &[(u32, String)],
        base: u32,
    ) -> Result<(), DbErr> {
        use sea_orm::{ActiveValue::Set, TransactionTrait};
        if !LOCALIZABLE
            .iter()
            .any(|(t, columns)| *t == table && columns.contains(&attribute))
        {
            return Err(DbErr::Custom(format!(
                "{table}.{attribute} is not localizable"
            )));
        }
        let txn = self.connection().begin().await?;
        for (lcid, text) in labels {
            localizedlabel::Entity::delete_many()
                .filter(localizedlabel::Column::Objectid.eq(id))
                .filter(localizedlabel::Column::Attributename.eq(attribute))
                .filter(localizedlabel::Column::Languagecode.eq(*lcid as i32))
                .exec(&txn)
                .await?;
            localizedlabel::Entity::insert(localizedlabel::ActiveModel {
                objectid: Set(id),
                attributename: Set(attribute.to_owned()),
                languagecode: Set(*lcid as i32),
                objecttable: Set(table.to_owned()),
                label: Set(text.clone()),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        let base_text = labels
            .iter()
            .find(|(l, _)| *l == base)
            .map(|(_, t)| t.clone());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        // The owning solution's modification time is what readers watch for changes.
        let solution_id: Option<Uuid> = match table {
            "solution" => Some(id),
            "publisher" => None,
            _ => {
                // A custom API's own row, or the API a parameter or property belongs to.
                let api_id = Expr::col(Alias::new("customapiid"));
                let api = if table == "customapi" {
                    api_id.eq(id)
                } else {
                    api_id.in_subquery(
                        Query::select()
                            .column(Alias::new("customapiid"))
                            .from(Alias::new(table))
                            .and_where(Expr::col(Alias::new(key_column(table))).eq(id))
                            .to_owned(),
                    )
                };
                let statement = Query::select()
                    .column(Alias::new("solutionid"))
                    .from(Alias::new("customapi"))
                    .and_where(api)
                    .to_owned();
                match txn.query_one(&statement).await? {
                    Some(row) => Some(row.try_get("", "solutionid")?),
                    None => None,
                }
            }
        };
        if let Some(text) = base_text {
            // The record's own column holds the base-language text.
            let statement = Query::update()
                .table(Alias::new(table))
                .value(Alias::new(attribute), text)
                .and_where(Expr::col(Alias::new(key_column(table))).eq(id))
                .to_owned();
            txn.execute(&statement).await?;
        }
        if let Some(solution_id) = solution_id {
            solution::Entity::update_many()
                .col_expr(
                    solution::Column::Modifiedon,
                    sea_orm::sea_query::Expr::value(now),
                )
                .filter(solution::Column::Solutionid.eq(solution_id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await
    }
}
