//! Runs claimed jobs: background operations and their callbacks (`background`), and queued
//! asynchronous steps: the job's serialized context, the step from the current
//! registry, the plug-in as the user who caused the job (from the principal cache), its
//! writes in the job's unit (a savepoint opened at the first write, so they commit together
//! with the job's Succeeded status, or not at all, and no transaction is open while the
//! plug-in runs before it writes).

use std::sync::Arc;

use switchboard_pipeline::{PipelineErrorKind, UnitOfWork};
use switchboard_store::jobs::{BoxFuture, ClaimedJob, JobError, JobRunner};
use switchboard_store::unit::Unit;

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

    async fn run_step(&self, job: &ClaimedJob, job_unit: &Arc<Unit>) -> Result<(), JobError> {
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
            .principal(queued.context.user_id)
            .await
            .map_err(|e| JobError::new(e.to_string()))?
            .ok_or_else(|| {
                JobError::permanent(format!(
                    "user {} no longer exists or is disabled",
                    queued.context.user_id
                ))
            })?;
        let caller = crate::caller(&principal, queued.context.initiating_user_id);
        let unit = Arc::new(ServerUnit::over(job_unit.clone(), None, registry.clone()));
        let dyn_unit: Arc<dyn UnitOfWork> = unit.clone();
        // The worker commits or rolls back the job's unit with the job's status.
        Engine::pipeline(&self.engine, unit)
            .run_async_step(&step, &caller, &queued.context, &dyn_unit)
            .await
            .map_err(|e| {
                let message = self
                    .engine
                    .locales
                    .pick(caller.language, None)
                    .render(&e.message);
                // A business error will fail again the same way; anything else may pass later.
                if e.kind == PipelineErrorKind::Business {
                    JobError::permanent(message)
                } else {
                    JobError::new(message)
                }
            })
    }
}

impl JobRunner for StepJobRunner {
    fn run<'a>(
        &'a self,
        job: &'a ClaimedJob,
        unit: &'a Arc<Unit>,
    ) -> BoxFuture<'a, Result<(), JobError>> {
        use switchboard_store::background::codes;
        match job.operation_type {
            codes::OPERATION_BACKGROUND_OPERATION => {
                Box::pin(crate::background::run(&self.engine, job, unit))
            }
            codes::OPERATION_BACKGROUND_CALLBACK => {
                Box::pin(crate::background::deliver_callback(&self.engine, job, unit))
            }
            codes::OPERATION_BACKGROUND_COMPLETE => {
                Box::pin(crate::background::fire_completion(&self.engine, job, unit))
            }
            _ => Box::pin(self.run_step(job, unit)),
        }
    }
}
