//! Conformance with tools nobody on this project wrote: the OASIS CSDL XSD, the OASIS
//! OpenAPI converter, two TypeScript client generators, and the dynamics-web-api client.
//! They need xmllint and node (`.ci/run` installs them); without them the test says so.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// The tools install npm packages into one shared folder; two installs at once would
/// corrupt it, so the tests that use them take turns.
static NPM: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn have(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

fn tools_dir(test: &str) -> Option<PathBuf> {
    let shared = shared(test)?;
    for program in ["xmllint", "node", "npm"] {
        if !have(program) {
            skip(
                test,
                &format!("{program} is not installed (.ci/run installs it)"),
            );
            return None;
        }
    }
    Some(shared.join("tools"))
}

fn run_tool(tools: &Path, script: &str, args: &[&str], token: &str) -> String {
    // The tools send TOKEN as a bearer token when they fetch a URL.
    let out = Command::new("bash")
        .arg(tools.join(script))
        .args(args)
        .env("TOKEN", token)
        .output()
        .expect("run tool");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{script} {args:?} failed:\n{text}");
    text
}

/// Names of the operations a served database publishes (exposable, not private).
fn published(db: &str) -> Vec<String> {
    list_json(db)
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["exposable"] == true && a["isprivate"] == false)
        .map(|a| a["uniquename"].as_str().unwrap().to_owned())
        .collect()
}

async fn check_root(tools: &Path, root: &Path) {
    let s = serve(&[root]);
    let metadata = get(&s.url("$metadata")).await;
    assert_eq!(metadata.status, 200);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("metadata.xml");
    std::fs::write(&file, &metadata.text).unwrap();
    let file = file.to_str().unwrap();
    run_tool(tools, "check-metadata-xsd.sh", &[file], &s.token);
    // Also validate the live document as served over HTTP.
    run_tool(
        tools,
        "check-metadata-xsd.sh",
        &[&s.url("$metadata")],
        &s.token,
    );
    let openapi = run_tool(tools, "check-openapi.sh", &[file], &s.token);
    assert!(openapi.contains("OK: all"), "{openapi}");
    let codegen = run_tool(tools, "check-codegen.sh", &[file], &s.token);
    let odata2ts: Vec<&str> = codegen
        .split("OK   odata2ts")
        .nth(1)
        .expect("odata2ts compiled")
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("     "))
        .map(str::trim)
        .collect();
    for name in published(&s.db.url)
        .iter()
        .map(String::as_str)
        .chain(["WhoAmI"])
    {
        assert!(
            odata2ts.contains(&name),
            "{}: odata2ts client lacks {name}: {odata2ts:?}",
            root.display()
        );
    }
    assert!(
        codegen.contains("OK   @sap-cloud-sdk/generator"),
        "{codegen}"
    );
}

#[tokio::test]
async fn metadata_passes_xsd_openapi_and_codegen_for_sample_and_corpus() {
    let test = "metadata_passes_xsd_openapi_and_codegen_for_sample_and_corpus";
    let Some(tools) = tools_dir(test) else { return };
    let _turn = NPM.lock().await;
    let shared = shared(test).unwrap();
    let roots = [sample(), plugin_solution()]
        .into_iter()
        .chain(corpus_roots(&shared));
    for root in roots {
        check_root(&tools, &root).await;
    }
}

#[tokio::test]
async fn metadata_in_another_language_stays_valid_for_the_tools() {
    let test = "metadata_in_another_language_stays_valid_for_the_tools";
    let Some(tools) = tools_dir(test) else { return };
    let _turn = NPM.lock().await;
    let s = serve(&[&sample()]);
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
    assert!(japanese.contains("エコー") || japanese.contains("Org.OData.Core.V1.Description"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("metadata-ja.xml");
    std::fs::write(&file, &japanese).unwrap();
    let file = file.to_str().unwrap();
    run_tool(&tools, "check-metadata-xsd.sh", &[file], &kenji);
    let codegen = run_tool(&tools, "check-codegen.sh", &[file], &kenji);
    assert!(
        codegen.contains("OK   odata2ts") && codegen.contains("OK   @sap-cloud-sdk/generator"),
        "{codegen}"
    );
}

#[tokio::test]
async fn dynamics_web_api_client_calls_the_sample_apis() {
    let test = "dynamics_web_api_client_calls_the_sample_apis";
    let Some(tools) = tools_dir(test) else { return };
    let _turn = NPM.lock().await;
    let install = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}/_lib.sh' && npm_tools npm dynamics-web-api@$DWA_VER",
            tools.display()
        ))
        .output()
        .expect("install dynamics-web-api");
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );
    let dir = String::from_utf8_lossy(&install.stdout).trim().to_owned();
    let s = serve_sample();
    let out = Command::new("node")
        .arg(workspace().join("tests/clients/dwa_custom_apis.mjs"))
        .arg(&s.base)
        .arg(&s.token)
        .env("DWA_MODULE", format!("{dir}/node_modules/dynamics-web-api"))
        .output()
        .expect("run node");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("7/7 steps ok"), "{text}");
}

