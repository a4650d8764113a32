//! Custom API definitions as Dataverse models them, validated on construction.
//!
//! Pure data and rules: no IO, no async, no SQL, no HTTP. Everything that comes out of
//! this crate has already passed the rules of Dataverse's custom API tables, so the
//! layers above never re-check them.

pub mod api;
pub mod context;
pub mod execution;
pub mod ids;
pub mod label;
pub mod message;
pub mod names;
pub mod options;
pub mod plugin;
pub mod privileges;
pub mod query;
pub mod solution;
pub mod step;
pub mod table;
pub mod value;

pub use api::{
    ApiField, ApiItem, ApiItemKind, Binding, CustomApi, CustomApiDraft, Finding, ItemDraft,
    RequestParameter, RequestParameterDraft, ResponseProperty, ResponsePropertyDraft, Severity,
    Validated,
};
pub use context::{ExecutionContext, MAX_DEPTH, StepChanges};
pub use label::{BASE_LANGUAGE, Lcid, LocalizedLabel};
pub use message::{Message, MessageId};
pub use names::{LogicalName, UniqueName};
pub use options::{
    AllowedStepType, BindingType, FieldType, ImageType, RecordErrorKind, StepMode, StepStage,
    TraceLogSetting,
};
pub use plugin::{
    ExportKey, PluginAssembly, PluginAssemblyKind, PluginPackage, PluginType, PluginTypeRef,
};
pub use solution::{Publisher, Solution, SolutionVersion};
pub use step::{MessageRef, ProcessingStep, StepImage, StepPluginRef};
pub use table::{ChoiceOption, Column, ColumnType, Ownership, Table};
pub use value::{Entity, EntityReference, Value};
