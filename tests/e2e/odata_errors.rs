//! Every error case of the Web API, with Dataverse's status and code; never a 500 for
//! bad input.

use serde_json::json;

use crate::support::*;

const ID: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";

#[tokio::test]
async fn unknown_segments_and_wrong_namespaces() {
    let s = serve_sample();
    let m = get(&s.url("Account")).await.error(404, "0x8006088a");
    assert_eq!(m, "Resource not found for the segment 'Account'.");
    // Names are case-sensitive.
    get(&s.url("sb_greet(Name='x')"))
        .await
        .error(404, "0x8006088a");
    // Unbound operations are not called with the namespace ...
    post(
        &s.url("Microsoft.Dynamics.CRM.sb_Echo"),
        json!({"StringParameter": "x"}),
    )
    .await
    .error(404, "0x8006088a");
    // ... and bound ones must be.
    let m = post(
        &s.url(&format!("accounts({ID})/sb_TransferOwnership")),
        json!({}),
    )
    .await
    .error(400, "0x8006088a");
    assert!(
        m.starts_with("Request message has unresolved parameters."),
        "{m}"
    );
    get(&s.url("contacts/sb_ExportContacts"))
        .await
        .error(400, "0x8006088a");
    // An unbound operation called as if bound, a bound one called unbound.
    post(&s.url("accounts/Microsoft.Dynamics.CRM.sb_Echo"), json!({}))
        .await
        .error(404, "0x8006088a");
    get(&s.url("sb_AccountSummary()"))
        .await
        .error(404, "0x8006088a");
    get(&s.url("nosuchset/Microsoft.Dynamics.CRM.sb_Echo"))
        .await
        .error(404, "0x8006088a");
    get(&s.url("sb_Greet(Name='x')/more/segments"))
        .await
        .error(404, "0x8006088a");
}

#[tokio::test]
async fn function_without_response_property_is_not_found() {
    let (_dir, root) = sample_copy();
    let api = root.join("customapis/sb_Nothing");
    std::fs::create_dir_all(&api).unwrap();
    std::fs::write(
        api.join("customapi.xml"),
        "<customapi uniquename=\"sb_Nothing\">\n  <allowedcustomprocessingsteptype>0</allowedcustomprocessingsteptype>\n  <bindingtype>0</bindingtype>\n  <displayname default=\"Nothing\">\n    <label description=\"Nothing\" languagecode=\"1033\" />\n  </displayname>\n  <iscustomizable>1</iscustomizable>\n  <isfunction>1</isfunction>\n  <isprivate>0</isprivate>\n  <name>sb_Nothing</name>\n  <workflowsdkstepenabled>0</workflowsdkstepenabled>\n</customapi>",
    )
    .unwrap();
    let s = serve(&[&root]);
    for path in ["sb_Nothing()", "sb_Nothing"] {
        let m = get(&s.url(path)).await.error(404, "0x8006088a");
        assert_eq!(m, "Resource not found for the segment 'sb_Nothing'.");
    }
    assert!(!get(&s.url("$metadata")).await.text.contains("sb_Nothing"));
}

#[tokio::test]
async fn wrong_http_methods() {
    let s = serve_sample();
    let m = post(&s.url("sb_Greet(Name='x')"), json!({}))
        .await
        .error(404, "");
    assert!(
        m.starts_with("No HTTP resource was found that matches the request URI"),
        "{m}"
    );
    get(&s.url("sb_Echo")).await.error(404, "");
    post(&s.url("WhoAmI"), json!({})).await.error(404, "");
    post(&s.url("$metadata"), json!({})).await.error(404, "");
    let r = send(reqwest::Client::new().delete(s.url("sb_Echo"))).await;
    r.error(404, "");
}

#[tokio::test]
async fn url_longer_than_32768_characters() {
    let s = serve_sample();
    let long = "a".repeat(33_000);
    let m = get(&s.url(&format!("sb_Greet(Name=@n)?@n='{long}'")))
        .await
        .error(400, "0x80060888");
    assert!(m.contains("32768"), "{m}");
    // Just under the limit is fine.
    let fits = "b".repeat(32_000);
    assert_eq!(
        get(&s.url(&format!("sb_Greet(Name=@n)?@n='{fits}'")))
            .await
            .status,
        200
    );
}

