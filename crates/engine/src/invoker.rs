//! The pipeline's seams over this engine: steps from the registry snapshot, and the
//! invoker that runs a message's main operation (a record table's store call, or the custom
//! API's plug-in) and steps' plug-ins in the WebAssembly host, checking what they return.

use std::collections::BTreeMap;
use std::sync::Arc;

use switchboard_model::execution::{Caller, ExecuteError};
use switchboard_model::value::Value;
use switchboard_model::{CustomApi, ExportKey, FieldType, Message, MessageId, PluginTypeRef};
use switchboard_pipeline::{
    BoxFuture, ExecutionContext, Pipeline, PipelineError, PipelineErrorKind, PluginInvoker, Step,
    StepChanges, StepSource, Target, UnitOfWork,
};
use switchboard_store::PluginTarget;
use switchboard_wasm::PluginFailure;
use uuid::Uuid;

use crate::Engine;
use crate::registry::Registry;
use crate::unit::{ServerUnit, pipeline_error};
use switchboard_model::PluginAssemblyKind;

/// The pipeline of one execution (and the executions nested in it): steps from the unit's
/// registry snapshot, plug-ins run by the host against `unit`.
pub(crate) fn pipeline(engine: &Engine, unit: Arc<ServerUnit>) -> Pipeline {
    Pipeline::new(
        Arc::new(RegistrySteps(unit.registry.clone())),
        Arc::new(ServerInvoker {
            engine: engine.clone(),
            unit: unit.clone(),
        }),
    )
    .with_platform(Arc::new(crate::record_messages::RecordOperations(unit)))
}

/// Steps from one registry snapshot.
struct RegistrySteps(Arc<Registry>);

