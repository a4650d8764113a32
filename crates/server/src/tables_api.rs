//! Read access to the definition and system tables (`customapis`, `plugintypes`,
//! `asyncoperations`, …): `$select`, `$filter`, `$orderby`, `$top`, `$count` and the paging
//! of record tables, all run in the database; by key; `$expand` of a custom API's
//! parameters and properties (read for the page's rows only).

use std::collections::HashMap;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as Json, json};
use switchboard_engine::Engine;
use switchboard_engine::definitions::TABLES;
use switchboard_engine::record_messages::MAX_PAGE_SIZE;
use switchboard_engine::registry::Registry;
use switchboard_engine::tables::{AddError, LOCALIZABLE, Row, RowPage};
use switchboard_model::query::{Comparison, Filter, Literal, RecordQuery};
use switchboard_model::{Message, MessageId};
use switchboard_odata::names::{UNTYPED_ENTITY, qualified};
use switchboard_odata::query::record_query;
use switchboard_odata::url::{ParsedUrl, Segment};
use switchboard_odata::{ErrorKind, ODataError};

use crate::records_api::record_error;
use crate::request::{Paging, json_response, max_page_size, page_response, parse_key, refuse_nul};

type Result<T> = std::result::Result<T, ODataError>;

fn unknown_property(name: &str, logical: &str) -> ODataError {
    ODataError::new(
        ErrorKind::BadQueryOption,
        Message::new(MessageId::ODataUnknownProperty)
            .arg("name", name)
            .arg("type", qualified(logical)),
    )
}

fn columns_of(logical: &str, primary_id: &str) -> Vec<String> {
    let mut columns = vec![primary_id.to_owned()];
    if let Some(t) = TABLES.iter().find(|t| t.logical_name == logical) {
        columns.extend(t.columns.iter().map(|(c, _)| (*c).to_owned()));
    }
    columns
}

/// The `$expand`s of a custom API: (navigation property, child table).
const CUSTOM_API_CHILDREN: [(&str, &str); 2] = [
    ("CustomAPIRequestParameters", "customapirequestparameter"),
    ("CustomAPIResponseProperties", "customapiresponseproperty"),
];

/// `GET /{set}` or `GET /{set}({id})` on a definition table: the query options run in the
/// database, one page at a time, with the paging of record tables (`Prefer:
/// odata.maxpagesize`, at most 5,000 rows, `@odata.nextLink`).
pub(crate) async fn read(
    engine: &Engine,
    registry: &Registry,
    root: &str,
    segment: &Segment,
    parsed: &ParsedUrl,
    headers: &HeaderMap,
    language: Option<u32>,
) -> Result<Response> {
    let table = registry
        .tables
        .by_set(&segment.name)
        .expect("checked by the router")
        .clone();
    let logical = table.logical_name.as_str();
    let columns = columns_of(logical, &table.primary_id);
    let known = |name: &str| {
        if columns.iter().any(|c| c == name) {
            Ok(())
        } else {
            Err(unknown_property(name, logical))
        }
    };

    // `$expand` is the definition tables' own; every other option is read as record
    // tables read it.
    let mut expand: Vec<(String, &str)> = Vec::new();
    let mut options: Vec<(String, String)> = Vec::new();
    for (option, value) in &parsed.options {
        if option != "$expand" {
            options.push((option.clone(), value.clone()));
            continue;
        }
        for item in value.split(',') {
            let name = item.split('(').next().unwrap_or_default().trim();
            let child = CUSTOM_API_CHILDREN
                .iter()
                .find(|(nav, _)| logical == "customapi" && *nav == name)
                .ok_or_else(|| unknown_property(name, logical))?;
            expand.push((child.0.to_owned(), child.1));
        }
    }
    let mut query = record_query(&options).map_err(|e| e.into_odata_error())?;
    if let Some(selected) = &query.select {
        selected.iter().try_for_each(|c| known(c))?;
    }
    if let Some(filter) = &query.filter {
        filter.columns().into_iter().try_for_each(known)?;
    }
    query.order_by.iter().try_for_each(|o| known(&o.column))?;
    let shape = match &query.select {
        Some(cols) => format!("{}({})", table.set_name, cols.join(",")),
        None => table.set_name.clone(),
    };

    if let Some(key) = &segment.parens {
        let id = parse_key(key)?;
        let by_key = Filter::Compare {
            column: table.primary_id.clone(),
            op: Comparison::Eq,
            value: Literal::Guid(id),
        };
        query.filter = Some(match query.filter.take() {
            Some(filter) => Filter::and(by_key, filter),
            None => by_key,
        });
        (query.top, query.skip, query.page_size) = (None, 0, Some(1));
        let mut rows = page(engine, logical, &segment.name, &query).await?.rows;
        localize(engine, logical, &table.primary_id, &mut rows, language).await?;
        expand_children(engine, &mut rows, &expand).await?;
        let mut body = rows.pop().ok_or_else(|| {
            ODataError::new(
                ErrorKind::RecordNotFound,
                Message::new(MessageId::ODataRecordNotFound)
                    .arg("table", logical)
                    .arg("id", id),
            )
        })?;
        body.insert(
            "@odata.context".into(),
            Json::String(format!("{root}$metadata#{shape}/$entity")),
        );
        return Ok(json_response(StatusCode::OK, Json::Object(body)));
    }

    let preferred = max_page_size(headers)?;
    query.page_size = Some(preferred.unwrap_or(MAX_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE));
    let RowPage { mut rows, more } = page(engine, logical, &segment.name, &query).await?;
    localize(engine, logical, &table.primary_id, &mut rows, language).await?;
    expand_children(engine, &mut rows, &expand).await?;
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        Json::String(format!("{root}$metadata#{shape}")),
    );
    let want_count = options
        .iter()
        .any(|(k, v)| k == "$count" && v.trim() == "true");
    if want_count {
        let n = if logical == UNTYPED_ENTITY {
            Some(0)
        } else {
            engine
                .count_definitions(logical, query.filter.as_ref())
                .await
                .map_err(record_error)?
        };
        body.insert("@odata.count".into(), json!(n.unwrap_or(0)));
    }
    let value = rows.into_iter().map(Json::Object).collect();
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

