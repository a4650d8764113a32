//! Background operations over HTTP (SPEC Integrations §3, and the Logic Apps patterns):
//! `Prefer: respond-async` on a custom API call answers `202` with a status monitor; the
//! monitor `/api/backgroundoperation/{id}` answers `202` while the operation runs, `200` with
//! its outputs when it succeeded and an OData error when it failed or was canceled (so a
//! Logic Apps polling action fails instead of taking an error as a result); `DELETE` on it,
//! or `PATCH backgroundoperations(id)`, cancels. The webhook action pattern subscribes with
//! `POST /api/webhooks/{api}/subscribe` and unsubscribes with `DELETE` on the `Location` the
//! subscription answered.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as Json, json};
use switchboard_engine::background::{self, Callback, Cancelled, Operation, status};
use switchboard_engine::registry::Registry;
use switchboard_model::execution::{Binding as CallBinding, Caller, ExecuteRequest};
use switchboard_model::value::{EntityReference, Value};
use switchboard_model::{Binding, CustomApi, Message, MessageId};
use switchboard_odata::{ErrorKind, ODataError};
use uuid::Uuid;

use crate::AppState;
use crate::errors::ApiError;
use crate::identity::CallerIdentity;
use crate::request::{err, execute_failure, json_response, require};

type Result<T> = std::result::Result<T, ODataError>;

/// What a `Prefer` header asked of a call: to run in the background, and where to post when
/// it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RespondAsync {
    /// `odata.callback; url="…"`.
    pub(crate) callback: Option<String>,
}

/// The `respond-async` preference (RFC 7240: comma-separated preferences, each with
/// `;`-separated parameters), with its `odata.callback` when present; `None` when the call
/// is to run now.
pub(crate) fn respond_async(headers: &HeaderMap) -> Result<Option<RespondAsync>> {
    let mut asynchronous = false;
    let mut callback = None;
    let preferences = headers
        .get_all("Prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(split_outside_quotes::<','>);
    for preference in preferences {
        let mut parts = split_outside_quotes::<';'>(preference);
        let name = parts.next().unwrap_or_default().trim();
        if name.eq_ignore_ascii_case("respond-async") {
            asynchronous = true;
        } else if name.eq_ignore_ascii_case("odata.callback") {
            let url = parts
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("url"))
                .map(|(_, v)| v.trim().trim_matches('"').to_owned());
            callback = Some(checked_callback(url.as_deref().unwrap_or_default())?);
        }
    }
    match (asynchronous, callback) {
        (true, callback) => Ok(Some(RespondAsync { callback })),
        (false, None) => Ok(None),
        (false, Some(url)) => Err(err(
            ErrorKind::InvalidArgument,
            Message::new(MessageId::BackgroundBadPrefer).arg("preference", url),
        )),
    }
}

