//! WebAssembly plug-ins as the main operation, over real HTTP: reverse, every type through
//! echo, and the sandbox holding against plug-ins that loop, hoard memory, panic or fail.

use std::process::Command;

use serde_json::{Value as Json, json};

use crate::support::*;

const ID: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";

#[tokio::test]
async fn reverse_action_and_function() {
    let s = serve(&[&plugin_solution()]);
    let r = post(
        &s.url("sb_Reverse"),
        json!({"StringParameter": "Hello, wasm!"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["StringProperty"], "!msaw ,olleH");
    let r = get(&s.url("sb_ReverseFunction(StringParameter=@s)?@s='Ab%C3%A7'")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["StringProperty"], "çbA");
    let r = get(&s.url("sb_ReverseFunction(StringParameter='xyz')")).await;
    assert_eq!(r.json["StringProperty"], "zyx");
    // The compiled component is kept on disk for the next start.
    let cache = s.db.data_dir().join("plugin-cache");
    let mut files = 0;
    let mut stack = vec![cache.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                stack.push(entry.path())
            } else {
                files += 1
            }
        }
    }
    assert!(files > 0, "nothing cached in {}", cache.display());
}

fn all_types() -> Json {
    json!({
        "BooleanParameter": true,
        "DateTimeParameter": "2024-05-01T10:00:00Z",
        "DecimalParameter": 12.5,
        "EntityParameter": {"@odata.type": "#Microsoft.Dynamics.CRM.contact", "contactid": ID, "firstname": "Ada"},
        "EntityCollectionParameter": [{"@odata.type": "#Microsoft.Dynamics.CRM.contact", "firstname": "Ada", "age": 36}],
        "EntityReferenceParameter": {"@odata.type": "#Microsoft.Dynamics.CRM.account", "accountid": ID},
        "FloatParameter": 1.5,
        "IntegerParameter": 42,
        "MoneyParameter": 99.95,
        "PicklistParameter": 100000000,
        "StringParameter": "hello",
        "StringArrayParameter": ["a", "b"],
        "GuidParameter": ID,
    })
}

/// `XParameter` → `XProperty`, as the echo plug-in maps them.
fn expected_outputs() -> serde_json::Map<String, Json> {
    all_types()
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.replace("Parameter", "Property"), v.clone()))
        .collect()
}

