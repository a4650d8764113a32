//! `POST /sdkmessageprocessingsteps`, `PATCH` and `DELETE /sdkmessageprocessingsteps(id)`,
//! and the same for `sdkmessageprocessingstepimages`: administrators register, change and
//! delete processing steps and their entity images over the Web API, through the store's
//! registration functions (the rules an import applies).

use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as Json};
use switchboard_engine::steps::StepChangeError as StepError;
use switchboard_model::execution::Caller;
use switchboard_model::step::column_list;
use switchboard_model::step::{StepRule, StepUpdate};
use switchboard_model::{
    ImageType, Message, MessageId, MessageRef, ProcessingStep, StepImage, StepMode, StepPluginRef,
    StepStage,
};
use switchboard_odata::names::qualified;
use switchboard_odata::{ErrorKind, ODataError};
use uuid::Uuid;

use crate::AppState;
use crate::request::{err, parse_key, refuse_nul};

type Result<T> = std::result::Result<T, ODataError>;

const LOGICAL: &str = "sdkmessageprocessingstep";
const SET: &str = "sdkmessageprocessingsteps";

/// Columns a request may set; anything else is an unknown property.
const CREATE_COLUMNS: &[&str] = &[
    "sdkmessageprocessingstepid",
    "name",
    "description",
    "stage",
    "mode",
    "rank",
    "filteringattributes",
    "configuration",
    "asyncautodelete",
    "invocationsource",
    "primaryobjecttypecode",
    "statecode",
    "supporteddeployment",
    "sdkmessageprocessingstepsecureconfigid",
    "sdkmessageid@odata.bind",
    "plugintypeid@odata.bind",
    "eventhandler_plugintype@odata.bind",
    "sdkmessagefilterid@odata.bind",
];
const UPDATE_COLUMNS: &[&str] = &[
    "name",
    "description",
    "stage",
    "mode",
    "rank",
    "filteringattributes",
    "configuration",
    "asyncautodelete",
    "statecode",
    "supporteddeployment",
    "sdkmessageprocessingstepsecureconfigid",
];
/// Accepted and ignored, as Switchboard has no use for them.
const IGNORED: &[&str] = &["supporteddeployment", "sdkmessagefilterid@odata.bind"];

fn internal(e: impl std::fmt::Display) -> ODataError {
    ODataError::internal(format_args!("processing step registration: {e}"))
}

fn invalid(name: &str, expected: &str, value: &Json) -> ODataError {
    err(
        ErrorKind::InvalidParameterValue,
        Message::new(MessageId::ODataInvalidValue)
            .arg("name", name)
            .arg("expected", expected)
            .arg("detail", value),
    )
}

/// A write request on the step tables.
pub(crate) struct StepRequest<'a> {
    /// The service root (for `OData-EntityId`).
    pub(crate) root: &'a str,
    /// POST, PATCH or DELETE.
    pub(crate) method: &'a Method,
    /// The key in parentheses, when the URL names a row.
    pub(crate) key: Option<&'a str>,
    /// The JSON body.
    pub(crate) body: &'a [u8],
}

/// Registering steps is for administrators only.
fn require_admin(caller: &Caller) -> Result<()> {
    if caller.is_admin {
        Ok(())
    } else {
        Err(err(
            ErrorKind::Forbidden,
            Message::new(MessageId::StepAdminRequired).arg("user", caller.user_id),
        ))
    }
}

fn no_resource(request: &StepRequest<'_>, set: &str) -> ODataError {
    let uri = match request.key {
        Some(k) => format!("{}{set}({k})", request.root),
        None => format!("{}{set}", request.root),
    };
    err(
        ErrorKind::NoHttpResource,
        Message::new(MessageId::ODataNoHttpResource).arg("uri", uri),
    )
}

fn created(root: &str, set: &str, id: Uuid) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{root}{set}({id})")) {
        response.headers_mut().insert("OData-EntityId", v);
    }
    response
}

