//! Read access to the definition tables (`customapis`, `plugintypes`, …) with `$select`,
//! `$filter` and `$orderby` (the grammar record tables use, evaluated in memory), `$top`, by
//! key, and `$expand` of a custom API's parameters and properties.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as Json, json};
use switchboard_engine::Engine;
use switchboard_engine::tables::{AddError, LOCALIZABLE, Rows};
use switchboard_model::{Message, MessageId};
use switchboard_odata::names::qualified;
use switchboard_odata::query::{parse_filter, parse_orderby, parse_select, parse_top};
use switchboard_odata::rows::{self as in_memory, filter_columns};
use switchboard_odata::url::{ParsedUrl, Segment};
use switchboard_odata::{ErrorKind, ODataError};

use crate::request::{json_response, parse_key, refuse_nul};
use switchboard_engine::definitions::TABLES;
use switchboard_engine::registry::Registry;

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
    engine: &Engine,
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
        engine.definition_rows(logical).await
    };
    let rows: Rows = stored
        .map_err(|e| ODataError::internal(format_args!("reading {logical}: {e}")))?
        .ok_or_else(not_found)?;
    let rows = localize(engine, logical, &table.primary_id, rows, language).await;
    let columns = columns_of(logical, &table.primary_id);

    let known = |name: &str| {
        if columns.iter().any(|c| c == name) {
            Ok(())
        } else {
            Err(unknown_property(name, logical))
        }
    };

    let mut selected: Option<Vec<String>> = None;
    let mut filter = None;
    let mut order = Vec::new();
    let mut top: Option<usize> = None;
    let mut expand: Vec<String> = Vec::new();
    for (option, value) in &parsed.options {
        match option.as_str() {
            "$select" => {
                let cols = parse_select(value)?;
                cols.iter().try_for_each(|c| known(c))?;
                selected = Some(cols);
            }
            "$filter" => {
                let parsed = parse_filter(value)?;
                filter_columns(&parsed).into_iter().try_for_each(known)?;
                filter = Some(parsed);
            }
            "$orderby" => {
                order = parse_orderby(value)?;
                order.iter().try_for_each(|o| known(&o.column))?;
            }
            "$top" => top = Some(usize::try_from(parse_top(value)?).unwrap_or(usize::MAX)),
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
        .filter(|row| filter.as_ref().is_none_or(|f| in_memory::matches(row, f)))
        .collect();
    in_memory::sort(&mut matching, &order);
    if let Some(n) = top {
        matching.truncate(n);
    }
    for name in &expand {
        let child = if name == "CustomAPIRequestParameters" {
            "customapirequestparameter"
        } else {
            "customapiresponseproperty"
        };
        let children = engine
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

/// Puts the caller's language into the localizable columns (`displayname`, `description`),
/// falling back to the base language already stored in the row.
async fn localize(
    engine: &Engine,
    logical: &str,
    primary_id: &str,
    mut rows: Rows,
    language: Option<u32>,
) -> Rows {
    let Some(language) = language.filter(|l| *l != switchboard_model::BASE_LANGUAGE) else {
        return rows;
    };
    let Some((_, columns)) = LOCALIZABLE.iter().find(|(t, _)| *t == logical) else {
        return rows;
    };
    let Ok(labels) = engine.table_labels(logical).await else {
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
