//! The OpenAPI 3.0 document of the connector's operations, for tools that read OpenAPI 3
//! (Power Platform itself imports only the Swagger 2.0 definition).

use serde_json::{Map, Value, json};

use crate::info::{connector_metadata, info};
use crate::operations::{Body, Format, Parameter};
use crate::schemas;
use crate::text::Texts;
use crate::{Definitions, Options, Security};

/// The version written: the last 3.0 release, which every OpenAPI 3 tool reads.
const VERSION: &str = "3.0.3";
/// The security scheme's name.
const SCHEME: &str = "bearer";

/// How OpenAPI 3.0 writes an operation's parts.
pub(crate) const FORMAT: Format = Format {
    schemas: "#/components/schemas/",
    response_body,
    string_header,
    parameter,
    body,
    document,
};

fn document(definitions: &Definitions, options: &Options, texts: &Texts, paths: Value) -> Value {
    // OpenAPI 3 names a bearer token directly; Swagger 2.0 had only the API-key form.
    let scheme = match &options.security {
        Security::BearerToken => json!({ "type": "http", "scheme": "bearer" }),
        Security::OAuth2 {
            authorization_url,
            token_url,
        } => json!({
            "type": "oauth2",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": authorization_url,
                    "tokenUrl": token_url,
                    "scopes": {},
                },
            },
        }),
    };
    json!({
        "openapi": VERSION,
        "info": info(definitions, texts),
        "servers": [{ "url": options.base_url.api_root() }],
        "paths": paths,
        "components": {
            "schemas": { schemas::ERROR: schemas::error(texts) },
            "securitySchemes": { SCHEME: scheme },
        },
        "security": [{ SCHEME: [] }],
        "tags": [],
        "x-ms-connector-metadata": connector_metadata(options),
    })
}

/// `{"application/json": {"schema": …}}`.
fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

fn response_body(schema: Value) -> Map<String, Value> {
    Map::from_iter([("content".to_owned(), json_content(schema))])
}

fn string_header(description: &str) -> Value {
    json!({ "description": description, "schema": { "type": "string" } })
}

fn parameter(p: &Parameter) -> Value {
    let mut parameter = p.fields();
    parameter.insert("schema".into(), p.schema.clone());
    Value::Object(parameter)
}

/// The body as `requestBody`.
fn body(body: &Body, operation: &mut Map<String, Value>) {
    let mut request = Map::new();
    request.insert("required".into(), json!(body.required));
    request.insert("content".into(), json_content(body.schema.clone()));
    request.extend(body.annotations.clone());
    operation.insert("requestBody".into(), Value::Object(request));
}
