//! Read access to the definition tables (`customapis`, `plugintypes`, …) with `$select`,
//! `$filter` (eq/ne joined by and), `$orderby`, `$top`, by key, and `$expand` of a custom
//! API's parameters and properties.

use std::cmp::Ordering;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as Json, json};
use switchboard_model::{Message, MessageId};
use switchboard_odata::literal::unquote;
use switchboard_odata::names::qualified;
use switchboard_odata::url::{ParsedUrl, Segment};
use switchboard_odata::{ErrorKind, ODataError};
use switchboard_store::{Rows, Store};

use crate::definitions::TABLES;
use crate::registry::Registry;
use crate::webapi::{json_response, parse_key};

type Result<T> = std::result::Result<T, ODataError>;
type Row = Map<String, Json>;

fn bad_option(option: &str, detail: impl std::fmt::Display) -> ODataError {
    ODataError::new(
        ErrorKind::BadQueryOption,
        Message::new(MessageId::ODataBadQueryOption)
            .arg("option", option)
            .arg("detail", detail),
    )
}

fn unknown_property(name: &str, logical: &str) -> ODataError {
    ODataError::new(
        ErrorKind::BadQueryOption,
        Message::new(MessageId::ODataUnknownProperty)
            .arg("name", name)
            .arg("type", qualified(logical)),
    )
}

/// A filter condition: column, equal (true) or not, and the literal.
struct Condition {
    column: String,
    equal: bool,
    value: Json,
}

fn literal_json(text: &str) -> Option<Json> {
    let t = text.trim();
    if let Some(s) = unquote(t) {
        return Some(Json::String(s));
    }
    match t {
        "null" => Some(Json::Null),
        "true" => Some(Json::Bool(true)),
        "false" => Some(Json::Bool(false)),
        _ => serde_json::from_str::<Json>(t)
            .ok()
            .filter(Json::is_number)
            .or_else(|| {
                uuid::Uuid::parse_str(t)
                    .ok()
                    .map(|g| Json::String(g.to_string()))
            }),
    }
}

fn parse_filter(filter: &str, columns: &[String], logical: &str) -> Result<Vec<Condition>> {
    let unsupported = || {
        ODataError::new(
            ErrorKind::BadQueryOption,
            Message::new(MessageId::ODataUnsupportedFilter).arg("filter", filter),
        )
    };
    let mut conditions = Vec::new();
    let lower = filter.to_ascii_lowercase();
    if lower.contains(" or ") || lower.contains('(') && !lower.contains('\'') {
        return Err(unsupported());
    }
    for part in split_and(filter) {
        let mut tokens = part.trim().splitn(3, ' ');
        let (Some(column), Some(op), Some(value)) = (tokens.next(), tokens.next(), tokens.next())
        else {
            return Err(unsupported());
        };
        if !columns.iter().any(|c| c == column) {
            return Err(unknown_property(column, logical));
        }
        let equal = match op {
            "eq" => true,
            "ne" => false,
            _ => return Err(unsupported()),
        };
        let value = literal_json(value).ok_or_else(unsupported)?;
        conditions.push(Condition {
            column: column.to_owned(),
            equal,
            value,
        });
    }
    Ok(conditions)
}

/// Splits on ` and ` outside quoted strings.
fn split_and(filter: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut in_quote = false;
    let mut rest = filter;
    while let Some(c) = rest.chars().next() {
        if c == '\'' {
            in_quote = !in_quote;
        }
        if !in_quote && rest.len() >= 5 && rest[..5].eq_ignore_ascii_case(" and ") {
            parts.push(String::new());
            rest = &rest[5..];
            continue;
        }
        parts.last_mut().expect("never empty").push(c);
        rest = &rest[c.len_utf8()..];
    }
    parts
}

