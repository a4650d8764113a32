//! One operation per public custom API, in neither format yet: its path as the server's
//! router accepts the call, its parameters, body and response. The Swagger 2.0 and OpenAPI
//! 3.0 writers render the same list, so both documents describe the same calls.

use std::collections::HashSet;

use serde_json::{Map, Value, json};
use switchboard_model::names::entity_set_name;
use switchboard_model::{ApiItem, Binding, CustomApi, FieldType, Message, MessageId};

use crate::schemas;
use crate::text::Texts;
use crate::{Definitions, Options, RespondAsync};

/// The namespace bound operations are qualified with in the URL.
const NAMESPACE: &str = "Microsoft.Dynamics.CRM";

/// The path parameter holding the id of the record an Entity-bound API runs on.
pub(crate) const RECORD_ID: &str = "id";

/// What `Prefer` asks for when a call should run in the background.
const RESPOND_ASYNC: &str = "respond-async";

/// How a call is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// A function.
    Get,
    /// An action.
    Post,
}

impl Method {
    /// The name both formats give the method in a path item.
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
        }
    }
}

/// Where a parameter other than the body travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    /// A template variable of the path (the bound record's id).
    Path,
    /// The query string (a function's parameter aliases).
    Query,
    /// A request header (`Prefer`).
    Header,
}

impl Location {
    /// The name both formats give the location (`in`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
        }
    }
}

/// A parameter outside the body.
#[derive(Debug, Clone)]
pub(crate) struct Parameter {
    pub(crate) name: String,
    pub(crate) location: Location,
    pub(crate) required: bool,
    /// Its value's schema (a primitive: type, format, default).
    pub(crate) schema: Value,
    /// `x-ms-summary`, `description` and `x-ms-visibility`.
    pub(crate) annotations: Map<String, Value>,
}

impl Parameter {
    /// Name, location, whether required, and the annotations: everything but the schema,
    /// which Swagger 2.0 writes inline and OpenAPI 3.0 under `schema`.
    pub(crate) fn fields(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        fields.insert("name".into(), json!(self.name));
        fields.insert("in".into(), json!(self.location.as_str()));
        fields.insert("required".into(), json!(self.required));
        fields.extend(self.annotations.clone());
        fields
    }
}

/// An action's JSON body: one member per request parameter.
#[derive(Debug, Clone)]
pub(crate) struct Body {
    pub(crate) required: bool,
    pub(crate) schema: Value,
    /// `x-ms-summary` and `description`.
    pub(crate) annotations: Map<String, Value>,
}

/// What a successful call answers.
#[derive(Debug, Clone)]
pub(crate) struct Success {
    /// 200 with a body, or 204.
    pub(crate) status: u16,
    pub(crate) description: String,
    pub(crate) schema: Option<Value>,
}

/// One custom API as a call.
#[derive(Debug, Clone)]
struct Operation {
    /// Relative to the Web API root.
    pub(crate) path: String,
    pub(crate) method: Method,
    pub(crate) id: String,
    pub(crate) summary: String,
    pub(crate) description: String,
    pub(crate) parameters: Vec<Parameter>,
    pub(crate) body: Option<Body>,
    pub(crate) success: Success,
    /// Whether the call carries `Prefer: respond-async` (and so may answer 202).
    pub(crate) respond_async: bool,
}

/// What differs between Swagger 2.0 and OpenAPI 3.0 in how an operation is written.
pub(crate) struct Format {
    /// Where shared schemas are referenced (`#/definitions/`, `#/components/schemas/`).
    pub(crate) schemas: &'static str,
    /// A response's body: its members for `schema` (`{"schema": …}` or
    /// `{"content": {"application/json": {"schema": …}}}`).
    pub(crate) response_body: fn(Value) -> Map<String, Value>,
    /// A response header holding a string, with its description.
    pub(crate) string_header: fn(&str) -> Value,
    /// A parameter outside the body.
    pub(crate) parameter: fn(&Parameter) -> Value,
    /// Adds an action's body to the operation (a `body` parameter, or `requestBody`).
    pub(crate) body: fn(&Body, &mut Map<String, Value>),
    /// The whole document around the `paths` object.
    pub(crate) document: fn(&Definitions, &Options, &Texts, Value) -> Value,
}

