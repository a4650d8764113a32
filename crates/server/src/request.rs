//! The parts of a Web API request and answer every handler uses: the request as routed,
//! JSON answers, record keys, bodies, privilege checks, execution failures as OData errors.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value as Json;
use switchboard_model::execution::ExecuteError;
use switchboard_model::{Message, MessageId};
use switchboard_odata::{ErrorKind, ODataError};
use uuid::Uuid;

type Result<T> = std::result::Result<T, ODataError>;

/// An OData error of `kind` saying `message`.
pub(crate) fn err(kind: ErrorKind, message: Message) -> ODataError {
    ODataError::new(kind, message)
}

/// Largest request body accepted.
pub(crate) const MAX_BODY: usize = 16 * 1024 * 1024;

/// What one request needs besides its path: headers, method, body, and where it came in.
pub(crate) struct Incoming {
    pub(crate) method: Method,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Body,
    /// `http://host/api/data/v9.2/`, for `@odata.context`.
    pub(crate) root: String,
    /// The full URI as received, for messages.
    pub(crate) uri: String,
}

/// A JSON answer with OData's minimal-metadata content type.
pub(crate) fn json_response(status: StatusCode, body: Json) -> Response {
    // Straight to bytes: `to_string` would go through the formatting machinery.
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; odata.metadata=minimal"),
    );
    response
}

/// The host (and port) a request reached the server at: its `Host` header, else the URI's
/// authority (HTTP/2 carries the host there instead of a header), else `localhost` (as
/// `webapi::handle` reads it for `@odata.context`).
pub(crate) fn request_host<'a>(headers: &'a HeaderMap, uri: &'a axum::http::Uri) -> &'a str {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
        .unwrap_or("localhost")
}

/// Only `GET` (and `HEAD`) read a resource.
pub(crate) fn only_get(incoming: &Incoming) -> Result<()> {
    if incoming.method == Method::GET || incoming.method == Method::HEAD {
        Ok(())
    } else {
        Err(no_http_resource(incoming))
    }
}

/// No resource answers this method at this URI.
pub(crate) fn no_http_resource(incoming: &Incoming) -> ODataError {
    err(
        ErrorKind::NoHttpResource,
        Message::new(MessageId::ODataNoHttpResource).arg("uri", &incoming.uri),
    )
}

/// Fails with Dataverse's 403 unless the caller holds `privilege` (`subject` names what it
/// guards: an API or a table).
pub(crate) fn require(
    caller: &switchboard_model::execution::Caller,
    privilege: &str,
    subject: &str,
) -> Result<()> {
    if caller.holds(privilege) {
        return Ok(());
    }
    Err(err(
        ErrorKind::Forbidden,
        caller.missing_privilege(privilege, subject),
    ))
}

/// The Web API error for a failed execution.
pub(crate) fn execute_failure(e: ExecuteError) -> ODataError {
    match e {
        ExecuteError::Business(m) => err(ErrorKind::Business, m),
        ExecuteError::PluginFailed(m) => err(ErrorKind::PluginFailed, m),
        ExecuteError::Forbidden(m) => err(ErrorKind::Forbidden, m),
        ExecuteError::InfiniteLoop(m) => err(ErrorKind::InfiniteLoop, m),
        ExecuteError::Internal(m) => err(ErrorKind::Internal, m),
    }
}

/// `(guid)` or `(accountid=guid)`.
/// Refuses a body member holding U+0000 (see `switchboard_model::value::NUL_REFUSED`): the
/// definition and identity tables it would be written to cannot store it on PostgreSQL.
pub(crate) fn refuse_nul(members: &serde_json::Map<String, Json>) -> Result<()> {
    use switchboard_model::value::{NUL_REFUSED, has_nul};
    match members
        .iter()
        .find(|(_, v)| v.as_str().is_some_and(has_nul))
    {
        Some((name, _)) => Err(err(
            ErrorKind::InvalidArgument,
            Message::new(MessageId::ODataInvalidValue)
                .arg("name", name)
                .arg("expected", "Edm.String")
                .arg("detail", NUL_REFUSED),
        )),
        None => Ok(()),
    }
}

