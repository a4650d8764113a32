//! `execute(message)`: the entry point every call goes through. Today it runs the custom
//! API's main operation (stage 30) when its plug-in type resolves to a WebAssembly
//! plug-in, and otherwise returns each response property's default value, as Dataverse
//! does for an API without a plug-in. The pipeline issue wraps steps around it.

use std::collections::BTreeMap;

use switchboard_model::execution::{
    Binding, Caller, ExecuteError, ExecuteRequest, ExecuteResponse,
};
use switchboard_model::value::Value;
use switchboard_model::{CustomApi, ExportKey, FieldType, Message, MessageId, PluginTypeRef};
use switchboard_store::PluginTarget;
use switchboard_wasm::{CallContext, PluginFailure};
use uuid::Uuid;

use crate::AppState;
use crate::identity;
use crate::registry::Registry;

/// Runs one call of a custom API.
pub async fn execute(
    state: &AppState,
    registry: &Registry,
    caller: &Caller,
    request: &ExecuteRequest,
) -> Result<ExecuteResponse, ExecuteError> {
    let api = &request.api;
    let mut outputs: BTreeMap<String, Value> = api
        .response_properties
        .iter()
        .map(|p| (p.unique_name.to_string(), Value::default_for(p.field_type)))
        .collect();
    let Some(target) = runnable(registry, api) else {
        return Ok(ExecuteResponse { outputs });
    };

    let loaded = match state
        .plugins
        .load_cached(target.sha256.as_deref().unwrap_or_default())
    {
        Some(loaded) => loaded,
        None => {
            let bytes = state
                .store
                .assembly_content(target.assembly_id)
                .await
                .map_err(|e| {
                    internal(format!(
                        "reading plug-in assembly {}: {e}",
                        target.assembly_name
                    ))
                })?
                .unwrap_or_default();
            state
                .plugins
                .load(&bytes)
                .await
                .map_err(|f| failure(target, f))?
        }
    };
    let (primary_name, primary_id) = match &request.binding {
        Binding::Record(r) => (Some(r.logical_name.clone()), Some(r.id)),
        Binding::Collection(t) => (Some(t.clone()), None),
        Binding::None => (None, None),
    };
    let mut context = CallContext::main_operation(api.unique_name.as_str(), request.inputs.clone());
    context.user_id = caller.user_id;
    context.initiating_user_id = caller.initiating_user_id;
    context.organization_id = identity::ORGANIZATION_ID;
    context.business_unit_id = caller.business_unit_id;
    context.correlation_id = request.correlation_id;
    context.primary_entity_name = primary_name;
    context.primary_entity_id = primary_id;
    // Record operations run as the caller, with the caller's privileges and language.
    context.records = Some(std::sync::Arc::new(
        crate::plugin_records::CallerRecords::new(
            state.store.clone(),
            state.registry.current(),
            caller.clone(),
            state.locales.pick(caller.language, None),
        ),
    ));
    let invocation = state
        .plugins
        .invoke(&loaded, &target.type_name, &context)
        .await;
    let invocation = match invocation {
        Ok(i) => i,
        Err((f, traces)) => {
            for t in &traces {
                tracing::info!(plugin = %target.type_name, level = t.level, "{}", t.message);
            }
            return Err(failure(target, f));
        }
    };
    for t in &invocation.traces {
        tracing::debug!(plugin = %target.type_name, level = t.level, "{}", t.message);
    }
    for (name, value) in invocation.outputs {
        let Some(property) = api
            .response_properties
            .iter()
            .find(|p| p.unique_name.as_str() == name)
        else {
            return Err(ExecuteError::PluginFailed(
                Message::new(MessageId::PluginUnknownOutput)
                    .arg("type", &target.type_name)
                    .arg("name", &name)
                    .arg("api", &api.unique_name),
            ));
        };
        if !fits(&value, property.field_type) {
            return Err(ExecuteError::PluginFailed(
                Message::new(MessageId::PluginWrongOutputType)
                    .arg("type", &target.type_name)
                    .arg("name", &name)
                    .arg("found", value.field_type().map_or("null", FieldType::label))
                    .arg("expected", property.field_type.label())
                    .arg("api", &api.unique_name),
            ));
        }
        outputs.insert(name, value);
    }
    Ok(ExecuteResponse { outputs })
}

/// Whether a value may be the output of a property of this type (null always may).
fn fits(value: &Value, t: FieldType) -> bool {
    value.field_type().is_none_or(|v| v == t)
}

fn internal(detail: String) -> ExecuteError {
    tracing::error!(%detail, "plug-in execution failed");
    ExecuteError::Internal(Message::new(MessageId::ODataInternal).arg("id", "-"))
}

/// The plug-in type an API names, when it can run here (a stored WebAssembly binary).
fn runnable<'a>(registry: &'a Registry, api: &CustomApi) -> Option<&'a PluginTarget> {
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
        Some(t) if t.kind == "wasm" && t.sha256.is_some() => target,
        other => {
            let reason = match other {
                None => "no imported assembly provides it",
                Some(t) if t.kind != "wasm" => "its assembly is not WebAssembly",
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
