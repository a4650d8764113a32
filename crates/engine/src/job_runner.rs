//! Runs queued asynchronous steps: the job's serialized context, the step from the current
//! registry, the plug-in as the user who caused the job (from the principal cache), its
//! writes in the job's transaction (so they commit together with the job's Succeeded
//! status, or not at all).

use std::sync::Arc;

use switchboard_pipeline::{PipelineErrorKind, UnitOfWork};
use switchboard_store::jobs::{BoxFuture, ClaimedJob, JobError, JobRunner};
use switchboard_store::unit::Unit;
use switchboard_store::{DatabaseTransaction, TransactionTrait};

use crate::Engine;
use crate::unit::{QueuedStep, ServerUnit};

/// The job runner `serve` hands claimed jobs to.
pub struct StepJobRunner {
    engine: Engine,
}

impl StepJobRunner {
    /// A runner over this server's registry, plug-in host and store.
    pub fn new(engine: Engine) -> Self {
        Self { engine }
    }

    async fn run_step(&self, job: &ClaimedJob, txn: &DatabaseTransaction) -> Result<(), JobError> {
        let queued: QueuedStep = serde_json::from_str(&job.data)
            .map_err(|e| JobError::permanent(format!("the job's context is unreadable: {e}")))?;
        let registry = self.engine.registry.current();
        let step = registry
            .steps
            .values()
            .flatten()
            .map(|(_, s)| s)
            .find(|s| s.id == queued.step)
            .cloned()
            .ok_or_else(|| {
                JobError::permanent(format!(
                    "step {} is no longer registered or enabled",
                    queued.step
                ))
            })?;
        let principal = self
            .engine
            .store
            .principal_through(txn, queued.context.user_id)
            .await
            .map_err(|e| JobError::new(e.to_string()))?
            .ok_or_else(|| {
                JobError::permanent(format!(
                    "user {} no longer exists or is disabled",
                    queued.context.user_id
                ))
            })?;
        let caller = crate::caller(&principal, queued.context.initiating_user_id);
        // The step's writes go to a savepoint inside the job's transaction: a failing step
        // leaves nothing (the worker then rolls the job's transaction back and records the
        // failure on its own).
        let savepoint = txn
            .begin()
            .await
            .map_err(|e| JobError::new(e.to_string()))?;
        let unit = Arc::new(ServerUnit::over(
            Unit::adopt(self.engine.store.clone(), savepoint),
            None,
            registry.clone(),
        ));
        let dyn_unit: Arc<dyn UnitOfWork> = unit.clone();
        let result = Engine::pipeline(&self.engine, unit.clone())
            .run_async_step(&step, &caller, &queued.context, &dyn_unit)
            .await;
        match result {
            Ok(()) => unit
                .unit
                .commit()
                .await
                .map_err(|e| JobError::new(e.to_string())),
            Err(e) => {
                let _ = unit.unit.rollback().await;
                let message = self
                    .engine
                    .locales
                    .pick(caller.language, None)
                    .render(&e.message);
                // A business error will fail again the same way; anything else may pass later.
                Err(if e.kind == PipelineErrorKind::Business {
                    JobError::permanent(message)
                } else {
                    JobError::new(message)
                })
            }
        }
    }
}

impl JobRunner for StepJobRunner {
    fn run<'a>(
        &'a self,
        job: &'a ClaimedJob,
        txn: &'a DatabaseTransaction,
    ) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(self.run_step(job, txn))
    }
}