/// Handles `POST /sdkmessageprocessingsteps`, `PATCH` and `DELETE
/// /sdkmessageprocessingsteps(id)` (administrators only).
pub(crate) async fn handle(
    state: &AppState,
    caller: &Caller,
    request: StepRequest<'_>,
) -> Result<Response> {
    require_admin(caller)?;
    let (root, method, key, body) = (request.root, request.method, request.key, request.body);
    let engine = &state.engine;
    let response = match (method, key) {
        (&Method::POST, None) => {
            let members = object(body)?;
            let (step, secure) = decode_create(&members)?;
            let change = engine
                .register_step(&step, secure.as_deref())
                .await
                .map_err(|e| step_error(e, &step))?;
            for w in &change.warnings {
                tracing::warn!(step = %change.id, warning = %w, "step registered with a warning");
            }
            created(root, SET, change.id)
        }
        (&Method::PATCH, Some(key)) => {
            let id = parse_key(key)?;
            let members = object(body)?;
            let update = decode_update(&members)?;
            let stored = stored_step(engine, id).await?;
            engine
                .update_step(id, &update)
                .await
                .map_err(|e| step_error(e, &stored))?;
            StatusCode::NO_CONTENT.into_response()
        }
        (&Method::DELETE, Some(key)) => {
            let id = parse_key(key)?;
            let stored = stored_step(engine, id).await?;
            engine
                .delete_step(id)
                .await
                .map_err(|e| step_error(e, &stored))?;
            StatusCode::NO_CONTENT.into_response()
        }
        _ => return Err(no_resource(&request, SET)),
    };
    Ok(response)
}

const IMAGE: &str = "sdkmessageprocessingstepimage";
const IMAGE_SET: &str = "sdkmessageprocessingstepimages";
const IMAGE_COLUMNS: &[&str] = &[
    "sdkmessageprocessingstepimageid",
    "name",
    "entityalias",
    "imagetype",
    "attributes",
    "messagepropertyname",
    "description",
    "sdkmessageprocessingstepid@odata.bind",
];

/// Handles `POST /sdkmessageprocessingstepimages`, `PATCH` and `DELETE
/// /sdkmessageprocessingstepimages(id)` (administrators only).
pub(crate) async fn handle_image(
    state: &AppState,
    caller: &Caller,
    request: StepRequest<'_>,
) -> Result<Response> {
    require_admin(caller)?;
    let engine = &state.engine;
    let response = match (request.method, request.key) {
        (&Method::POST, None) => {
            let members = object(request.body)?;
            check_columns(&members, IMAGE_COLUMNS, IMAGE)?;
            let step = bind(&members, "sdkmessageprocessingstepid@odata.bind", SET)?
                .ok_or_else(|| missing("sdkmessageprocessingstepid@odata.bind", IMAGE))?;
            let image = decode_image(&members, None)?;
            engine
                .register_step_image(step, &image)
                .await
                .map_err(|e| image_error(e, step, image.id))?;
            created(request.root, IMAGE_SET, image.id)
        }
        (&Method::PATCH, Some(key)) => {
            let id = parse_key(key)?;
            let members = object(request.body)?;
            check_columns(&members, &IMAGE_COLUMNS[1..7], IMAGE)?;
            let (step, stored) = engine
                .step_image(id)
                .await
                .map_err(internal)?
                .ok_or_else(|| not_found(IMAGE, id))?;
            let image = decode_image(&members, Some(stored))?;
            engine
                .update_step_image(&image)
                .await
                .map_err(|e| image_error(e, step, id))?;
            StatusCode::NO_CONTENT.into_response()
        }
        (&Method::DELETE, Some(key)) => {
            let id = parse_key(key)?;
            engine
                .delete_step_image(id)
                .await
                .map_err(|e| image_error(e, Uuid::nil(), id))?;
            StatusCode::NO_CONTENT.into_response()
        }
        _ => return Err(no_resource(&request, IMAGE_SET)),
    };
    Ok(response)
}

