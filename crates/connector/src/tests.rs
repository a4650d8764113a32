//! The documents made from hand-built definitions: what each custom API becomes.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use switchboard_model::{
    Binding, CustomApi, CustomApiDraft, FieldType, ItemDraft, LocalizedLabel, LogicalName,
    MessageId, Publisher, Solution, SolutionVersion,
};

use crate::{
    BaseUrl, Definitions, Options, RespondAsync, Security, api_properties, openapi3, swagger,
    to_file,
};

/// A label in English (1033) and, when given, German (1031).
fn label(english: &str, german: Option<&str>) -> LocalizedLabel {
    let mut label = LocalizedLabel::plain(english);
    label.labels.insert(1033, english.to_owned());
    if let Some(german) = german {
        label.labels.insert(1031, german.to_owned());
    }
    label
}

/// A request parameter or (not `optional`) response property, labelled in English and,
/// for its display name, German.
fn item(name: &str, field_type: FieldType, optional: bool) -> ItemDraft {
    ItemDraft {
        unique_name: Some(name.to_owned()),
        display_name: label(&format!("{name} label"), Some(&format!("{name} Etikett"))),
        description: label(&format!("{name} description."), None),
        field_type: Some(field_type),
        is_optional: optional.then_some(true),
        ..ItemDraft::default()
    }
}

/// A custom API as validation makes it from a draft (labelled like [`item`]).
fn api(
    name: &str,
    binding: Binding,
    function: bool,
    edit: impl FnOnce(&mut CustomApiDraft),
) -> CustomApi {
    let mut draft = CustomApiDraft {
        unique_name: Some(name.to_owned()),
        name: Some(name.to_owned()),
        display_name: label(&format!("{name} display"), Some(&format!("{name} Anzeige"))),
        description: label(&format!("What {name} does."), None),
        binding_type: Some(binding.binding_type()),
        bound_entity: binding.table().map(|t| t.to_string()),
        is_function: function,
        ..CustomApiDraft::default()
    };
    edit(&mut draft);
    CustomApi::validate(draft, None).value.expect("a valid API")
}

fn table(name: &str) -> LogicalName {
    LogicalName::parse(name).unwrap()
}

fn definitions(apis: Vec<CustomApi>) -> Definitions {
    Definitions {
        solution: Solution {
            unique_name: "ContosoTools".into(),
            names: label("Contoso Custom API Tools", Some("Contoso-Werkzeuge")),
            descriptions: label("Tools for Contoso's integrations, as custom APIs.", None),
            version: SolutionVersion::parse("1.2.0.0").unwrap(),
            managed: false,
            publisher: Publisher {
                unique_name: "contoso".into(),
                names: label("Contoso Ltd", None),
                descriptions: LocalizedLabel::default(),
                prefix: "con".into(),
                option_value_prefix: None,
            },
        },
        apis,
        entity_sets: BTreeMap::from([("con_project".to_owned(), "con_projectset".to_owned())]),
    }
}

fn options() -> Options {
    Options {
        language: 1033,
        base_url: BaseUrl::parse("https://switchboard.example.com").unwrap(),
        respond_async: RespondAsync::None,
        security: Security::BearerToken,
    }
}

