//! The unit of work of one execution and what goes with it: the transaction opened at the
//! first write (reads use it once open, the pool before), the queued asynchronous steps it
//! writes, and the mapping of failures between the pipeline and the call seam.

use std::collections::BTreeMap;
use std::sync::Arc;

use switchboard_model::execution::ExecuteError;
use switchboard_model::value::Value;
use switchboard_model::{CustomApi, Message};
use switchboard_pipeline::{
    AsyncStep, BoxFuture, ExecutionContext, PipelineError, PipelineErrorKind, UnitOfWork,
};
use switchboard_store::DbErr;
use switchboard_store::jobs::{self, NewJob};
use switchboard_store::unit::Unit;
use uuid::Uuid;

use crate::Engine;
use crate::registry::Registry;

/// Every response property at its default value (what the caller gets for outputs no
/// plug-in set).
pub(crate) fn default_outputs(api: &CustomApi) -> BTreeMap<String, Value> {
    api.response_properties
        .iter()
        .map(|p| (p.unique_name.to_string(), Value::default_for(p.field_type)))
        .collect()
}

/// Runs `$op` with the unit's connection for a read: its transaction when one is open,
/// the pool otherwise.
macro_rules! reading {
    ($unit:expr, |$db:ident| $op:expr) => {{
        let conn = $unit.unit.read().await;
        match (conn.transaction(), conn.pool()) {
            (Some($db), _) => $op.await,
            (None, Some($db)) => $op.await,
            (None, None) => unreachable!("a unit connection is a transaction or the pool"),
        }
    }};
}
pub(crate) use reading;

/// Maps a pipeline failure to the call seam's error.
pub(crate) fn execute_error(e: PipelineError) -> ExecuteError {
    match e.kind {
        PipelineErrorKind::Business => ExecuteError::Business(e.message),
        PipelineErrorKind::PluginFailed => ExecuteError::PluginFailed(e.message),
        PipelineErrorKind::Forbidden => ExecuteError::Forbidden(e.message),
        PipelineErrorKind::InfiniteLoop => ExecuteError::InfiniteLoop(e.message),
        PipelineErrorKind::Internal => ExecuteError::Internal(e.message),
    }
}

pub(crate) fn pipeline_error(e: ExecuteError) -> PipelineError {
    match e {
        ExecuteError::Business(m) => PipelineError::new(PipelineErrorKind::Business, m),
        ExecuteError::PluginFailed(m) => PipelineError::new(PipelineErrorKind::PluginFailed, m),
        ExecuteError::Forbidden(m) => PipelineError::new(PipelineErrorKind::Forbidden, m),
        ExecuteError::InfiniteLoop(m) => PipelineError::new(PipelineErrorKind::InfiniteLoop, m),
        ExecuteError::Internal(m) => PipelineError::new(PipelineErrorKind::Internal, m),
    }
}

pub(crate) fn database(e: DbErr) -> PipelineError {
    PipelineError::new(
        PipelineErrorKind::Internal,
        Message::internal(format_args!("the execution's unit of work failed: {e}")),
    )
}

/// The store side of an execution: the lazily opened transaction, and the job queue.
pub(crate) struct ServerUnit {
    pub(crate) unit: Arc<Unit>,
    /// The first failure of a message a plug-in executed: a nested infinite loop reaches the
    /// caller as such, even when the plug-in passed it on as its own error.
    pub(crate) nested_failure: std::sync::Mutex<Option<PipelineError>>,
    /// Asynchronous steps were queued: wake the job workers after the commit.
    queued: std::sync::atomic::AtomicBool,
    jobs: Option<switchboard_store::jobs::JobQueue>,
    /// Why the built-in record operation refused (a bad value, a missing record, …), so the
    /// Web API can answer with the record error's own status and code.
    pub(crate) record_failure: std::sync::Mutex<Option<switchboard_store::RecordError>>,
    /// The registry snapshot the whole request runs against: its steps, plug-ins and record
    /// tables (nested executions share it).
    pub(crate) registry: Arc<Registry>,
    /// The execution is a record message from outside that no step fires for: its main
    /// operation is all that happens (a single-statement write needs no transaction).
    pub(crate) stepless: bool,
    /// The unit belongs to a job worker, which commits it with the job's status: the
    /// pipeline's commit leaves it open (its rollback still discards the writes).
    pub(crate) owner_commits: bool,
}