/// An image from a create body, or `stored` with a change body's columns applied.
fn decode_image(members: &Map<String, Json>, stored: Option<StepImage>) -> Result<StepImage> {
    let image_type = int(members, "imagetype")?
        .map(|code| {
            ImageType::from_code(code).ok_or_else(|| {
                invalid(
                    "imagetype",
                    &format!("imagetype ({})", ImageType::code_range()),
                    &Json::from(code),
                )
            })
        })
        .transpose()?;
    let attributes = text(members, "attributes")?.map(|a| column_list(&a));
    let mut image = match stored {
        Some(image) => image,
        None => {
            let id = match present(members, "sdkmessageprocessingstepimageid") {
                None => Uuid::new_v4(),
                Some(v) => v
                    .as_str()
                    .and_then(|s| Uuid::parse_str(s).ok())
                    .ok_or_else(|| invalid("sdkmessageprocessingstepimageid", "Edm.Guid", v))?,
            };
            let alias =
                text(members, "entityalias")?.ok_or_else(|| missing("entityalias", IMAGE))?;
            StepImage {
                id,
                name: text(members, "name")?.unwrap_or_else(|| alias.clone()),
                alias,
                image_type: image_type.ok_or_else(|| missing("imagetype", IMAGE))?,
                attributes: Vec::new(),
                message_property_name: "Target".into(),
                description: None,
            }
        }
    };
    if let Some(name) = text(members, "name")? {
        image.name = name;
    }
    if let Some(alias) = text(members, "entityalias")? {
        image.alias = alias;
    }
    if let Some(t) = image_type {
        image.image_type = t;
    }
    if let Some(a) = attributes {
        image.attributes = a;
    } else if members.get("attributes").is_some_and(Json::is_null) {
        image.attributes.clear();
    }
    if let Some(p) = text(members, "messagepropertyname")? {
        image.message_property_name = p;
    }
    if members.contains_key("description") {
        image.description = text(members, "description")?;
    }
    Ok(image)
}

/// A refused image change as the Web API reports it.
fn image_error(e: StepError, step: Uuid, image: Uuid) -> ODataError {
    match e {
        StepError::Rejected { rule, message } => match rule {
            StepRule::UnknownStep => not_found(LOGICAL, step),
            StepRule::UnknownImage => not_found(IMAGE, image),
            StepRule::Duplicate => err(
                ErrorKind::Duplicate,
                Message::new(MessageId::ODataDuplicateRecord).arg("name", image),
            ),
            _ => err(ErrorKind::InvalidArgument, message),
        },
        StepError::Failed(e) => internal(e),
    }
}

/// The stored step (for messages about it), or 404.
async fn stored_step(engine: &switchboard_engine::Engine, id: Uuid) -> Result<ProcessingStep> {
    engine
        .step(id)
        .await
        .map_err(internal)?
        .ok_or_else(|| not_found(LOGICAL, id))
}

fn not_found(table: &str, id: impl std::fmt::Display) -> ODataError {
    err(
        ErrorKind::RecordNotFound,
        Message::new(MessageId::ODataRecordNotFound)
            .arg("table", table)
            .arg("id", id),
    )
}

/// A refusal as the Web API reports it: missing references as Dataverse's "Does Not
/// Exist", the allowed-step-type rule with its own code, the other rules as invalid
/// arguments.
fn step_error(e: StepError, step: &ProcessingStep) -> ODataError {
    let (rule, message) = match e {
        StepError::Rejected { rule, message } => (rule, message),
        StepError::Failed(e) => return internal(e),
    };
    match rule {
        StepRule::UnknownMessage => match &step.message {
            MessageRef::Id(id) => not_found("sdkmessage", id),
            MessageRef::Name(_) => err(ErrorKind::RecordNotFound, message),
        },
        StepRule::UnknownPluginType => match &step.plugin_type {
            StepPluginRef::Type { id: Some(id), .. } => not_found("plugintype", id),
            _ => err(ErrorKind::RecordNotFound, message),
        },
        StepRule::UnknownStep => not_found(LOGICAL, step.id),
        StepRule::Duplicate => err(
            ErrorKind::Duplicate,
            Message::new(MessageId::ODataDuplicateRecord).arg("name", step.id),
        ),
        StepRule::NotAllowedOnMessage => err(ErrorKind::CustomStepNotAllowed, message),
        StepRule::Name
        | StepRule::StageAndMode
        | StepRule::Managed
        | StepRule::Image
        | StepRule::UnknownImage => err(ErrorKind::InvalidArgument, message),
    }
}

fn object(body: &[u8]) -> Result<Map<String, Json>> {
    let json: Json = serde_json::from_slice(body).map_err(|e| {
        err(
            ErrorKind::MalformedPayload,
            Message::new(MessageId::ODataMalformedJson).arg("detail", e),
        )
    })?;
    match json {
        Json::Object(members) => {
            refuse_nul(&members)?;
            Ok(members)
        }
        _ => Err(err(
            ErrorKind::MalformedPayload,
            Message::new(MessageId::ODataBodyNotObject),
        )),
    }
}

