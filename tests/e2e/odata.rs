//! The Web API over real HTTP: service document, `$metadata`, every binding type,
//! functions with aliases and inline literals, actions with bodies, all 13 types.

use serde_json::json;

use crate::support::*;

const ACCOUNT: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
const USER: &str = "11111111-2222-3333-4444-555555555555";

#[tokio::test]
async fn service_document_and_metadata() {
    let s = serve_sample();
    let doc = get(&s.url("")).await;
    assert_eq!(doc.status, 200);
    assert_eq!(
        doc.json["@odata.context"],
        format!("{}/api/data/v9.2/$metadata", s.base)
    );
    let sets: Vec<&str> = doc.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    for set in [
        "accounts",
        "contacts",
        "systemusers",
        "customapis",
        "customapirequestparameters",
        "sdkmessageprocessingsteps",
    ] {
        assert!(sets.contains(&set), "{set} in {sets:?}");
    }
    assert_eq!(doc.json["value"][0]["kind"], "EntitySet");

    let md = get(&s.url("$metadata")).await;
    assert_eq!(md.status, 200);
    assert_eq!(md.headers["content-type"], "application/xml");
    let x = &md.text;
    assert!(x.contains(r#"<edmx:Edmx Version="4.0""#));
    assert!(x.contains(r#"<Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm""#));
    assert!(x.contains(r#"<EntityContainer Name="System">"#));
    assert!(x.contains(r#"<EntityType Name="crmbaseentity" Abstract="true"/>"#));
    assert!(
        x.contains(r#"<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account"/>"#)
    );
    assert!(x.contains(r#"<Action Name="sb_Echo">"#));
    assert!(
        x.contains(r#"<ActionImport Name="sb_Echo" Action="Microsoft.Dynamics.CRM.sb_Echo"/>"#)
    );
    assert!(x.contains(
        r#"<FunctionImport Name="sb_Greet" Function="Microsoft.Dynamics.CRM.sb_Greet"/>"#
    ));
    assert!(x.contains(r#"<ComplexType Name="sb_EchoResponse">"#));
    assert!(
        !x.contains("sb_RecalculateTotals"),
        "private APIs are left out"
    );
    assert!(
        !x.contains(r#"Type="mscrm."#) && !x.contains("(mscrm."),
        "full type names only"
    );
    // Bound operations: binding parameter first, no import.
    let bound = x
        .split(r#"<Function Name="sb_AccountSummary" IsBound="true">"#)
        .nth(1)
        .expect("bound function");
    // The first parameter (after the description annotation) is the binding parameter.
    let first_param = bound
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("<Parameter"))
        .unwrap();
    assert_eq!(
        first_param,
        r#"<Parameter Name="entity" Type="Microsoft.Dynamics.CRM.account" Nullable="false"/>"#
    );
    assert!(x.contains(r#"<Parameter Name="entityset" Type="Collection(Microsoft.Dynamics.CRM.contact)" Nullable="false"/>"#));
    assert!(!x.contains(r#"FunctionImport Name="sb_AccountSummary""#));
    // Return types by Dataverse's rules.
    assert!(
        x.contains(r#"<ReturnType Type="Microsoft.Dynamics.CRM.contact" Nullable="false"/>"#),
        "single Entity property"
    );
    assert!(
        x.contains(
            r#"<ReturnType Type="Collection(Microsoft.Dynamics.CRM.expando)" Nullable="false"/>"#
        ),
        "single EntityCollection"
    );
    assert!(x.contains(
        r#"<ReturnType Type="Microsoft.Dynamics.CRM.sb_GreetResponse" Nullable="false"/>"#
    ));
    let log = x
        .split(r#"<Action Name="sb_LogActivity">"#)
        .nth(1)
        .unwrap()
        .split("</Action>")
        .next()
        .unwrap();
    assert!(
        !log.contains("ReturnType"),
        "an action without response properties returns nothing"
    );
    // Required parameters are not nullable; optional ones are.
    // (Each carries its description annotation, so the element is not empty.)
    assert!(
        x.contains(r#"<Parameter Name="Name" Type="Edm.String" Nullable="false" Unicode="false">"#)
    );
    assert!(x.contains(r#"<Parameter Name="Formal" Type="Edm.Boolean">"#));

    for version in ["v9.0", "v9.1"] {
        assert_eq!(
            get(&format!("{}/api/data/{version}/$metadata", s.base))
                .await
                .status,
            200
        );
    }
    get(&format!("{}/api/data/v8.2/$metadata", s.base))
        .await
        .error(404, "0x8006088a");
}

#[tokio::test]
async fn who_am_i() {
    let s = serve_sample();
    for path in ["WhoAmI", "WhoAmI()"] {
        let r = get(&s.url(path)).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(
            r.json["@odata.context"],
            format!(
                "{}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
                s.base
            )
        );
        for key in ["UserId", "BusinessUnitId", "OrganizationId"] {
            assert!(
                uuid::Uuid::parse_str(r.json[key].as_str().unwrap()).is_ok(),
                "{key}"
            );
        }
    }
}

#[tokio::test]
async fn unbound_function_with_aliases_and_inline_literals() {
    let s = serve_sample();
    let context = format!(
        "{}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.sb_GreetResponse",
        s.base
    );
    for path in [
        "sb_Greet(Name=@n,Formal=@f)?@n='Ada%20Lovelace'&@f=true",
        "sb_Greet(Name=@n)?@n=%27it%27%27s%27",
        "sb_Greet(Name='Ada',Formal=false)",
        "sb_Greet(Name=@n)?@n='a+b'",
    ] {
        let r = get(&s.url(path)).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert_eq!(
            r.json,
            json!({ "@odata.context": context, "Greeting": null }),
            "{path}"
        );
        assert_eq!(
            r.headers["content-type"],
            "application/json; odata.metadata=minimal"
        );
        assert_eq!(r.headers["odata-version"], "4.0");
    }
}

#[tokio::test]
async fn action_with_every_type_in_and_defaults_out() {
    let s = serve_sample();
    let body = json!({
        "BooleanParameter": true,
        "DateTimeParameter": "2024-05-01T10:00:00Z",
        "DecimalParameter": 12.5,
        "EntityParameter": {"@odata.type": "Microsoft.Dynamics.CRM.contact", "contactid": ACCOUNT, "firstname": "Ada"},
        "EntityCollectionParameter": [{"@odata.type": "Microsoft.Dynamics.CRM.contact", "firstname": "Ada"}],
        "EntityReferenceParameter": {"@odata.id": format!("accounts({ACCOUNT})")},
        "FloatParameter": 1.5,
        "IntegerParameter": 42,
        "MoneyParameter": 99.95,
        "PicklistParameter": 100000000,
        "StringParameter": "hello",
        "StringArrayParameter": ["a", "b"],
        "GuidParameter": ACCOUNT,
    });
    let r = post(&s.url("sb_Echo"), body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json,
        json!({
            "@odata.context": format!("{}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.sb_EchoResponse", s.base),
            "BooleanProperty": false,
            "DateTimeProperty": "0001-01-01T00:00:00Z",
            "DecimalProperty": 0,
            "EntityCollectionProperty": null,
            "EntityProperty": null,
            "EntityReferenceProperty": null,
            "FloatProperty": 0.0,
            "GuidProperty": "00000000-0000-0000-0000-000000000000",
            "IntegerProperty": 0,
            "MoneyProperty": null,
            "PicklistProperty": null,
            "StringArrayProperty": null,
            "StringProperty": null,
        })
    );
    // EntityReference by @odata.type and key works as well as by @odata.id.
    let r = post(
        &s.url("sb_Echo"),
        json!({"StringParameter": "x", "EntityReferenceParameter": {"@odata.type": "Microsoft.Dynamics.CRM.account", "accountid": ACCOUNT}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A type $metadata does not declare is refused, naming it.
    let m = post(
        &s.url("sb_Echo"),
        json!({"StringParameter": "x", "EntityReferenceParameter": {"@odata.type": "Microsoft.Dynamics.CRM.nope", "nopeid": ACCOUNT}}),
    )
    .await
    .error(400, "0x80048d19");
    assert!(m.contains("Microsoft.Dynamics.CRM.nope"), "{m}");
}

#[tokio::test]
async fn action_without_response_properties_answers_204() {
    let s = serve_sample();
    let r = post(
        &s.url("sb_LogActivity"),
        json!({"Subject": "Call", "DurationMinutes": 5, "Cost": 10.5, "Priority": 1}),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(r.text, "");
    assert_eq!(r.headers["odata-version"], "4.0");
}

#[tokio::test]
async fn bound_to_a_record() {
    let s = serve_sample();
    for prefix in ["Microsoft.Dynamics.CRM", "mscrm"] {
        let r = post(
            &s.url(&format!("accounts({ACCOUNT})/{prefix}.sb_TransferOwnership")),
            json!({"NewOwner": {"@odata.type": "Microsoft.Dynamics.CRM.systemuser", "systemuserid": USER}}),
        )
        .await;
        assert_eq!(r.status, 200, "{prefix}: {}", r.text);
        assert_eq!(r.json["Succeeded"], false);
        assert_eq!(r.json["PreviousOwner"], serde_json::Value::Null);
    }
    for path in [
        format!("accounts({ACCOUNT})/Microsoft.Dynamics.CRM.sb_AccountSummary"),
        format!("accounts({ACCOUNT})/Microsoft.Dynamics.CRM.sb_AccountSummary()"),
        format!(
            "accounts({ACCOUNT})/Microsoft.Dynamics.CRM.sb_AccountSummary(AsOf=@d)?@d=2024-01-01T00:00:00Z"
        ),
    ] {
        let r = get(&s.url(&path)).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert_eq!(r.json["ContactCount"], 0);
        assert_eq!(r.json["LastActivity"], "0001-01-01T00:00:00Z");
        assert_eq!(r.json["Score"], 0.0);
        assert_eq!(r.json["Tags"], serde_json::Value::Null);
    }
    // The record comes from the URL, never from a parameter.
    let r = post(
        &s.url(&format!("accounts({ACCOUNT})/Microsoft.Dynamics.CRM.sb_TransferOwnership")),
        json!({"Target": {"@odata.id": format!("accounts({ACCOUNT})")}, "NewOwner": {"@odata.id": format!("systemusers({USER})")}}),
    )
    .await;
    r.error(400, "0x80048d19");
}

#[tokio::test]
async fn bound_to_a_collection() {
    let s = serve_sample();
    let r = post(
        &s.url("contacts/Microsoft.Dynamics.CRM.sb_ExportContacts"),
        json!({"MaxCount": 10}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json,
        json!({
            "@odata.context": format!("{}/api/data/v9.2/$metadata#Collection(Microsoft.Dynamics.CRM.expando)", s.base),
            "value": [],
        })
    );
    // Bound to contacts, not accounts, and not to a record.
    get(&s.url("accounts/Microsoft.Dynamics.CRM.sb_ExportContacts"))
        .await
        .error(404, "0x8006088a");
    post(
        &s.url(&format!(
            "contacts({ACCOUNT})/Microsoft.Dynamics.CRM.sb_ExportContacts"
        )),
        json!({}),
    )
    .await
    .error(404, "0x8006088a");
}

#[tokio::test]
async fn single_entity_response_and_private_api() {
    let s = serve_sample();
    let r = get(&s.url(&format!("sb_LookupContact(ContactId={ACCOUNT})"))).await;
    assert_eq!(r.status, 204, "a null record is no content: {}", r.text);
    let r = post(
        &s.url("sb_RecalculateTotals"),
        json!({"OrderId": ACCOUNT, "Factor": 1.1}),
    )
    .await;
    assert_eq!(r.status, 200, "private APIs stay callable: {}", r.text);
    assert_eq!(r.json["Total"], 0);
}

#[tokio::test]
async fn prefer_include_annotations_is_honoured() {
    let s = serve_sample();
    let r = send(
        reqwest::Client::new()
            .get(s.url("WhoAmI"))
            .header("Prefer", "odata.include-annotations=\"*\""),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.headers["preference-applied"],
        "odata.include-annotations=\"*\""
    );
    let r = send(
        reqwest::Client::new()
            .get(s.url("WhoAmI"))
            .header("OData-Version", "4.0")
            .header("OData-MaxVersion", "4.0"),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn newly_imported_definitions_are_served_without_restart() {
    let s = serve_sample();
    get(&s.url("driv_DateInfo")).await.error(404, "0x8006088a");
    let Some(shared) = shared("newly_imported_definitions_are_served_without_restart") else {
        return;
    };
    import_ok(
        &s.db.url,
        &[&shared.join("corpus/drivardxrm__Dataverse-CustomApis/Solution")],
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let r = post(
            &s.url("driv_DateInfo"),
            json!({"Date": "2024-02-29T00:00:00Z"}),
        )
        .await;
        if r.status == 200 {
            assert_eq!(r.json["IsLeapYear"], false, "defaults until a plug-in runs");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "registry not refreshed: {}",
            r.text
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