/// One page of a definition table.
async fn page(engine: &Engine, logical: &str, set: &str, query: &RecordQuery) -> Result<RowPage> {
    // Records of undeclared tables are only ever returned by operations, never stored.
    if logical == UNTYPED_ENTITY {
        return Ok(RowPage::default());
    }
    engine
        .definition_page(logical, query)
        .await
        .map_err(record_error)?
        .ok_or_else(|| {
            ODataError::new(
                ErrorKind::ResourceNotFound,
                Message::new(MessageId::ODataResourceNotFound).arg("segment", set),
            )
        })
}

/// Adds each `$expand`ed navigation property (a custom API's parameters or properties) to
/// the page's rows, read for those rows only.
async fn expand_children(
    engine: &Engine,
    rows: &mut [Row],
    expand: &[(String, &str)],
) -> Result<()> {
    if expand.is_empty() || rows.is_empty() {
        return Ok(());
    }
    let api_id = |row: &Row| {
        row.get("customapiid")
            .and_then(Json::as_str)
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
    };
    let ids: Vec<uuid::Uuid> = rows.iter().filter_map(api_id).collect();
    for (name, child) in expand {
        let children = engine
            .definition_rows_of(child, "_customapiid_value", &ids)
            .await
            .map_err(record_error)?
            .unwrap_or_default();
        let mut by_api: HashMap<uuid::Uuid, Vec<Json>> = HashMap::new();
        for c in children {
            if let Some(parent) = c
                .get("_customapiid_value")
                .and_then(Json::as_str)
                .and_then(|s| uuid::Uuid::parse_str(s).ok())
            {
                by_api.entry(parent).or_default().push(Json::Object(c));
            }
        }
        for row in rows.iter_mut() {
            let items = api_id(row)
                .and_then(|id| by_api.get(&id).cloned())
                .unwrap_or_default();
            row.insert(name.clone(), Json::Array(items));
        }
    }
    Ok(())
}

