//! The Dataverse-style Web API under `/api/data/v9.x/`: service document, `$metadata`,
//! `WhoAmI`, and custom API calls (unbound, bound to a record, bound to a collection).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as Json, json};
use switchboard_model::execution::{Binding as CallBinding, ExecuteRequest};
use switchboard_model::value::{EntityReference, Value};
use switchboard_model::{Binding, CustomApi, Message, MessageId};
use switchboard_odata::call::{inputs_from_body, inputs_from_url};
use switchboard_odata::csdl::{ReturnShape, return_shape, service_document};
use switchboard_odata::json::{encode, encode_entity};
use switchboard_odata::names::{UNTYPED_ENTITY, qualified, unqualify};
use switchboard_odata::url::{self, ParsedUrl, Segment, function_arguments};
use switchboard_odata::{ErrorKind, ODataError};
use uuid::Uuid;

use crate::errors::ApiError;
use crate::identity::CallerIdentity;
use crate::request::{
    Incoming, err, execute_failure, json_response, no_http_resource, only_get, parse_key,
    read_body, require,
};
use crate::{AppState, identity};
use switchboard_engine::definitions::{Writes, writes};
use switchboard_engine::execute::execute;
use switchboard_engine::registry::Registry;
use switchboard_odata::resource::{Resource, Unresolved, resolve};
use switchboard_odata::tables::TableInfo;

/// Versions of the Web API root that are served (all the same API).
pub const VERSIONS: &[&str] = &["v9.0", "v9.1", "v9.2"];

type Result<T> = std::result::Result<T, ODataError>;

fn not_found(segment: &str) -> ODataError {
    err(
        ErrorKind::ResourceNotFound,
        Message::new(MessageId::ODataResourceNotFound).arg("segment", segment),
    )
}

/// The handler for everything under `/api/data/`.
pub async fn handle(
    State(state): State<AppState>,
    CallerIdentity(caller): CallerIdentity,
    OriginalUri(uri): OriginalUri,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Only an error is rendered in a language: keep what picks it, not the headers.
    let accept_language = headers.get(header::ACCEPT_LANGUAGE).cloned();
    let include_annotations = prefer_annotations(&headers);
    // HEAD answers as GET would, without the body (hyper never sends one for HEAD).
    let method = if method == Method::HEAD {
        Method::GET
    } else {
        method
    };
    let method_name = method.clone();
    let result = async {
        // HTTP/2 (what HTTPS clients negotiate) sends the absolute URI; answer as for HTTP/1.1.
        // (Its length was checked by the server's middleware, before authentication.)
        let full = uri
            .path_and_query()
            .map_or_else(|| uri.to_string(), |pq| pq.as_str().to_owned());
        let path = uri.path();
        let rest = path.strip_prefix("/api/data/").unwrap_or_default();
        let (version, below) = rest.split_once('/').unwrap_or((rest, ""));
        if !VERSIONS.contains(&version) {
            return Err(not_found(version));
        }
        // HTTP/2 carries the host in the URI's authority instead of a Host header.
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| uri.authority().map(|a| a.as_str()))
            .unwrap_or("localhost");
        let scheme = if state.tls.is_some() { "https" } else { "http" };
        let root = format!("{scheme}://{host}/api/data/{version}/");
        let parsed = url::parse(below, uri.query())?;
        let incoming = Incoming {
            method,
            headers,
            body,
            root,
            uri: full,
        };
        let registry = state.engine.registry.current();
        // A slow client (or a slow body) must not hold a connection forever.
        match tokio::time::timeout(
            state.request_timeout,
            route(&state, &registry, &caller, parsed, incoming),
        )
        .await
        {
            Ok(result) => result,
            Err(_) => Err(err(
                ErrorKind::RequestTimeout,
                Message::new(MessageId::ODataRequestTimeout)
                    .arg("seconds", state.request_timeout.as_secs()),
            )),
        }
    }
    .await;
    let mut response = match result {
        Ok(r) => r,
        Err(error) => {
            let accept_language = accept_language.as_ref().and_then(|v| v.to_str().ok());
            let localizer = state.engine.locales.pick(caller.language, accept_language);
            let mut response = ApiError { error, localizer }.into_response();
            if let Some(logged) = response
                .extensions_mut()
                .get_mut::<crate::errors::ServerError>()
            {
                logged.request = Some(format!("{method_name} {}", uri.path()));
            }
            response
        }
    };
    let h = response.headers_mut();
    h.insert("OData-Version", HeaderValue::from_static("4.0"));
    if let Some(applied) = include_annotations
        && let Ok(v) = HeaderValue::from_str(&applied)
    {
        h.insert("Preference-Applied", v);
    }
    response
}

