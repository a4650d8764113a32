//! The in-memory view of the stored definitions that requests are served from: custom
//! APIs by name, known tables, and the rendered `$metadata`. Rebuilt when an import
//! changes the database (any process may import), never per request.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use switchboard_model::names::BUILT_IN_TABLES;
use switchboard_model::{CustomApi, Table};
use switchboard_odata::csdl::{self, EntityTypeDef};
use switchboard_odata::{TableInfo, Tables};
use switchboard_store::{DbErr, Store, StoredApi};

use crate::definitions;

/// A step with the table it is registered for (`None`: any).
pub type TableStep = (Option<String>, Arc<switchboard_pipeline::Step>);

/// One consistent snapshot of the definitions.
pub struct Registry {
    /// Custom APIs by exact unique name (OData names are case-sensitive).
    pub apis: HashMap<String, Arc<CustomApi>>,
    /// The stored rows behind the APIs (ids, solution), by unique name.
    pub stored: Vec<StoredApi>,
    /// Every table requests may name.
    pub tables: Tables,
    /// Tables whose records live in the store, by logical name.
    pub records: HashMap<String, Arc<Table>>,
    /// The entity types `$metadata` declares besides those the APIs name.
    entity_types: Vec<EntityTypeDef>,
    /// The rendered CSDL document (descriptions in the base language).
    pub metadata: Arc<str>,
    /// The document rendered for other languages, on first request.
    localized: std::sync::Mutex<HashMap<u32, Arc<str>>>,
    /// Entity sets for the service document.
    pub entity_sets: Vec<String>,
    /// Plug-in types by id, with their assemblies.
    pub plugin_targets: HashMap<uuid::Uuid, switchboard_store::PluginTarget>,
    /// Enabled processing steps by message name, with their primary table, in execution order.
    pub steps: HashMap<String, Vec<TableStep>>,
    /// The store fingerprint this snapshot was built from.
    pub version: (u64, i64),
}

impl Registry {
    /// Builds a snapshot from the database.
    pub async fn load(store: &Store) -> Result<Self, DbErr> {
        let version = store.registry_version().await?;
        let stored = store.list_apis().await?;
        let mut tables = Tables::default();
        for t in BUILT_IN_TABLES {
            tables.insert(TableInfo::named(t));
        }
        let records: HashMap<String, Arc<Table>> = store
            .tables()
            .await?
            .into_iter()
            .map(|t| (t.logical_name.clone(), Arc::new(t)))
            .collect();
        for t in records.values() {
            tables.insert(TableInfo {
                logical_name: t.logical_name.clone(),
                set_name: t.set_name.clone(),
                primary_id: t.primary_id.clone(),
            });
        }
        tables.insert(TableInfo::named(switchboard_odata::names::UNTYPED_ENTITY));
        for def in definitions::TABLES {
            tables.insert(TableInfo::named(def.logical_name));
        }
        for s in &stored {
            for t in s.api.referenced_tables() {
                if tables.by_logical(t.as_str()).is_none() {
                    tables.insert(TableInfo::named(t.as_str()));
                }
            }
        }
        let apis: HashMap<String, Arc<CustomApi>> = stored
            .iter()
            .map(|s| (s.api.unique_name.to_string(), Arc::new(s.api.clone())))
            .collect();
        let mut sorted: Vec<&CustomApi> = apis.values().map(|a| a.as_ref()).collect();
        sorted.sort_by(|a, b| a.unique_name.cmp(&b.unique_name));
        let entity_types = entity_types(&records);
        let metadata: Arc<str> = csdl::render(
            &sorted,
            &tables,
            &entity_types,
            switchboard_model::BASE_LANGUAGE,
        )
        .into();
        let mut entity_sets: Vec<String> = tables.iter().map(|t| t.set_name.clone()).collect();
        entity_sets.sort();
        let plugin_targets: HashMap<uuid::Uuid, switchboard_store::PluginTarget> = store
            .plugin_targets()
            .await?
            .into_iter()
            .map(|t| (t.type_id, t))
            .collect();
        let mut steps: HashMap<String, Vec<TableStep>> = HashMap::new();
        for s in store.pipeline_steps().await? {
            steps.entry(s.message).or_default().push((
                s.primary_entity,
                Arc::new(switchboard_pipeline::Step {
                    id: s.id,
                    name: s.name,
                    stage: s.stage,
                    mode: s.mode,
                    rank: s.rank,
                    plugin_type: s.plugin_type,
                    unsecure_configuration: s.configuration,
                    secure_configuration: s.secure_configuration,
                    async_auto_delete: s.async_auto_delete,
                    filtering_attributes: s.filtering_attributes,
                    images: s.images,
                }),
            ));
        }
        Ok(Self {
            apis,
            stored,
            tables,
            records,
            entity_types,
            metadata,
            entity_sets,
            plugin_targets,
            steps,
            version,
            localized: std::sync::Mutex::new(HashMap::new()),
        })
    }
}

