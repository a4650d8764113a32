//! The OpenAPI 3.0 document of the connector's operations, for tools that read OpenAPI 3
//! (Power Platform itself imports only the Swagger 2.0 definition).

use serde_json::{Map, Value, json};
use switchboard_model::Message;

use crate::info::{connector_metadata, info};
use crate::operations::{Operation, Responses, operations, paths};
use crate::schemas;
use crate::text::Texts;
use crate::{Definitions, Options, Security};

/// The version written: the last 3.0 release, which every OpenAPI 3 tool reads.
const VERSION: &str = "3.0.3";
/// The security scheme's name.
const SCHEME: &str = "bearer";

pub(crate) fn document(definitions: &Definitions, options: &Options) -> Result<Value, Message> {
    let texts = Texts::new(options.language);
    let responses = Responses::new(&texts);
    let paths = paths(&operations(definitions, options, &texts)?, |op| {
        operation(op, &responses)
    });
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
    Ok(json!({
        "openapi": VERSION,
        "info": info(definitions, &texts),
        "servers": [{ "url": options.base_url.api_root() }],
        "paths": paths,
        "components": {
            "schemas": { schemas::ERROR: schemas::error(&texts) },
            "securitySchemes": { SCHEME: scheme },
        },
        "security": [{ SCHEME: [] }],
        "tags": [],
        "x-ms-connector-metadata": connector_metadata(options),
    }))
}

/// `{"application/json": {"schema": …}}`.
fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

fn operation(op: &Operation, responses: &Responses) -> Value {
    let parameters: Vec<Value> = op
        .parameters
        .iter()
        .map(|p| {
            let mut parameter = p.fields();
            parameter.insert("schema".into(), p.schema.clone());
            Value::Object(parameter)
        })
        .collect();
    let mut answers = Map::new();
    let mut success = json!({ "description": op.success.description });
    if let Some(schema) = &op.success.schema {
        success["content"] = json_content(schema.clone());
    }
    answers.insert(op.success.status.to_string(), success);
    if op.respond_async {
        answers.insert(
            "202".into(),
            json!({
                "description": responses.accepted,
                "headers": {
                    "Location": {
                        "description": responses.location,
                        "schema": { "type": "string" },
                    },
                },
            }),
        );
    }
    answers.insert(
        "default".into(),
        json!({
            "description": responses.error,
            "content": json_content(json!({
                "$ref": format!("#/components/schemas/{}", schemas::ERROR),
            })),
        }),
    );
    let mut operation = json!({
        "operationId": op.id,
        "summary": op.summary,
        "description": op.description,
        "parameters": parameters,
        "responses": answers,
    });
    if let Some(body) = &op.body {
        let mut request = Map::new();
        request.insert("required".into(), json!(body.required));
        request.insert("content".into(), json_content(body.schema.clone()));
        request.extend(body.annotations.clone());
        operation["requestBody"] = Value::Object(request);
    }
    operation
}
