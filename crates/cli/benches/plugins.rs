//! Plug-in costs, measured against baselines in the same run:
//! - `plugin/reverse_fresh_instance`: one call of the reverse plug-in in a fresh sandbox
//!   (Store + instance per call, context marshalled in, outputs and traces read back), the
//!   per-call price of isolation; `plugin/instantiate_and_drop` is its fixed part (a fresh
//!   sandbox created and reset, no call): the rest is marshalling and the call itself;
//! - `http/reverse_action` vs `http/bare_axum`: a POST of the reverse action through the
//!   whole server (routing, validation, plug-in, JSON) against a bare axum handler that
//!   returns the same JSON; the ratio of their requests/s is the platform's overhead.
//!
//! Run with `cargo bench -p switchboard --bench plugins`.

#![allow(missing_docs)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use switchboard_model::ExecutionContext;
use switchboard_model::value::Value;
use switchboard_wasm::{Host, HostConfig};

fn workspace() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn reverse_component() -> Vec<u8> {
    let solutions = workspace().join("solutions");
    let built = switchboard::plugin::build_samples(&workspace().join("plugins"), &solutions)
        .expect("sample plug-ins build");
    let reverse = built
        .iter()
        .find(|p| p.ends_with("Reverse.wasm"))
        .expect("reverse built");
    std::fs::read(reverse).unwrap()
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let bytes = reverse_component();

    // Per-call cost of a fresh sandbox.
    let host = Host::new(HostConfig::default()).unwrap();
    let loaded = rt.block_on(host.load(&bytes)).unwrap();
    let mut inputs = BTreeMap::new();
    inputs.insert(
        "StringParameter".to_owned(),
        Value::String("Hello, wasm!".into()),
    );
    let context = ExecutionContext::main_operation("sb_Reverse", inputs);
    let mut group = c.benchmark_group("plugin");
    group.throughput(Throughput::Elements(1));
    group.bench_function("reverse_fresh_instance", |b| {
        b.to_async(&rt).iter(|| async {
            host.invoke(&loaded, "Samples.Reverse", &context, None)
                .await
                .unwrap()
        })
    });
    group.bench_function("instantiate_and_drop", |b| {
        b.to_async(&rt)
            .iter(|| async { host.instantiate_only(&loaded).await.unwrap() })
    });
    group.finish();

    // The whole server against a bare handler, over loopback HTTP.
    let dir = tempfile::tempdir().unwrap();
    let url = switchboard_store::sqlite_url(&dir.path().join("bench.db"));
    let (server, bare, token) = rt.block_on(async {
        let store = switchboard_store::Store::connect(&url).await.unwrap();
        switchboard::import_paths(&store, &[workspace().join("solutions/SwitchboardPlugins")]).await.unwrap();
        let (_, token) = store.create_token("admin", None).await.unwrap();
        let engine = switchboard_engine::Engine::new(store, Default::default()).await.unwrap();
        let state = switchboard_server::AppState::over(
            engine,
            switchboard_server::ServerConfig { rate_limit: u32::MAX, ..Default::default() },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = listener.local_addr().unwrap();
        tokio::spawn(axum::serve(listener, switchboard_server::router(state)).into_future());
        let body = serde_json::json!({
            "@odata.context": format!("http://{server}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.sb_ReverseResponse"),
            "StringProperty": "!msaw ,olleH",
        });
        let bare_app = axum::Router::new().route(
            "/api/data/v9.2/sb_Reverse",
            axum::routing::post(move || {
                let body = body.clone();
                async move { axum::Json(body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let bare = listener.local_addr().unwrap();
        tokio::spawn(axum::serve(listener, bare_app).into_future());
        (server, bare, token)
    });
    let client = reqwest::Client::new();
    let mut group = c.benchmark_group("http");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(8));
    for (name, addr) in [("reverse_action", server), ("bare_axum", bare)] {
        let endpoint = format!("http://{addr}/api/data/v9.2/sb_Reverse");
        group.bench_function(name, |b| {
            b.to_async(&rt).iter(|| async {
                let r = client
                    .post(&endpoint)
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"StringParameter": "Hello, wasm!"}))
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success());
                r.bytes().await.unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(plugin_benches, benches);
criterion_main!(plugin_benches);
