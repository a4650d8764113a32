//! The host side of the WIT imports: tracing, parameter changes, and the organization
//! service: record operations forwarded to the call's [`RecordService`] ("not available"
//! without one; `execute` is not available yet).

use std::sync::Arc;

use switchboard_model::value::{Entity, Value};

use crate::bindings::switchboard::plugin::{organization, parameters, tracing, types};
use crate::convert::{Reader, bag, entity_data, entity_page, guid, uuid};
use crate::host::{DeadlineExceeded, HostState, TraceLine};
use crate::records::{RecordFailure, RecordFuture, RecordService};

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

/// Where a plug-in's `set-*` call puts its value.
#[derive(Clone, Copy)]
enum Slot {
    Input,
    Output,
    Shared,
}

impl HostState {
    /// Reads a value a plug-in sets and keeps it in `slot`, when its stage allows that slot.
    fn set(
        &mut self,
        slot: Slot,
        name: String,
        value: &types::Value,
        arena: &[types::Entity],
    ) -> Result<(), PluginError> {
        let refused = match slot {
            Slot::Input if !self.stage.may_change_inputs() => {
                Some("inputs can be changed at stages 10 and 20")
            }
            Slot::Output if !self.stage.may_set_outputs() => {
                Some("outputs can be set at stages 30 and 40")
            }
            _ => None,
        };
        if let Some(rule) = refused {
            return Err(PluginError::Internal(format!(
                "{rule}, not {}",
                self.stage.code()
            )));
        }
        let value = self.read(value, arena)?;
        let changes = match slot {
            Slot::Input => &mut self.input_changes,
            Slot::Output => &mut self.outputs,
            Slot::Shared => &mut self.shared_changes,
        };
        changes.insert(name, value);
        Ok(())
    }
}

/// The WIT setters (`set-output`, `set-input`, `set-shared-variable`) differ only in the
/// slot they write; each is [`HostState::set`] on its slot.
macro_rules! setters {
    ($($method:ident => $slot:expr),* $(,)?) => {
        impl parameters::Host for HostState {
            $(
                fn $method(
                    &mut self,
                    name: String,
                    value: types::Value,
                    arena: Vec<types::Entity>,
                ) -> Result<(), PluginError> {
                    self.set($slot, name, &value, &arena)
                }
            )*
        }
    };
}

setters! {
    set_output => Slot::Output,
    set_input => Slot::Input,
    set_shared_variable => Slot::Shared,
}

/// The outcome of one record operation as the bindings want it: a trap (`Err`) ends the
/// call, `Ok(Err(_))` is an error the plug-in sees.
type Outcome<T> = wasmtime::Result<Result<T, PluginError>>;

impl HostState {
    /// The record service, or the "not available" error.
    fn service(&self, what: &str) -> Result<Arc<dyn RecordService>, PluginError> {
        self.records.clone().ok_or_else(|| not_available(what))
    }

    /// Awaits a record operation, but not past the call's deadline: the epoch callback only
    /// runs while guest code runs, so without this a slow service would hold the call open
    /// for as long as it takes. At the deadline the operation's future is dropped (whatever
    /// the service does on drop, for example rolling back, is up to it) and the call ends as
    /// a timeout, exactly as if the plug-in itself had run too long.
    async fn guarded<T>(&self, operation: RecordFuture<'_, T>) -> Outcome<T> {
        let deadline = tokio::time::Instant::from_std(self.deadline_at);
        match tokio::time::timeout_at(deadline, operation).await {
            Ok(Ok(value)) => Ok(Ok(value)),
            Ok(Err(RecordFailure { message })) => {
                Ok(Err(PluginError::InvalidPluginExecution(message)))
            }
            Err(_elapsed) => Err(wasmtime::Error::new(DeadlineExceeded)),
        }
    }

    /// Reads a record a plug-in sent (its values checked like any other value it sends).
    fn read_entity(&mut self, data: &types::EntityData) -> Result<Entity, PluginError> {
        Reader::new(&data.arena)
            .entity_data(&data.entity)
            .map_err(|e| {
                self.bad_value = Some(e.clone());
                PluginError::Internal(e)
            })
    }
}

/// The table an operation on `entity` names, required.
fn table_of(entity: &Entity, operation: &str) -> Result<String, PluginError> {
    match entity.logical_name.as_deref() {
        Some(t) if !t.is_empty() => Ok(t.to_owned()),
        _ => Err(PluginError::Internal(format!(
            "{operation} needs the record's table (logical name)"
        ))),
    }
}

/// Short-circuits an operation that fails before reaching the service.
macro_rules! check {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Ok(Err(e)),
        }
    };
}

impl organization::Host for HostState {
    async fn execute(
        &mut self,
        message_name: String,
        request: types::ParameterBag,
    ) -> Outcome<types::ParameterBag> {
        let service = check!(self.service(&format!("executing message {message_name}")));
        let mut reader = Reader::new(&request.entities);
        let mut inputs = std::collections::BTreeMap::new();
        for item in &request.items {
            match reader.value(&item.value) {
                Ok(v) => {
                    inputs.insert(item.name.clone(), v);
                }
                Err(e) => {
                    self.bad_value = Some(e.clone());
                    return Ok(Err(PluginError::Internal(e)));
                }
            }
        }
        let outputs = self.guarded(service.execute(message_name, inputs)).await?;
        Ok(outputs.map(|o| bag(&o)))
    }

    async fn create(&mut self, data: types::EntityData) -> Outcome<types::Guid> {
        let service = check!(self.service("create"));
        let entity = check!(self.read_entity(&data));
        check!(table_of(&entity, "create"));
        let id = self.guarded(service.create(entity)).await?;
        Ok(id.map(guid))
    }

    async fn retrieve(
        &mut self,
        logical_name: String,
        id: types::Guid,
        columns: Vec<String>,
    ) -> Outcome<types::EntityData> {
        let service = check!(self.service(&format!("retrieve of {logical_name}")));
        let entity = self
            .guarded(service.retrieve(logical_name, uuid(id), columns))
            .await?;
        Ok(entity.map(|e| entity_data(&e)))
    }

    async fn update(&mut self, data: types::EntityData) -> Outcome<()> {
        let service = check!(self.service("update"));
        let entity = check!(self.read_entity(&data));
        check!(table_of(&entity, "update"));
        if entity.id.is_none() {
            return Ok(Err(PluginError::Internal(
                "update needs the record's id".into(),
            )));
        }
        self.guarded(service.update(entity)).await
    }

    async fn delete(&mut self, logical_name: String, id: types::Guid) -> Outcome<()> {
        let service = check!(self.service(&format!("delete of {logical_name}")));
        self.guarded(service.delete(logical_name, uuid(id))).await
    }

    async fn retrieve_multiple(
        &mut self,
        logical_name: String,
        query: String,
    ) -> Outcome<types::EntityPage> {
        let service = check!(self.service(&format!("retrieve-multiple of {logical_name}")));
        let page = self
            .guarded(service.retrieve_multiple(logical_name, query))
            .await?;
        Ok(page.map(|p| entity_page(&p.records, p.more)))
    }
}