/// Every kind of API the sample solutions have: an action with one parameter of each type,
/// a function with a required and an optional parameter, bound ones, a private one.
fn sample() -> Definitions {
    let action = api("con_Echo", Binding::Global, false, |d| {
        d.request_parameters = FieldType::ALL
            .iter()
            .map(|t| {
                item(
                    &format!("{}Parameter", t.label()),
                    *t,
                    *t != FieldType::String,
                )
            })
            .collect();
        d.response_properties = FieldType::ALL
            .iter()
            .map(|t| item(&format!("{}Property", t.label()), *t, false))
            .collect();
    });
    let function = api("con_Greet", Binding::Global, true, |d| {
        d.request_parameters = vec![
            item("Name", FieldType::String, false),
            item("Formal", FieldType::Boolean, true),
        ];
        d.response_properties = vec![item("Greeting", FieldType::String, false)];
    });
    let on_record = api(
        "con_Close",
        Binding::Entity(table("con_project")),
        false,
        |d| {
            d.request_parameters = vec![item("Reason", FieldType::String, true)];
        },
    );
    let on_set = api(
        "con_Count",
        Binding::EntityCollection(table("account")),
        true,
        |d| {
            d.response_properties = vec![item("Count", FieldType::Integer, false)];
        },
    );
    let record_function = api("con_Peek", Binding::Entity(table("account")), true, |d| {
        d.response_properties = vec![item("Row", FieldType::Entity, false)];
    });
    let private = api("con_Secret", Binding::Global, false, |d| {
        d.is_private = true
    });
    // A function without a response property cannot be called: not an operation either.
    let uncallable = api("con_Nothing", Binding::Global, true, |_| {});
    definitions(vec![
        action,
        function,
        on_record,
        on_set,
        record_function,
        private,
        uncallable,
    ])
}

/// The one operation under `path`.
fn operation<'a>(doc: &'a Value, path: &str) -> &'a Value {
    let item = doc["paths"]
        .get(path)
        .unwrap_or_else(|| panic!("no path {path} in {:#}", doc["paths"]));
    item.as_object().unwrap().values().next().unwrap()
}

fn parameter<'a>(op: &'a Value, name: &str) -> &'a Value {
    op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no parameter {name} in {op:#}"))
}

#[test]
fn one_operation_per_public_callable_api_at_the_routers_paths() {
    let doc = swagger(&sample(), &options()).unwrap();
    let mut paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            "/accounts({id})/Microsoft.Dynamics.CRM.con_Peek()",
            "/accounts/Microsoft.Dynamics.CRM.con_Count()",
            "/con_Echo",
            "/con_Greet(Name=@Name,Formal=@Formal)",
            "/con_projectset({id})/Microsoft.Dynamics.CRM.con_Close",
        ]
    );
    assert!(
        doc["paths"].get("/con_Secret").is_none(),
        "private APIs are left out"
    );
    let greet = operation(&doc, "/con_Greet(Name=@Name,Formal=@Formal)");
    assert_eq!(greet["operationId"], "con_Greet");
    assert!(
        doc["paths"]["/con_Echo"].get("post").is_some(),
        "actions are POSTs"
    );
    assert!(
        doc["paths"]["/con_Greet(Name=@Name,Formal=@Formal)"]
            .get("get")
            .is_some(),
        "functions are GETs"
    );
    assert_eq!(doc["host"], "switchboard.example.com");
    assert_eq!(doc["basePath"], "/api/data/v9.2");
    assert_eq!(doc["schemes"], json!(["https"]));
    assert_eq!(doc["swagger"], "2.0");
}

#[test]
fn function_parameters_are_query_aliases_described_as_odata_literals() {
    let doc = swagger(&sample(), &options()).unwrap();
    let greet = operation(&doc, "/con_Greet(Name=@Name,Formal=@Formal)");
    let name = parameter(greet, "@Name");
    assert_eq!(name["in"], "query");
    assert_eq!(name["type"], "string");
    assert_eq!(name["required"], true);
    assert_eq!(name["x-ms-visibility"], "important");
    assert_eq!(name["x-ms-summary"], "Name label");
    let description = name["description"].as_str().unwrap();
    assert!(
        description.starts_with("Name description.") && description.contains("'Contoso'"),
        "the label, then the quoted form: {description}"
    );
    let formal = parameter(greet, "@Formal");
    assert_eq!(formal["type"], "boolean");
    assert_eq!(formal["required"], false);
    assert_eq!(formal["x-ms-visibility"], "advanced");
    assert!(
        formal["description"]
            .as_str()
            .unwrap()
            .contains("true or false")
    );
    assert!(greet.get("consumes").is_none() && greet["parameters"].as_array().unwrap().len() == 2);
}