/// The `odata.include-annotations` preference, echoed as applied.
fn prefer_annotations(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("Prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find(|p| p.starts_with("odata.include-annotations="))
        .map(str::to_owned)
}

fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

async fn route(
    state: &AppState,
    registry: &Registry,
    caller: &switchboard_model::execution::Caller,
    parsed: ParsedUrl,
    incoming: Incoming,
) -> Result<Response> {
    let resource =
        resolve(&parsed.segments, &registry.tables).map_err(|Unresolved(name)| not_found(name))?;
    match resource {
        Resource::ServiceDocument => {
            only_get(&incoming)?;
            let context = format!("{}$metadata", incoming.root);
            Ok(json_response(
                StatusCode::OK,
                service_document(&context, &registry.entity_sets),
            ))
        }
        Resource::Metadata => {
            only_get(&incoming)?;
            let document = registry.metadata_for(caller.language);
            let mut response = (StatusCode::OK, document.to_string()).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml"),
            );
            Ok(response)
        }
        Resource::EntityDefinitions => {
            only_get(&incoming)?;
            crate::entity_definitions::handle(
                registry,
                caller,
                &incoming.root,
                &parsed.segments,
                &parsed,
            )
        }
        Resource::EntitySet { table, segment } => match registry.record_table(&table.set_name) {
            Some(records) => {
                crate::records_api::handle(
                    state,
                    registry,
                    caller,
                    records.clone(),
                    segment,
                    &parsed,
                    incoming,
                )
                .await
            }
            None => {
                definition_set(state, registry, caller, table, segment, &parsed, incoming).await
            }
        },
        Resource::Bound {
            set,
            table,
            operation,
        } => {
            bound(
                state,
                registry,
                caller,
                &parsed,
                table.logical_name.clone(),
                set,
                operation,
                incoming,
            )
            .await
        }
        Resource::Unbound(segment) => match segment.name.as_str() {
            "WhoAmI" => who_am_i(caller, segment, &incoming),
            "SetLocLabels" => {
                if incoming.method != Method::POST
                    || segment
                        .parens
                        .as_deref()
                        .is_some_and(|p| !p.trim().is_empty())
                {
                    return Err(no_http_resource(&incoming));
                }
                let body = read_body(incoming).await?;
                crate::labels::set(state, registry, &body).await
            }
            "RetrieveLocLabels" => {
                only_get(&incoming)?;
                let args = function_arguments(segment.parens.as_deref().unwrap_or_default())?;
                crate::labels::retrieve(
                    state,
                    registry,
                    caller,
                    &incoming.root,
                    &args,
                    &parsed.aliases,
                )
                .await
            }
            _ => unbound(state, registry, caller, &parsed, segment, incoming).await,
        },
    }
}

/// `GET WhoAmI()`.
fn who_am_i(
    caller: &switchboard_model::execution::Caller,
    segment: &Segment,
    incoming: &Incoming,
) -> Result<Response> {
    only_get(incoming)?;
    if let Some(parens) = segment.parens.as_deref().filter(|p| !p.trim().is_empty()) {
        return Err(err(
            ErrorKind::UnknownParameter,
            Message::new(MessageId::ODataUnknownParameter)
                .arg("name", parens)
                .arg("api", "WhoAmI"),
        ));
    }
    Ok(json_response(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{}$metadata#{}", incoming.root, qualified("WhoAmIResponse")),
            "BusinessUnitId": caller.business_unit_id,
            "UserId": caller.user_id,
            "OrganizationId": identity::ORGANIZATION_ID,
        }),
    ))
}

