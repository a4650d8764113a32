//! The record operations a plug-in may call through the `organization` interface. The host
//! only forwards them: the server implements [`RecordService`] with the caller's identity,
//! privileges and database connection.

use std::future::Future;
use std::pin::Pin;

use std::collections::BTreeMap;

use switchboard_model::value::{Entity, Value};
use uuid::Uuid;

/// Why a record operation failed, in words the plug-in can show (already rendered in the
/// caller's language by the service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFailure {
    /// The message.
    pub message: String,
}

/// A page of records from [`RecordService::retrieve_multiple`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordPage {
    /// The records, each with its table and id.
    pub records: Vec<Entity>,
    /// More records match than this page holds.
    pub more: bool,
}

/// A boxed future of a record operation (the trait is used as `dyn`).
pub type RecordFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, RecordFailure>> + Send + 'a>>;

/// Record operations run on behalf of the plug-in's user.
pub trait RecordService: Send + Sync {
    /// Creates `entity` (its `logical_name` names the table; an `id` is used when given).
    fn create(&self, entity: Entity) -> RecordFuture<'_, Uuid>;
    /// One record with `columns` (all when empty).
    fn retrieve(&self, table: String, id: Uuid, columns: Vec<String>) -> RecordFuture<'_, Entity>;
    /// Changes the given attributes of the record `entity` names.
    fn update(&self, entity: Entity) -> RecordFuture<'_, ()>;
    /// Deletes one record.
    fn delete(&self, table: String, id: Uuid) -> RecordFuture<'_, ()>;
    /// Records matching an OData query string (`$select=…&$filter=…&$orderby=…&$top=…`).
    fn retrieve_multiple(&self, table: String, query: String) -> RecordFuture<'_, RecordPage>;

    /// Executes another message (depth + 1, same transaction) and returns its outputs.
    fn execute(
        &self,
        message: String,
        inputs: BTreeMap<String, Value>,
    ) -> RecordFuture<'_, BTreeMap<String, Value>> {
        let _ = inputs;
        Box::pin(async move {
            Err(RecordFailure {
                message: format!("executing message {message} is not available here"),
            })
        })
    }
}