pub(crate) fn parse_key(key: &str) -> Result<Uuid> {
    let raw = key.split_once('=').map_or(key, |(_, v)| v).trim();
    let raw = raw.trim_matches('\'');
    let raw = raw
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or(raw);
    if raw.len() != 36 {
        return Err(err(
            ErrorKind::BadKey,
            Message::new(MessageId::ODataBadKey).arg("key", key),
        ));
    }
    Uuid::parse_str(raw).map_err(|_| {
        err(
            ErrorKind::BadKey,
            Message::new(MessageId::ODataBadKey).arg("key", key),
        )
    })
}

/// The JSON body (`application/json` when a type is given), at most [`MAX_BODY`] bytes.
pub(crate) async fn read_body(incoming: Incoming) -> Result<Bytes> {
    if let Some(ct) = incoming
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        let media = ct
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if media != "application/json" {
            return Err(err(
                ErrorKind::UnsupportedMediaType,
                Message::new(MessageId::ODataUnsupportedMediaType).arg("type", ct),
            ));
        }
    }
    axum::body::to_bytes(incoming.body, MAX_BODY)
        .await
        .map_err(|e| {
            // Only the size limit is a 413; a body that cannot be read (a malformed chunk, a
            // connection cut mid-body) is a malformed request.
            let error = e.into_inner();
            if error.is::<http_body_util::LengthLimitError>() {
                err(
                    ErrorKind::PayloadTooLarge,
                    Message::new(MessageId::ODataPayloadTooLarge).arg("max", MAX_BODY),
                )
            } else {
                err(
                    ErrorKind::MalformedPayload,
                    Message::new(MessageId::ODataMalformedJson)
                        .arg("detail", format!("the body could not be read: {error}")),
                )
            }
        })
}

/// The page size a `Prefer: odata.maxpagesize=N` header asks for; a size given but not a
/// positive whole number is a 400. Record and definition tables page alike through it.
pub(crate) fn max_page_size(headers: &HeaderMap) -> Result<Option<u64>> {
    for value in headers
        .get_all("Prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        if let Some(size) = switchboard_odata::query::parse_max_page_size(value)
            .map_err(|e| e.into_odata_error())?
        {
            return Ok(Some(size));
        }
    }
    Ok(None)
}

/// Where a page of a collection stands, for its `@odata.nextLink` and `Preference-Applied`.
pub(crate) struct Paging<'a> {
    /// The service root (`…/api/data/v9.2/`).
    pub(crate) root: &'a str,
    /// The entity set.
    pub(crate) set: &'a str,
    /// The request's query options, repeated in the next link.
    pub(crate) options: &'a [(String, String)],
    /// Rows before this page.
    pub(crate) skip: u64,
    /// Rows follow this page.
    pub(crate) more: bool,
    /// The page size the client asked for (`Prefer: odata.maxpagesize`).
    pub(crate) preferred: Option<u64>,
}

/// A page of a collection as JSON: `body` (its context and count) with `value`, the
/// `@odata.nextLink` of the next page when more follow (the request's options with the
/// `$skiptoken` of the row after this page), and `Preference-Applied:
/// odata.maxpagesize=N` when the client asked for a page size.
pub(crate) fn page_response(
    mut body: serde_json::Map<String, Json>,
    value: Vec<Json>,
    page: Paging,
) -> Response {
    let next = page.skip + value.len() as u64;
    body.insert("value".into(), Json::Array(value));
    if page.more {
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (k, v) in page.options {
            if k != "$skiptoken" {
                serializer.append_pair(k, v);
            }
        }
        serializer.append_pair("$skiptoken", &switchboard_odata::query::skip_token(next));
        body.insert(
            "@odata.nextLink".into(),
            Json::String(format!("{}{}?{}", page.root, page.set, serializer.finish())),
        );
    }
    let mut response = json_response(StatusCode::OK, Json::Object(body));
    if let Some(size) = page.preferred
        && let Ok(v) = HeaderValue::from_str(&format!("odata.maxpagesize={size}"))
    {
        response.headers_mut().insert("Preference-Applied", v);
    }
    response
}