/// The document of the solution's operations in `format`, its sentences in the options'
/// language.
pub(crate) fn render(
    definitions: &Definitions,
    options: &Options,
    format: &Format,
) -> Result<Value, Message> {
    let texts = Texts::new(options.language);
    let paths = paths(definitions, options, &texts, format)?;
    Ok((format.document)(definitions, options, &texts, paths))
}

/// The `paths` object: the solution's operations as `format` writes them, each under its
/// path and method.
fn paths(
    definitions: &Definitions,
    options: &Options,
    texts: &Texts,
    format: &Format,
) -> Result<Value, Message> {
    let shared = SharedTexts {
        accepted: texts.say(MessageId::ConnectorResponseAccepted),
        location: texts.say(MessageId::ConnectorResponseLocation),
        error: texts.say(MessageId::ConnectorResponseError),
    };
    let mut paths = Map::new();
    for op in operations(definitions, options, texts)? {
        let written = write(&op, &shared, format);
        paths.insert(op.path.clone(), json!({ op.method.as_str(): written }));
    }
    Ok(Value::Object(paths))
}

/// The texts every operation repeats (202 and error responses), rendered once.
struct SharedTexts {
    accepted: String,
    location: String,
    error: String,
}

/// One operation in `format`: ids and texts, parameters, body, and the responses (its
/// success, 202 when it may run in the background, the Dataverse error as `default`).
fn write(op: &Operation, shared: &SharedTexts, format: &Format) -> Value {
    let mut responses = Map::new();
    let mut success = Map::new();
    success.insert("description".into(), json!(op.success.description));
    if let Some(schema) = &op.success.schema {
        success.extend((format.response_body)(schema.clone()));
    }
    responses.insert(op.success.status.to_string(), Value::Object(success));
    if op.respond_async {
        responses.insert(
            "202".into(),
            json!({
                "description": shared.accepted,
                "headers": { "Location": (format.string_header)(&shared.location) },
            }),
        );
    }
    let mut error = Map::new();
    error.insert("description".into(), json!(shared.error));
    error.extend((format.response_body)(
        json!({ "$ref": format!("{}{}", format.schemas, schemas::ERROR) }),
    ));
    responses.insert("default".into(), Value::Object(error));
    let parameters: Vec<Value> = op.parameters.iter().map(format.parameter).collect();
    let mut written = Map::new();
    written.insert("operationId".into(), json!(op.id));
    written.insert("summary".into(), json!(op.summary));
    written.insert("description".into(), json!(op.description));
    written.insert("parameters".into(), json!(parameters));
    written.insert("responses".into(), Value::Object(responses));
    if let Some(body) = &op.body {
        (format.body)(body, &mut written);
    }
    Value::Object(written)
}

/// The solution's public custom APIs as operations, in unique-name order, with unique
/// operation ids. Private APIs and functions without a response (which cannot be called)
/// are left out; a `respond_async` name that is none of the remaining actions is an error.
fn operations(
    definitions: &Definitions,
    options: &Options,
    texts: &Texts,
) -> Result<Vec<Operation>, Message> {
    let mut apis: Vec<&CustomApi> = definitions
        .apis
        .iter()
        .filter(|a| a.is_exposable() && !a.is_private)
        .collect();
    apis.sort_by(|a, b| a.unique_name.cmp(&b.unique_name));
    let asynchronous = respond_async_names(&apis, definitions, &options.respond_async)?;
    let mut seen = HashSet::new();
    Ok(apis
        .into_iter()
        .map(|api| {
            let respond_async = asynchronous.contains(&api.unique_name.key());
            let mut operation = operation(api, definitions, texts, respond_async);
            operation.id = unique_id(&operation.id, &mut seen);
            operation
        })
        .collect())
}

