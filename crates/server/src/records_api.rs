//! Record tables over the Web API: `POST /{set}`, `GET /{set}` (query options, paging),
//! `GET|PATCH|DELETE /{set}({id})` with upsert, each gated by the table's privilege.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as Json, json};
use switchboard_model::RecordErrorKind;
use switchboard_model::execution::Caller;
use switchboard_model::query::RecordQuery;
use switchboard_model::{Message, MessageId, Table};
use switchboard_odata::query::record_query;
use switchboard_odata::records::{decode_record, encode_record};
use switchboard_odata::url::{ParsedUrl, Segment};
use switchboard_odata::{ErrorKind, ODataError};
use uuid::Uuid;

use crate::AppState;
use crate::request::{
    Incoming, Paging, json_response, max_page_size, no_http_resource, page_response, parse_key,
    read_body,
};
use switchboard_engine::record_messages::{
    BUSINESS_ENTITY, BUSINESS_ENTITY_COLLECTION, MAX_PAGE_SIZE, MORE_RECORDS, Record, RecordInput,
    RecordMessageError, RecordOp, Upsert, count_records, record_message, upsert,
};
use switchboard_engine::registry::Registry;

type Result<T> = std::result::Result<T, ODataError>;

/// Maps a store error to the Web API's error kinds.
/// The Web API error for a record message that failed.
pub(crate) fn record_error(e: RecordMessageError) -> ODataError {
    match e {
        RecordMessageError::Refused(kind, message) => ODataError::new(
            match kind {
                RecordErrorKind::UnknownColumn | RecordErrorKind::BadQuery => {
                    ErrorKind::BadQueryOption
                }
                RecordErrorKind::InvalidValue => ErrorKind::InvalidParameterValue,
                RecordErrorKind::NotFound => ErrorKind::RecordNotFound,
                RecordErrorKind::Duplicate => ErrorKind::Duplicate,
            },
            message,
        ),
        RecordMessageError::Failed(detail) => {
            ODataError::internal(format_args!("record operation failed: {detail}"))
        }
        RecordMessageError::Execute(e) => crate::request::execute_failure(e),
    }
}

fn not_found(table: &Table, id: Uuid) -> ODataError {
    record_not_found(&table.logical_name, id)
}

/// `{table} With Id = {id} Does Not Exist`, Dataverse's words.
pub(crate) fn record_not_found(table: &str, id: Uuid) -> ODataError {
    ODataError::new(
        ErrorKind::RecordNotFound,
        Message::new(MessageId::ODataRecordNotFound)
            .arg("table", table)
            .arg("id", id.to_string()),
    )
}

fn malformed(detail: impl std::fmt::Display) -> ODataError {
    ODataError::new(
        ErrorKind::MalformedPayload,
        Message::new(MessageId::ODataMalformedJson).arg("detail", detail.to_string()),
    )
}

fn body_object(body: &[u8]) -> Result<Map<String, Json>> {
    match serde_json::from_slice::<Json>(body).map_err(malformed)? {
        Json::Object(members) => Ok(members),
        _ => Err(ODataError::new(
            ErrorKind::MalformedPayload,
            Message::new(MessageId::ODataBodyNotObject),
        )),
    }
}

fn prefers(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get_all("Prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim().eq_ignore_ascii_case(token))
}

fn header_is_star(headers: &HeaderMap, name: header::HeaderName) -> bool {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == "*")
}

fn record_json(
    registry: &Registry,
    table: &Table,
    record: &Record,
    context: Option<String>,
) -> Map<String, Json> {
    let mut object = Map::new();
    if let Some(context) = context {
        object.insert("@odata.context".into(), Json::String(context));
    }
    object.extend(encode_record(table, record, &registry.tables));
    object
}

fn entity_id(root: &str, table: &Table, id: Uuid) -> String {
    format!("{root}{}({id})", table.set_name)
}

fn with_entity_id(mut response: Response, url: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(url) {
        response.headers_mut().insert("OData-EntityId", v);
    }
    response
}

