//! The execution context a plug-in receives, with typed accessors and the host calls.

use crate::PluginError;
use crate::bindings::switchboard::plugin::{parameters, tracing, types as wit};
use crate::value::{Entity, FromValue, Guid, Reader, Value, from_entity_data, to_wit};

/// Pipeline stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// 10, before the platform's checks, outside the transaction.
    PreValidation,
    /// 20, in the transaction, before the main operation.
    PreOperation,
    /// 30, the custom API's main operation.
    MainOperation,
    /// 40, in the transaction, after the main operation.
    PostOperation,
}

/// Execution mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// In the caller's request.
    Synchronous,
    /// After commit, from the job queue.
    Asynchronous,
}

/// Trace levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Finest detail.
    Trace,
    /// Debugging.
    Debug,
    /// Normal information.
    Info,
    /// Something looks wrong.
    Warn,
    /// Something failed.
    Error,
}

/// What a plug-in sees of the call it runs in.
pub struct Context {
    raw: wit::Context,
    inputs: Vec<(String, Value)>,
    outputs: Vec<(String, Value)>,
    shared: Vec<(String, Value)>,
    pre_images: Vec<(String, Entity)>,
    post_images: Vec<(String, Entity)>,
}

fn images(images: &[wit::EntityImage]) -> Result<Vec<(String, Entity)>, PluginError> {
    images
        .iter()
        .map(|i| Ok((i.name.clone(), from_entity_data(&i.data)?)))
        .collect()
}

fn bag(bag: &wit::ParameterBag) -> Result<Vec<(String, Value)>, PluginError> {
    let mut reader = Reader::new(&bag.entities);
    bag.items
        .iter()
        .map(|p| Ok((p.name.clone(), reader.value(&p.value)?)))
        .collect()
}

impl Context {
    pub(crate) fn from_raw(raw: wit::Context) -> Result<Self, PluginError> {
        let inputs = bag(&raw.input_parameters)?;
        let outputs = bag(&raw.output_parameters)?;
        let shared = bag(&raw.shared_variables)?;
        let pre_images = images(&raw.pre_entity_images)?;
        let post_images = images(&raw.post_entity_images)?;
        Ok(Self {
            raw,
            inputs,
            outputs,
            shared,
            pre_images,
            post_images,
        })
    }

    /// The message being executed (the custom API's unique name, or `Create`, …).
    pub fn message_name(&self) -> &str {
        &self.raw.message_name
    }

    /// The stage this plug-in runs at.
    pub fn stage(&self) -> Stage {
        match self.raw.stage {
            wit::Stage::PreValidation => Stage::PreValidation,
            wit::Stage::PreOperation => Stage::PreOperation,
            wit::Stage::MainOperation => Stage::MainOperation,
            wit::Stage::PostOperation => Stage::PostOperation,
        }
    }

    /// Synchronous or asynchronous.
    pub fn mode(&self) -> Mode {
        match self.raw.mode {
            wit::Mode::Synchronous => Mode::Synchronous,
            wit::Mode::Asynchronous => Mode::Asynchronous,
        }
    }

    /// How deep in nested message executions this call is (1 for a direct call).
    pub fn depth(&self) -> u32 {
        self.raw.depth
    }

    /// The user the plug-in runs as.
    pub fn user_id(&self) -> Guid {
        self.raw.user_id.into()
    }

    /// The user who started the call.
    pub fn initiating_user_id(&self) -> Guid {
        self.raw.initiating_user_id.into()
    }

    /// The organization.
    pub fn organization_id(&self) -> Guid {
        self.raw.organization_id.into()
    }

    /// The calling user's business unit.
    pub fn business_unit_id(&self) -> Guid {
        self.raw.business_unit_id.into()
    }

    /// Correlates everything one call causes.
    pub fn correlation_id(&self) -> Guid {
        self.raw.correlation_id.into()
    }

    /// Whether the plug-in runs inside the database transaction.
    pub fn is_in_transaction(&self) -> bool {
        self.raw.is_in_transaction
    }

    /// The table the message is about, if any.
    pub fn primary_entity_name(&self) -> Option<&str> {
        self.raw.primary_entity_name.as_deref()
    }