impl StepSource for RegistrySteps {
    fn steps(&self, message: &str, primary_entity: Option<&str>) -> Vec<Arc<Step>> {
        self.0
            .steps
            .get(message)
            .map(|steps| {
                steps
                    .iter()
                    .filter(|(table, _)| table.is_none() || table.as_deref() == primary_entity)
                    .map(|(_, s)| s.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Runs plug-ins with the WebAssembly host; their record operations and nested messages go
/// through the execution's unit of work.
pub(crate) struct ServerInvoker {
    pub(crate) engine: Engine,
    pub(crate) unit: Arc<ServerUnit>,
}

impl ServerInvoker {
    /// A failure's text for the trace log (in the base language, as an operator reads it).
    fn render(&self, e: &ExecuteError) -> String {
        self.engine.locales.pick(None, None).render(e.message())
    }

    /// Hands the call's trace row to the background writer when the organization's
    /// `plugintracelogsetting` keeps it (failures at Exception, every call at All).
    async fn trace(
        &self,
        plugin: &PluginTarget,
        context: &ExecutionContext,
        result: &PluginResult,
        started: std::time::SystemTime,
        duration: std::time::Duration,
    ) {
        let setting = match self.engine.store.trace_log_setting().await {
            Ok(setting) => setting,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read plugintracelogsetting; keeping failures");
                switchboard_model::TraceLogSetting::Exception
            }
        };
        if !setting.keeps(result.is_err()) {
            return;
        }
        let (lines, exception) = match result {
            Ok(i) => (&i.traces, None),
            Err((e, traces)) => (traces, Some(self.render(e))),
        };
        self.engine
            .traces
            .record(switchboard_store::tracelog::NewTrace {
                type_name: plugin.type_name.clone(),
                message_name: context.message_name.clone(),
                primary_entity: context.primary_entity_name.clone(),
                mode: context.mode.code(),
                depth: i32::try_from(context.depth).unwrap_or(i32::MAX),
                correlation_id: context.correlation_id,
                step_id: context.step_id,
                lines: lines.iter().map(|t| t.message.clone()).collect(),
                exception,
                configuration: context.unsecure_configuration.clone(),
                started: started
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as i64),
                duration_ms: i32::try_from(duration.as_millis()).unwrap_or(i32::MAX),
                user_id: Some(context.user_id),
            });
    }
}

/// What running a plug-in gave: its invocation, or the failure with what it traced first.
type PluginResult =
    Result<switchboard_wasm::Invocation, (ExecuteError, Vec<switchboard_wasm::TraceLine>)>;

impl PluginInvoker for ServerInvoker {
    fn invoke<'a>(
        &'a self,
        target: Target<'a>,
        caller: &'a Caller,
        context: &'a ExecutionContext,
        _unit: &'a Arc<dyn UnitOfWork>,
    ) -> BoxFuture<'a, Result<StepChanges, PipelineError>> {
        Box::pin(async move {
            let registry = self.unit.registry.clone();
            let (plugin, api) = match target {
                Target::MainOperation => {
                    let api = registry.apis.get(&context.message_name).cloned();
                    let plugin = api.as_deref().and_then(|a| runnable(&registry, a));
                    match plugin {
                        Some(p) => (p.clone(), api),
                        // No plug-in: the outputs keep their defaults.
                        None => return Ok(StepChanges::default()),
                    }
                }
                Target::Step(step) => match registry.plugin_targets.get(&step.plugin_type) {
                    Some(p) if p.kind == PluginAssemblyKind::Wasm && p.sha256.is_some() => {
                        (p.clone(), registry.apis.get(&context.message_name).cloned())
                    }
                    _ => {
                        return Err(PipelineError::new(
                            PipelineErrorKind::PluginFailed,
                            Message::new(MessageId::PluginTypeMissing)
                                .arg("assembly", &step.name)
                                .arg("type", step.plugin_type),
                        ));
                    }
                },
            };
            // The main operation gets the API's own configuration (beyond Dataverse).
            let main_context;
            let context = match (target, &api) {
                (Target::MainOperation, Some(api)) if api.configuration.is_some() => {
                    main_context = ExecutionContext {
                        unsecure_configuration: api.configuration.clone(),
                        ..context.clone()
                    };
                    &main_context
                }
                _ => context,
            };
            let records = Arc::new(crate::plugin_records::CallerRecords::new(
                self.engine.clone(),
                registry.clone(),
                caller.clone(),
                self.unit.clone(),
                context,
            ));
            let started = std::time::SystemTime::now();
            let clock = std::time::Instant::now();
            let result = run_plugin(&self.engine, &self.unit, &plugin, context, records).await;
            self.trace(&plugin, context, &result, started, clock.elapsed())
                .await;
            let invocation = result.map_err(|(e, _)| e).map_err(|e| {
                // A nested infinite loop is reported as such (as Dataverse does), not as
                // whatever the plug-in made of it.
                let nested = self
                    .unit
                    .nested_failure
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone();
                match nested {
                    Some(n) if n.kind == PipelineErrorKind::InfiniteLoop => n,
                    _ => pipeline_error(e),
                }
            })?;
            if let Some(api) = &api {
                check_outputs(api, &plugin, &invocation.outputs).map_err(pipeline_error)?;
            }
            Ok(StepChanges {
                inputs: invocation.input_changes,
                outputs: invocation.outputs,
                shared: invocation.shared_changes,
            })
        })
    }
}

/// Loads the plug-in's component (cached) and runs it with the context.
async fn run_plugin(
    engine: &Engine,
    unit: &ServerUnit,
    target: &PluginTarget,
    context: &ExecutionContext,
    records: Arc<crate::plugin_records::CallerRecords>,
) -> PluginResult {
    let loaded = match engine
        .plugins
        .load_cached(target.sha256.as_deref().unwrap_or_default())
    {
        Some(loaded) => loaded,
        None => {
            let bytes = unit
                .assembly_content(target.assembly_id)
                .await
                .map_err(|e| {
                    (
                        internal(format!(
                            "reading plug-in assembly {}: {e}",
                            target.assembly_name
                        )),
                        Vec::new(),
                    )
                })?
                .unwrap_or_default();
            engine
                .plugins
                .load(&bytes)
                .await
                .map_err(|f| (failure(target, f), Vec::new()))?
        }
    };
    match engine
        .plugins
        .invoke(&loaded, &target.type_name, context, Some(records.clone()))
        .await
    {
        Ok(invocation) => {
            for t in &invocation.traces {
                tracing::debug!(plugin = %target.type_name, level = t.level, "{}", t.message);
            }
            Ok(invocation)
        }
        Err((f, traces)) => {
            for t in &traces {
                tracing::info!(plugin = %target.type_name, level = t.level, "{}", t.message);
            }
            // A failure of a record operation the plug-in passed on keeps its own class.
            let passed_on = match &f {
                PluginFailure::Business(m) => records.passed_on(m),
                _ => None,
            };
            Err((passed_on.unwrap_or_else(|| failure(target, f)), traces))
        }
    }
}

/// Outputs a plug-in set must be the API's response properties, with their types.
fn check_outputs(
    api: &CustomApi,
    target: &PluginTarget,
    outputs: &BTreeMap<String, Value>,
) -> Result<(), ExecuteError> {
    for (name, value) in outputs {
        let Some(property) = api
            .response_properties
            .iter()
            .find(|p| p.unique_name.as_str() == name)
        else {
            return Err(ExecuteError::PluginFailed(
                Message::new(MessageId::PluginUnknownOutput)
                    .arg("type", &target.type_name)
                    .arg("name", name)
                    .arg("api", &api.unique_name),
            ));
        };
        if !fits(value, property.field_type) {
            return Err(ExecuteError::PluginFailed(
                Message::new(MessageId::PluginWrongOutputType)
                    .arg("type", &target.type_name)
                    .arg("name", name)
                    .arg("found", value.field_type().map_or("null", FieldType::label))
                    .arg("expected", property.field_type.label())
                    .arg("api", &api.unique_name),
            ));
        }
    }
    Ok(())
}

/// Whether a value may be the output of a property of this type (null always may).
fn fits(value: &Value, t: FieldType) -> bool {
    value.field_type().is_none_or(|v| v == t)
}

fn internal(detail: String) -> ExecuteError {
    ExecuteError::Internal(Message::internal(format_args!(
        "plug-in execution failed: {detail}"
    )))
}

/// The plug-in type an API names, when it can run here (a stored WebAssembly binary).
pub(crate) fn runnable<'a>(registry: &'a Registry, api: &CustomApi) -> Option<&'a PluginTarget> {
    let id: Uuid = match &api.plugin_type {
        PluginTypeRef::None => return None,
        PluginTypeRef::Id(id) | PluginTypeRef::ExportKey(ExportKey::Guid(id)) => *id,
        PluginTypeRef::ExportKey(ExportKey::Hex(key)) => {
            tracing::warn!(api = %api.unique_name, %key, "plug-in package types cannot run here; returning defaults");
            return None;
        }
    };
    let target = registry.plugin_targets.get(&id);
    match target {
        Some(t) if t.kind == PluginAssemblyKind::Wasm && t.sha256.is_some() => target,
        other => {
            let reason = match other {
                None => "no imported assembly provides it",
                Some(t) if t.kind != PluginAssemblyKind::Wasm => "its assembly is not WebAssembly",
                Some(_) => "its assembly's binary was not in the package",
            };
            tracing::warn!(api = %api.unique_name, plugin_type = %id, reason, "returning defaults");
            None
        }
    }
}