/// Dataverse compares strings without regard to case, and GUIDs by value.
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::String(x), Json::String(y)) => x.eq_ignore_ascii_case(y),
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn compare(a: Option<&Json>, b: Option<&Json>) -> Ordering {
    match (a, b) {
        (Some(Json::String(x)), Some(Json::String(y))) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Some(Json::Number(x)), Some(Json::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Json::Bool(x)), Some(Json::Bool(y))) => x.cmp(y),
        (None | Some(Json::Null), Some(v)) if !v.is_null() => Ordering::Less,
        (Some(v), None | Some(Json::Null)) if !v.is_null() => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

fn columns_of(logical: &str, primary_id: &str) -> Vec<String> {
    let mut columns = vec![primary_id.to_owned()];
    if let Some(t) = TABLES.iter().find(|t| t.logical_name == logical) {
        columns.extend(t.columns.iter().map(|(c, _)| (*c).to_owned()));
    }
    columns
}

fn select(row: &Row, selected: Option<&[String]>, primary_id: &str) -> Row {
    match selected {
        None => row.clone(),
        Some(cols) => row
            .iter()
            .filter(|(k, _)| k.as_str() == primary_id || cols.iter().any(|c| c == *k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

/// `GET /{set}` or `GET /{set}({id})` on a definition table.
pub(crate) async fn read(
    store: &Store,
    registry: &Registry,
    root: &str,
    segment: &Segment,
    parsed: &ParsedUrl,
    language: Option<u32>,
) -> Result<Response> {
    let table = registry
        .tables
        .by_set(&segment.name)
        .expect("checked by the router")
        .clone();
    let logical = table.logical_name.as_str();
    let not_found = || {
        ODataError::new(
            ErrorKind::ResourceNotFound,
            Message::new(MessageId::ODataResourceNotFound).arg("segment", &segment.name),
        )
    };
    // Records of undeclared tables are only ever returned by operations, never stored.
    let stored = if logical == switchboard_odata::names::UNTYPED_ENTITY {
        Ok(Some(Rows::new()))
    } else {
        store.definition_rows(logical).await
    };
    let rows: Rows = stored
        .map_err(|e| {
            tracing::error!(error = %e, "reading a definition table");
            ODataError::new(
                ErrorKind::Internal,
                Message::new(MessageId::ODataInternal).arg("id", "-"),
            )
        })?
        .ok_or_else(not_found)?;
    let rows = localize(store, logical, &table.primary_id, rows, language).await;
    let columns = columns_of(logical, &table.primary_id);

    let mut selected: Option<Vec<String>> = None;
    let mut conditions = Vec::new();
    let mut order: Vec<(String, bool)> = Vec::new();
    let mut top: Option<usize> = None;
    let mut expand: Vec<String> = Vec::new();
    for (option, value) in &parsed.options {
        match option.as_str() {
            "$select" => {
                let cols: Vec<String> = value
                    .split(',')
                    .map(|c| c.trim().to_owned())
                    .filter(|c| !c.is_empty())
                    .collect();
                if let Some(bad) = cols.iter().find(|c| !columns.contains(c)) {
                    return Err(unknown_property(bad, logical));
                }
                selected = Some(cols);
            }
            "$filter" => conditions = parse_filter(value, &columns, logical)?,
            "$orderby" => {
                for item in value.split(',') {
                    let mut parts = item.split_whitespace();
                    let column = parts.next().unwrap_or_default().to_owned();
                    if !columns.contains(&column) {
                        return Err(unknown_property(&column, logical));
                    }
                    let descending = match parts.next() {
                        None | Some("asc") => false,
                        Some("desc") => true,
                        Some(other) => {
                            return Err(bad_option(
                                "$orderby",
                                format!("'{other}' is neither asc nor desc"),
                            ));
                        }
                    };
                    order.push((column, descending));
                }
            }
            "$top" => {
                top =
                    Some(value.trim().parse().map_err(|_| {
                        bad_option("$top", format!("'{value}' is not a whole number"))
                    })?);
            }
            "$expand" => {
                for item in value.split(',') {
                    let name = item.split('(').next().unwrap_or_default().trim().to_owned();
                    let known = logical == "customapi"
                        && (name == "CustomAPIRequestParameters"
                            || name == "CustomAPIResponseProperties");
                    if !known {
                        return Err(unknown_property(&name, logical));
                    }
                    expand.push(name);
                }
            }
            other if other.starts_with('$') => {
                return Err(bad_option(other, "not supported on definition tables"));
            }
            _ => {}
        }
    }

    let mut matching: Vec<Row> = rows
        .into_iter()
        .filter(|row| {
            conditions.iter().all(|c| {
                let value = row.get(&c.column).unwrap_or(&Json::Null);
                same(value, &c.value) == c.equal
            })
        })
        .collect();
    for (column, descending) in order.iter().rev() {
        matching.sort_by(|a, b| {
            let o = compare(a.get(column), b.get(column));
            if *descending { o.reverse() } else { o }
        });
    }
    if let Some(n) = top {
        matching.truncate(n);
    }
    for name in &expand {
        let child = if name == "CustomAPIRequestParameters" {
            "customapirequestparameter"
        } else {
            "customapiresponseproperty"
        };
        let children = store
            .definition_rows(child)
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        for row in &mut matching {
            let id = row.get("customapiid").cloned().unwrap_or(Json::Null);
            let items: Vec<Json> = children
                .iter()
                .filter(|c| c.get("_customapiid_value") == Some(&id))
                .cloned()
                .map(Json::Object)
                .collect();
            row.insert(name.clone(), Json::Array(items));
        }
    }
    let keep = |row: &Row| {
        let mut out = select(row, selected.as_deref(), &table.primary_id);
        for name in &expand {
            if let Some(v) = row.get(name) {
                out.insert(name.clone(), v.clone());
            }
        }
        out
    };
    let shape = match &selected {
        Some(cols) => format!("{}({})", table.set_name, cols.join(",")),
        None => table.set_name.clone(),
    };

    if let Some(key) = &segment.parens {
        let id = parse_key(key)?;
        let row = matching
            .iter()
            .find(|r| {
                r.get(&table.primary_id)
                    .and_then(Json::as_str)
                    .is_some_and(|v| v.eq_ignore_ascii_case(&id.to_string()))
            })
            .ok_or_else(|| {
                ODataError::new(
                    ErrorKind::RecordNotFound,
                    Message::new(MessageId::ODataRecordNotFound)
                        .arg("table", logical)
                        .arg("id", id),
                )
            })?;
        let mut body = keep(row);
        body.insert(
            "@odata.context".into(),
            Json::String(format!("{root}$metadata#{shape}/$entity")),
        );
        return Ok(json_response(StatusCode::OK, Json::Object(body)));
    }
    let value: Vec<Json> = matching.iter().map(|r| Json::Object(keep(r))).collect();
    Ok(json_response(
        StatusCode::OK,
        json!({ "@odata.context": format!("{root}$metadata#{shape}"), "value": value }),
    ))
}

/// `POST /systemusers` or `POST /roles`: administrators create users and roles over the
/// Web API (204 with `OData-EntityId`, as Dataverse answers a create).
pub(crate) async fn create(
    store: &Store,
    root: &str,
    set: &str,
    logical: &str,
    caller: &switchboard_model::execution::Caller,
    body: &[u8],
) -> Result<Response> {
    if !caller.is_admin {
        return Err(ODataError::new(
            ErrorKind::Forbidden,
            Message::new(MessageId::AuthAdminRequired)
                .arg("user", caller.user_id)
                .arg("table", logical),
        ));
    }
    let malformed = |detail: String| {
        ODataError::new(
            ErrorKind::MalformedPayload,
            Message::new(MessageId::ODataMalformedJson).arg("detail", detail),
        )
    };
    let json: Json = serde_json::from_slice(body).map_err(|e| malformed(e.to_string()))?;
    let text = |name: &str| json.get(name).and_then(Json::as_str).map(str::to_owned);
    let required = |name: &'static str| {
        text(name).ok_or_else(|| {
            ODataError::new(
                ErrorKind::MissingParameter,
                Message::new(MessageId::ODataMissingParameter)
                    .arg("name", name)
                    .arg("api", logical),
            )
        })
    };
    let created = match logical {
        "systemuser" => {
            let name = required("domainname")?;
            let full = text("fullname").unwrap_or_else(|| name.clone());
            let language = json
                .get("uilanguageid")
                .and_then(Json::as_i64)
                .map(|l| l as i32);
            store.add_user(&name, &full, language).await
        }
        "role" => store.add_role(&required("name")?).await,
        _ => {
            return Err(ODataError::new(
                ErrorKind::NoHttpResource,
                Message::new(MessageId::ODataNoHttpResource).arg("uri", format!("{root}{set}")),
            ));
        }
    };
    use switchboard_store::security::SecurityError;
    let id = created.map_err(|e| match e {
        SecurityError::Exists(name) => ODataError::new(
            ErrorKind::Duplicate,
            Message::new(MessageId::ODataDuplicateRecord).arg("name", name),
        ),
        other => {
            tracing::error!(error = ?other, "creating a {logical}");
            ODataError::new(
                ErrorKind::Internal,
                Message::new(MessageId::ODataInternal).arg("id", "-"),
            )
        }
    })?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("{root}{set}({id})")) {
        response.headers_mut().insert("OData-EntityId", v);
    }
    Ok(response)
}

/// Puts the caller's language into the localizable columns (`displayname`, `description`),
/// falling back to the base language already stored in the row.
async fn localize(
    store: &Store,
    logical: &str,
    primary_id: &str,
    mut rows: Rows,
    language: Option<u32>,
) -> Rows {
    let Some(language) = language.filter(|l| *l != switchboard_model::BASE_LANGUAGE) else {
        return rows;
    };
    let Some((_, columns)) = switchboard_store::read::LOCALIZABLE
        .iter()
        .find(|(t, _)| *t == logical)
    else {
        return rows;
    };
    let Ok(labels) = store.table_labels(logical).await else {
        return rows;
    };
    for row in &mut rows {
        let Some(id) = row
            .get(primary_id)
            .and_then(Json::as_str)
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
        else {
            continue;
        };
        for column in *columns {
            if let Some(text) = labels
                .get(&(id, (*column).to_owned()))
                .and_then(|by| by.get(&language))
            {
                row.insert((*column).to_owned(), Json::String(text.clone()));
            }
        }
    }
    rows
}

/// `PATCH /systemusers(id)` with `{"uilanguageid": 1031}`: administrators, or the user
/// themself, set a user's UI language (null clears it). Other columns are not writable here.
pub(crate) async fn update_user(
    store: &Store,
    caller: &switchboard_model::execution::Caller,
    key: &str,
    body: &[u8],
) -> Result<Response> {
    let id = parse_key(key)?;
    if !caller.is_admin && caller.user_id != id {
        return Err(ODataError::new(
            ErrorKind::Forbidden,
            Message::new(MessageId::AuthAdminRequired)
                .arg("user", caller.user_id)
                .arg("table", "systemuser"),
        ));
    }
    let json: Json = serde_json::from_slice(body).map_err(|e| {
        ODataError::new(
            ErrorKind::MalformedPayload,
            Message::new(MessageId::ODataMalformedJson).arg("detail", e),
        )
    })?;
    let Json::Object(members) = &json else {
        return Err(ODataError::new(
            ErrorKind::MalformedPayload,
            Message::new(MessageId::ODataBodyNotObject),
        ));
    };
    if let Some(other) = members
        .keys()
        .find(|k| k.as_str() != "uilanguageid" && !k.starts_with('@'))
    {
        return Err(unknown_property(other, "systemuser"));
    }
    let language = match members.get("uilanguageid") {
        None | Some(Json::Null) => None,
        Some(v) => {
            let code = v
                .as_u64()
                .filter(|c| switchboard_locale::lcid::to_bcp47(*c as u32).is_some())
                .ok_or_else(|| {
                    ODataError::new(
                        ErrorKind::InvalidArgument,
                        Message::new(MessageId::LabelsUnknownLanguage).arg("code", v),
                    )
                })?;
            Some(code as i32)
        }
    };
    let found = store.set_user_language(id, language).await.map_err(|e| {
        tracing::error!(error = %e, "updating a user");
        ODataError::new(
            ErrorKind::Internal,
            Message::new(MessageId::ODataInternal).arg("id", "-"),
        )
    })?;
    if !found {
        return Err(ODataError::new(
            ErrorKind::RecordNotFound,
            Message::new(MessageId::ODataRecordNotFound)
                .arg("table", "systemuser")
                .arg("id", id),
        ));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PATCH organizations(id)`: administrators change `plugintracelogsetting` (0 Off,
/// 1 Exception, 2 All); it applies to the next plug-in call.
pub(crate) async fn update_organization(
    store: &Store,
    caller: &switchboard_model::execution::Caller,
    key: &str,
    body: &[u8],
) -> Result<Response> {
    use switchboard_store::organization::TraceLogSetting;
    let id = parse_key(key)?;
    if !caller.is_admin {
        return Err(ODataError::new(
            ErrorKind::Forbidden,
            Message::new(MessageId::AuthAdminRequiredChange)
                .arg("user", caller.user_id)
                .arg("table", "organization"),
        ));
    }
    if id != switchboard_model::ids::ORGANIZATION_ID {
        return Err(ODataError::new(
            ErrorKind::RecordNotFound,
            Message::new(MessageId::ODataRecordNotFound)
                .arg("table", "organization")
                .arg("id", id),
        ));
    }
    let json: Json = serde_json::from_slice(body).map_err(|e| {
        ODataError::new(
            ErrorKind::MalformedPayload,
            Message::new(MessageId::ODataMalformedJson).arg("detail", e),
        )
    })?;
    let Json::Object(members) = &json else {
        return Err(ODataError::new(
            ErrorKind::MalformedPayload,
            Message::new(MessageId::ODataBodyNotObject),
        ));
    };
    if let Some(other) = members
        .keys()
        .find(|k| k.as_str() != "plugintracelogsetting" && !k.starts_with('@'))
    {
        return Err(unknown_property(other, "organization"));
    }
    let Some(value) = members.get("plugintracelogsetting") else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let setting = value
        .as_i64()
        .and_then(TraceLogSetting::from_code)
        .ok_or_else(|| {
            ODataError::new(
                ErrorKind::InvalidArgument,
                Message::new(MessageId::OrganizationTraceSettingInvalid).arg("value", value),
            )
        })?;
    store.set_trace_log_setting(setting).await.map_err(|e| {
        tracing::error!(error = %e, "updating the organization");
        ODataError::new(
            ErrorKind::Internal,
            Message::new(MessageId::ODataInternal).arg("id", "-"),
        )
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
