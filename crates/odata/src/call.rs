//! Turning the parameters of a call (URL arguments or a JSON body) into validated inputs.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value as Json;
use switchboard_model::api::TARGET;
use switchboard_model::value::Value;
use switchboard_model::{Binding, CustomApi, Message, MessageId, RequestParameter};

use crate::error::{ErrorKind, ODataError};
use crate::json::{ValueProblem, decode, edm_type};
use crate::literal;
use crate::tables::Tables;

fn invalid(p: &RequestParameter, problem: ValueProblem) -> ODataError {
    let entity = p.logical_entity_name.as_ref().map(|e| e.as_str());
    ODataError::new(
        ErrorKind::InvalidParameterValue,
        Message::new(MessageId::ODataInvalidValue)
            .arg("name", &p.unique_name)
            .arg("expected", edm_type(p.field_type, entity))
            .arg("detail", problem.detail),
    )
}

fn declared<'a>(api: &'a CustomApi, name: &str) -> Result<&'a RequestParameter, ODataError> {
    if name == TARGET && matches!(api.binding, Binding::Entity(_)) {
        return Err(ODataError::new(
            ErrorKind::UnknownParameter,
            Message::new(MessageId::ODataBindingParameter)
                .arg("name", name)
                .arg("api", &api.unique_name),
        ));
    }
    api.request_parameters
        .iter()
        .find(|p| p.unique_name.as_str() == name)
        .ok_or_else(|| {
            ODataError::new(
                ErrorKind::UnknownParameter,
                Message::new(MessageId::ODataUnknownParameter)
                    .arg("name", name)
                    .arg("api", &api.unique_name),
            )
        })
}

/// Every required parameter is present and not null.
fn check_required(api: &CustomApi, inputs: &BTreeMap<String, Value>) -> Result<(), ODataError> {
    for p in api.request_parameters.iter().filter(|p| !p.is_optional) {
        if inputs
            .get(p.unique_name.as_str())
            .is_none_or(Value::is_null)
        {
            return Err(ODataError::new(
                ErrorKind::MissingParameter,
                Message::new(MessageId::ODataMissingParameter)
                    .arg("name", &p.unique_name)
                    .arg("api", &api.unique_name),
            ));
        }
    }
    Ok(())
}

/// Function arguments from the URL: inline literals or `@alias` references.
pub fn inputs_from_url(
    api: &CustomApi,
    args: &[(String, String)],
    aliases: &HashMap<String, String>,
    tables: &Tables,
) -> Result<BTreeMap<String, Value>, ODataError> {
    let mut inputs = BTreeMap::new();
    for (name, raw) in args {
        let p = declared(api, name)?;
        // OData: "If a parameter alias is not given a value in the query part of the request
        // URL, the value MUST be assumed to be null" (URL Conventions 4.01, 5.1.1.14.1). An
        // optional parameter's alias may so be left out (a connector's optional query
        // parameter); a required one is then missing.
        let text = if raw.starts_with('@') {
            aliases.get(raw).map_or("null", String::as_str)
        } else {
            raw
        };
        let entity = p.logical_entity_name.as_ref().map(|e| e.as_str());
        let value =
            literal::parse(p.field_type, entity, text, tables).map_err(|e| invalid(p, e))?;
        if inputs.insert(name.clone(), value).is_some() {
            return Err(ODataError::new(
                ErrorKind::BadLiteral,
                Message::new(MessageId::ODataDuplicateParameter).arg("name", name),
            ));
        }
    }
    check_required(api, &inputs)?;
    Ok(inputs)
}

/// Action parameters from a JSON body (an empty body means no parameters).
pub fn inputs_from_body(
    api: &CustomApi,
    body: &[u8],
    tables: &Tables,
) -> Result<BTreeMap<String, Value>, ODataError> {
    let json: Json = if body.iter().all(u8::is_ascii_whitespace) {
        Json::Object(Default::default())
    } else {
        serde_json::from_slice(body).map_err(|e| {
            ODataError::new(
                ErrorKind::MalformedPayload,
                Message::new(MessageId::ODataMalformedJson).arg("detail", e),
            )
        })?
    };
    let Json::Object(members) = json else {
        return Err(ODataError::new(
            ErrorKind::MalformedPayload,
            Message::new(MessageId::ODataBodyNotObject),
        ));
    };
    let mut inputs = BTreeMap::new();
    for (name, value) in &members {
        // Instance annotations (`@odata.type` on the body, `x@odata.bind`) are not parameters.
        if name.starts_with('@') || name.contains('@') {
            continue;
        }
        let p = declared(api, name)?;
        let entity = p.logical_entity_name.as_ref().map(|e| e.as_str());
        inputs.insert(
            name.clone(),
            decode(p.field_type, entity, value, tables).map_err(|e| invalid(p, e))?,
        );
    }
    check_required(api, &inputs)?;
    Ok(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_model::{CustomApiDraft, FieldType, ItemDraft};

    fn greet() -> CustomApi {
        let item = |name: &str, field_type, optional: bool| ItemDraft {
            unique_name: Some(name.to_owned()),
            field_type: Some(field_type),
            is_optional: optional.then_some(true),
            ..ItemDraft::default()
        };
        let draft = CustomApiDraft {
            unique_name: Some("sb_Greet".into()),
            name: Some("sb_Greet".into()),
            is_function: true,
            request_parameters: vec![
                item("Name", FieldType::String, false),
                item("Formal", FieldType::Boolean, true),
            ],
            response_properties: vec![item("Greeting", FieldType::String, false)],
            ..CustomApiDraft::default()
        };
        CustomApi::validate(draft, None).value.expect("a valid API")
    }

    fn args(text: &str) -> Vec<(String, String)> {
        crate::url::function_arguments(text).unwrap()
    }

    #[test]
    fn an_alias_without_a_value_is_null() {
        let tables = Tables::default();
        let aliases = HashMap::from([("@Name".to_owned(), "'Ada'".to_owned())]);
        let inputs = inputs_from_url(
            &greet(),
            &args("Name=@Name,Formal=@Formal"),
            &aliases,
            &tables,
        )
        .unwrap();
        assert_eq!(inputs["Name"], Value::String("Ada".into()));
        assert_eq!(inputs["Formal"], Value::Null, "optional: left out is null");
        let missing = inputs_from_url(
            &greet(),
            &args("Name=@Name,Formal=@Formal"),
            &HashMap::new(),
            &tables,
        )
        .unwrap_err();
        assert_eq!(
            missing.kind,
            ErrorKind::MissingParameter,
            "required: missing"
        );
    }
}