/// The URL limit is the server's, checked before routing and authentication: a 40,000-character
/// query gets the error JSON on every path, without a token too, over HTTP/1.1 and HTTP/2
/// (h2c), where hyper's or h2's own limits answered a bare status or a 401 came first.
#[tokio::test]
async fn url_limit_answers_the_error_json_before_authentication_on_every_path() {
    let s = serve(&[]);
    let long = "a".repeat(40_000);
    let anonymous = |url: String| send(reqwest::Client::new().get(url).bearer_auth("nope"));
    for url in [
        s.url(&format!("WhoAmI()?x={long}")),
        format!("{}/health?x={long}", s.base),
        format!("{}/elsewhere?x={long}", s.base),
    ] {
        let m = anonymous(url).await.error(400, "0x80060888");
        assert!(m.contains("32768"), "{m}");
    }
    // Under the limit the length is no reason to refuse: the token is.
    let fits = "b".repeat(30_000);
    anonymous(s.url(&format!("WhoAmI()?x={fits}")))
        .await
        .error(401, "0x80040220");
    assert_eq!(
        get(&format!("{}/health?x={fits}", s.base)).await.status,
        200
    );
    // HTTP/2 with prior knowledge: the same answer.
    for (query, status) in [(&long, "400"), (&fits, "401")] {
        let out = std::process::Command::new("curl")
            .args([
                "-s",
                "--http2-prior-knowledge",
                "-w",
                "\n%{http_version} %{http_code}",
            ])
            .arg(s.url(&format!("WhoAmI()?x={query}")))
            .output()
            .expect("curl runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let (body, tail) = text.rsplit_once('\n').unwrap();
        assert_eq!(tail, format!("2 {status}"), "{text}");
        let json: serde_json::Value = serde_json::from_str(body).expect(body);
        let code = if status == "400" {
            "0x80060888"
        } else {
            "0x80040220"
        };
        assert_eq!(json["error"]["code"], code, "{body}");
    }
}

#[tokio::test]
async fn payload_errors() {
    let s = serve_sample();
    let client = reqwest::Client::new();
    let raw = |body: &'static str| {
        client
            .post(s.url("sb_Echo"))
            .header("Content-Type", "application/json")
            .body(body)
    };
    let m = send(raw("{\"StringParameter\": "))
        .await
        .error(400, "0x80048d19");
    assert!(m.starts_with("The request body is not valid JSON"), "{m}");
    send(raw("[1,2]")).await.error(400, "0x80048d19");
    send(raw("\"text\"")).await.error(400, "0x80048d19");
    // Wrong types and ranges.
    for body in [
        json!({"StringParameter": 5}),
        json!({"StringParameter": "x", "IntegerParameter": "5"}),
        json!({"StringParameter": "x", "IntegerParameter": 2147483648i64}),
        json!({"StringParameter": "x", "IntegerParameter": 1.5}),
        json!({"StringParameter": "x", "BooleanParameter": "true"}),
        json!({"StringParameter": "x", "DateTimeParameter": "yesterday"}),
        json!({"StringParameter": "x", "GuidParameter": "not-a-guid"}),
        json!({"StringParameter": "x", "StringArrayParameter": ["a", 1]}),
        json!({"StringParameter": "x", "EntityReferenceParameter": {"name": "no key"}}),
        json!({"StringParameter": "x", "EntityReferenceParameter": {"@odata.id": "nosuchset(1)"}}),
        json!({"StringParameter": "x", "EntityCollectionParameter": {"not": "an array"}}),
        json!({"StringParameter": "x", "DecimalParameter": "lots"}),
    ] {
        let m = post(&s.url("sb_Echo"), body.clone())
            .await
            .error(400, "0x80048d19");
        assert!(
            m.starts_with("Cannot convert the value of parameter"),
            "{body}: {m}"
        );
    }
    // Missing required parameters (absent or null).
    let m = post(&s.url("sb_Echo"), json!({"IntegerParameter": 1}))
        .await
        .error(400, "0x80040203");
    assert_eq!(
        m,
        "Required parameter 'StringParameter' of operation 'sb_Echo' is missing."
    );
    post(&s.url("sb_Echo"), json!({"StringParameter": null}))
        .await
        .error(400, "0x80040203");
    send(client.post(s.url("sb_Echo")))
        .await
        .error(400, "0x80040203");
    get(&s.url("sb_Greet()")).await.error(400, "0x80040203");
    get(&s.url("sb_Greet")).await.error(400, "0x80040203");
    // Unknown parameters.
    let m = post(
        &s.url("sb_Echo"),
        json!({"StringParameter": "x", "Bogus": 1}),
    )
    .await
    .error(400, "0x80048d19");
    assert_eq!(
        m,
        "The parameter 'Bogus' in the request payload is not a valid parameter for the operation 'sb_Echo'."
    );
    get(&s.url("sb_Greet(Name='x',Bogus=1)"))
        .await
        .error(400, "0x80048d19");
    // Wrong media type; too large.
    send(
        client
            .post(s.url("sb_Echo"))
            .header("Content-Type", "text/plain")
            .body("{}"),
    )
    .await
    .error(415, "0x8006088a");
    let huge = format!(
        "{{\"StringParameter\":\"{}\"}}",
        "x".repeat(17 * 1024 * 1024)
    );
    send(
        client
            .post(s.url("sb_Echo"))
            .header("Content-Type", "application/json")
            .body(huge),
    )
    .await
    .error(413, "0x8004418a");
}