/// Refuses members the request may not set (annotations such as `@odata.type` pass).
fn check_columns(members: &Map<String, Json>, allowed: &[&str], table: &str) -> Result<()> {
    match members
        .keys()
        .find(|k| !k.starts_with('@') && !allowed.contains(&k.as_str()))
    {
        Some(other) => Err(err(
            ErrorKind::BadQueryOption,
            Message::new(MessageId::ODataUnknownProperty)
                .arg("name", other)
                .arg("type", qualified(table)),
        )),
        None => Ok(()),
    }
}

fn present<'a>(members: &'a Map<String, Json>, name: &str) -> Option<&'a Json> {
    members
        .get(name)
        .filter(|_| !IGNORED.contains(&name))
        .filter(|v| !v.is_null())
}

fn text(members: &Map<String, Json>, name: &str) -> Result<Option<String>> {
    match present(members, name) {
        None => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(invalid(name, "Edm.String", other)),
    }
}

fn int(members: &Map<String, Json>, name: &str) -> Result<Option<i64>> {
    match present(members, name) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| invalid(name, "Edm.Int32", v)),
    }
}

fn boolean(members: &Map<String, Json>, name: &str) -> Result<Option<bool>> {
    match present(members, name) {
        None => Ok(None),
        Some(v) => v
            .as_bool()
            .map(Some)
            .ok_or_else(|| invalid(name, "Edm.Boolean", v)),
    }
}

fn stage(members: &Map<String, Json>) -> Result<Option<StepStage>> {
    int(members, "stage")?
        .map(|code| {
            StepStage::from_code(code).ok_or_else(|| {
                err(
                    ErrorKind::InvalidArgument,
                    Message::new(MessageId::StepStageInvalid).arg("stage", code),
                )
            })
        })
        .transpose()
}

fn mode(members: &Map<String, Json>) -> Result<Option<StepMode>> {
    int(members, "mode")?
        .map(|code| {
            StepMode::from_code(code).ok_or_else(|| {
                invalid(
                    "mode",
                    &format!("mode ({})", StepMode::code_range()),
                    &Json::from(code),
                )
            })
        })
        .transpose()
}

/// `statecode`: 0 enabled, 1 disabled.
fn enabled(members: &Map<String, Json>) -> Result<Option<bool>> {
    match int(members, "statecode")? {
        None => Ok(None),
        Some(0) => Ok(Some(true)),
        Some(1) => Ok(Some(false)),
        Some(other) => Err(invalid("statecode", "statecode (0, 1)", &Json::from(other))),
    }
}

fn filtering_attributes(members: &Map<String, Json>) -> Result<Option<Vec<String>>> {
    Ok(text(members, "filteringattributes")?.map(|f| column_list(&f)))
}

/// The secure configuration as Dataverse's deep insert of the related row:
/// `"sdkmessageprocessingstepsecureconfigid": {"secureconfig": "…"}` (null removes it).
fn secure_configuration(members: &Map<String, Json>) -> Result<Option<Option<String>>> {
    const NAME: &str = "sdkmessageprocessingstepsecureconfigid";
    match members.get(NAME) {
        None => Ok(None),
        Some(Json::Null) => Ok(Some(None)),
        Some(Json::Object(row)) => match row.get("secureconfig") {
            Some(Json::String(s)) => Ok(Some(Some(s.clone()))),
            Some(Json::Null) | None => Ok(Some(None)),
            Some(other) => Err(invalid("secureconfig", "Edm.String", other)),
        },
        Some(other) => Err(invalid(
            NAME,
            "{\"secureconfig\": \"…\"} (the secure configuration row)",
            other,
        )),
    }
}

/// `nav@odata.bind: "/set(id)"` (a full URL works too) → the id.
fn bind(members: &Map<String, Json>, name: &str, set: &str) -> Result<Option<Uuid>> {
    let Some(value) = present(members, name) else {
        return Ok(None);
    };
    let expected = format!("/{set}(<id>)");
    let Some(raw) = value.as_str() else {
        return Err(invalid(name, &expected, value));
    };
    let last = raw.rsplit('/').next().unwrap_or_default();
    let key = last
        .split_once('(')
        .filter(|(s, _)| s.eq_ignore_ascii_case(set))
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .ok_or_else(|| invalid(name, &expected, value))?;
    parse_key(key).map(Some)
}