/// The user-facing message for a plug-in failure.
fn failure(target: &PluginTarget, f: PluginFailure) -> ExecuteError {
    let t = target.type_name.as_str();
    match f {
        // The plug-in's own words, as Dataverse passes InvalidPluginExecutionException's message.
        PluginFailure::Business(m) => {
            ExecuteError::Business(Message::new(MessageId::PluginBusiness).arg("message", m))
        }
        PluginFailure::Internal(d) => ExecuteError::PluginFailed(
            Message::new(MessageId::PluginInternal)
                .arg("type", t)
                .arg("detail", d),
        ),
        PluginFailure::Timeout(d) => ExecuteError::PluginFailed(
            Message::new(MessageId::PluginTimeout)
                .arg("type", t)
                .arg("ms", d.as_millis()),
        ),
        PluginFailure::MemoryCap(bytes) => ExecuteError::PluginFailed(
            Message::new(MessageId::PluginMemoryCap)
                .arg("type", t)
                .arg("mib", bytes >> 20),
        ),
        PluginFailure::Panic(m) => ExecuteError::PluginFailed(
            Message::new(MessageId::PluginPanicked)
                .arg("type", t)
                .arg("message", m),
        ),
        PluginFailure::Trap(d) => ExecuteError::PluginFailed(
            Message::new(MessageId::PluginTrapped)
                .arg("type", t)
                .arg("detail", d),
        ),
        PluginFailure::BadValue(d) => ExecuteError::PluginFailed(
            Message::new(MessageId::PluginBadValue)
                .arg("type", t)
                .arg("detail", d),
        ),
        PluginFailure::Load(d) => ExecuteError::PluginFailed(
            Message::new(MessageId::PluginLoadFailed)
                .arg("assembly", &target.assembly_name)
                .arg("detail", d),
        ),
        PluginFailure::MissingType(ty) => ExecuteError::PluginFailed(
            Message::new(MessageId::PluginTypeMissing)
                .arg("assembly", &target.assembly_name)
                .arg("type", ty),
        ),
    }
}