#[tokio::test]
async fn literal_and_key_errors() {
    let s = serve_sample();
    for path in [
        "sb_Greet(Name=x)",
        "sb_Greet(Name='unterminated)",
        "sb_Greet(Name='a',Name='b')",
        "sb_Greet(Name='a',Formal=maybe)",
        "sb_Greet(Name)",
    ] {
        let r = get(&s.url(path)).await;
        assert_eq!(r.status, 400, "{path}: {}", r.text);
        let code = r.json["error"]["code"].as_str().unwrap();
        assert!(
            ["0x80060888", "0x80048d19"].contains(&code),
            "{path}: {code}"
        );
    }
    // An alias the query string leaves out is null (OData's rule): a required parameter is
    // then missing.
    get(&s.url("sb_Greet(Name=@missing)"))
        .await
        .error(400, "0x80040203");
    get(&s.url("accounts(not-a-guid)/Microsoft.Dynamics.CRM.sb_AccountSummary()"))
        .await
        .error(400, "0x80060888");
    get(&s.url("sb_LookupContact(ContactId=12)"))
        .await
        .error(400, "0x80048d19");
}

/// Query strings are read strictly, as the path is: what is malformed, repeated or not served
/// is a 400, never read some lenient way (each of these answered 200 before).
#[tokio::test]
async fn malformed_repeated_or_unserved_query_options_are_refused() {
    let s = serve_sample();
    let m = get(&s.url("sb_Greet(Name=@n)?@n='a'&@n='b'"))
        .await
        .error(400, "0x80060888");
    assert!(m.contains("more than once"), "{m}");
    for bad in ["%FF", "%", "%zz", "50%"] {
        get(&s.url(&format!("sb_projects?$filter=sb_name%20eq%20'{bad}'")))
            .await
            .error(400, "0x80060888");
    }
    let m = get(&s.url("sb_projects?$count=maybe"))
        .await
        .error(400, "0x80060888");
    assert!(m.contains("true or false"), "{m}");
    assert_eq!(get(&s.url("sb_projects?$count=false")).await.status, 200);
    let m = get(&s.url("sb_projects?fetchXml=%3Cfetch%2F%3E"))
        .await
        .error(400, "0x80060888");
    assert!(m.contains("fetchXml"), "{m}");
    for size in ["0", "abc", "-1"] {
        send(
            reqwest::Client::new()
                .get(s.url("sb_projects"))
                .header("Prefer", format!("odata.maxpagesize={size}")),
        )
        .await
        .error(400, "0x80060888");
    }
}

/// A user who is not an administrator is told they cannot *change* another user.
#[tokio::test]
async fn changing_another_user_is_refused_with_the_change_message() {
    let s = serve_sample();
    let db = &s.db.url;
    let out = run(db, &["user", "add", "pat"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let token = create_token(db, "pat", &[]);
    let admin = switchboard_model::ids::ADMINISTRATOR_ID;
    let m = send(
        reqwest::Client::new()
            .patch(s.url(&format!("systemusers({admin})")))
            .header("Authorization", format!("Bearer {token}"))
            .json(&json!({"uilanguageid": 1031})),
    )
    .await
    .error(403, "0x80040220");
    assert!(m.contains("can change systemuser"), "{m}");
}

/// Every answer of the service carries the error JSON, also outside `/api/data/`; `HEAD`
/// answers as `GET` without a body.
#[tokio::test]
async fn every_path_answers_odata_json_and_head_answers_like_get() {
    let s = serve_sample();
    let base = s.base.trim_end_matches('/');
    for path in ["/", "/nothing/here", "/api"] {
        let r = get(&format!("{base}{path}")).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
        let m = r.json["error"]["message"].as_str().unwrap_or_default();
        assert!(m.contains("No HTTP resource"), "{path}: {}", r.text);
    }
    let head = send(reqwest::Client::new().head(s.url("sb_projects"))).await;
    assert_eq!(head.status, 200, "{}", head.text);
    assert!(head.text.is_empty());
    let head = send(reqwest::Client::new().head(s.url("nope"))).await;
    assert_eq!(head.status, 404);
}