fn missing(name: &str, table: &str) -> ODataError {
    err(
        ErrorKind::MissingParameter,
        Message::new(MessageId::ODataMissingParameter)
            .arg("name", name)
            .arg("api", table),
    )
}

fn decode_create(members: &Map<String, Json>) -> Result<(ProcessingStep, Option<String>)> {
    check_columns(members, CREATE_COLUMNS, LOGICAL)?;
    let id = match present(members, "sdkmessageprocessingstepid") {
        None => Uuid::new_v4(),
        Some(v) => v
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| invalid("sdkmessageprocessingstepid", "Edm.Guid", v))?,
    };
    let message = bind(members, "sdkmessageid@odata.bind", "sdkmessages")?
        .ok_or_else(|| missing("sdkmessageid@odata.bind", LOGICAL))?;
    let plugin_type = match bind(members, "plugintypeid@odata.bind", "plugintypes")? {
        Some(id) => id,
        None => bind(members, "eventhandler_plugintype@odata.bind", "plugintypes")?
            .ok_or_else(|| missing("plugintypeid@odata.bind", LOGICAL))?,
    };
    let name = text(members, "name")?.ok_or_else(|| missing("name", LOGICAL))?;
    let stage = stage(members)?.ok_or_else(|| missing("stage", LOGICAL))?;
    let secure = secure_configuration(members)?.flatten();
    let step = ProcessingStep {
        id,
        name,
        description: text(members, "description")?,
        message: MessageRef::Id(message),
        plugin_type: StepPluginRef::Type {
            name: None,
            id: Some(plugin_type),
        },
        primary_entity: text(members, "primaryobjecttypecode")?
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty() && t != "none"),
        secondary_entity: None,
        stage,
        mode: mode(members)?.unwrap_or(StepMode::Synchronous),
        rank: int(members, "rank")?.map_or(1, |r| r as i32),
        filtering_attributes: filtering_attributes(members)?.unwrap_or_default(),
        configuration: text(members, "configuration")?,
        async_auto_delete: boolean(members, "asyncautodelete")?.unwrap_or(false),
        invocation_source: int(members, "invocationsource")?.map(|i| i as i32),
        enabled: enabled(members)?.unwrap_or(true),
        images: Vec::new(),
    };
    Ok((step, secure))
}

