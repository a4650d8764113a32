//! The host side of the WIT imports: tracing, parameter changes, and the organization
//! service (record operations answer "not available" until tables exist).

use switchboard_model::StepStage;
use switchboard_model::value::Value;

use crate::bindings::switchboard::plugin::{organization, parameters, tracing, types};
use crate::convert::Reader;
use crate::host::{HostState, TraceLine};

type PluginError = types::PluginError;

fn not_available(what: &str) -> PluginError {
    PluginError::Internal(format!(
        "{what} is not available to plug-ins in this version of Switchboard"
    ))
}

impl types::Host for HostState {}

impl tracing::Host for HostState {
    fn trace(&mut self, level: tracing::Level, message: String) {
        let level = match level {
            tracing::Level::Trace => "trace",
            tracing::Level::Debug => "debug",
            tracing::Level::Info => "info",
            tracing::Level::Warn => "warn",
            tracing::Level::Error => "error",
        };
        if let Some(panic) = message.strip_prefix("plugin panicked: ") {
            self.panic_message = Some(panic.to_owned());
        }
        // A runaway plug-in must not fill the host's memory with traces.
        if self.trace_bytes + message.len() <= crate::host::MAX_TRACE_BYTES {
            self.trace_bytes += message.len();
            self.traces.push(TraceLine { level, message });
        }
    }
}

impl HostState {
    fn read(
        &mut self,
        value: &types::Value,
        arena: &[types::Entity],
    ) -> Result<Value, PluginError> {
        Reader::new(arena).value(value).map_err(|e| {
            self.bad_value = Some(e.clone());
            PluginError::Internal(e)
        })
    }
}

impl parameters::Host for HostState {
    fn set_output(
        &mut self,
        name: String,
        value: types::Value,
        arena: Vec<types::Entity>,
    ) -> Result<(), PluginError> {
        if !matches!(
            self.stage,
            StepStage::MainOperation | StepStage::PostOperation
        ) {
            return Err(PluginError::Internal(format!(
                "outputs can be set at stages 30 and 40, not {}",
                self.stage.code()
            )));
        }
        let value = self.read(&value, &arena)?;
        self.outputs.insert(name, value);
        Ok(())
    }

    fn set_input(
        &mut self,
        name: String,
        value: types::Value,
        arena: Vec<types::Entity>,
    ) -> Result<(), PluginError> {
        if !matches!(
            self.stage,
            StepStage::PreValidation | StepStage::PreOperation
        ) {
            return Err(PluginError::Internal(format!(
                "inputs can be changed at stages 10 and 20, not {}",
                self.stage.code()
            )));
        }
        let value = self.read(&value, &arena)?;
        self.input_changes.insert(name, value);
        Ok(())
    }

    fn set_shared_variable(
        &mut self,
        name: String,
        value: types::Value,
        arena: Vec<types::Entity>,
    ) -> Result<(), PluginError> {
        let value = self.read(&value, &arena)?;
        self.shared_changes.insert(name, value);
        Ok(())
    }
}

impl organization::Host for HostState {
    fn execute(
        &mut self,
        message_name: String,
        _request: types::ParameterBag,
    ) -> Result<types::ParameterBag, PluginError> {
        Err(not_available(&format!("executing message {message_name}")))
    }

    fn create(&mut self, _data: types::EntityData) -> Result<types::Guid, PluginError> {
        Err(not_available("create"))
    }

    fn retrieve(
        &mut self,
        logical_name: String,
        _id: types::Guid,
        _columns: Vec<String>,
    ) -> Result<types::EntityData, PluginError> {
        Err(not_available(&format!("retrieve of {logical_name}")))
    }

    fn update(&mut self, _data: types::EntityData) -> Result<(), PluginError> {
        Err(not_available("update"))
    }

    fn delete(&mut self, logical_name: String, _id: types::Guid) -> Result<(), PluginError> {
        Err(not_available(&format!("delete of {logical_name}")))
    }

    fn retrieve_multiple(
        &mut self,
        logical_name: String,
        _query: String,
    ) -> Result<types::EntityPage, PluginError> {
        Err(not_available(&format!(
            "retrieve-multiple of {logical_name}"
        )))
    }
}