/// A Python virtual environment with Microsoft's Dataverse SDK (PyPI 1.1.0), made once per
/// machine under the clients' build folder; `None` (with the reason printed) when Python or
/// the package index is missing.
fn dataverse_sdk_python(test: &str) -> Option<PathBuf> {
    let root = std::env::var("CLIENTS_BUILD").unwrap_or_else(|_| "/tmp/clients-build".into());
    let venv = Path::new(&root).join("py/switchboard-venv");
    let python = venv.join("bin/python");
    let has_sdk = |python: &Path| {
        Command::new(python)
            .args(["-c", "import PowerPlatform.Dataverse"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if has_sdk(&python) {
        return Some(python);
    }
    if !have("python3") {
        skip(test, "python3 is not installed");
        return None;
    }
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "python3 -m venv {}", venv.display());
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "-q", "PowerPlatform-Dataverse-Client==1.1.0"])
        .output()
        .expect("run pip");
    assert!(
        pip.status.success(),
        "pip install PowerPlatform-Dataverse-Client==1.1.0 failed:\n{}",
        String::from_utf8_lossy(&pip.stderr)
    );
    assert!(has_sdk(&python), "the SDK imports after installing it");
    Some(python)
}

#[tokio::test]
async fn python_dataverse_sdk_does_crud_on_a_custom_table_over_https() {
    let test = "python_dataverse_sdk_does_crud_on_a_custom_table_over_https";
    let Some(python) = dataverse_sdk_python(test) else {
        return;
    };
    let s = serve_tls(&[&sample()]);
    let cert = s.cert.clone().expect("an HTTPS server has a certificate");
    assert!(s.base.starts_with("https://"), "{}", s.base);
    let out = Command::new(&python)
        .arg(workspace().join("tests/clients/dataverse_sdk_crud.py"))
        .arg(&s.base)
        .arg(&s.token)
        .env("REQUESTS_CA_BUNDLE", &cert)
        .output()
        .expect("run python");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.trim_end().ends_with("ok"), "{text}");
    // What the SDK did is in the database: one record renamed then deleted, three listed.
    let store = store(&s.db.url).await;
    let table = store
        .tables()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.logical_name == "sb_project")
        .unwrap();
    assert_eq!(store.record_count(&table).await.unwrap(), 3);
}

/// schemathesis (PyPI) calls every entity set and operation of the OASIS OpenAPI rendering
/// of the served `$metadata` with examples and generated data (fixed seed, 25 cases per
/// operation): no 5xx outside the deliberate fault samples, no dropped connection, every
/// error as OData error JSON. `scripts/schemathesis.sh` does the work (the README shows the
/// longer run for releases).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_bare_error() {
    let test = "schemathesis_finds_no_server_error_and_no_bare_error";
    for program in ["python3", "node", "npm", "curl"] {
        if !have(program) {
            skip(
                test,
                &format!("{program} is not installed (.ci/run installs node and npm)"),
            );
            return;
        }
    }
    let s = serve_with(
        &[&sample(), &plugin_solution()],
        &["--rate-limit", "100000000", "--plugin-deadline-ms", "300"],
    );
    let out = Command::new("bash")
        .arg(workspace().join("scripts/schemathesis.sh"))
        .args([&s.base, &s.token, "25"])
        .output()
        .expect("run scripts/schemathesis.sh");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "schemathesis failed:\n{text}");
    assert!(text.contains(" passed"), "{text}");
}