fn decode_update(members: &Map<String, Json>) -> Result<StepUpdate> {
    check_columns(members, UPDATE_COLUMNS, LOGICAL)?;
    // Present-but-null clears the optional text columns.
    let clearable = |name: &str| -> Result<Option<Option<String>>> {
        match members.get(name) {
            None => Ok(None),
            Some(Json::Null) => Ok(Some(None)),
            Some(_) => text(members, name).map(Some),
        }
    };
    Ok(StepUpdate {
        name: text(members, "name")?,
        description: clearable("description")?,
        stage: stage(members)?,
        mode: mode(members)?,
        rank: int(members, "rank")?.map(|r| r as i32),
        filtering_attributes: match members.get("filteringattributes") {
            Some(Json::Null) => Some(Vec::new()),
            _ => filtering_attributes(members)?,
        },
        configuration: clearable("configuration")?,
        secure_configuration: secure_configuration(members)?,
        async_auto_delete: boolean(members, "asyncautodelete")?,
        enabled: enabled(members)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn members(v: Json) -> Map<String, Json> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn create_bodies_in_dataverse_shape() {
        let message = "9ebdbb1b-ea3e-db11-86a7-000a3a5473e8";
        let plugin = "0b6f7e5c-5a1d-4c3e-9f00-000000000501";
        let (step, secure) = decode_create(&members(json!({
            "name": "N",
            "stage": 40,
            "mode": 1,
            "rank": 3,
            "filteringattributes": "Name, telephone1",
            "configuration": "c",
            "asyncautodelete": true,
            "supporteddeployment": 0,
            "primaryobjecttypecode": "Account",
            "sdkmessageid@odata.bind": format!("/sdkmessages({message})"),
            "plugintypeid@odata.bind": format!("https://x/api/data/v9.2/plugintypes({plugin})"),
            "sdkmessagefilterid@odata.bind": "/sdkmessagefilters(00000000-0000-0000-0000-000000000000)",
            "sdkmessageprocessingstepsecureconfigid": {"secureconfig": "s"},
            "@odata.type": "Microsoft.Dynamics.CRM.sdkmessageprocessingstep",
        })))
        .unwrap();
        assert_eq!(step.message, MessageRef::Id(message.parse().unwrap()));
        assert_eq!(
            step.plugin_type,
            StepPluginRef::Type {
                name: None,
                id: Some(plugin.parse().unwrap())
            }
        );
        assert_eq!(
            (step.stage, step.mode, step.rank),
            (StepStage::PostOperation, StepMode::Asynchronous, 3)
        );
        assert_eq!(step.filtering_attributes, ["name", "telephone1"]);
        assert_eq!(step.primary_entity.as_deref(), Some("account"));
        assert!(step.async_auto_delete && step.enabled);
        assert_eq!(secure.as_deref(), Some("s"));
    }

    #[test]
    fn create_bodies_that_are_refused() {
        let bind = json!("/sdkmessages(9ebdbb1b-ea3e-db11-86a7-000a3a5473e8)");
        let ty = json!("/plugintypes(0b6f7e5c-5a1d-4c3e-9f00-000000000501)");
        for (body, kind) in [
            (
                json!({"stage": 20, "sdkmessageid@odata.bind": bind, "plugintypeid@odata.bind": ty}),
                ErrorKind::MissingParameter,
            ),
            (
                json!({"name": "N", "sdkmessageid@odata.bind": bind, "plugintypeid@odata.bind": ty}),
                ErrorKind::MissingParameter,
            ),
            (
                json!({"name": "N", "stage": 20, "plugintypeid@odata.bind": ty}),
                ErrorKind::MissingParameter,
            ),
            (
                json!({"name": "N", "stage": 20, "sdkmessageid@odata.bind": bind}),
                ErrorKind::MissingParameter,
            ),
            (
                json!({"name": "N", "stage": 20, "sdkmessageid@odata.bind": "/plugintypes(9ebdbb1b-ea3e-db11-86a7-000a3a5473e8)", "plugintypeid@odata.bind": ty}),
                ErrorKind::InvalidParameterValue,
            ),
            (
                json!({"name": "N", "stage": 20, "sdkmessageid@odata.bind": "/sdkmessages(x)", "plugintypeid@odata.bind": ty}),
                ErrorKind::BadKey,
            ),
            (
                json!({"name": "N", "stage": "20", "sdkmessageid@odata.bind": bind, "plugintypeid@odata.bind": ty}),
                ErrorKind::InvalidParameterValue,
            ),
            (
                json!({"name": "N", "stage": 15, "sdkmessageid@odata.bind": bind, "plugintypeid@odata.bind": ty}),
                ErrorKind::InvalidArgument,
            ),
            (
                json!({"name": "N", "stage": 20, "mode": 2, "sdkmessageid@odata.bind": bind, "plugintypeid@odata.bind": ty}),
                ErrorKind::InvalidParameterValue,
            ),
            (
                json!({"name": "N", "stage": 20, "colour": 1, "sdkmessageid@odata.bind": bind, "plugintypeid@odata.bind": ty}),
                ErrorKind::BadQueryOption,
            ),
        ] {
            let got = decode_create(&members(body.clone()))
                .map(|_| ())
                .unwrap_err();
            assert_eq!(got.kind, kind, "{body}");
        }
    }

    #[test]
    fn update_bodies() {
        let u = decode_update(&members(json!({
            "rank": 2, "statecode": 1, "configuration": null, "secureconfig": null
        })));
        assert_eq!(u.unwrap_err().kind, ErrorKind::BadQueryOption);
        let u = decode_update(&members(json!({
            "rank": 2, "statecode": 1, "configuration": null, "stage": 20, "mode": 0, "name": "M",
            "filteringattributes": "a,b", "sdkmessageprocessingstepsecureconfigid": null,
        })))
        .unwrap();
        assert_eq!(u.rank, Some(2));
        assert_eq!(u.enabled, Some(false));
        assert_eq!(u.configuration, Some(None));
        assert_eq!(u.secure_configuration, Some(None));
        assert_eq!(u.stage, Some(StepStage::PreOperation));
        assert_eq!(u.filtering_attributes, Some(vec!["a".into(), "b".into()]));
        assert!(decode_update(&members(json!({"sdkmessageid@odata.bind": "/sdkmessages(9ebdbb1b-ea3e-db11-86a7-000a3a5473e8)"}))).is_err());
        assert!(decode_update(&members(json!({"statecode": 2}))).is_err());
    }
}
