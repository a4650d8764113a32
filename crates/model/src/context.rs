//! The execution context every step and the main operation see (Dataverse's
//! `IPluginExecutionContext`), and the changes a plug-in hands back.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::options::{StepMode, StepStage};
use crate::value::{Entity, Value};

/// The deepest nesting Dataverse allows: a call that would run at depth 9 is an infinite loop.
pub const MAX_DEPTH: u32 = 8;

/// What one plug-in call sees. Serializable, because an asynchronous step runs later from the
/// copy queued with its job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionContext {
    /// The message (custom API unique name or built-in message).
    pub message_name: String,
    /// The stage being run.
    pub stage: StepStage,
    /// Synchronous or asynchronous.
    pub mode: StepMode,
    /// 1 for a call from outside, +1 for each message a plug-in executes.
    pub depth: u32,
    /// The user the call runs as.
    pub user_id: Uuid,
    /// The user who made the outermost request.
    pub initiating_user_id: Uuid,
    /// The user's business unit.
    pub business_unit_id: Uuid,
    /// The organization.
    pub organization_id: Uuid,
    /// Shared by every execution one request causes (nested ones and queued ones too).
    pub correlation_id: Uuid,
    /// Whether the execution's database transaction is (logically) open.
    pub is_in_transaction: bool,
    /// The primary table.
    pub primary_entity_name: Option<String>,
    /// The primary record.
    pub primary_entity_id: Option<Uuid>,
    /// Input parameters (changed by steps at 10 and 20).
    pub inputs: BTreeMap<String, Value>,
    /// Output parameters (set at 30, changed at 40).
    pub outputs: BTreeMap<String, Value>,
    /// Shared variables, passed along every step of the execution.
    pub shared: BTreeMap<String, Value>,
    /// The message and stage of the execution that caused this one.
    pub parent: Option<(String, StepStage)>,
    /// The running step's unsecure configuration.
    pub unsecure_configuration: Option<String>,
    /// The running step's secure configuration.
    pub secure_configuration: Option<String>,
    /// The running step's id (`None` for the main operation).
    pub step_id: Option<Uuid>,
    /// The running step's pre-images by alias: the record before the main operation.
    #[serde(default)]
    pub pre_images: BTreeMap<String, Entity>,
    /// The running step's post-images by alias: the record after the main operation.
    #[serde(default)]
    pub post_images: BTreeMap<String, Entity>,
}

/// What a plug-in changed; the pipeline applies only what the stage allows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepChanges {
    /// New input values (honoured at 10 and 20).
    pub inputs: BTreeMap<String, Value>,
    /// New output values (honoured at 30 and 40).
    pub outputs: BTreeMap<String, Value>,
    /// New shared variables (always honoured).
    pub shared: BTreeMap<String, Value>,
}

impl ExecutionContext {
    /// A main-operation context for a direct call of `message_name` with these inputs, by
    /// nobody in particular (nil ids): what a plug-in's native test starts from.
    pub fn main_operation(message_name: &str, inputs: BTreeMap<String, Value>) -> Self {
        Self {
            message_name: message_name.to_owned(),
            stage: StepStage::MainOperation,
            mode: StepMode::Synchronous,
            depth: 1,
            user_id: Uuid::nil(),
            initiating_user_id: Uuid::nil(),
            business_unit_id: Uuid::nil(),
            organization_id: Uuid::nil(),
            correlation_id: Uuid::new_v4(),
            is_in_transaction: false,
            primary_entity_name: None,
            primary_entity_id: None,
            inputs,
            outputs: BTreeMap::new(),
            shared: BTreeMap::new(),
            parent: None,
            unsecure_configuration: None,
            secure_configuration: None,
            step_id: None,
            pre_images: BTreeMap::new(),
            post_images: BTreeMap::new(),
        }
    }

    /// Applies a plug-in's changes as Dataverse would: inputs before the main operation,
    /// outputs from it on, shared variables always.
    pub fn apply(&mut self, changes: StepChanges) {
        if self.stage.may_change_inputs() {
            self.inputs.extend(changes.inputs);
        }
        if self.stage.may_set_outputs() {
            self.outputs.extend(changes.outputs);
        }
        self.shared.extend(changes.shared);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(stage: StepStage) -> ExecutionContext {
        ExecutionContext {
            stage,
            ..ExecutionContext::main_operation("m", BTreeMap::new())
        }
    }

    fn changes() -> StepChanges {
        let one = || BTreeMap::from([("x".to_owned(), Value::Integer(1))]);
        StepChanges {
            inputs: one(),
            outputs: one(),
            shared: one(),
        }
    }

    #[test]
    fn stages_decide_what_changes() {
        let mut pre = context(StepStage::PreOperation);
        pre.apply(changes());
        assert!(pre.inputs.contains_key("x") && !pre.outputs.contains_key("x"));
        let mut post = context(StepStage::PostOperation);
        post.apply(changes());
        assert!(!post.inputs.contains_key("x") && post.outputs.contains_key("x"));
        assert!(pre.shared.contains_key("x") && post.shared.contains_key("x"));
    }

    #[test]
    fn contexts_survive_serialization_for_queued_steps() {
        let mut c = context(StepStage::PostOperation);
        c.inputs.insert(
            "when".into(),
            Value::DateTime(crate::value::min_date_time()),
        );
        c.shared.insert("n".into(), Value::Decimal(12.into()));
        let json = serde_json::to_string(&c).unwrap();
        let back: ExecutionContext = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
    }
}