impl ServerUnit {
    /// A unit over `unit` running against `registry`; `jobs` wakes the workers when it
    /// queued steps.
    pub(crate) fn over(
        unit: Arc<Unit>,
        jobs: Option<switchboard_store::jobs::JobQueue>,
        registry: Arc<Registry>,
    ) -> Self {
        Self {
            registry,
            unit,
            nested_failure: std::sync::Mutex::new(None),
            queued: std::sync::atomic::AtomicBool::new(false),
            jobs,
            record_failure: std::sync::Mutex::new(None),
            stepless: false,
            owner_commits: false,
        }
    }

    /// The unit of a record message from outside (`message` on `table`): when no step is
    /// registered for it, its main operation is all that happens.
    pub(crate) fn for_record_message(engine: &Engine, message: &str, table: &str) -> Arc<Self> {
        let registry = engine.registry.current();
        let stepless = registry.steps.get(message).is_none_or(|steps| {
            steps
                .iter()
                .all(|(t, _)| t.as_deref().is_some_and(|t| t != table))
        });
        let mut unit = Self::over(
            Arc::new(Unit::new(engine.store.clone())),
            Some(engine.jobs.clone()),
            registry,
        );
        unit.stepless = stepless;
        Arc::new(unit)
    }

    /// Plug-in assembly bytes, read through the execution's connection (with SQLite's
    /// single connection, the pool is busy while the transaction is open).
    pub(crate) async fn assembly_content(&self, id: Uuid) -> Result<Option<Vec<u8>>, DbErr> {
        reading!(self, |db| switchboard_store::read::assembly_content_in(
            db, id
        ))
    }
}

/// What a queued asynchronous step carries in its job's `data`.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct QueuedStep {
    /// The step's id.
    pub(crate) step: Uuid,
    /// The context it runs with.
    pub(crate) context: ExecutionContext,
}

impl UnitOfWork for ServerUnit {
    fn enqueue(&self, step: AsyncStep) -> BoxFuture<'_, Result<(), PipelineError>> {
        Box::pin(async move {
            let data = serde_json::to_string(&QueuedStep {
                step: step.step.id,
                context: step.context.clone(),
            })
            .map_err(|e| database(DbErr::Custom(e.to_string())))?;
            let guard = self.unit.write().await.map_err(database)?;
            let txn = guard.as_ref().expect("write() opened the transaction");
            jobs::enqueue(
                txn,
                NewJob {
                    name: step.step.name.clone(),
                    data,
                    correlation_id: Some(step.context.correlation_id),
                    message_name: Some(step.context.message_name.clone()),
                    depth: i32::try_from(step.context.depth).unwrap_or(i32::MAX),
                    owning_extension_id: Some(step.step.id),
                    primary_entity_type: step.context.primary_entity_name.clone(),
                    regarding_object_id: step.context.primary_entity_id,
                    owner_id: Some(step.context.user_id),
                    auto_delete: step.step.async_auto_delete,
                    ..NewJob::default()
                },
            )
            .await
            .map_err(database)?;
            self.queued
                .store(true, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        })
    }

    fn commit(&self) -> BoxFuture<'_, Result<(), PipelineError>> {
        Box::pin(async move {
            if self.owner_commits {
                return Ok(());
            }
            self.unit.commit().await.map_err(database)?;
            if self.queued.load(std::sync::atomic::Ordering::Relaxed)
                && let Some(jobs) = &self.jobs
            {
                jobs.notify();
            }
            Ok(())
        })
    }

    fn rollback(&self) -> BoxFuture<'_, Result<(), PipelineError>> {
        Box::pin(async move { self.unit.rollback().await.map_err(database) })
    }

    fn read_record<'a>(
        &'a self,
        table: &'a str,
        id: Uuid,
        in_transaction: bool,
    ) -> BoxFuture<'a, Result<Option<switchboard_model::Entity>, PipelineError>> {
        Box::pin(async move {
            use switchboard_store::records;
            let Some(table) = self.registry.records.get(table) else {
                return Ok(None);
            };
            let record = if in_transaction {
                let guard = self.unit.write().await.map_err(database)?;
                let txn = guard.as_ref().expect("write() opened the transaction");
                records::retrieve(txn, table, id, None).await
            } else {
                reading!(self, |db| records::retrieve(db, table, id, None))
            };
            let record = record.map_err(|e| match e {
                switchboard_store::RecordError::Database(e) => database(e),
                switchboard_store::RecordError::Rejected(_, m) => {
                    PipelineError::new(PipelineErrorKind::Internal, m)
                }
            })?;
            Ok(record.map(|attributes| switchboard_model::Entity {
                logical_name: Some(table.logical_name.clone()),
                id: Some(id),
                attributes,
            }))
        })
    }
}
