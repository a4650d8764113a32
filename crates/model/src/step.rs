//! `sdkmessageprocessingstep`: a plug-in registered on a message at a stage.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::message::{Message, MessageId};
use crate::options::{ImageType, StepMode, StepStage};
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
    /// `SdkMessageProcessingStepImages`: the record snapshots the step receives.
    #[serde(default)]
    pub images: Vec<StepImage>,
}

/// `sdkmessageprocessingstepimage`: a snapshot of the message's record (before or after the
/// main operation) that a step receives under an alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepImage {
    /// `SdkMessageProcessingStepImageId`.
    pub id: Uuid,
    /// `Name`.
    pub name: String,
    /// `EntityAlias`: the key the plug-in reads the image by.
    pub alias: String,
    /// `ImageType`.
    pub image_type: ImageType,
    /// `Attributes`, split on commas (empty: every column).
    pub attributes: Vec<String>,
    /// `MessagePropertyName`: `Target` (Update, Delete) or `Id` (Create).
    pub message_property_name: String,
    /// `Description`.
    pub description: Option<String>,
}

/// A comma-separated column list (`FilteringAttributes`, an image's `Attributes`) as
/// logical names: trimmed, lower case, empty entries dropped.
pub fn column_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty())
        .collect()
}

/// The images a message can give, as in Dataverse: `(pre, post)`. Create has only a
/// post-image (nothing exists before), Delete only a pre-image (nothing is left after),
/// Update both; other messages have no record to take one of.
pub fn images_available(message: &str) -> (bool, bool) {
    match message {
        "Create" => (false, true),
        "Update" => (true, true),
        "Delete" => (true, false),
        _ => (false, false),
    }
}

impl StepImage {
    /// The message property an image reads its record from, for `message`.
    pub fn default_property(message: &str) -> &'static str {
        if message == "Create" { "Id" } else { "Target" }
    }

    /// Whether a step on `message` at `stage` can receive this image: the message must
    /// give the snapshot, and a post-image exists only from post-operation on.
    pub fn check(&self, message: &str, stage: StepStage) -> Result<(), Message> {
        if self.alias.trim().is_empty() {
            return Err(Message::new(MessageId::StepImageAlias).arg("name", &self.name));
        }
        let (pre, post) = images_available(message);
        let wrong_kind = |kind: &str| {
            Err(Message::new(MessageId::StepImageMessage)
                .arg("alias", &self.alias)
                .arg("kind", kind.to_owned())
                .arg("message", message))
        };
        if self.image_type.has_pre() && !pre {
            return wrong_kind("PreImage");
        }
        if self.image_type.has_post() && !post {
            return wrong_kind("PostImage");
        }
        if self.image_type.has_post() && stage != StepStage::PostOperation {
            return Err(Message::new(MessageId::StepImageStage)
                .arg("alias", &self.alias)
                .arg("stage", stage.code()));
        }
        Ok(())
    }
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

    fn image(image_type: ImageType) -> StepImage {
        StepImage {
            id: Uuid::nil(),
            name: "image".into(),
            alias: "image".into(),
            image_type,
            attributes: Vec::new(),
            message_property_name: "Target".into(),
            description: None,
        }
    }

    #[test]
    fn column_lists_are_logical_names() {
        assert_eq!(column_list(" Name, ,telephone1 "), ["name", "telephone1"]);
        assert!(column_list("").is_empty());
    }

    #[test]
    fn images_follow_what_each_message_gives() {
        use ImageType::*;
        use StepStage::*;
        assert!(image(PreImage).check("Update", PreValidation).is_ok());
        assert!(image(Both).check("Update", PostOperation).is_ok());
        assert!(image(PostImage).check("Create", PostOperation).is_ok());
        assert!(image(PreImage).check("Delete", PreOperation).is_ok());
        let id = |r: Result<(), Message>| r.unwrap_err().id;
        assert_eq!(
            id(image(PreImage).check("Create", PostOperation)),
            MessageId::StepImageMessage
        );
        assert_eq!(
            id(image(PostImage).check("Delete", PostOperation)),
            MessageId::StepImageMessage
        );
        assert_eq!(
            id(image(PreImage).check("sb_Api", PostOperation)),
            MessageId::StepImageMessage
        );
        assert_eq!(
            id(image(PostImage).check("Update", PreOperation)),
            MessageId::StepImageStage
        );
        let mut unnamed = image(PreImage);
        unnamed.alias = " ".into();
        assert_eq!(
            id(unnamed.check("Update", PreOperation)),
            MessageId::StepImageAlias
        );
    }
}

/// Which rule a refused registration broke (callers map it to an HTTP status or a file
/// location).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum StepRule {
    /// The name is empty or longer than the store allows.
    Name,
    /// The stage is not 10, 20 or 40, or an asynchronous step is not at 40.
    StageAndMode,
    /// No message has that id or name.
    UnknownMessage,
    /// The custom API's `allowedcustomprocessingsteptype` does not allow the step.
    NotAllowedOnMessage,
    /// No plug-in type has that id, name or export key.
    UnknownPluginType,
    /// No step has that id (update, enable, disable, delete).
    UnknownStep,
    /// A step with that id exists already (registration).
    Duplicate,
    /// The step belongs to a managed solution (delete).
    Managed,
    /// An entity image the message does not give at the step's stage, or without an alias.
    Image,
    /// No step image has that id.
    UnknownImage,
}

/// The columns a change sets; `None` leaves a column as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepUpdate {
    /// `name`.
    pub name: Option<String>,
    /// `description` (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// `stage`.
    pub stage: Option<StepStage>,
    /// `mode`.
    pub mode: Option<StepMode>,
    /// `rank`.
    pub rank: Option<i32>,
    /// `filteringattributes` (an empty list clears it).
    pub filtering_attributes: Option<Vec<String>>,
    /// `configuration` (`Some(None)` clears it).
    pub configuration: Option<Option<String>>,
    /// The secure configuration (`Some(None)` removes it).
    pub secure_configuration: Option<Option<String>>,
    /// `asyncautodelete`.
    pub async_auto_delete: Option<bool>,
    /// `statecode` 0 (true) or 1 (false).
    pub enabled: Option<bool>,
}

impl StepUpdate {
    /// Whether the change only disables the step: disabling is always allowed, even when
    /// the step no longer satisfies the rules (its plug-in type was removed, say).
    pub fn only_disables(&self) -> bool {
        self.enabled == Some(false)
            && *self
                == (StepUpdate {
                    enabled: Some(false),
                    ..StepUpdate::default()
                })
    }
}