/// Splits on `SEP` where it is not inside a quoted string (a callback URL may hold `,`/`;`).
fn split_outside_quotes<const SEP: char>(text: &str) -> impl Iterator<Item = &str> {
    let mut quoted = false;
    let mut start = 0;
    let mut pieces = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c == SEP && !quoted => {
                pieces.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    pieces.push(&text[start..]);
    pieces.into_iter().map(str::trim).filter(|p| !p.is_empty())
}

/// A callback URL must be absolute http(s); where it may point is the outbound policy's to
/// decide when it is posted.
fn checked_callback(url: &str) -> Result<String> {
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match (scheme.as_deref(), url.parse::<axum::http::Uri>()) {
        (Some("http" | "https"), Ok(uri)) if uri.host().is_some() => Ok(url.to_owned()),
        _ => Err(err(
            ErrorKind::InvalidArgument,
            Message::new(MessageId::BackgroundBadCallback).arg("url", url),
        )),
    }
}

/// The public root (scheme and authority, no trailing slash) absolute URLs start with:
/// `--public-url` when set, else the request's own `Host`.
pub(crate) fn public_root(state: &AppState, headers: &HeaderMap, uri: &axum::http::Uri) -> String {
    if let Some(url) = &state.public_url {
        return url.clone();
    }
    let host = crate::request::request_host(headers, uri);
    let scheme = if state.tls.is_some() { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// Starts `request` in the background and answers as Dataverse does: `202 Accepted` with the
/// status monitor in `Location`, `x-ms-dyn-backgroundoperationid`, `Preference-Applied`
/// and `Retry-After`; with a callback, also a body naming the operation.
pub(crate) async fn accept(
    state: &AppState,
    caller: &Caller,
    request: ExecuteRequest,
    public_root: &str,
    preference: RespondAsync,
) -> Result<Response> {
    let with_callback = preference.callback.is_some();
    let started = background::start(
        &state.engine,
        caller,
        request,
        public_root,
        preference.callback.map(Callback::OData),
    )
    .await
    .map_err(execute_failure)?;
    let mut response = if with_callback {
        json_response(
            StatusCode::ACCEPTED,
            json!({ "backgroundOperationId": started.id, "location": started.location }),
        )
    } else {
        StatusCode::ACCEPTED.into_response()
    };
    let headers = response.headers_mut();
    set_polling_headers(headers, &started.location, state.retry_after_secs);
    headers.insert(
        "x-ms-dyn-backgroundoperationid",
        header_value(&started.id.to_string()),
    );
    headers.insert(
        "Preference-Applied",
        HeaderValue::from_static(if with_callback {
            "callback"
        } else {
            "respond-async"
        }),
    );
    Ok(response)
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn set_polling_headers(headers: &mut HeaderMap, location: &str, retry_after: u64) {
    headers.insert(header::LOCATION, header_value(location));
    headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
}

/// Answers outside `/api/data/` carry `OData-Version` as the Web API's do (their bodies
/// and errors have its shapes).
fn odata_version(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert("OData-Version", HeaderValue::from_static("4.0"));
    response
}

/// An error answered outside `/api/data/`, in the caller's language.
fn error_response(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    e: ODataError,
) -> Response {
    let localizer = state
        .engine
        .locales
        .pick(caller.language, crate::accept_language(headers));
    ApiError {
        error: e,
        localizer,
    }
    .into_response()
}

fn operation_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw.trim_matches(|c| c == '{' || c == '}')).map_err(|_| not_found(raw))
}

fn not_found(id: impl std::fmt::Display) -> ODataError {
    err(
        ErrorKind::RecordNotFound,
        Message::new(MessageId::BackgroundNotFound).arg("id", id.to_string()),
    )
}

fn engine_failure(e: switchboard_model::execution::ExecuteError) -> ODataError {
    execute_failure(e)
}

/// `GET` and `DELETE` on the status monitor `/api/backgroundoperation/{id}`.
pub(crate) async fn monitor(
    State(state): State<AppState>,
    CallerIdentity(caller): CallerIdentity,
    Path(id): Path<String>,
    method: Method,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let root = public_root(&state, &headers, &uri);
    let result = async {
        let id = operation_id(&id)?;
        match method {
            Method::GET | Method::HEAD => {
                require(&caller, background::READ_PRIVILEGE, "backgroundoperation")?;
                let operation = background::read(&state.engine, id)
                    .await
                    .map_err(engine_failure)?
                    .ok_or_else(|| not_found(id))?;
                Ok(status_response(&state, &root, &operation))
            }
            Method::DELETE => {
                require(&caller, background::WRITE_PRIVILEGE, "backgroundoperation")?;
                cancel(&state, id).await.map(|operation| {
                    json_response(
                        StatusCode::OK,
                        json!({
                            "backgroundOperationStateCode": operation.state,
                            "backgroundOperationStatusCode": operation.status,
                        }),
                    )
                })
            }
            _ => Err(method_not_allowed(&method, &uri)),
        }
    }
    .await;
    odata_version(result.unwrap_or_else(|e| error_response(&state, &caller, &headers, e)))
}

fn method_not_allowed(method: &Method, uri: &axum::http::Uri) -> ODataError {
    err(
        ErrorKind::MethodNotAllowed,
        Message::new(MessageId::ODataMethodNotAllowed)
            .arg("method", method.as_str())
            .arg("uri", uri.path()),
    )
}

/// Cancels operation `id`: the operation after, or why not.
async fn cancel(state: &AppState, id: Uuid) -> Result<Operation> {
    match background::cancel(&state.engine, id)
        .await
        .map_err(engine_failure)?
    {
        Cancelled::Done(operation) => Ok(operation),
        Cancelled::Terminal(_) => Err(err(
            ErrorKind::Business,
            Message::new(MessageId::BackgroundTerminal),
        )),
        Cancelled::NotFound => Err(not_found(id)),
    }
}

/// The status monitor's answer: `202` (with `Location` and `Retry-After`) while the
/// operation waits or runs, `200` with its outputs when it succeeded, its error (with the
/// status members) when it failed or was canceled.
fn status_response(state: &AppState, root: &str, operation: &Operation) -> Response {
    let mut body = operation.status_members();
    if !operation.is_finished() {
        let mut response = json_response(StatusCode::ACCEPTED, Json::Object(body));
        let location = background::monitor_url(root, operation.id);
        set_polling_headers(response.headers_mut(), &location, state.retry_after_secs);
        return response;
    }
    match operation.failure() {
        None => {
            body.extend(operation.outputs.clone());
            json_response(StatusCode::OK, Json::Object(body))
        }
        Some(failure) => {
            let error = execute_failure(failure);
            let (status, code) = crate::errors::status_and_code(error.kind);
            let message = state.engine.locales.pick(None, None).render(&error.message);
            body.insert("error".into(), json!({ "code": code, "message": message }));
            json_response(status, Json::Object(body))
        }
    }
}

/// `PATCH backgroundoperations(id)` with `{"backgroundoperationstatecode": 2,
/// "backgroundoperationstatuscode": 22}`: Dataverse's other way to cancel (204).
pub(crate) async fn patch(
    state: &AppState,
    caller: &Caller,
    key: &str,
    body: &[u8],
) -> Result<Response> {
    require(caller, background::WRITE_PRIVILEGE, "backgroundoperation")?;
    let id = crate::request::parse_key(key)?;
    let asked: Map<String, Json> = serde_json::from_slice(body).map_err(|e| {
        err(
            ErrorKind::MalformedPayload,
            Message::new(MessageId::ODataMalformedJson).arg("detail", e),
        )
    })?;
    let cancel_asked = asked.get("backgroundoperationstatecode")
        == Some(&json!(status::STATE_LOCKED))
        && asked.get("backgroundoperationstatuscode") == Some(&json!(status::STATUS_CANCELING))
        && asked.len() == 2;
    if !cancel_asked {
        return Err(err(
            ErrorKind::InvalidArgument,
            Message::new(MessageId::BackgroundOnlyCancel),
        ));
    }
    cancel(state, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/webhooks/{api}/subscribe` (the webhook action pattern): the body holds the
/// API's parameters and `callbackUrl`; the API runs in the background and its outputs are
/// posted to the callback. Answers `201` with the subscription's URL in `Location` (`DELETE`
/// it to unsubscribe) and the status monitor in the body.
pub(crate) async fn subscribe(
    State(state): State<AppState>,
    CallerIdentity(caller): CallerIdentity,
    Path(name): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    body: Bytes,
) -> Response {
    let root = public_root(&state, &headers, &uri);
    let result = async {
        let registry = state.engine.registry.current();
        let api = registry
            .apis
            .get(&name)
            .filter(|a| a.is_exposable())
            .cloned()
            .ok_or_else(|| {
                err(
                    ErrorKind::ResourceNotFound,
                    Message::new(MessageId::ODataResourceNotFound).arg("segment", &name),
                )
            })?;
        let mut members: Map<String, Json> = serde_json::from_slice(&body).map_err(|e| {
            err(
                ErrorKind::MalformedPayload,
                Message::new(MessageId::ODataMalformedJson).arg("detail", e),
            )
        })?;
        let callback = match members.remove(CALLBACK_MEMBER) {
            Some(Json::String(url)) => checked_callback(&url)?,
            _ => {
                return Err(err(
                    ErrorKind::MissingParameter,
                    Message::new(MessageId::ODataMissingParameter)
                        .arg("name", CALLBACK_MEMBER)
                        .arg("api", &name),
                ));
            }
        };
        let request = subscription_request(&registry, api, members)?;
        let started = background::start(
            &state.engine,
            &caller,
            request,
            &root,
            Some(Callback::Webhook(callback)),
        )
        .await
        .map_err(execute_failure)?;
        let subscription = format!("{root}/api/webhooks/subscriptions/{}", started.id);
        let mut response = json_response(
            StatusCode::CREATED,
            json!({
                "subscriptionId": started.id,
                "backgroundOperationId": started.id,
                "location": started.location,
            }),
        );
        response
            .headers_mut()
            .insert(header::LOCATION, header_value(&subscription));
        Ok(response)
    }
    .await;
    odata_version(result.unwrap_or_else(|e| error_response(&state, &caller, &headers, e)))
}

/// The body member a subscription names its callback URL in.
pub(crate) const CALLBACK_MEMBER: &str = "callbackUrl";

/// The call a subscription runs: its parameters from the body as an action's (a record-bound
/// API names its record by id in `Target`).
fn subscription_request(
    registry: &Registry,
    api: std::sync::Arc<CustomApi>,
    mut members: Map<String, Json>,
) -> Result<ExecuteRequest> {
    let binding = match &api.binding {
        Binding::Global => CallBinding::None,
        Binding::EntityCollection(table) => CallBinding::Collection(table.to_string()),
        Binding::Entity(table) => {
            let target = members.remove(switchboard_model::api::TARGET);
            let id = target
                .as_ref()
                .and_then(Json::as_str)
                .and_then(|t| Uuid::parse_str(t).ok())
                .ok_or_else(|| {
                    err(
                        ErrorKind::MissingParameter,
                        Message::new(MessageId::ODataMissingParameter)
                            .arg("name", switchboard_model::api::TARGET)
                            .arg("api", api.unique_name.as_str()),
                    )
                })?;
            CallBinding::Record(EntityReference {
                logical_name: table.to_string(),
                id,
            })
        }
    };
    let body = serde_json::to_vec(&Json::Object(members)).unwrap_or_default();
    let mut inputs = switchboard_odata::call::inputs_from_body(&api, &body, &registry.tables)?;
    if let CallBinding::Record(target) = &binding {
        inputs.insert(
            switchboard_model::api::TARGET.to_owned(),
            Value::EntityReference(target.clone()),
        );
    }
    Ok(ExecuteRequest {
        api,
        binding,
        inputs,
        correlation_id: Uuid::new_v4(),
    })
}

/// `DELETE /api/webhooks/subscriptions/{id}`: unsubscribes. A run not started is canceled;
/// a running one runs on without posting its callback; an ended one has nothing left to
/// stop (200 all the same: unsubscribing is idempotent).
pub(crate) async fn unsubscribe(
    State(state): State<AppState>,
    CallerIdentity(caller): CallerIdentity,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        require(&caller, background::WRITE_PRIVILEGE, "backgroundoperation")?;
        let id = operation_id(&id)?;
        let operation = match background::cancel(&state.engine, id)
            .await
            .map_err(engine_failure)?
        {
            Cancelled::Done(operation) | Cancelled::Terminal(operation) => operation,
            Cancelled::NotFound => return Err(not_found(id)),
        };
        Ok(json_response(
            StatusCode::OK,
            Json::Object(operation.status_members()),
        ))
    }
    .await;
    odata_version(result.unwrap_or_else(|e| error_response(&state, &caller, &headers, e)))
}
