//! `sdkmessageprocessingstep`: a plug-in registered on a message at a stage.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::message::{Message, MessageId};
use crate::options::{StepMode, StepStage};
use crate::plugin::ExportKey;

/// How a step names its message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageRef {
    /// `SdkMessageId`: a built-in's well-known id or a custom API's derived id.
    Id(Uuid),
    /// `SdkMessageName`: the message (custom API unique name or built-in name).
    Name(String),
}

/// How a step names its plug-in type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepPluginRef {
    /// `PluginTypeName` (+ optional `PluginTypeId`).
    Type {
        /// The type name.
        name: Option<String>,
        /// The type id.
        id: Option<Uuid>,
    },
    /// `PluginTypeExportKey`.
    ExportKey(ExportKey),
}

/// A validated processing step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessingStep {
    /// `SdkMessageProcessingStepId`.
    pub id: Uuid,
    /// `Name`.
    pub name: String,
    /// `Description`.
    pub description: Option<String>,
    /// The message it runs on.
    pub message: MessageRef,
    /// The plug-in type it runs.
    pub plugin_type: StepPluginRef,
    /// `PrimaryEntity` (`none` and empty mean no table).
    pub primary_entity: Option<String>,
    /// `SecondaryEntity`.
    pub secondary_entity: Option<String>,
    /// `Stage`: 10, 20 or 40.
    pub stage: StepStage,
    /// `Mode`.
    pub mode: StepMode,
    /// `Rank`: order within a stage, ascending.
    pub rank: i32,
    /// `FilteringAttributes`, split on commas.
    pub filtering_attributes: Vec<String>,
    /// `Configuration` (unsecure configuration).
    pub configuration: Option<String>,
    /// `AsyncAutoDelete`.
    pub async_auto_delete: bool,
    /// `InvocationSource` (0 parent, 1 child; kept as written).
    pub invocation_source: Option<i32>,
    /// Whether the step is enabled (`StateCode` 0).
    pub enabled: bool,
}

impl ProcessingStep {
    /// The stage/mode rules every registered step obeys: stages 10, 20 and 40 only, and
    /// asynchronous steps only at post-operation.
    pub fn check_stage_and_mode(stage: StepStage, mode: StepMode) -> Result<(), Message> {
        if stage == StepStage::MainOperation {
            return Err(Message::new(MessageId::StepStageInvalid).arg("stage", stage.code()));
        }
        if mode == StepMode::Asynchronous && stage != StepStage::PostOperation {
            return Err(
                Message::new(MessageId::StepAsyncNotPostOperation).arg("stage", stage.code())
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn async_only_at_post_operation() {
        use StepMode::*;
        use StepStage::*;
        assert!(ProcessingStep::check_stage_and_mode(PostOperation, Asynchronous).is_ok());
        assert!(ProcessingStep::check_stage_and_mode(PreValidation, Synchronous).is_ok());
        assert!(ProcessingStep::check_stage_and_mode(PreOperation, Asynchronous).is_err());
        assert!(ProcessingStep::check_stage_and_mode(MainOperation, Synchronous).is_err());
    }
}
