//! `SetLocLabels` and `RetrieveLocLabels`: localized labels of custom APIs, their
//! parameters and properties, solutions and publishers, in Dataverse's request and
//! response shapes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};
use switchboard_engine::tables::LOCALIZABLE;
use switchboard_model::execution::Caller;
use switchboard_model::value::{NUL_REFUSED, has_nul};
use switchboard_model::{BASE_LANGUAGE, Message, MessageId};
use switchboard_odata::json::parse_odata_id;
use switchboard_odata::literal::{single_quoted_json, unquote};
use switchboard_odata::names::unqualify;
use switchboard_odata::{ErrorKind, ODataError};
use uuid::Uuid;

use crate::AppState;
use crate::request::json_response;
use switchboard_engine::registry::Registry;

type Result<T> = std::result::Result<T, ODataError>;

fn invalid(message: Message) -> ODataError {
    ODataError::new(ErrorKind::InvalidArgument, message)
}

/// The record an `EntityMoniker` names: `{"@odata.type": "…customapi", "customapiid": …}`
/// or `{"@odata.id": "customapis(…)"}`.
fn moniker(registry: &Registry, value: &Json) -> Result<(String, Uuid)> {
    let bad = || invalid(Message::new(MessageId::LabelsBadMoniker).arg("value", value));
    if let Some(id) = value.get("@odata.id").and_then(Json::as_str) {
        let r = parse_odata_id(id, &registry.tables).map_err(|_| bad())?;
        return Ok((r.logical_name, r.id));
    }
    let table = value
        .get("@odata.type")
        .and_then(Json::as_str)
        .and_then(|t| unqualify(t.trim_start_matches('#')))
        .ok_or_else(bad)?
        .to_owned();
    let id = value
        .get(format!("{table}id"))
        .and_then(Json::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(bad)?;
    Ok((table, id))
}

/// Checks the table and column are localizable and the record exists.
async fn target(state: &AppState, table: &str, id: Uuid, attribute: &str) -> Result<()> {
    let localizable = LOCALIZABLE
        .iter()
        .find(|(t, _)| *t == table)
        .is_some_and(|(_, cols)| cols.contains(&attribute));
    if !localizable {
        return Err(invalid(
            Message::new(MessageId::LabelsNotLocalizable)
                .arg("attribute", attribute)
                .arg("table", table),
        ));
    }
    let exists = state
        .engine
        .record_exists(table, id)
        .await
        .map_err(|e| internal(&e))?;
    if !exists {
        return Err(ODataError::new(
            ErrorKind::RecordNotFound,
            Message::new(MessageId::ODataRecordNotFound)
                .arg("table", table)
                .arg("id", id),
        ));
    }
    Ok(())
}

fn internal(e: &dyn std::fmt::Display) -> ODataError {
    ODataError::internal(format_args!("labels: {e}"))
}

/// `POST SetLocLabels` → 204.
pub(crate) async fn set(state: &AppState, registry: &Registry, body: &[u8]) -> Result<Response> {
    let json: Json = serde_json::from_slice(body).map_err(|e| {
        ODataError::new(
            ErrorKind::MalformedPayload,
            Message::new(MessageId::ODataMalformedJson).arg("detail", e),
        )
    })?;
    let missing = |name: &str| {
        ODataError::new(
            ErrorKind::MissingParameter,
            Message::new(MessageId::ODataMissingParameter)
                .arg("name", name)
                .arg("api", "SetLocLabels"),
        )
    };
    let (table, id) = moniker(
        registry,
        json.get("EntityMoniker")
            .ok_or_else(|| missing("EntityMoniker"))?,
    )?;
    let attribute = json
        .get("AttributeName")
        .and_then(Json::as_str)
        .ok_or_else(|| missing("AttributeName"))?;
    target(state, &table, id, attribute).await?;
    let mut labels = Vec::new();
    for item in json
        .get("Labels")
        .and_then(Json::as_array)
        .ok_or_else(|| missing("Labels"))?
    {
        let text = item
            .get("Label")
            .and_then(Json::as_str)
            .ok_or_else(|| missing("Label"))?;
        let lcid = item
            .get("LanguageCode")
            .and_then(Json::as_u64)
            .ok_or_else(|| missing("LanguageCode"))? as u32;
        if has_nul(text) {
            return Err(invalid(
                Message::new(MessageId::ODataInvalidValue)
                    .arg("name", "Label")
                    .arg("expected", "Edm.String")
                    .arg("detail", NUL_REFUSED),
            ));
        }
        if switchboard_locale::lcid::to_bcp47(lcid).is_none() {
            return Err(invalid(
                Message::new(MessageId::LabelsUnknownLanguage).arg("code", lcid),
            ));
        }
        labels.push((lcid, text.to_owned()));
    }
    state
        .engine
        .set_labels(&table, id, attribute, &labels, BASE_LANGUAGE)
        .await
        .map_err(|e| internal(&e))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET RetrieveLocLabels(EntityMoniker=@p1,AttributeName=@p2,IncludeUnpublished=@p3)`.
pub(crate) async fn retrieve(
    state: &AppState,
    registry: &Registry,
    caller: &Caller,
    root: &str,
    args: &[(String, String)],
    aliases: &std::collections::HashMap<String, String>,
) -> Result<Response> {
    let arg = |name: &str| -> Result<String> {
        let raw = args
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| {
                ODataError::new(
                    ErrorKind::MissingParameter,
                    Message::new(MessageId::ODataMissingParameter)
                        .arg("name", name)
                        .arg("api", "RetrieveLocLabels"),
                )
            })?;
        if raw.starts_with('@') {
            aliases.get(&raw).cloned().ok_or_else(|| {
                ODataError::new(
                    ErrorKind::BadLiteral,
                    Message::new(MessageId::ODataUnknownAlias).arg("alias", &raw),
                )
            })
        } else {
            Ok(raw)
        }
    };
    let moniker_text = arg("EntityMoniker")?;
    let moniker_json = single_quoted_json(&moniker_text).map_err(|_| {
        invalid(Message::new(MessageId::LabelsBadMoniker).arg("value", &moniker_text))
    })?;
    let (table, id) = moniker(registry, &moniker_json)?;
    let attribute_text = arg("AttributeName")?;
    let attribute = unquote(&attribute_text).unwrap_or(attribute_text);
    target(state, &table, id, &attribute).await?;
    let labels = state
        .engine
        .labels(id, &attribute)
        .await
        .map_err(|e| internal(&e))?;
    let label = |lcid: u32, text: &str| json!({ "Label": text, "LanguageCode": lcid, "IsManaged": null, "MetadataId": null, "HasChanged": null });
    let localized: Vec<Json> = labels.iter().map(|(l, t)| label(*l, t)).collect();
    let user_language = caller.language.unwrap_or(BASE_LANGUAGE);
    let user = labels
        .get(&user_language)
        .map(|t| label(user_language, t))
        .or_else(|| labels.get(&BASE_LANGUAGE).map(|t| label(BASE_LANGUAGE, t)))
        .or_else(|| labels.iter().next().map(|(l, t)| label(*l, t)))
        .unwrap_or(Json::Null);
    Ok(json_response(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{root}$metadata#Microsoft.Dynamics.CRM.RetrieveLocLabelsResponse"),
            "Label": { "LocalizedLabels": localized, "UserLocalizedLabel": user },
        }),
    ))
}