/// A definition table's set: read by anyone holding its read privilege; written, where
/// [`writes`] allows, by administrators.
async fn definition_set(
    state: &AppState,
    registry: &Registry,
    caller: &switchboard_model::execution::Caller,
    table: &TableInfo,
    segment: &Segment,
    parsed: &ParsedUrl,
    incoming: Incoming,
) -> Result<Response> {
    let engine = &state.engine;
    let key = segment.parens.clone();
    match (writes(&table.logical_name), incoming.method.clone(), key) {
        (
            kind @ (Writes::Steps | Writes::StepImages),
            method @ (Method::POST | Method::PATCH | Method::DELETE),
            key,
        ) => {
            let root = incoming.root.clone();
            let body = read_body(incoming).await?;
            let request = crate::steps_api::StepRequest {
                root: &root,
                method: &method,
                key: key.as_deref(),
                body: &body,
            };
            if kind == Writes::StepImages {
                crate::steps_api::handle_image(state, caller, request).await
            } else {
                crate::steps_api::handle(state, caller, request).await
            }
        }
        (Writes::Users, Method::PATCH, Some(key)) => {
            let body = read_body(incoming).await?;
            crate::tables_api::update_user(engine, caller, &key, &body).await
        }
        (Writes::Organization, Method::PATCH, Some(key)) => {
            let body = read_body(incoming).await?;
            crate::tables_api::update_organization(engine, caller, &key, &body).await
        }
        (_, Method::POST, None) => {
            let root = incoming.root.clone();
            let body = read_body(incoming).await?;
            crate::tables_api::create(
                engine,
                &root,
                &table.set_name,
                &table.logical_name,
                caller,
                &body,
            )
            .await
        }
        _ => {
            only_get(&incoming)?;
            require(
                caller,
                &switchboard_engine::definitions::read_privilege(&table.logical_name),
                &table.logical_name,
            )?;
            crate::tables_api::read(
                engine,
                registry,
                &incoming.root,
                segment,
                parsed,
                &incoming.headers,
                caller.language,
            )
            .await
        }
    }
}

/// The API a segment names, if it is callable (exposable; private ones are callable too).
fn callable<'a>(registry: &'a Registry, name: &str) -> Option<&'a Arc<CustomApi>> {
    registry.apis.get(name).filter(|a| a.is_exposable())
}

