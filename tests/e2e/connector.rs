//! Logic Apps / Power Automate connectors: `connector export` and
//! `/api/connector/{solution}/…` write documents that Microsoft's connector schemas and
//! `@apidevtools/swagger-parser` accept (`../shared/tools/check-connector.sh`), for both
//! sample solutions and every corpus root, and whose operations the server answers as written.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::support::*;

/// The connector checker installs npm and PyPI packages into a shared folder; two installs
/// at once would corrupt it, so the tests that run it take turns.
static CHECKER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `check-connector.sh` when the shared tools and what they run (node, npm, python3) are
/// here; otherwise says why the test does not run.
fn checker(test: &str) -> Option<PathBuf> {
    let shared = shared(test)?;
    for program in ["node", "npm", "python3"] {
        let found = Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {program}"))
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            skip(
                test,
                &format!("{program} is not installed (.ci/run installs it)"),
            );
            return None;
        }
    }
    Some(shared.join("tools/check-connector.sh"))
}

/// Runs the checker on a folder (or, with `--openapi3`, a file) and insists it passes.
fn check(checker: &Path, args: &[&str]) -> String {
    let out = Command::new("bash")
        .arg(checker)
        .args(args)
        .output()
        .expect("run check-connector.sh");
    let text = format!("{}{}", stdout_of(&out.stdout), stdout_of(&out.stderr));
    assert!(out.status.success(), "check-connector.sh {args:?}:\n{text}");
    text
}

