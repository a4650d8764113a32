//! Executes one message through Dataverse's event pipeline: pre-validation (10) steps, the
//! privilege check, pre-operation (20), the main operation (30), post-operation (40) sync
//! steps, and asynchronous post-operation steps queued in the same transaction.
//!
//! The pipeline knows neither HTTP, SQL nor WebAssembly: it calls the traits in [`seams`]
//! (which steps exist, how a plug-in runs, the execution's unit of work), and the server wires
//! the store and the plug-in host into them. Tests use in-memory fakes.

pub mod execute;
pub mod seams;

pub use execute::{MainOperation, MessageRequest, Pipeline};
pub use seams::{
    AsyncStep, BoxFuture, PipelineError, PipelineErrorKind, PlatformOperation, PluginInvoker, Step,
    StepSource, Target, UnitOfWork,
};
pub use switchboard_model::{ExecutionContext, MAX_DEPTH, StepChanges};