/// The unique-name keys of the actions that get `Prefer: respond-async`.
fn respond_async_names(
    apis: &[&CustomApi],
    definitions: &Definitions,
    respond_async: &RespondAsync,
) -> Result<HashSet<String>, Message> {
    let actions = apis.iter().filter(|a| !a.is_function);
    match respond_async {
        RespondAsync::None => Ok(HashSet::new()),
        RespondAsync::All => Ok(actions.map(|a| a.unique_name.key()).collect()),
        RespondAsync::Only(names) => {
            let known: HashSet<String> = actions.map(|a| a.unique_name.key()).collect();
            names
                .iter()
                .map(|name| {
                    let key = name.to_ascii_lowercase();
                    if known.contains(&key) {
                        Ok(key)
                    } else {
                        Err(Message::new(MessageId::ConnectorRespondAsyncUnknown)
                            .arg("name", name)
                            .arg("solution", &definitions.solution.unique_name))
                    }
                })
                .collect()
        }
    }
}

/// `id`, or `id_2`, `id_3`… when an earlier operation has it in any case: Power Platform
/// names operations by id, and unique names differ from each other in more than case only
/// as long as every API comes from one database.
fn unique_id(id: &str, seen: &mut HashSet<String>) -> String {
    let mut candidate = id.to_owned();
    let mut n = 2;
    while !seen.insert(candidate.to_ascii_lowercase()) {
        candidate = format!("{id}_{n}");
        n += 1;
    }
    candidate
}

/// The entity set of a table: as the definitions name it, else the plural Dataverse
/// derives.
fn set_name(definitions: &Definitions, table: &str) -> String {
    definitions
        .entity_sets
        .get(table)
        .cloned()
        .unwrap_or_else(|| entity_set_name(table))
}

fn operation(
    api: &CustomApi,
    definitions: &Definitions,
    texts: &Texts,
    respond_async: bool,
) -> Operation {
    let name = api.unique_name.as_str();
    let mut parameters = Vec::new();
    let prefix = match &api.binding {
        Binding::Global => "/".to_owned(),
        Binding::Entity(table) => {
            parameters.push(record_id(api, table.as_str(), texts));
            format!(
                "/{}({{{RECORD_ID}}})/{NAMESPACE}.",
                set_name(definitions, table.as_str())
            )
        }
        Binding::EntityCollection(table) => {
            format!("/{}/{NAMESPACE}.", set_name(definitions, table.as_str()))
        }
    };
    let (path, method, body) = if api.is_function {
        // The router reads a function's arguments from the parentheses (inline literals or
        // `@alias` references) and the aliases' values from the query string; an alias
        // left out of the query is null (OData's rule), so optional ones may be omitted.
        let arguments: Vec<String> = api
            .request_parameters
            .iter()
            .map(|p| format!("{0}=@{0}", p.unique_name))
            .collect();
        parameters.extend(
            api.request_parameters
                .iter()
                .map(|p| query_alias(p, definitions, texts)),
        );
        let path = format!("{prefix}{name}({})", arguments.join(","));
        (path, Method::Get, None)
    } else {
        let body = (!api.request_parameters.is_empty()).then(|| body(api, texts));
        (format!("{prefix}{name}"), Method::Post, body)
    };
    if respond_async {
        parameters.push(prefer(texts));
    }
    Operation {
        path,
        method,
        id: name.to_owned(),
        summary: texts.label_or(&api.display_name, name),
        description: texts.label(&api.description).map_or_else(
            || {
                texts.render(
                    &Message::new(MessageId::ConnectorOperationDescription).arg("name", name),
                )
            },
            str::to_owned,
        ),
        parameters,
        body,
        success: success(api, texts),
        respond_async,
    }
}

/// `x-ms-summary` and `description`, plus `x-ms-visibility` when given.
fn annotations(
    summary: String,
    description: String,
    visibility: Option<&str>,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("x-ms-summary".into(), Value::String(summary));
    out.insert("description".into(), Value::String(description));
    if let Some(v) = visibility {
        out.insert("x-ms-visibility".into(), Value::String(v.to_owned()));
    }
    out
}

/// Required inputs are shown first; optional ones under "Show advanced options".
fn visibility(item: &ApiItem) -> &'static str {
    if item.is_optional {
        "advanced"
    } else {
        "important"
    }
}

/// A parameter's or property's schema with its display name and description.
fn item_schema(item: &ApiItem, texts: &Texts, visible: bool) -> Value {
    let mut schema = schemas::of(item.field_type);
    let summary = texts.label_or(&item.display_name, item.unique_name.as_str());
    let description = texts.label_or(&item.description, &summary);
    if let Value::Object(map) = &mut schema {
        map.extend(annotations(
            summary,
            description,
            visible.then(|| visibility(item)),
        ));
    }
    schema
}