/// `POST /systemusers` or `POST /roles`: administrators create users and roles over the
/// Web API (204 with `OData-EntityId`, as Dataverse answers a create).
pub(crate) async fn create(
    engine: &Engine,
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
    if let Some(members) = json.as_object() {
        refuse_nul(members)?;
    }
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
            engine.add_user(&name, &full, language).await
        }
        "role" => engine.add_role(&required("name")?).await,
        _ => {
            return Err(ODataError::new(
                ErrorKind::NoHttpResource,
                Message::new(MessageId::ODataNoHttpResource).arg("uri", format!("{root}{set}")),
            ));
        }
    };
    let id = created.map_err(|e| match e {
        AddError::Exists(name) => ODataError::new(
            ErrorKind::Duplicate,
            Message::new(MessageId::ODataDuplicateRecord).arg("name", name),
        ),
        AddError::Failed(e) => ODataError::internal(format_args!("creating a {logical}: {e}")),
    })?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("{root}{set}({id})")) {
        response.headers_mut().insert("OData-EntityId", v);
    }
    Ok(response)
}

/// Puts the caller's language into the localizable columns (`displayname`,
/// `description`) a row shows, falling back to the base language already stored in it.
async fn localize(
    engine: &Engine,
    logical: &str,
    primary_id: &str,
    rows: &mut [Row],
    language: Option<u32>,
) -> Result<()> {
    let Some(language) = language.filter(|l| *l != switchboard_model::BASE_LANGUAGE) else {
        return Ok(());
    };
    let Some((_, columns)) = LOCALIZABLE.iter().find(|(t, _)| *t == logical) else {
        return Ok(());
    };
    let id_of = |row: &Row| {
        row.get(primary_id)
            .and_then(Json::as_str)
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
    };
    let ids: Vec<uuid::Uuid> = rows.iter().filter_map(id_of).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let labels = engine
        .labels_of(logical, &ids)
        .await
        .map_err(|e| ODataError::internal(format_args!("reading the labels of {logical}: {e}")))?;
    for row in rows {
        let Some(id) = id_of(row) else {
            continue;
        };
        for column in *columns {
            // Only the columns the row shows (`$select` may leave them out).
            if !row.contains_key(*column) {
                continue;
            }
            if let Some(text) = labels
                .get(&(id, (*column).to_owned()))
                .and_then(|by| by.get(&language))
            {
                row.insert((*column).to_owned(), Json::String(text.clone()));
            }
        }
    }
    Ok(())
}

/// `PATCH /systemusers(id)` with `{"uilanguageid": 1031}`: administrators, or the user
/// themself, set a user's UI language (null clears it). Other columns are not writable here.
pub(crate) async fn update_user(
    engine: &Engine,
    caller: &switchboard_model::execution::Caller,
    key: &str,
    body: &[u8],
) -> Result<Response> {
    let id = parse_key(key)?;
    if !caller.is_admin && caller.user_id != id {
        return Err(ODataError::new(
            ErrorKind::Forbidden,
            Message::new(MessageId::AuthAdminRequiredChange)
                .arg("user", caller.user_id)
                .arg("table", "systemuser"),
        ));
    }
    let language = match only_column(body, "uilanguageid", "systemuser")? {
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
    let found = engine
        .set_user_language(id, language)
        .await
        .map_err(|e| ODataError::internal(format_args!("updating a user: {e}")))?;
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

/// The value of `column` in a PATCH body that may change only that column of `table`
/// (annotations aside); `None` when the body leaves it out.
fn only_column(body: &[u8], column: &str, table: &str) -> Result<Option<Json>> {
    let json: Json = serde_json::from_slice(body).map_err(|e| {
        ODataError::new(
            ErrorKind::MalformedPayload,
            Message::new(MessageId::ODataMalformedJson).arg("detail", e),
        )
    })?;
    let Json::Object(mut members) = json else {
        return Err(ODataError::new(
            ErrorKind::MalformedPayload,
            Message::new(MessageId::ODataBodyNotObject),
        ));
    };
    if let Some(other) = members
        .keys()
        .find(|k| k.as_str() != column && !k.starts_with('@'))
    {
        return Err(unknown_property(other, table));
    }
    Ok(members.remove(column))
}

/// `PATCH organizations(id)`: administrators change `plugintracelogsetting` (0 Off,
/// 1 Exception, 2 All); it applies to the next plug-in call.
pub(crate) async fn update_organization(
    engine: &Engine,
    caller: &switchboard_model::execution::Caller,
    key: &str,
    body: &[u8],
) -> Result<Response> {
    use switchboard_model::TraceLogSetting;
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
    let Some(value) = only_column(body, "plugintracelogsetting", "organization")? else {
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
    engine
        .set_trace_log_setting(setting)
        .await
        .map_err(|e| ODataError::internal(format_args!("updating the organization: {e}")))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
