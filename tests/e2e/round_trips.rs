//! A custom API call that reads and writes no records does no database work: definitions
//! come from the registry snapshot, the caller from the principal cache, plug-ins from the
//! compiled-component cache, and trace rows (none for successful calls at the default
//! setting) from the background writer. Proven by counting the statements the store sends,
//! on a real server in this process over real HTTP.

use serde_json::json;
use switchboard_server::{AppState, ServerConfig};
use switchboard_store::Store;

use crate::support::*;

/// The calls S1, S2 and S3 of the load benchmark, and the others that touch no record.
fn calls(base: &str) -> Vec<(&'static str, reqwest::RequestBuilder, serde_json::Value)> {
    let client = reqwest::Client::new();
    vec![
        (
            "S1: a function without a plug-in",
            client.get(format!("{base}sb_Greet(Name=@n)?@n='Ada'")),
            json!({"Greeting": null}),
        ),
        (
            "S2/S3: an action run by a plug-in, with steps at 20 and 40",
            client
                .post(format!("{base}sb_Reverse"))
                .json(&json!({"StringParameter": "Hello, wasm!"})),
            json!({"StringProperty": "!msaw ,olleH"}),
        ),
        (
            "a function run by a plug-in",
            client.get(format!("{base}sb_ReverseFunction(StringParameter='abc')")),
            json!({"StringProperty": "cba"}),
        ),
        (
            "WhoAmI",
            client.get(format!("{base}WhoAmI")),
            json!({"UserId": switchboard_model::ids::ADMINISTRATOR_ID}),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_api_calls_that_touch_no_record_send_no_statement() {
    let db = sqlite();
    // S3's steps: synchronous wasm steps at 20 and 40 on sb_Reverse.
    let out = run(
        &db.url,
        &[
            "import",
            sample().to_str().unwrap(),
            plugin_solution().to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for stage in ["20", "40"] {
        let out = run(
            &db.url,
            &[
                "step",
                "add",
                "--name",
                &format!("check at {stage}"),
                "--message",
                "sb_Reverse",
                "--plugin-type",
                "Switchboard.Samples.Steps.Refuse",
                "--stage",
                stage,
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let store = Store::connect(&db.url).await.unwrap();
    let (_, token) = store.create_token("admin", None).await.unwrap();
    // Nothing in the background while counting: no job worker polling the queue, no look
    // for other processes' changes.
    let mut config = switchboard_engine::EngineConfig {
        registry_poll: std::time::Duration::from_secs(3600),
        changes_poll: std::time::Duration::from_secs(3600),
        ..switchboard_engine::EngineConfig::default()
    };
    config.jobs.workers = 0;
    let engine = switchboard_engine::Engine::new(store.clone(), config)
        .await
        .unwrap();
    let state = AppState::over(engine, ServerConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/api/data/v9.2/", listener.local_addr().unwrap());
    tokio::spawn(switchboard_server::serve(
        listener,
        state,
        std::future::pending(),
    ));

    let check = |what: &str, reply: &Reply, expected: &serde_json::Value| {
        assert_eq!(reply.status, 200, "{what}: {}", reply.text);
        for (k, v) in expected.as_object().unwrap() {
            assert_eq!(&reply.json[k], v, "{what}: {}", reply.text);
        }
    };
    // The first calls fill the caches (principal, compiled plug-ins, trace setting).
    for (what, request, expected) in calls(&base) {
        check(what, &send(request.bearer_auth(&token)).await, &expected);
    }
    let before = store.statements_executed();
    for _ in 0..10 {
        for (what, request, expected) in calls(&base) {
            check(what, &send(request.bearer_auth(&token)).await, &expected);
        }
    }
    assert_eq!(
        store.statements_executed(),
        before,
        "40 calls that touch no record sent statements"
    );

    // The count is real: a call that reads records sends a statement.
    let r = send(
        reqwest::Client::new()
            .get(format!("{base}sb_projects?$top=1"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        store.statements_executed() > before,
        "a record read is counted"
    );
}