/// Serves one request on a record table.
pub(crate) async fn handle(
    state: &AppState,
    registry: &Registry,
    caller: &Caller,
    table: Arc<Table>,
    segment: &Segment,
    parsed: &ParsedUrl,
    incoming: Incoming,
) -> Result<Response> {
    let key = match segment.parens.as_deref() {
        Some(k) => Some(parse_key(k)?),
        None => None,
    };
    match (incoming.method.clone(), key) {
        (Method::GET, None) => {
            list(
                state,
                registry,
                caller,
                &table,
                parsed,
                &incoming.root,
                &incoming.headers,
            )
            .await
        }
        (Method::GET, Some(id)) => {
            let query = record_query(&parsed.options).map_err(|e| e.into_odata_error())?;
            let columns = query.select.unwrap_or_default();
            let mut outputs = run(
                state,
                caller,
                &table,
                RecordOp::Retrieve,
                RecordInput::One(id, columns),
            )
            .await?;
            // The record as the main operation read it and post-operation steps left it.
            let record = match outputs.remove(BUSINESS_ENTITY) {
                Some(switchboard_model::Value::Entity(e)) => e.attributes,
                _ => return Err(not_found(&table, id)),
            };
            let context = format!("{}$metadata#{}/$entity", incoming.root, table.set_name);
            Ok(json_response(
                StatusCode::OK,
                Json::Object(record_json(registry, &table, &record, Some(context))),
            ))
        }
        (Method::POST, None) => {
            let (root, headers) = (incoming.root.clone(), incoming.headers.clone());
            let body = body_object(&read_body(incoming).await?)?;
            let mut fields = decode_record(&table, &body, &registry.tables)?;
            // The id is the caller's (a key in the body) or a new one.
            let id = match fields.remove(&table.primary_id) {
                Some(switchboard_model::Value::Guid(id)) => id,
                Some(switchboard_model::Value::Null) | None => Uuid::new_v4(),
                Some(_) => return Err(not_found(&table, Uuid::nil())),
            };
            run(
                state,
                caller,
                &table,
                RecordOp::Create,
                RecordInput::Write(id, fields),
            )
            .await?;
            written(
                registry, state, caller, &table, &root, &headers, parsed, id, true,
            )
            .await
        }
        (Method::PATCH, Some(id)) => {
            let (root, headers) = (incoming.root.clone(), incoming.headers.clone());
            let condition = if header_is_star(&headers, header::IF_MATCH) {
                Upsert::UpdateOnly
            } else if header_is_star(&headers, header::IF_NONE_MATCH) {
                Upsert::CreateOnly
            } else {
                Upsert::Either
            };
            let body = body_object(&read_body(incoming).await?)?;
            let fields = decode_record(&table, &body, &registry.tables)?;
            let created = upsert(&state.engine, caller, &table, id, fields, condition)
                .await
                .map_err(record_error)?;
            written(
                registry, state, caller, &table, &root, &headers, parsed, id, created,
            )
            .await
        }
        (Method::DELETE, Some(id)) => {
            run(
                state,
                caller,
                &table,
                RecordOp::Delete,
                RecordInput::Write(id, Default::default()),
            )
            .await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(no_http_resource(&incoming)),
    }
}

/// Runs a record message through the pipeline (steps registered on it fire; the table's
/// privilege is checked after pre-validation, as for every message); returns its outputs.
async fn run(
    state: &AppState,
    caller: &Caller,
    table: &Table,
    op: RecordOp,
    input: RecordInput,
) -> Result<std::collections::BTreeMap<String, switchboard_model::Value>> {
    record_message(&state.engine, caller, table, op, input)
        .await
        .map_err(record_error)
}

/// The answer to a create or update: 204 with `OData-EntityId`, or the record itself when
/// the client asked for `Prefer: return=representation` (201 when created, 200 otherwise).
#[allow(clippy::too_many_arguments)]
async fn written(
    registry: &Registry,
    state: &AppState,
    caller: &Caller,
    table: &Table,
    root: &str,
    headers: &HeaderMap,
    parsed: &ParsedUrl,
    id: Uuid,
    created: bool,
) -> Result<Response> {
    let url = entity_id(root, table, id);
    if !prefers(headers, "return=representation") {
        return Ok(with_entity_id(StatusCode::NO_CONTENT.into_response(), &url));
    }
    // The representation is read by the Retrieve message: its steps fire for it too.
    let query = record_query(&parsed.options).map_err(|e| e.into_odata_error())?;
    let mut outputs = run(
        state,
        caller,
        table,
        RecordOp::Retrieve,
        RecordInput::One(id, query.select.unwrap_or_default()),
    )
    .await?;
    let record = match outputs.remove(BUSINESS_ENTITY) {
        Some(switchboard_model::Value::Entity(e)) => e.attributes,
        _ => return Err(not_found(table, id)),
    };
    let context = format!("{root}$metadata#{}/$entity", table.set_name);
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = json_response(
        status,
        Json::Object(record_json(registry, table, &record, Some(context))),
    );
    response.headers_mut().insert(
        "Preference-Applied",
        HeaderValue::from_static("return=representation"),
    );
    Ok(with_entity_id(response, &url))
}

/// The query options as the `Query` input of RetrieveMultiple: readable for the steps that
/// rewrite it (`$filter=sb_priority ge 5&$top=3`), escaping only what would split it.
fn query_text(options: &[(String, String)]) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const SPLITS: &AsciiSet = &CONTROLS.add(b'%').add(b'&').add(b'+').add(b'#').add(b'=');
    options
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, SPLITS),
                utf8_percent_encode(v, SPLITS)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `GET /{set}`: a RetrieveMultiple message with the request's query options (steps may