#[test]
fn action_parameters_are_a_body_with_visibility_and_summaries() {
    let doc = swagger(&sample(), &options()).unwrap();
    let echo = operation(&doc, "/con_Echo");
    let body = parameter(echo, "body");
    assert_eq!(body["in"], "body");
    assert_eq!(body["required"], true, "one parameter is required");
    let schema = &body["schema"];
    assert_eq!(schema["required"], json!(["StringParameter"]));
    let string = &schema["properties"]["StringParameter"];
    assert_eq!(string["type"], "string");
    assert_eq!(string["x-ms-visibility"], "important");
    assert_eq!(string["x-ms-summary"], "StringParameter label");
    assert_eq!(string["description"], "StringParameter description.");
    let money = &schema["properties"]["MoneyParameter"];
    assert_eq!(money["type"], "number");
    assert_eq!(money["x-ms-visibility"], "advanced");
    for (name, t) in [
        ("EntityParameter", "object"),
        ("EntityReferenceParameter", "object"),
        ("EntityCollectionParameter", "array"),
        ("DecimalParameter", "number"),
        ("StringArrayParameter", "array"),
        ("PicklistParameter", "integer"),
    ] {
        assert_eq!(schema["properties"][name]["type"], t, "{name}");
    }
    // Thirteen response properties: an object of them, each with a summary.
    let ok = &echo["responses"]["200"]["schema"];
    assert_eq!(ok["properties"].as_object().unwrap().len(), 13);
    for (name, property) in ok["properties"].as_object().unwrap() {
        assert_eq!(property["x-ms-summary"], format!("{name} label"));
        assert!(
            property.get("x-ms-visibility").is_none(),
            "outputs are not inputs"
        );
    }
    assert_eq!(
        echo["responses"]["default"]["schema"]["$ref"],
        "#/definitions/Error"
    );
    assert_eq!(
        doc["definitions"]["Error"]["properties"]["error"]["properties"]["code"]["type"],
        "string"
    );
}

#[test]
fn responses_follow_the_servers_return_shapes() {
    let doc = swagger(&sample(), &options()).unwrap();
    let close = operation(
        &doc,
        "/con_projectset({id})/Microsoft.Dynamics.CRM.con_Close",
    );
    assert!(
        close["responses"].get("204").is_some(),
        "no response property"
    );
    assert!(close["responses"].get("200").is_none());
    let body = parameter(close, "body");
    assert_eq!(body["required"], false, "only an optional parameter");
    let peek = operation(&doc, "/accounts({id})/Microsoft.Dynamics.CRM.con_Peek()");
    let row = &peek["responses"]["200"]["schema"];
    assert_eq!(row["type"], "object", "a single Entity is the body itself");
    assert_eq!(row["x-ms-summary"], "Row label");
}

#[test]
fn record_bound_apis_take_the_record_id_in_the_path() {
    let doc = swagger(&sample(), &options()).unwrap();
    let close = operation(
        &doc,
        "/con_projectset({id})/Microsoft.Dynamics.CRM.con_Close",
    );
    let id = parameter(close, "id");
    assert_eq!(id["in"], "path");
    assert_eq!(id["required"], true);
    assert_eq!(id["format"], "uuid");
    assert_eq!(id["x-ms-summary"], "con_project ID");
    let count = operation(&doc, "/accounts/Microsoft.Dynamics.CRM.con_Count()");
    assert!(count["parameters"].as_array().unwrap().is_empty());
}

