//! The Swagger 2.0 connector definition (`apiDefinition.swagger.json`), the only format
//! Power Platform imports custom connectors from.

use serde_json::{Map, Value, json};

use crate::info::{connector_metadata, info};
use crate::operations::{Body, Format, Parameter};
use crate::schemas;
use crate::text::Texts;
use crate::{Definitions, Options, Security};

/// The security definition's name (the top one is the one a connector uses).
const API_KEY: &str = "api_key";
/// The OAuth 2.0 security definition's name.
const OAUTH2: &str = "oauth2_auth";

/// How Swagger 2.0 writes an operation's parts.
pub(crate) const FORMAT: Format = Format {
    schemas: "#/definitions/",
    response_body,
    string_header,
    parameter,
    body,
    document,
};

fn document(definitions: &Definitions, options: &Options, texts: &Texts, paths: Value) -> Value {
    let (name, scheme) = match &options.security {
        Security::BearerToken => (
            API_KEY,
            json!({ "type": "apiKey", "in": "header", "name": "Authorization" }),
        ),
        Security::OAuth2 {
            authorization_url,
            token_url,
        } => (
            OAUTH2,
            json!({
                "type": "oauth2",
                "flow": "accessCode",
                "authorizationUrl": authorization_url,
                "tokenUrl": token_url,
                "scopes": {},
            }),
        ),
    };
    json!({
        "swagger": "2.0",
        "info": info(definitions, texts),
        "host": options.base_url.host(),
        "basePath": options.base_url.base_path(),
        "schemes": [options.base_url.scheme()],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "paths": paths,
        "definitions": { schemas::ERROR: schemas::error(texts) },
        "parameters": {},
        "responses": {},
        "securityDefinitions": { name: scheme },
        "security": [{ name: [] }],
        "tags": [],
        "x-ms-connector-metadata": connector_metadata(options),
    })
}

fn response_body(schema: Value) -> Map<String, Value> {
    Map::from_iter([("schema".to_owned(), schema)])
}

fn string_header(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

/// A non-body parameter, with its type, format and default inline.
fn parameter(p: &Parameter) -> Value {
    let mut parameter = p.fields();
    if let Value::Object(schema) = &p.schema {
        parameter.extend(schema.clone());
    }
    Value::Object(parameter)
}

/// The body as the `body` parameter.
fn body(body: &Body, operation: &mut Map<String, Value>) {
    let mut parameter = Map::new();
    parameter.insert("name".into(), json!("body"));
    parameter.insert("in".into(), json!("body"));
    parameter.insert("required".into(), json!(body.required));
    parameter.insert("schema".into(), body.schema.clone());
    parameter.extend(body.annotations.clone());
    if let Some(Value::Array(parameters)) = operation.get_mut("parameters") {
        parameters.push(Value::Object(parameter));
    }
}