#[tokio::test]
async fn every_type_round_trips_through_echo_by_post_and_get() {
    let s = serve(&[&plugin_solution()]);
    let r = post(&s.url("sb_EchoTypes"), all_types()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    for (name, value) in expected_outputs() {
        assert_eq!(r.json[&name], value, "{name} by POST");
    }

    // The same values as function parameter aliases (JSON-valued ones as JSON literals).
    let mut names = Vec::new();
    let mut query = Vec::new();
    for (i, (name, value)) in all_types().as_object().unwrap().iter().enumerate() {
        names.push(format!("{name}=@p{i}"));
        let literal = match value {
            Json::String(s) if name == "StringParameter" => format!("'{s}'"),
            Json::String(s) => s.clone(),
            other => other.to_string(),
        };
        let encoded: String = url_encode(&literal);
        query.push(format!("@p{i}={encoded}"));
    }
    let path = format!(
        "sb_EchoTypesFunction({})?{}",
        names.join(","),
        query.join("&")
    );
    let r = get(&s.url(&path)).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    for (name, value) in expected_outputs() {
        assert_eq!(r.json[&name], value, "{name} by GET");
    }
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_sandbox_holds_against_faulty_plugins() {
    let s = serve_with(
        &[&plugin_solution()],
        &["--plugin-deadline-ms", "400", "--plugin-memory-mib", "32"],
    );
    let client = reqwest::Client::new();

    // A plug-in that never returns is stopped at its deadline, while 50 calls of another
    // plug-in issued meanwhile all succeed.
    let looping = {
        let url = s.url("sb_FaultLoop");
        let client = client.clone();
        tokio::spawn(async move { send(client.post(url).json(&json!({}))).await })
    };
    let mut calls = Vec::new();
    for i in 0..50 {
        let url = s.url("sb_Reverse");
        let client = client.clone();
        calls.push(tokio::spawn(async move {
            let r = send(
                client
                    .post(url)
                    .json(&json!({"StringParameter": format!("call {i}")})),
            )
            .await;
            (i, r)
        }));
    }
    for call in calls {
        let (i, r) = call.await.unwrap();
        assert_eq!(r.status, 200, "call {i}: {}", r.text);
        let expected: String = format!("call {i}").chars().rev().collect();
        assert_eq!(r.json["StringProperty"], expected.as_str());
    }
    let m = looping.await.unwrap().error(500, "0x80040265");
    assert!(m.contains("deadline") && m.contains("400 ms"), "{m}");

    let m = post(&s.url("sb_FaultMemory"), json!({}))
        .await
        .error(500, "0x80040265");
    assert!(m.contains("memory cap of 32 MiB"), "{m}");
    let m = post(&s.url("sb_FaultPanic"), json!({}))
        .await
        .error(500, "0x80040265");
    assert!(
        m.contains("panicked") && m.contains("the faults plug-in panics on purpose"),
        "{m}"
    );
    let m = post(&s.url("sb_FaultBusiness"), json!({}))
        .await
        .error(400, "0x80040265");
    assert_eq!(
        m,
        "The order cannot be shipped: the credit limit is exceeded."
    );

    // Still serving.
    let r = post(&s.url("sb_Reverse"), json!({"StringParameter": "ok"})).await;
    assert_eq!(r.json["StringProperty"], "ko");
}

/// Three looping calls of one user with one long-call permit: one runs, the other two wait
/// for it (running nothing); three users' looping calls each run on a permit of their own.
/// Every call still ends at its deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_running_calls_are_limited_per_user() {
    use switchboard_model::ExecutionContext;
    use switchboard_wasm::{Host, HostConfig, PluginFailure};
    let host = std::sync::Arc::new(
        Host::new(HostConfig {
            deadline: std::time::Duration::from_millis(600),
            long_call_after: std::time::Duration::from_millis(20),
            long_calls_per_user: 1,
            ..HostConfig::default()
        })
        .unwrap(),
    );
    let loaded = host.load(&built_plugin("Faults")).await.unwrap();
    let loops = |users: [uuid::Uuid; 3]| {
        let calls: Vec<_> = users
            .into_iter()
            .map(|user| {
                let (host, loaded) = (host.clone(), loaded.clone());
                tokio::spawn(async move {
                    let mut context =
                        ExecutionContext::main_operation("sb_FaultLoop", Default::default());
                    context.user_id = user;
                    context.initiating_user_id = user;
                    host.invoke(&loaded, "Samples.Faults.InfiniteLoop", &context, None)
                        .await
                })
            })
            .collect();
        async move {
            for call in calls {
                let failure = call.await.unwrap().expect_err("a loop never returns").0;
                assert!(
                    matches!(failure, PluginFailure::Timeout(_)),
                    "stopped at the deadline: {failure:?}"
                );
            }
        }
    };
    let alice = uuid::Uuid::new_v4();
    loops([alice, alice, alice]).await;
    let waits = host.long_call_waits();
    assert!(waits >= 2, "two of alice's calls waited: {waits}");
    loops([
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
    ])
    .await;
    assert_eq!(
        host.long_call_waits(),
        waits,
        "other users' calls never wait"
    );
}

#[tokio::test]
async fn a_missing_plugin_type_runs_without_main_operation() {
    let s = serve(&[&plugin_solution()]);
    let r = post(&s.url("sb_MissingPlugin"), json!({"StringParameter": "x"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["StringProperty"], Json::Null);
}

#[tokio::test]
async fn the_harness_runs_a_plugin_without_a_server() {
    use switchboard_model::value::Value;
    let bytes = built_plugin("Reverse");
    let run = switchboard_wasm::testing::run(
        &bytes,
        "Samples.Reverse",
        [("StringParameter", Value::String("abc".into()))],
    )
    .await
    .expect("runs");
    assert_eq!(run.outputs["StringProperty"], Value::String("cba".into()));
    assert!(
        run.traces
            .iter()
            .any(|t| t.message.contains("reversing 3 characters")),
        "{:?}",
        run.traces
    );
    let missing = switchboard_wasm::testing::run(&bytes, "Samples.Nope", [])
        .await
        .unwrap_err();
    assert_eq!(
        missing.0,
        switchboard_wasm::PluginFailure::MissingType("Samples.Nope".into())
    );
}

#[tokio::test]
async fn a_scaffolded_plugin_builds_imports_and_runs_unmodified() {
    let dir = tempfile::tempdir().unwrap();
    let new = Command::new(bin())
        .args(["plugin", "new", "hello-plugin", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(new.status.success(), "{}", stderr(&new));
    let crate_dir = dir.path().join("hello-plugin");
    let build = Command::new(bin())
        .args(["plugin", "build"])
        .arg(&crate_dir)
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", stderr(&build));
    let built = stdout(&build)
        .lines()
        .find_map(|l| l.strip_prefix("built "))
        .expect("path printed")
        .trim()
        .to_owned();

    // A solution that references the component, in Switchboard's assembly layout.
    let (_sol_dir, root) = sample_copy();
    let assembly = root.join("PluginAssemblies/Hello-2E0B7C1A-0000-4000-8000-00000000AB01");
    std::fs::create_dir_all(&assembly).unwrap();
    std::fs::copy(&built, assembly.join("Hello.wasm")).unwrap();
    std::fs::write(
        assembly.join("Hello.wasm.data.xml"),
        r#"<?xml version="1.0" encoding="utf-8"?>
<PluginAssembly FullName="Hello, Version=1.0.0.0" PluginAssemblyId="2e0b7c1a-0000-4000-8000-00000000ab01">
  <FileName>/PluginAssemblies/Hello-2E0B7C1A-0000-4000-8000-00000000AB01/Hello.wasm</FileName>
  <PluginTypes>
    <PluginType Name="hello-plugin.HelloPlugin" PluginTypeId="2e0b7c1a-0000-4000-8000-00000000ab02" />
  </PluginTypes>
</PluginAssembly>"#,
    )
    .unwrap();
    // sb_Echo reads StringParameter and declares StringProperty, as the scaffold expects.
    let api = root.join("customapis/sb_Echo/customapi.xml");
    edit(
        &api,
        "<workflowsdkstepenabled>",
        "<plugintypeid>\n    <plugintypeid>2e0b7c1a-0000-4000-8000-00000000ab02</plugintypeid>\n  </plugintypeid>\n  <workflowsdkstepenabled>",
    );
    let s = serve(&[&root]);
    let r = post(&s.url("sb_Echo"), json!({"StringParameter": "scaffold"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["StringProperty"], "dloffacs");
}
