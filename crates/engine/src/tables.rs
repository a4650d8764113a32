//! The definition tables, labels, users, roles and organization settings as the Web API
//! reads and changes them: the server's way to this data, so it never holds the store.

use std::collections::{BTreeMap, HashMap};

use switchboard_model::TraceLogSetting;
use switchboard_model::query::{Filter, RecordQuery};
use switchboard_store::security::SecurityError;
use uuid::Uuid;

use crate::Engine;
use crate::record_messages::RecordMessageError;

/// The columns `SetLocLabels`/`RetrieveLocLabels` may localize, by table.
pub use switchboard_store::read::LOCALIZABLE;

/// Rows of a definition table, as the Web API shows them, and one page of them.
pub use switchboard_store::definition_tables::{Row, RowPage, Rows};

/// Labels by record and column, each by language.
pub type TableLabels = HashMap<(Uuid, String), BTreeMap<u32, String>>;

/// Why a user or role was not added.
#[derive(Debug)]
pub enum AddError {
    /// One of that name exists.
    Exists(String),
    /// The platform failed (for the log).
    Failed(String),
}

impl Engine {
    /// One page of the definition or system table `table` (the query's filter, order,
    /// `$select`, `$top`, skip and page size run in the database); `None` for a table that
    /// is not one.
    pub async fn definition_page(
        &self,
        table: &str,
        query: &RecordQuery,
    ) -> Result<Option<RowPage>, RecordMessageError> {
        Ok(self.store.definition_page(table, query).await?)
    }

    /// How many rows of the definition table `table` match `filter` (`$count`).
    pub async fn count_definitions(
        &self,
        table: &str,
        filter: Option<&Filter>,
    ) -> Result<Option<u64>, RecordMessageError> {
        Ok(self.store.count_definitions(table, filter).await?)
    }

    /// The rows of `table` whose `column` (`_customapiid_value`) is one of `ids`: the
    /// children of a page's rows (`$expand`).
    pub async fn definition_rows_of(
        &self,
        table: &str,
        column: &str,
        ids: &[Uuid],
    ) -> Result<Option<Rows>, RecordMessageError> {
        Ok(self.store.definition_rows_of(table, column, ids).await?)
    }

    /// The labels of the localizable columns of `table`'s records `ids` (one page's rows).
    pub async fn labels_of(&self, table: &str, ids: &[Uuid]) -> Result<TableLabels, String> {
        self.store
            .labels_of(table, ids)
            .await
            .map_err(|e| e.to_string())
    }

    /// Whether the record `id` of `table` exists.
    pub async fn record_exists(&self, table: &str, id: Uuid) -> Result<bool, String> {
        self.store
            .record_exists(table, id)
            .await
            .map_err(|e| e.to_string())
    }

    /// The labels of one column of a record, by language.
    pub async fn labels(&self, id: Uuid, attribute: &str) -> Result<BTreeMap<u32, String>, String> {
        self.store
            .labels(id, attribute)
            .await
            .map_err(|e| e.to_string())
    }

    /// Replaces the labels given (`SetLocLabels`; `base` also sets the column itself) and
    /// refreshes the definitions, so `$metadata` and the tables show them at once.
    pub async fn set_labels(
        &self,
        table: &str,
        id: Uuid,
        attribute: &str,
        labels: &[(u32, String)],
        base: u32,
    ) -> Result<(), String> {
        self.store
            .set_labels(table, id, attribute, labels, base)
            .await
            .map_err(|e| e.to_string())?;
        self.refresh_registry().await;
        Ok(())
    }

    /// Reloads the definitions when the database has newer ones (after a change made
    /// through this process, so its next request sees it); a failure is logged and the
    /// watcher retries.
    pub async fn refresh_registry(&self) {
        if let Err(e) = self.registry.refresh(&self.store).await {
            tracing::warn!(error = %e, "refreshing the definitions after a change");
        }
    }

    /// Adds a user (administrators, `POST systemusers`).
    pub async fn add_user(
        &self,
        name: &str,
        full_name: &str,
        language: Option<i32>,
    ) -> Result<Uuid, AddError> {
        self.store
            .add_user(name, full_name, language)
            .await
            .map_err(add_error)
    }

    /// Adds a role (administrators, `POST roles`).
    pub async fn add_role(&self, name: &str) -> Result<Uuid, AddError> {
        self.store.add_role(name).await.map_err(add_error)
    }

    /// Sets a user's language; `false` when there is no such user.
    pub async fn set_user_language(
        &self,
        user: Uuid,
        language: Option<i32>,
    ) -> Result<bool, String> {
        self.store
            .set_user_language(user, language)
            .await
            .map_err(|e| e.to_string())
    }

    /// Sets the organization's `plugintracelogsetting`.
    pub async fn set_trace_log_setting(&self, setting: TraceLogSetting) -> Result<(), String> {
        self.store
            .set_trace_log_setting(setting)
            .await
            .map_err(|e| e.to_string())
    }
}

fn add_error(e: SecurityError) -> AddError {
    match e {
        SecurityError::Exists(name) => AddError::Exists(name),
        other => AddError::Failed(format!("{other:?}")),
    }
}