/// The bound record's id, in the path.
fn record_id(api: &CustomApi, table: &str, texts: &Texts) -> Parameter {
    let summary = Message::new(MessageId::ConnectorRecordIdSummary).arg("table", table);
    let description = Message::new(MessageId::ConnectorRecordIdDescription)
        .arg("table", table)
        .arg("name", &api.unique_name);
    Parameter {
        name: RECORD_ID.to_owned(),
        location: Location::Path,
        required: true,
        schema: schemas::of(FieldType::Guid),
        annotations: annotations(
            texts.render(&summary),
            texts.render(&description),
            Some("important"),
        ),
    }
}

/// A function's parameter as its alias in the query string (`@Name`), its description
/// ending with the OData literal form the value must take.
fn query_alias(item: &ApiItem, definitions: &Definitions, texts: &Texts) -> Parameter {
    let summary = texts.label_or(&item.display_name, item.unique_name.as_str());
    let table = item
        .logical_entity_name
        .as_ref()
        .map_or("account", |t| t.as_str());
    let form = texts.render(&schemas::literal_form(
        item.field_type,
        table,
        &set_name(definitions, table),
    ));
    let description = match texts.label(&item.description) {
        Some(d) => format!("{} {form}", d.trim_end()),
        None => form,
    };
    Parameter {
        name: format!("@{}", item.unique_name),
        location: Location::Query,
        required: !item.is_optional,
        schema: schemas::in_query(item.field_type),
        annotations: annotations(summary, description, Some(visibility(item))),
    }
}

/// An action's parameters as one JSON object.
fn body(api: &CustomApi, texts: &Texts) -> Body {
    let properties: Map<String, Value> = api
        .request_parameters
        .iter()
        .map(|p| (p.unique_name.to_string(), item_schema(p, texts, true)))
        .collect();
    let required: Vec<&str> = api
        .request_parameters
        .iter()
        .filter(|p| !p.is_optional)
        .map(|p| p.unique_name.as_str())
        .collect();
    let mut schema = json!({ "type": "object", "properties": properties });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    Body {
        required: !required.is_empty(),
        schema,
        annotations: annotations(
            texts.say(MessageId::ConnectorBodySummary),
            texts.render(
                &Message::new(MessageId::ConnectorBodyDescription).arg("name", &api.unique_name),
            ),
            None,
        ),
    }
}

/// `Prefer: respond-async`, internal (never shown, always sent: an internal required
/// parameter must carry its default).
fn prefer(texts: &Texts) -> Parameter {
    Parameter {
        name: "Prefer".to_owned(),
        location: Location::Header,
        required: true,
        schema: json!({ "type": "string", "default": RESPOND_ASYNC }),
        annotations: annotations(
            texts.say(MessageId::ConnectorPreferSummary),
            texts.say(MessageId::ConnectorPreferDescription),
            Some("internal"),
        ),
    }
}

/// What a successful call answers, in the shape the server writes it: nothing (204) for no
/// response property; the entity itself for a single Entity property; `{"value": […]}` for a
/// single EntityCollection property; otherwise an object of the response properties.
fn success(api: &CustomApi, texts: &Texts) -> Success {
    let name = api.unique_name.as_str();
    let schema = match api.response_properties.as_slice() {
        [] => {
            return Success {
                status: 204,
                description: texts
                    .render(&Message::new(MessageId::ConnectorResponseNoContent).arg("name", name)),
                schema: None,
            };
        }
        [p] if p.field_type == FieldType::Entity => item_schema(p, texts, false),
        [p] if p.field_type == FieldType::EntityCollection => json!({
            "type": "object",
            "properties": { "value": item_schema(p, texts, false) },
        }),
        properties => json!({
            "type": "object",
            "properties": properties
                .iter()
                .map(|p| (p.unique_name.to_string(), item_schema(p, texts, false)))
                .collect::<Map<String, Value>>(),
        }),
    };
    Success {
        status: 200,
        description: texts.render(&Message::new(MessageId::ConnectorResponseOk).arg("name", name)),
        schema: Some(schema),
    }
}
