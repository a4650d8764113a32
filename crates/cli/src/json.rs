//! The `list --json` shape: Dataverse column names, one object per custom API.

use serde_json::{Map, Value, json};
use switchboard_model::{ApiItem, ApiItemKind, LocalizedLabel, PluginTypeRef};
use switchboard_store::StoredApi;

fn label(l: &LocalizedLabel) -> Value {
    let labels: Map<String, Value> = l
        .labels
        .iter()
        .map(|(k, v)| (k.to_string(), Value::from(v.as_str())))
        .collect();
    json!({ "default": l.default, "labels": labels })
}

/// A request parameter or response property; `isoptional` only for parameters, as in
/// Dataverse's tables.
fn item(kind: ApiItemKind, p: &ApiItem) -> Value {
    let mut item = json!({
        "uniquename": p.unique_name.as_str(),
        "name": p.name,
        "displayname": label(&p.display_name),
        "description": label(&p.description),
        "type": p.field_type.code(),
        "typename": p.field_type.label(),
        "logicalentityname": p.logical_entity_name.as_ref().map(|e| e.as_str()),
        "iscustomizable": p.is_customizable,
    });
    if kind == ApiItemKind::RequestParameter {
        item["isoptional"] = Value::Bool(p.is_optional);
    }
    item
}

/// One stored API as JSON.
pub(crate) fn api(s: &StoredApi) -> Value {
    let a = &s.api;
    let plugin = match &a.plugin_type {
        PluginTypeRef::None => Value::Null,
        PluginTypeRef::Id(id) => json!({ "plugintypeid": id }),
        PluginTypeRef::ExportKey(k) => json!({ "plugintypeexportkey": k.to_string() }),
    };
    let items = |kind| {
        a.items(kind)
            .iter()
            .map(|p| item(kind, p))
            .collect::<Vec<_>>()
    };
    json!({
        "customapiid": s.id,
        "uniquename": a.unique_name.as_str(),
        "name": a.name,
        "displayname": label(&a.display_name),
        "description": label(&a.description),
        "bindingtype": a.binding.binding_type().code(),
        "boundentitylogicalname": a.binding.table().map(|t| t.as_str()),
        "isfunction": a.is_function,
        "isprivate": a.is_private,
        "allowedcustomprocessingsteptype": a.allowed_step_type.code(),
        "executeprivilegename": a.execute_privilege,
        "workflowsdkstepenabled": a.workflow_sdk_step_enabled,
        "iscustomizable": a.is_customizable,
        "exposable": a.is_exposable(),
        "plugintype": plugin,
        "sdkmessageid": s.sdk_message_id,
        "solution": s.solution,
        "ismanaged": s.managed,
        "requestparameters": items(ApiItemKind::RequestParameter),
        "responseproperties": items(ApiItemKind::ResponseProperty),
    })
}