#[test]
fn labels_come_in_the_chosen_language_with_the_base_language_as_fallback() {
    let german = Options {
        language: 1031,
        ..options()
    };
    let doc = swagger(&sample(), &german).unwrap();
    let greet = operation(&doc, "/con_Greet(Name=@Name,Formal=@Formal)");
    assert_eq!(greet["summary"], "con_Greet Anzeige");
    assert_eq!(
        greet["description"], "What con_Greet does.",
        "no German description: English"
    );
    assert_eq!(parameter(greet, "@Name")["x-ms-summary"], "Name Etikett");
    let literal = parameter(greet, "@Name")["description"].as_str().unwrap();
    assert!(
        literal.contains("OData-Literal"),
        "sentences in German: {literal}"
    );
    assert_eq!(doc["info"]["title"], "Contoso-Werkzeuge");
    // A language no label and no translation has: base-language labels, English sentences.
    let swedish = Options {
        language: 1053,
        ..options()
    };
    let doc = swagger(&sample(), &swedish).unwrap();
    let greet = operation(&doc, "/con_Greet(Name=@Name,Formal=@Formal)");
    assert_eq!(greet["summary"], "con_Greet display");
    assert!(
        parameter(greet, "@Name")["description"]
            .as_str()
            .unwrap()
            .contains("Write it as an OData literal")
    );
}

#[test]
fn the_title_leaves_out_api_and_connector() {
    let doc = swagger(&sample(), &options()).unwrap();
    assert_eq!(doc["info"]["title"], "Contoso Custom Tools");
    assert_eq!(doc["info"]["version"], "1.2.0.0");
    assert_eq!(
        doc["info"]["description"],
        "Tools for Contoso's integrations, as custom APIs."
    );
    let mut bare = sample();
    bare.solution.names = LocalizedLabel::default();
    bare.solution.descriptions = LocalizedLabel::default();
    let doc = swagger(&bare, &options()).unwrap();
    assert_eq!(doc["info"]["title"], "ContosoTools", "the unique name");
    assert!(
        doc["info"]["description"]
            .as_str()
            .unwrap()
            .contains("ContosoTools")
    );
}

#[test]
fn respond_async_gives_the_chosen_actions_an_internal_prefer_header() {
    let chosen = Options {
        respond_async: RespondAsync::parse("con_echo"),
        ..options()
    };
    let doc = swagger(&sample(), &chosen).unwrap();
    let echo = operation(&doc, "/con_Echo");
    let prefer = parameter(echo, "Prefer");
    assert_eq!(prefer["in"], "header");
    assert_eq!(prefer["x-ms-visibility"], "internal");
    assert_eq!(prefer["required"], true);
    assert_eq!(prefer["default"], "respond-async");
    assert!(
        echo["responses"]["202"]["headers"]
            .get("Location")
            .is_some()
    );
    let close = operation(
        &doc,
        "/con_projectset({id})/Microsoft.Dynamics.CRM.con_Close",
    );
    assert!(
        close["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["name"] != "Prefer"),
        "only the chosen ones"
    );

    let all = Options {
        respond_async: RespondAsync::parse("all"),
        ..options()
    };
    let doc = swagger(&sample(), &all).unwrap();
    parameter(
        operation(
            &doc,
            "/con_projectset({id})/Microsoft.Dynamics.CRM.con_Close",
        ),
        "Prefer",
    );
    let greet = operation(&doc, "/con_Greet(Name=@Name,Formal=@Formal)");
    assert!(
        greet["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["name"] != "Prefer"),
        "functions are not actions"
    );

    for unknown in ["con_Missing", "con_Greet", "con_Secret"] {
        let bad = Options {
            respond_async: RespondAsync::parse(&format!("con_Echo,{unknown}")),
            ..options()
        };
        let e = swagger(&sample(), &bad).unwrap_err();
        assert_eq!(e.id, MessageId::ConnectorRespondAsyncUnknown);
        assert_eq!(e.get("name"), Some(unknown));
    }
    assert_eq!(RespondAsync::parse(" "), RespondAsync::None);
}

#[test]
fn operation_ids_stay_unique_ignoring_case() {
    let mut definitions = sample();
    // Two databases may hold names that differ in case only; one export must not repeat ids.
    let collection = Binding::EntityCollection(table("account"));
    definitions
        .apis
        .push(api("con_echo", collection, false, |_| {}));
    let doc = swagger(&definitions, &options()).unwrap();
    let ids: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|op| op["operationId"].as_str().unwrap().to_ascii_lowercase())
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "{ids:?}");
    assert!(ids.contains(&"con_echo_2".to_owned()), "{ids:?}");
}