impl Registry {
    /// The record table behind an entity set.
    pub fn record_table(&self, set_name: &str) -> Option<&Arc<Table>> {
        self.tables
            .by_set(set_name)
            .and_then(|t| self.records.get(&t.logical_name))
    }

    /// `$metadata` with descriptions in `language` (rendered once per language per snapshot).
    pub fn metadata_for(&self, language: Option<u32>) -> Arc<str> {
        let language = match language {
            Some(l) if l != switchboard_model::BASE_LANGUAGE => l,
            _ => return self.metadata.clone(),
        };
        let mut cache = self.localized.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(language)
            .or_insert_with(|| {
                let mut sorted: Vec<&CustomApi> = self.apis.values().map(|a| a.as_ref()).collect();
                sorted.sort_by(|a, b| a.unique_name.cmp(&b.unique_name));
                csdl::render(&sorted, &self.tables, &self.entity_types, language).into()
            })
            .clone()
    }
}

/// The definition tables and the record tables as entity types, plus key-only types for
/// lookup targets nothing else declares (so every navigation property resolves).
fn entity_types(records: &HashMap<String, Arc<Table>>) -> Vec<EntityTypeDef> {
    let mut types = definitions::entity_types();
    let mut sorted: Vec<&Arc<Table>> = records.values().collect();
    sorted.sort_by(|a, b| a.logical_name.cmp(&b.logical_name));
    types.extend(
        sorted
            .iter()
            .map(|t| switchboard_odata::records::entity_type(t)),
    );
    let targets: Vec<String> = types
        .iter()
        .flat_map(|t| t.navigation.iter().map(|n| n.target.clone()))
        .collect();
    for target in targets {
        if !types.iter().any(|t| t.logical_name == target) {
            types.push(EntityTypeDef {
                logical_name: target,
                properties: Vec::new(),
                navigation: Vec::new(),
            });
        }
    }
    types
}

/// The current snapshot, swapped whole when the database changes.
#[derive(Clone)]
pub struct SharedRegistry(Arc<RwLock<Arc<Registry>>>);

impl SharedRegistry {
    /// Wraps a first snapshot.
    pub fn new(registry: Registry) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(registry))))
    }

    /// The current snapshot.
    pub fn current(&self) -> Arc<Registry> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn replace(&self, registry: Registry) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(registry);
    }

    /// Rebuilds the snapshot when the store's fingerprint changed.
    pub async fn refresh(&self, store: &Store) -> Result<bool, DbErr> {
        if store.registry_version().await? == self.current().version {
            return Ok(false);
        }
        self.replace(Registry::load(store).await?);
        Ok(true)
    }

    /// Checks for changes every `period` until the process ends.
    pub fn watch(&self, store: Store, period: Duration) -> tokio::task::JoinHandle<()> {
        let shared = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(period);
            loop {
                ticker.tick().await;
                match shared.refresh(&store).await {
                    Ok(true) => tracing::info!("definitions changed; registry rebuilt"),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "could not check for definition changes"),
                }
            }
        })
    }
}
