//! Localized labels: RetrieveLocLabels and SetLocLabels in Dataverse's shapes, and
//! definitions read in the caller's language with fallback to the base language.

use serde_json::json;

use crate::support::*;

async fn api_id(s: &Served, name: &str) -> String {
    let r = get(&s.url(&format!(
        "customapis?$select=uniquename&$filter=uniquename eq '{name}'"
    )))
    .await;
    r.json["value"][0]["customapiid"]
        .as_str()
        .expect("API listed")
        .to_owned()
}

fn languages(r: &Reply) -> Vec<(i64, String)> {
    let mut out: Vec<(i64, String)> = r.json["Label"]["LocalizedLabels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["LanguageCode"].as_i64().unwrap(),
                l["Label"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn retrieve_and_set_localized_labels() {
    let s = serve_sample();
    let id = api_id(&s, "sb_Echo").await;
    let retrieve = format!(
        "RetrieveLocLabels(EntityMoniker=@p1,AttributeName=@p2,IncludeUnpublished=@p3)?@p1={{'@odata.id':'customapis({id})'}}&@p2='displayname'&@p3=false"
    );
    let r = get(&s.url(&retrieve)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json["@odata.context"],
        format!(
            "{}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.RetrieveLocLabelsResponse",
            s.base
        )
    );
    assert_eq!(
        languages(&r),
        vec![
            (1031, "Echo".to_owned()),
            (1033, "Echo".to_owned()),
            (1041, "エコー".to_owned())
        ]
    );
    assert_eq!(r.json["Label"]["UserLocalizedLabel"]["LanguageCode"], 1033);
    assert_eq!(
        r.json["Label"]["LocalizedLabels"][0]["IsManaged"],
        serde_json::Value::Null
    );

    let set = post(
        &s.url("SetLocLabels"),
        json!({
            "EntityMoniker": {"@odata.type": "Microsoft.Dynamics.CRM.customapi", "customapiid": id},
            "AttributeName": "displayname",
            "Labels": [{"Label": "Écho", "LanguageCode": 1036}],
        }),
    )
    .await;
    assert_eq!(set.status, 204, "{}", set.text);
    let r = get(&s.url(&retrieve)).await;
    assert!(
        languages(&r).contains(&(1036, "Écho".to_owned())),
        "{:?}",
        languages(&r)
    );
    assert_eq!(languages(&r).len(), 4);

    // A French-speaking user now reads the French display name.
    assert!(
        run(
            &s.db.url,
            &["user", "add", "francois", "--language", "1036"]
        )
        .status
        .success()
    );
    let fr = create_token(&s.db.url, "francois", &[]);
    assert!(
        run(
            &s.db.url,
            &["role", "grant", "Basic User", "prvReadCustomAPI"]
        )
        .status
        .success()
    );
    assert!(
        run(&s.db.url, &["role", "assign", "francois", "Basic User"])
            .status
            .success()
    );
    let r = send(
        reqwest::Client::new()
            .get(s.url(&format!("customapis({id})?$select=displayname")))
            .bearer_auth(&fr),
    )
    .await;
    assert_eq!(r.json["displayname"], "Écho");
    let r = send(
        reqwest::Client::new()
            .get(s.url(&retrieve))
            .bearer_auth(&fr),
    )
    .await;
    assert_eq!(r.json["Label"]["UserLocalizedLabel"]["Label"], "Écho");

    // Errors: unknown record, non-localizable attribute, unknown language.
    let missing = retrieve.replace(&id, "00000000-0000-0000-0000-000000000001");
    get(&s.url(&missing)).await.error(404, "0x80040217");
    get(&s.url(&retrieve.replace("'displayname'", "'uniquename'")))
        .await
        .error(400, "0x80040203");
    post(
        &s.url("SetLocLabels"),
        json!({
            "EntityMoniker": {"@odata.type": "Microsoft.Dynamics.CRM.customapi", "customapiid": id},
            "AttributeName": "displayname",
            "Labels": [{"Label": "?", "LanguageCode": 9999}],
        }),
    )
    .await
    .error(400, "0x80040203");
}

#[tokio::test]
async fn definitions_in_the_users_language_with_fallback() {
    let s = serve_sample();
    assert!(
        run(&s.db.url, &["user", "add", "greta", "--language", "1031"])
            .status
            .success()
    );
    assert!(
        run(
            &s.db.url,
            &[
                "role",
                "grant",
                "Basic User",
                "prvReadCustomAPI",
                "prvReadCustomAPIRequestParameter"
            ]
        )
        .status
        .success()
    );
    assert!(
        run(&s.db.url, &["role", "assign", "greta", "Basic User"])
            .status
            .success()
    );
    let greta = create_token(&s.db.url, "greta", &[]);
    let client = reqwest::Client::new();
    let r = send(client.get(s.url("customapis?$select=uniquename,displayname&$filter=uniquename eq 'sb_ExportContacts'")).bearer_auth(&greta)).await;
    let english = get(&s.url(
        "customapis?$select=uniquename,displayname&$filter=uniquename eq 'sb_ExportContacts'",
    ))
    .await;
    assert_ne!(
        r.json["value"][0]["displayname"], english.json["value"][0]["displayname"],
        "German differs from English"
    );
    let id = api_id(&s, "sb_Greet").await;
    let params = send(
        client
            .get(s.url(&format!("customapirequestparameters?$select=uniquename,displayname&$filter=_customapiid_value eq {id}&$orderby=uniquename")))
            .bearer_auth(&greta),
    )
    .await;
    assert_eq!(params.status, 200, "{}", params.text);
    // Name has no German display name: the base language (1033) is used.
    assert_eq!(params.json["value"][1]["uniquename"], "Name");
    assert_eq!(params.json["value"][1]["displayname"], "Name");
    assert_eq!(params.json["value"][0]["uniquename"], "Formal");
    let formal_en = get(&s.url(&format!("customapirequestparameters?$select=displayname&$filter=_customapiid_value eq {id} and uniquename eq 'Formal'"))).await;
    assert_ne!(
        params.json["value"][0]["displayname"],
        formal_en.json["value"][0]["displayname"]
    );
}

#[tokio::test]
async fn metadata_describes_operations_in_the_callers_language() {
    let s = serve_sample();
    let english = get(&s.url("$metadata")).await.text;
    assert!(english.contains(r#"<edmx:Include Namespace="Org.OData.Core.V1" Alias="Core"/>"#));
    let echo = english.split(r#"<Action Name="sb_Echo">"#).nth(1).unwrap();
    let first = echo.lines().nth(1).unwrap().trim();
    assert!(
        first.starts_with(r#"<Annotation Term="Org.OData.Core.V1.Description" String=""#),
        "{first}"
    );

    assert!(
        run(&s.db.url, &["user", "add", "kenji", "--language", "1041"])
            .status
            .success()
    );
    let kenji = create_token(&s.db.url, "kenji", &[]);
    let japanese = send(
        reqwest::Client::new()
            .get(s.url("$metadata"))
            .bearer_auth(&kenji),
    )
    .await
    .text;
    assert_ne!(japanese, english);
    let echo_ja = japanese
        .split(r#"<Action Name="sb_Echo">"#)
        .nth(1)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    assert!(
        echo_ja
            .chars()
            .any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)
                || ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{echo_ja}"
    );
}

#[tokio::test]
async fn the_ui_language_is_settable_from_the_cli_and_the_web_api() {
    let s = serve_sample();
    assert!(run(&s.db.url, &["user", "add", "hana"]).status.success());
    let hana = create_token(&s.db.url, "hana", &[]);
    let client = reqwest::Client::new();
    let message = || async {
        send(client.get(s.url("Account")).bearer_auth(&hana))
            .await
            .error(404, "0x8006088a")
    };
    assert_eq!(
        message().await,
        "Resource not found for the segment 'Account'."
    );
    assert!(
        run(&s.db.url, &["user", "language", "hana", "1041"])
            .status
            .success()
    );
    // Set by another process (the CLI): applied within the bound.
    let deadline = std::time::Instant::now() + CHANGE_BOUND;
    while message().await != "セグメント 'Account' のリソースが見つかりません。"
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the language set by the CLI was not applied within {CHANGE_BOUND:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }

    // Over the Web API, a user may change their own language.
    let who = send(client.get(s.url("WhoAmI")).bearer_auth(&hana)).await;
    let id = who.json["UserId"].as_str().unwrap().to_owned();
    let r = send(
        client
            .patch(s.url(&format!("systemusers({id})")))
            .bearer_auth(&hana)
            .json(&serde_json::json!({"uilanguageid": 1031})),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        message().await,
        "Ressource für das Segment 'Account' nicht gefunden."
    );
    // ... but not someone else's, and only to a known language.
    let admin = "5b0c2f6e-1d4a-4e8b-9a37-c1d2e3f4a503";
    send(
        client
            .patch(s.url(&format!("systemusers({admin})")))
            .bearer_auth(&hana)
            .json(&serde_json::json!({"uilanguageid": 1031})),
    )
    .await
    .error(403, "0x80040220");
    send(
        client
            .patch(s.url(&format!("systemusers({id})")))
            .bearer_auth(&hana)
            .json(&serde_json::json!({"uilanguageid": 4242})),
    )
    .await
    .error(400, "0x80040203");
    send(
        client
            .patch(s.url(&format!("systemusers({id})")))
            .bearer_auth(&hana)
            .json(&serde_json::json!({"fullname": "x"})),
    )
    .await
    .error(400, "0x80060888");
}