#[test]
fn bearer_tokens_are_an_api_key_and_oauth_an_access_code_flow() {
    let doc = swagger(&sample(), &options()).unwrap();
    assert_eq!(
        doc["securityDefinitions"]["api_key"],
        json!({ "type": "apiKey", "in": "header", "name": "Authorization" })
    );
    assert_eq!(doc["security"], json!([{ "api_key": [] }]));
    let properties = api_properties(&sample(), &options());
    let key = &properties["properties"]["connectionParameters"]["api_key"];
    assert_eq!(key["type"], "securestring");
    assert_eq!(properties["properties"]["publisher"], "Contoso Ltd");

    let oauth = Options {
        security: Security::OAuth2 {
            authorization_url: "https://login.example.com/authorize".into(),
            token_url: "https://login.example.com/token".into(),
        },
        ..options()
    };
    let doc = swagger(&sample(), &oauth).unwrap();
    let scheme = &doc["securityDefinitions"]["oauth2_auth"];
    assert_eq!(scheme["flow"], "accessCode");
    assert_eq!(scheme["tokenUrl"], "https://login.example.com/token");
    let properties = api_properties(&sample(), &oauth);
    let token = &properties["properties"]["connectionParameters"]["token"];
    assert_eq!(token["type"], "oauthSetting");
    assert_eq!(
        token["oAuthSettings"]["customParameters"]["authorizationUrl"]["value"],
        "https://login.example.com/authorize"
    );
    let openapi = openapi3(&sample(), &oauth).unwrap();
    assert_eq!(
        openapi["components"]["securitySchemes"]["bearer"]["flows"]["authorizationCode"]["tokenUrl"],
        "https://login.example.com/token"
    );
}

#[test]
fn the_openapi_document_has_the_same_operations() {
    let swagger = swagger(&sample(), &options()).unwrap();
    let openapi = openapi3(&sample(), &options()).unwrap();
    assert_eq!(openapi["openapi"], "3.0.3");
    assert_eq!(
        openapi["servers"][0]["url"],
        "https://switchboard.example.com/api/data/v9.2"
    );
    let ids = |doc: &Value| -> Vec<(String, String)> {
        doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .unwrap()
                    .values()
                    .map(move |op| (path.clone(), op["operationId"].to_string()))
            })
            .collect()
    };
    assert_eq!(ids(&swagger), ids(&openapi));
    let echo = operation(&openapi, "/con_Echo");
    assert_eq!(
        echo["requestBody"]["content"]["application/json"]["schema"]["properties"]["MoneyParameter"]
            ["type"],
        "number"
    );
    let greet = operation(&openapi, "/con_Greet(Name=@Name,Formal=@Formal)");
    assert_eq!(parameter(greet, "@Formal")["schema"]["type"], "boolean");
    assert_eq!(
        openapi["components"]["securitySchemes"]["bearer"],
        json!({ "type": "http", "scheme": "bearer" })
    );
}

#[test]
fn files_are_indented_json_under_a_megabyte() {
    let doc = swagger(&sample(), &options()).unwrap();
    let bytes = to_file(&doc).unwrap();
    assert!(bytes.starts_with(b"{\n"));
    let huge = json!({ "x": "y".repeat(crate::MAX_DEFINITION_BYTES) });
    assert_eq!(to_file(&huge).unwrap_err().id, MessageId::ConnectorTooLarge);
}