async fn unbound(
    state: &AppState,
    registry: &Registry,
    caller: &switchboard_model::execution::Caller,
    parsed: &ParsedUrl,
    segment: &Segment,
    incoming: Incoming,
) -> Result<Response> {
    // Unbound operations are called by their plain name; the qualified form is unknown here.
    let Some(api) = callable(registry, &segment.name) else {
        return Err(not_found(&segment.name));
    };
    if api.binding != Binding::Global {
        return Err(not_found(&segment.name));
    }
    invoke(
        state,
        registry,
        caller,
        parsed,
        api.clone(),
        segment,
        CallBinding::None,
        incoming,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn bound(
    state: &AppState,
    registry: &Registry,
    caller: &switchboard_model::execution::Caller,
    parsed: &ParsedUrl,
    table: String,
    set: &Segment,
    op: &Segment,
    incoming: Incoming,
) -> Result<Response> {
    let Some(name) = unqualify(&op.name) else {
        // A bound operation named without its namespace: Dataverse cannot resolve it.
        return Err(match callable(registry, &op.name) {
            Some(api) => err(
                ErrorKind::UnresolvedParameters,
                Message::new(MessageId::ODataUnresolvedBound)
                    .arg("name", &op.name)
                    .arg("qualified", qualified(api.unique_name.as_str())),
            ),
            None => not_found(&op.name),
        });
    };
    let Some(api) = callable(registry, name) else {
        return Err(not_found(&op.name));
    };
    let binding = match (&api.binding, set.parens.as_deref()) {
        (Binding::Entity(t), Some(key)) if t.as_str() == table => {
            let id = parse_key(key)?;
            // The Target must exist, as in Dataverse (and the plug-in may read it).
            let exists =
                switchboard_engine::record_messages::target_exists(&state.engine, &table, id)
                    .await
                    .map_err(crate::records_api::record_error)?;
            if !exists {
                return Err(crate::records_api::record_not_found(&table, id));
            }
            CallBinding::Record(EntityReference {
                logical_name: table,
                id,
            })
        }
        (Binding::EntityCollection(t), None) if t.as_str() == table => {
            CallBinding::Collection(table)
        }
        _ => return Err(not_found(&op.name)),
    };
    invoke(
        state,
        registry,
        caller,
        parsed,
        api.clone(),
        op,
        binding,
        incoming,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn invoke(
    state: &AppState,
    registry: &Registry,
    caller: &switchboard_model::execution::Caller,
    parsed: &ParsedUrl,
    api: Arc<CustomApi>,
    segment: &Segment,
    binding: CallBinding,
    incoming: Incoming,
) -> Result<Response> {
    let root = incoming.root.clone();
    let mut inputs = if api.is_function {
        only_get(&incoming)?;
        let args = function_arguments(segment.parens.as_deref().unwrap_or_default())?;
        inputs_from_url(&api, &args, &parsed.aliases, &registry.tables)?
    } else {
        if incoming.method != Method::POST {
            return Err(no_http_resource(&incoming));
        }
        if segment
            .parens
            .as_deref()
            .is_some_and(|p| !p.trim().is_empty())
        {
            return Err(not_found(&format!(
                "{}({})",
                segment.name,
                segment.parens.as_deref().unwrap_or_default()
            )));
        }
        let body = read_body(incoming).await?;
        inputs_from_body(&api, &body, &registry.tables)?
    };
    if let CallBinding::Record(target) = &binding {
        inputs.insert(
            switchboard_model::api::TARGET.to_owned(),
            Value::EntityReference(target.clone()),
        );
    }
    let request = ExecuteRequest {
        api: api.clone(),
        binding,
        inputs,
        correlation_id: Uuid::new_v4(),
    };
    // The execute privilege is checked by the pipeline, after pre-validation steps, as in
    // Dataverse.
    let response = execute(&state.engine, caller, request)
        .await
        .map_err(execute_failure)?;
    serialize(registry, &api, response.outputs, &root)
}

fn serialize(
    registry: &Registry,
    api: &CustomApi,
    mut outputs: std::collections::BTreeMap<String, Value>,
    root: &str,
) -> Result<Response> {
    let tables = &registry.tables;
    match return_shape(api) {
        ReturnShape::Nothing => Ok(no_content()),
        ReturnShape::Entity(logical) => {
            let name = api.response_properties[0].unique_name.as_str();
            match outputs.remove(name).unwrap_or(Value::Null) {
                Value::Entity(e) => {
                    let set = e
                        .logical_name
                        .as_deref()
                        .or(logical.as_deref())
                        .and_then(|l| tables.by_logical(l))
                        .map(|t| format!("{}/$entity", t.set_name))
                        .unwrap_or_else(|| {
                            format!(
                                "{}/$entity",
                                switchboard_odata::names::entity_set_name(UNTYPED_ENTITY)
                            )
                        });
                    let mut body = match encode_entity(&e, tables) {
                        Json::Object(m) => m,
                        _ => Map::new(),
                    };
                    body.insert(
                        "@odata.context".into(),
                        Json::String(format!("{root}$metadata#{set}")),
                    );
                    Ok(json_response(StatusCode::OK, Json::Object(body)))
                }
                _ => Ok(no_content()),
            }
        }
        ReturnShape::EntityCollection => {
            let name = api.response_properties[0].unique_name.as_str();
            let items = match outputs.remove(name) {
                Some(v @ Value::EntityCollection(_)) => encode(&v, tables),
                _ => Json::Array(Vec::new()),
            };
            Ok(json_response(
                StatusCode::OK,
                json!({
                    "@odata.context": format!("{root}$metadata#Collection({})", qualified(UNTYPED_ENTITY)),
                    "value": items,
                }),
            ))
        }
        ReturnShape::Complex => {
            let mut body = Map::new();
            body.insert(
                "@odata.context".into(),
                Json::String(format!(
                    "{root}$metadata#{}",
                    qualified(&format!("{}Response", api.unique_name))
                )),
            );
            for p in &api.response_properties {
                let value = outputs
                    .remove(p.unique_name.as_str())
                    .unwrap_or_else(|| Value::default_for(p.field_type));
                body.insert(p.unique_name.to_string(), encode(&value, tables));
            }
            Ok(json_response(StatusCode::OK, Json::Object(body)))
        }
    }
}
