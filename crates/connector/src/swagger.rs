//! The Swagger 2.0 connector definition (`apiDefinition.swagger.json`), the only format
//! Power Platform imports custom connectors from.

use serde_json::{Map, Value, json};
use switchboard_model::Message;

use crate::info::{connector_metadata, info};
use crate::operations::{Operation, Responses, operations, paths};
use crate::schemas;
use crate::text::Texts;
use crate::{Definitions, Options, Security};

/// The security definition's name (the top one is the one a connector uses).
const API_KEY: &str = "api_key";
/// The OAuth 2.0 security definition's name.
const OAUTH2: &str = "oauth2_auth";

pub(crate) fn document(definitions: &Definitions, options: &Options) -> Result<Value, Message> {
    let texts = Texts::new(options.language);
    let responses = Responses::new(&texts);
    let paths = paths(&operations(definitions, options, &texts)?, |op| {
        operation(op, &responses)
    });
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
    Ok(json!({
        "swagger": "2.0",
        "info": info(definitions, &texts),
        "host": options.base_url.host(),
        "basePath": options.base_url.base_path(),
        "schemes": [options.base_url.scheme()],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "paths": paths,
        "definitions": { schemas::ERROR: schemas::error(&texts) },
        "parameters": {},
        "responses": {},
        "securityDefinitions": { name: scheme },
        "security": [{ name: [] }],
        "tags": [],
        "x-ms-connector-metadata": connector_metadata(options),
    }))
}

fn operation(op: &Operation, responses: &Responses) -> Value {
    let mut parameters: Vec<Value> = op
        .parameters
        .iter()
        .map(|p| {
            // Swagger 2.0 writes a non-body parameter's type, format and default inline.
            let mut parameter = p.fields();
            if let Value::Object(schema) = &p.schema {
                parameter.extend(schema.clone());
            }
            Value::Object(parameter)
        })
        .collect();
    if let Some(body) = &op.body {
        let mut parameter = Map::new();
        parameter.insert("name".into(), json!("body"));
        parameter.insert("in".into(), json!("body"));
        parameter.insert("required".into(), json!(body.required));
        parameter.insert("schema".into(), body.schema.clone());
        parameter.extend(body.annotations.clone());
        parameters.push(Value::Object(parameter));
    }
    let mut answers = Map::new();
    let mut success = json!({ "description": op.success.description });
    if let Some(schema) = &op.success.schema {
        success["schema"] = schema.clone();
    }
    answers.insert(op.success.status.to_string(), success);
    if op.respond_async {
        answers.insert(
            "202".into(),
            json!({
                "description": responses.accepted,
                "headers": {
                    "Location": { "type": "string", "description": responses.location },
                },
            }),
        );
    }
    answers.insert(
        "default".into(),
        json!({
            "description": responses.error,
            "schema": { "$ref": format!("#/definitions/{}", schemas::ERROR) },
        }),
    );
    json!({
        "operationId": op.id,
        "summary": op.summary,
        "description": op.description,
        "parameters": parameters,
        "responses": answers,
    })
}