/// rewrite them before, and change the page after, the main operation).
async fn list(
    state: &AppState,
    registry: &Registry,
    caller: &Caller,
    table: &Table,
    parsed: &ParsedUrl,
    root: &str,
    headers: &HeaderMap,
) -> Result<Response> {
    let mut query: RecordQuery = record_query(&parsed.options).map_err(|e| e.into_odata_error())?;
    let preferred = max_page_size(headers)?;
    query.page_size = Some(preferred.unwrap_or(MAX_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE));
    let want_count = parsed
        .options
        .iter()
        .any(|(k, v)| k == "$count" && v.trim() == "true");
    let text = query_text(&parsed.options);
    let page_size = query.page_size.unwrap_or(MAX_PAGE_SIZE);
    let mut outputs = run(
        state,
        caller,
        table,
        RecordOp::RetrieveMultiple,
        RecordInput::Many(text, page_size),
    )
    .await?;
    let records: Vec<Record> = match outputs.remove(BUSINESS_ENTITY_COLLECTION) {
        Some(switchboard_model::Value::EntityCollection(entities)) => {
            entities.into_iter().map(|e| e.attributes).collect()
        }
        _ => Vec::new(),
    };
    let more = matches!(
        outputs.get(MORE_RECORDS),
        Some(switchboard_model::Value::Boolean(true))
    );
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        Json::String(format!("{root}$metadata#{}", table.set_name)),
    );
    if want_count {
        let n = count_records(&state.engine, table, query.filter.as_ref())
            .await
            .map_err(record_error)?;
        body.insert("@odata.count".into(), json!(n));
    }
    let value = records
        .iter()
        .map(|r| Json::Object(record_json(registry, table, r, None)))
        .collect();
    Ok(page_response(
        body,
        value,
        Paging {
            root,
            set: &table.set_name,
            options: &parsed.options,
            skip: query.skip,
            more,
            preferred,
        },
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_text_reads_back_as_the_same_options() {
        let options = vec![
            ("$filter".to_owned(), "sb_name eq 'a&b=c+d 100%'".to_owned()),
            ("$top".to_owned(), "3".to_owned()),
        ];
        let text = super::query_text(&options);
        assert_eq!(
            text, "$filter=sb_name eq 'a%26b%3Dc%2Bd 100%25'&$top=3",
            "readable, with only the splitting characters escaped"
        );
        let back: Vec<(String, String)> = form_urlencoded::parse(text.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(back, options);
    }
}
