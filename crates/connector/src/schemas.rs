//! The 13 custom API types as JSON schemas (the subset of JSON Schema that Swagger 2.0 and
//! OpenAPI 3.0 share), as query values of a function call, and the OData literal a function
//! argument of each type is written as.

use serde_json::{Value, json};
use switchboard_model::{FieldType, Message, MessageId};

use crate::text::Texts;

/// The schema of a value of type `t` in a JSON body or response, in the shape the server
/// reads and writes it (`switchboard_odata::json`): records as objects, a collection as an
/// array of records, Money and Decimal as numbers, a choice as its integer value.
pub(crate) fn of(t: FieldType) -> Value {
    match t {
        FieldType::Boolean => json!({ "type": "boolean" }),
        FieldType::DateTime => json!({ "type": "string", "format": "date-time" }),
        // The connector schema's formats have no decimal: a plain number.
        FieldType::Decimal | FieldType::Money => json!({ "type": "number" }),
        FieldType::Float => json!({ "type": "number", "format": "double" }),
        FieldType::Integer | FieldType::Picklist => json!({ "type": "integer", "format": "int32" }),
        FieldType::String => json!({ "type": "string" }),
        FieldType::StringArray => json!({ "type": "array", "items": { "type": "string" } }),
        FieldType::Guid => json!({ "type": "string", "format": "uuid" }),
        FieldType::Entity | FieldType::EntityReference => json!({ "type": "object" }),
        FieldType::EntityCollection => json!({ "type": "array", "items": { "type": "object" } }),
    }
}

/// The schema of a function argument of type `t` in the query string (`?@Name=…`): the
/// literal's text. Types whose literal is JSON (arrays, records) travel as strings; the
/// others keep their type, whose plain rendering is already the OData literal.
pub(crate) fn in_query(t: FieldType) -> Value {
    match t {
        FieldType::StringArray
        | FieldType::Entity
        | FieldType::EntityReference
        | FieldType::EntityCollection => json!({ "type": "string" }),
        other => of(other),
    }
}

/// How a function argument of type `t` is written in the URL (strings quoted, JSON for
/// arrays and records), as `switchboard_odata::literal::parse` reads it; record examples
/// name `table` and its entity set `set`.
pub(crate) fn literal_form(t: FieldType, table: &str, set: &str) -> Message {
    let json =
        |example: String| Message::new(MessageId::ConnectorLiteralJson).arg("example", example);
    let record = format!(r#"{{"@odata.type":"Microsoft.Dynamics.CRM.{table}","name":"Contoso"}}"#);
    match t {
        FieldType::String => Message::new(MessageId::ConnectorLiteralString),
        FieldType::Boolean => Message::new(MessageId::ConnectorLiteralBoolean),
        FieldType::Decimal | FieldType::Money | FieldType::Float => {
            Message::new(MessageId::ConnectorLiteralNumber)
        }
        FieldType::Integer | FieldType::Picklist => {
            Message::new(MessageId::ConnectorLiteralWholeNumber)
        }
        FieldType::DateTime => Message::new(MessageId::ConnectorLiteralDateTime),
        FieldType::Guid => Message::new(MessageId::ConnectorLiteralGuid).arg("example", EXAMPLE_ID),
        FieldType::StringArray => json(r#"["a","b"]"#.to_owned()),
        FieldType::EntityReference => json(format!(r#"{{"@odata.id":"{set}({EXAMPLE_ID})"}}"#)),
        FieldType::Entity => json(record),
        FieldType::EntityCollection => json(format!("[{record}]")),
    }
}

/// The GUID the literal examples show.
const EXAMPLE_ID: &str = "00000000-0000-0000-0000-000000000001";

/// The name shared definitions give the error shape.
pub(crate) const ERROR: &str = "Error";

/// Dataverse's error body, `{"error":{"code","message"}}`.
pub(crate) fn error(texts: &Texts) -> Value {
    json!({
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": {
                        "type": "string",
                        "x-ms-summary": texts.say(MessageId::ConnectorErrorCode),
                    },
                    "message": {
                        "type": "string",
                        "x-ms-summary": texts.say(MessageId::ConnectorErrorMessage),
                    },
                },
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_the_schema_of_its_wire_shape() {
        let kind = |t| of(t)["type"].as_str().unwrap().to_owned();
        assert_eq!(kind(FieldType::Entity), "object");
        assert_eq!(kind(FieldType::EntityReference), "object");
        assert_eq!(kind(FieldType::EntityCollection), "array");
        assert_eq!(of(FieldType::EntityCollection)["items"]["type"], "object");
        assert_eq!(kind(FieldType::Money), "number");
        assert_eq!(kind(FieldType::Decimal), "number");
        assert_eq!(kind(FieldType::StringArray), "array");
        assert_eq!(of(FieldType::StringArray)["items"]["type"], "string");
        assert_eq!(kind(FieldType::Picklist), "integer");
        assert_eq!(kind(FieldType::Integer), "integer");
        assert_eq!(kind(FieldType::Float), "number");
        assert_eq!(kind(FieldType::Boolean), "boolean");
        assert_eq!(of(FieldType::DateTime)["format"], "date-time");
        assert_eq!(of(FieldType::Guid)["format"], "uuid");
        assert_eq!(kind(FieldType::String), "string");
        assert_eq!(FieldType::ALL.len(), 13);
    }

    #[test]
    fn json_valued_function_arguments_travel_as_text() {
        for t in [
            FieldType::StringArray,
            FieldType::Entity,
            FieldType::EntityReference,
            FieldType::EntityCollection,
        ] {
            assert_eq!(in_query(t), json!({ "type": "string" }), "{t:?}");
        }
        assert_eq!(in_query(FieldType::Integer), of(FieldType::Integer));
    }

    #[test]
    fn literal_forms_say_how_to_quote() {
        let texts = Texts::new(1033);
        let string = texts.render(&literal_form(FieldType::String, "account", "accounts"));
        assert!(string.contains("'Contoso'"), "{string}");
        let reference = texts.render(&literal_form(
            FieldType::EntityReference,
            "contact",
            "contacts",
        ));
        assert!(
            reference.contains(r#"{"@odata.id":"contacts("#),
            "{reference}"
        );
        let guid = texts.render(&literal_form(FieldType::Guid, "account", "accounts"));
        assert!(guid.contains(EXAMPLE_ID), "{guid}");
    }
}
