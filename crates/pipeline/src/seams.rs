//! The traits at the pipeline's edges: where steps come from, how a plug-in runs, and the
//! execution's unit of work (its lazily opened transaction and the job queue).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use switchboard_model::execution::Caller;
use switchboard_model::{Entity, Message, StepImage, StepMode, StepStage};
use uuid::Uuid;

use switchboard_model::{ExecutionContext, StepChanges};

/// A boxed future (the seams are used as `dyn`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One registered, enabled processing step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// `sdkmessageprocessingstepid`.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// 10, 20 or 40.
    pub stage: StepStage,
    /// Synchronous or asynchronous.
    pub mode: StepMode,
    /// Order within the stage (ascending).
    pub rank: i32,
    /// The plug-in type it runs.
    pub plugin_type: Uuid,
    /// Unsecure configuration.
    pub unsecure_configuration: Option<String>,
    /// Secure configuration.
    pub secure_configuration: Option<String>,
    /// Delete the job when it succeeds.
    pub async_auto_delete: bool,
    /// For Update: the step fires only when one of these columns is in the Target (empty:
    /// always).
    pub filtering_attributes: Vec<String>,
    /// The entity images the step receives (record messages only).
    pub images: Vec<StepImage>,
}

/// What a plug-in call runs: a step, or the message's main operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target<'a> {
    /// A registered step.
    Step(&'a Step),
    /// The main operation (stage 30) of the message.
    MainOperation,
}

/// Why an execution failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipelineErrorKind {
    /// A plug-in's business error (its message for the caller).
    Business,
    /// A plug-in failed (trap, deadline, memory cap, bad output).
    PluginFailed,
    /// The caller lacks the message's privilege.
    Forbidden,
    /// The call would run deeper than [`crate::MAX_DEPTH`].
    InfiniteLoop,
    /// The platform failed.
    Internal,
}

/// An execution failure with the message the caller reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineError {
    /// What kind of failure.
    pub kind: PipelineErrorKind,
    /// The message.
    pub message: Message,
}

impl PipelineError {
    /// A failure of a kind.
    pub fn new(kind: PipelineErrorKind, message: Message) -> Self {
        Self { kind, message }
    }
}

/// An asynchronous step to queue with a copy of the context it will run with.
#[derive(Debug, Clone, PartialEq)]
pub struct AsyncStep {
    /// The step.
    pub step: Step,
    /// The context at the end of post-operation (stage 40, asynchronous mode).
    pub context: ExecutionContext,
}

/// The steps registered on a message (and primary table), enabled only, already sorted by
/// stage, then rank, then registration order.
pub trait StepSource: Send + Sync {
    /// The steps for `message` on `primary_entity`.
    fn steps(&self, message: &str, primary_entity: Option<&str>) -> Vec<Arc<Step>>;
}

/// Runs plug-ins. `unit` is the execution's unit of work, so record operations the plug-in
/// makes join its transaction.
pub trait PluginInvoker: Send + Sync {
    /// Runs `target` with `context` as `caller`; returns what the plug-in changed.
    fn invoke<'a>(
        &'a self,
        target: Target<'a>,
        caller: &'a Caller,
        context: &'a ExecutionContext,
        unit: &'a Arc<dyn UnitOfWork>,
    ) -> BoxFuture<'a, Result<StepChanges, PipelineError>>;
}

/// Runs the platform's own main operations (the store call of a record message: Create,
/// Retrieve, Update, Delete, RetrieveMultiple) in the execution's unit of work.
pub trait PlatformOperation: Send + Sync {
    /// Runs the main operation of `context`'s message as `caller`; returns its outputs.
    fn run<'a>(
        &'a self,
        caller: &'a Caller,
        context: &'a ExecutionContext,
        unit: &'a Arc<dyn UnitOfWork>,
    ) -> BoxFuture<'a, Result<StepChanges, PipelineError>>;
}

/// The writes of one execution (and of the executions nested in it): a transaction opened
/// at the first write — a read-only call never opens one — plus the job queue, which takes
/// asynchronous steps in the same transaction.
pub trait UnitOfWork: Send + Sync {
    /// Queues an asynchronous step (opens the transaction if needed).
    fn enqueue(&self, step: AsyncStep) -> BoxFuture<'_, Result<(), PipelineError>>;
    /// Makes every write visible (no-op when nothing was written).
    fn commit(&self) -> BoxFuture<'_, Result<(), PipelineError>>;
    /// Discards every write (no-op when nothing was written).
    fn rollback(&self) -> BoxFuture<'_, Result<(), PipelineError>>;
    /// The record `id` of `table` as this execution sees it, for an entity image: with
    /// `in_transaction`, read inside the transaction (opened if needed, so the snapshot and
    /// the write it brackets are one unit); otherwise wherever a read goes now. `None` when
    /// the record does not exist.
    fn read_record<'a>(
        &'a self,
        table: &'a str,
        id: Uuid,
        in_transaction: bool,
    ) -> BoxFuture<'a, Result<Option<Entity>, PipelineError>>;
}