    /// The record the message is about, if any.
    pub fn primary_entity_id(&self) -> Option<Guid> {
        self.raw.primary_entity_id.map(Into::into)
    }

    /// The step's unsecure configuration.
    pub fn unsecure_configuration(&self) -> Option<&str> {
        self.raw.unsecure_configuration.as_deref()
    }

    /// The step's secure configuration.
    pub fn secure_configuration(&self) -> Option<&str> {
        self.raw.secure_configuration.as_deref()
    }

    /// Every input parameter.
    pub fn inputs(&self) -> &[(String, Value)] {
        &self.inputs
    }

    /// An input parameter as given (`None` when absent).
    pub fn input_value(&self, name: &str) -> Option<&Value> {
        self.inputs.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// An input parameter as a Rust type; absent or null → `Ok(None)`, another type → error.
    pub fn input<T: FromValue>(&self, name: &str) -> Result<Option<T>, PluginError> {
        match self.input_value(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => T::from_value(v).map(Some).ok_or_else(|| {
                PluginError::Internal(format!("input {name:?} is not a {}", T::NAME))
            }),
        }
    }

    /// The pre-image registered on the step under `alias`: the record before the main
    /// operation, with the image's columns that hold a value (`None` when the step has no
    /// such image, or the message gives none — Create has no pre-image).
    pub fn pre_image(&self, alias: &str) -> Option<&Entity> {
        self.pre_images
            .iter()
            .find(|(a, _)| a == alias)
            .map(|(_, e)| e)
    }

    /// The post-image registered on the step under `alias`: the record after the main
    /// operation (post-operation steps only; Delete has none).
    pub fn post_image(&self, alias: &str) -> Option<&Entity> {
        self.post_images
            .iter()
            .find(|(a, _)| a == alias)
            .map(|(_, e)| e)
    }

    /// A shared variable set by an earlier step.
    pub fn shared(&self, name: &str) -> Option<&Value> {
        self.shared.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// An output parameter as the main operation (or an earlier post-operation step) left
    /// it: `BusinessEntity` of a Retrieve, a custom API's response property, … (`None` before
    /// the main operation has run, or when absent).
    pub fn output_value(&self, name: &str) -> Option<&Value> {
        self.outputs.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Sets an output parameter (stages 30 and 40).
    pub fn set_output(&mut self, name: &str, value: impl Into<Value>) -> Result<(), PluginError> {
        let value = value.into();
        let mut arena = Vec::new();
        let v = to_wit(&value, &mut arena);
        parameters::set_output(name, &v, &arena)?;
        match self.outputs.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.outputs.push((name.to_owned(), value)),
        }
        Ok(())
    }

    /// Changes an input parameter (stages 10 and 20 only).
    pub fn set_input(&mut self, name: &str, value: impl Into<Value>) -> Result<(), PluginError> {
        let value = value.into();
        let mut arena = Vec::new();
        let v = to_wit(&value, &mut arena);
        parameters::set_input(name, &v, &arena)?;
        match self.inputs.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.inputs.push((name.to_owned(), value)),
        }
        Ok(())
    }

    /// Sets a shared variable for later steps of this execution.
    pub fn set_shared(&mut self, name: &str, value: impl Into<Value>) -> Result<(), PluginError> {
        let value = value.into();
        let mut arena = Vec::new();
        let v = to_wit(&value, &mut arena);
        parameters::set_shared_variable(name, &v, &arena)?;
        match self.shared.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.shared.push((name.to_owned(), value)),
        }
        Ok(())
    }

    /// Writes an information line to the plug-in trace log.
    pub fn trace(&self, message: impl AsRef<str>) {
        self.trace_at(Level::Info, message);
    }

    /// Writes a line at a level.
    pub fn trace_at(&self, level: Level, message: impl AsRef<str>) {
        let level = match level {
            Level::Trace => tracing::Level::Trace,
            Level::Debug => tracing::Level::Debug,
            Level::Info => tracing::Level::Info,
            Level::Warn => tracing::Level::Warn,
            Level::Error => tracing::Level::Error,
        };
        tracing::trace(level, message.as_ref());
    }
}