fn stdout_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `connector export` into `out`, insisting it succeeds.
fn export(db: &str, solution: &str, out: &Path, extra: &[&str]) {
    let out = out.to_str().unwrap();
    let mut args = vec!["connector", "export", "--solution", solution, "--out", out];
    args.extend_from_slice(extra);
    let result = run(db, &args);
    assert!(
        result.status.success(),
        "connector export {solution}: {}",
        stderr(&result)
    );
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The operation ids of a document, sorted.
fn operation_ids(doc: &Value) -> Vec<String> {
    let mut ids: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|op| op["operationId"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// The custom APIs a solution publishes (exposable, not private), sorted.
fn published(db: &str, solution: &str) -> Vec<String> {
    let mut names: Vec<String> = list_json(db)
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["solution"] == solution && a["exposable"] == true && a["isprivate"] == false)
        .map(|a| a["uniquename"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn every_sample_and_corpus_root_exports_a_connector_the_schemas_accept() {
    let test = "every_sample_and_corpus_root_exports_a_connector_the_schemas_accept";
    let Some(checker) = checker(test) else { return };
    let _turn = CHECKER.lock().await;
    let shared = shared(test).unwrap();
    // Both sample solutions (the plug-ins' definitions need no built plug-in) and the corpus.
    let samples = [sample(), workspace().join("solutions/SwitchboardPlugins")];
    for root in samples.into_iter().chain(corpus_roots(&shared)) {
        let db = sqlite();
        import_ok(&db.url, &[&root]);
        let solutions = store(&db.url).await.list_solutions().await.unwrap();
        let [(solution, _, _)] = solutions.as_slice() else {
            panic!("{}: one solution, found {solutions:?}", root.display());
        };
        let dir = tempfile::tempdir().unwrap();
        export(&db.url, solution, dir.path(), &["--respond-async", "all"]);
        let swagger = check(&checker, &[dir.path().to_str().unwrap()]);
        assert!(
            swagger.contains("OK: swagger-parser validates"),
            "{}: {swagger}",
            root.display()
        );
        let definition = read_json(&dir.path().join("apiDefinition.swagger.json"));
        assert_eq!(
            operation_ids(&definition),
            published(&db.url, solution),
            "{}: one operation per public custom API",
            root.display()
        );
        export(&db.url, solution, dir.path(), &["--format", "openapi3"]);
        let openapi = dir.path().join("openapi.json");
        check(&checker, &["--openapi3", openapi.to_str().unwrap()]);
        assert_eq!(
            operation_ids(&read_json(&openapi)),
            operation_ids(&definition),
            "{}: the same operations in OpenAPI 3",
            root.display()
        );
    }
}

#[tokio::test]
async fn oauth_and_another_language_stay_valid_for_the_schemas() {
    let test = "oauth_and_another_language_stay_valid_for_the_schemas";
    let Some(checker) = checker(test) else { return };
    let _turn = CHECKER.lock().await;
    let db = sqlite();
    import_ok(&db.url, &[&sample()]);
    let dir = tempfile::tempdir().unwrap();
    export(
        &db.url,
        "SwitchboardSamples",
        dir.path(),
        &[
            "--language",
            "1041",
            "--base-url",
            "https://switchboard.example.com:8443/crm",
            "--oauth-authorization-url",
            "https://login.example.com/oauth2/authorize",
            "--oauth-token-url",
            "https://login.example.com/oauth2/token",
        ],
    );
    check(&checker, &[dir.path().to_str().unwrap()]);
    let definition = read_json(&dir.path().join("apiDefinition.swagger.json"));
    assert_eq!(definition["host"], "switchboard.example.com:8443");
    assert_eq!(definition["basePath"], "/crm/api/data/v9.2");
    assert_eq!(definition["info"]["title"], "Switchboard サンプル");
    assert_eq!(
        definition["securityDefinitions"]["oauth2_auth"]["flow"],
        "accessCode"
    );
    let properties = read_json(&dir.path().join("apiProperties.json"));
    assert_eq!(
        properties["properties"]["connectionParameters"]["token"]["type"],
        "oauthSetting"
    );
}

#[tokio::test]
async fn export_refuses_an_unknown_solution_or_action() {
    let db = sqlite();
    import_ok(&db.url, &[&sample()]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let args = |extra: &[&'static str]| {
        let mut args = vec!["connector", "export", "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let refused = |extra: &[&'static str]| {
        let args = args(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let result = run(&db.url, &args);
        assert!(!result.status.success(), "{extra:?} succeeded");
        stderr(&result)
    };
    let m = refused(&["--solution", "NoSuchSolution"]);
    assert!(
        m.contains("NoSuchSolution") && m.contains("No solution"),
        "{m}"
    );
    let m = refused(&[
        "--solution",
        "SwitchboardSamples",
        "--respond-async",
        "sb_Echo,sb_NoSuchApi",
    ]);
    assert!(m.contains("sb_NoSuchApi"), "{m}");
    // A function cannot run in the background; a private API is not in the connector.
    for name in ["sb_Greet", "sb_RecalculateTotals"] {
        let m = refused(&["--solution", "SwitchboardSamples", "--respond-async", name]);
        assert!(m.contains(name), "{m}");
    }
    let m = refused(&[
        "--solution",
        "SwitchboardSamples",
        "--base-url",
        "example.com",
    ]);
    assert!(m.contains("example.com"), "{m}");
    let m = refused(&["--solution", "SwitchboardSamples", "--language", "9999"]);
    assert!(m.contains("9999"), "{m}");
    assert!(!out.exists(), "nothing written on a refusal");

    // Any case names the solution, as Dataverse compares unique names.
    export(
        &db.url,
        "switchboardsamples",
        &out,
        &["--respond-async", "SB_ECHO"],
    );
    let definition = read_json(&out.join("apiDefinition.swagger.json"));
    let echo = &definition["paths"]["/sb_Echo"]["post"];
    assert!(
        echo["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Prefer" && p["default"] == "respond-async")
    );
    assert_eq!(
        definition["host"], "127.0.0.1:5555",
        "serve's default address"
    );
}

#[tokio::test]
async fn the_documents_are_served_to_callers_who_may_read_custom_apis() {
    let s = serve_sample();
    let root = format!("{}/api/connector", s.base);
    let definition = get(&format!(
        "{root}/SwitchboardSamples/apiDefinition.swagger.json"
    ))
    .await;
    assert_eq!(definition.status, 200, "{}", definition.text);
    assert_eq!(
        definition.headers["content-type"].to_str().unwrap(),
        "application/json"
    );
    let host = s.base.strip_prefix("http://").unwrap();
    assert_eq!(definition.json["host"], host, "the request's Host");
    assert_eq!(definition.json["schemes"], json!(["http"]));
    assert_eq!(definition.json["swagger"], "2.0");
    assert_eq!(
        operation_ids(&definition.json),
        published(&s.db.url, "SwitchboardSamples")
    );
    let properties = get(&format!("{root}/SwitchboardSamples/apiProperties.json")).await;
    assert_eq!(properties.status, 200);
    assert_eq!(
        properties.json["properties"]["connectionParameters"]["api_key"]["type"],
        "securestring"
    );
    let openapi = get(&format!("{root}/switchboardsamples/openapi.json")).await;
    assert_eq!(openapi.status, 200);
    assert_eq!(
        openapi.json["servers"][0]["url"],
        format!("{}/api/data/v9.2", s.base)
    );

    // Labels in another language; actions that respond asynchronously.
    let german = get(&format!(
        "{root}/SwitchboardSamples/apiDefinition.swagger.json?language=1031&respondAsync=sb_Echo"
    ))
    .await;
    let greet = german.json["paths"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(path, _)| path.starts_with("/sb_Greet("))
        .map(|(_, item)| &item["get"])
        .unwrap();
    assert_eq!(greet["summary"], "Begrüßen");
    let echo = &german.json["paths"]["/sb_Echo"]["post"];
    assert!(echo["responses"].get("202").is_some(), "{echo}");

    // Refusals: the OData error shape, as everywhere else.
    get(&format!("{root}/NoSuchSolution/apiDefinition.swagger.json"))
        .await
        .error(404, "0x8006088a");
    get(&format!("{root}/SwitchboardSamples/readme.txt"))
        .await
        .error(404, "");
    let m = get(&format!(
        "{root}/SwitchboardSamples/apiDefinition.swagger.json?respondAsync=sb_Nope"
    ))
    .await
    .error(400, "0x80060888");
    assert!(m.contains("sb_Nope"), "{m}");
    get(&format!(
        "{root}/SwitchboardSamples/apiDefinition.swagger.json?language=12"
    ))
    .await
    .error(400, "0x80060888");
    get(&format!("{root}/SwitchboardSamples/openapi.json?$top=1"))
        .await
        .error(400, "0x80060888");

    // Authenticated like the Web API; readable with the customapi table's read privilege.
    let url = format!("{root}/SwitchboardSamples/apiDefinition.swagger.json");
    send(
        reqwest::Client::new()
            .get(&url)
            .header("Authorization", "Bearer nope"),
    )
    .await
    .error(401, "0x80040220");
    assert!(run(&s.db.url, &["user", "add", "erin"]).status.success());
    let erin = create_token(&s.db.url, "erin", &[]);
    let as_erin = || {
        reqwest::Client::new()
            .get(&url)
            .header("Authorization", format!("Bearer {erin}"))
    };
    let m = send(as_erin()).await.error(403, "0x80040220");
    assert!(m.contains("prvReadCustomAPI"), "{m}");
    grant_through_role(&s.db.url, "erin", "Connector Makers", &["prvReadCustomAPI"]);
    until_status(as_erin, 200, "the read privilege granted").await;
}

/// The server answers every operation at the path, method and parameters the definition
/// gives it: optional function aliases left out, the record id in the path, a JSON body.
#[tokio::test]
async fn the_server_answers_the_operations_as_the_definition_writes_them() {
    let s = serve_sample();
    let definition = get(&format!(
        "{}/api/connector/SwitchboardSamples/apiDefinition.swagger.json",
        s.base
    ))
    .await
    .json;
    let api = format!("{}{}", s.base, definition["basePath"].as_str().unwrap());
    let path_of = |id: &str| -> String {
        definition["paths"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(_, item)| {
                item.as_object()
                    .unwrap()
                    .values()
                    .any(|op| op["operationId"] == id)
            })
            .map(|(path, _)| path.clone())
            .unwrap_or_else(|| panic!("no operation {id}"))
    };
    // A function: the required alias in the query, the optional one left out.
    let greet = get(&format!("{api}{}?@Name='Ada'", path_of("sb_Greet"))).await;
    assert_eq!(greet.status, 200, "{}", greet.text);
    assert!(greet.json.get("Greeting").is_some(), "{}", greet.text);
    let formal = get(&format!(
        "{api}{}?@Name='Ada'&@Formal=true",
        path_of("sb_Greet")
    ))
    .await;
    assert_eq!(formal.status, 200, "{}", formal.text);
    // A record-bound function: the record's id in the path, its optional alias left out.
    let summary = path_of("sb_AccountSummary").replace("{id}", SEEDED_ACCOUNT);
    let r = get(&format!("{api}{summary}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // An action: its parameters as the body's members.
    let r = post(
        &format!("{api}{}", path_of("sb_Echo")),
        json!({ "StringParameter": "hi" }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
}
