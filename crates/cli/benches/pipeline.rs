//! The message pipeline's cost, measured against a baseline in the same run:
//! - `pipeline/steps_20_40` vs `pipeline/no_steps`: POST `sb_Pipeline` (its main operation
//!   writes one record) with its synchronous steps at 20 and 40 enabled, against the same API
//!   with every step disabled; the ratio of requests/s is the price of two steps;
//! - `jobs drained`: 500 queued asynchronous steps (each writes one record) drained by two
//!   workers, reported as jobs/s.
//!
//! Run with `cargo bench -p switchboard --bench pipeline`.

#![allow(missing_docs)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sea_orm::ConnectionTrait;
use switchboard_store::Store;

fn workspace() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A server over a fresh database with both sample solutions; `keep` lists the steps left
/// enabled (by name pattern).
async fn server(dir: &Path, name: &str, keep: &[&str], workers: usize) -> (String, String, Store) {
    let url = switchboard_store::sqlite_url(&dir.join(format!("{name}.db")));
    let store = Store::connect(&url).await.unwrap();
    switchboard::import_paths(
        &store,
        &[
            workspace().join("solutions/SwitchboardSamples"),
            workspace().join("solutions/SwitchboardPlugins"),
        ],
    )
    .await
    .unwrap();
    let keep_sql: Vec<String> = keep
        .iter()
        .map(|k| format!("name NOT LIKE '%{k}%'"))
        .collect();
    let condition = if keep_sql.is_empty() {
        "1 = 1".to_owned()
    } else {
        keep_sql.join(" AND ")
    };
    store
        .connection()
        .execute_unprepared(&format!(
            "UPDATE sdkmessageprocessingstep SET statecode = 1 WHERE {condition}"
        ))
        .await
        .unwrap();
    let (_, token) = store.create_token("admin", None).await.unwrap();
    let config = switchboard_server::ServerConfig {
        rate_limit: u32::MAX,
        ..Default::default()
    };
    let mut engine_config = switchboard_engine::EngineConfig::default();
    engine_config.jobs.workers = workers;
    let engine = switchboard_engine::Engine::new(store.clone(), engine_config)
        .await
        .unwrap();
    let state = switchboard_server::AppState::over(engine, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(switchboard_server::serve(
        listener,
        state,
        std::future::pending::<()>(),
    ));
    (format!("http://{addr}"), token, store)
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    switchboard::plugin::build_samples(
        &workspace().join("plugins"),
        &workspace().join("solutions"),
    )
    .expect("sample plug-ins build");
    let dir = tempfile::tempdir().unwrap();
    let (with_steps, token_a, _) = rt.block_on(server(
        dir.path(),
        "steps",
        &["pre-operation", "Trail at post-operation"],
        0,
    ));
    let (no_steps, token_b, _) = rt.block_on(server(dir.path(), "plain", &[], 0));
    let client = reqwest::Client::new();
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(8));
    for (name, base, token) in [
        ("steps_20_40", &with_steps, &token_a),
        ("no_steps", &no_steps, &token_b),
    ] {
        let endpoint = format!("{base}/api/data/v9.2/sb_Pipeline");
        group.bench_function(name, |b| {
            b.to_async(&rt).iter(|| async {
                let r = client
                    .post(&endpoint)
                    .bearer_auth(token)
                    .json(&serde_json::json!({"Text": "bench"}))
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success());
                r.bytes().await.unwrap()
            })
        });
    }
    group.finish();

    // Drain rate: queue 500 asynchronous steps with no worker, then time two workers.
    const JOBS: u64 = 500;
    let (queue_base, token, store) = rt.block_on(server(dir.path(), "jobs", &["AsyncRecord"], 0));
    rt.block_on(async {
        for i in 0..JOBS {
            let r = client
                .post(format!("{queue_base}/api/data/v9.2/sb_Pipeline"))
                .bearer_auth(&token)
                .json(&serde_json::json!({"Text": format!("job {i}")}))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
        }
        assert_eq!(store.job_counts().await.unwrap().ready, JOBS);
        let engine = switchboard_engine::Engine::new(store.clone(), Default::default())
            .await
            .unwrap();
        let runner = Arc::new(switchboard_engine::job_runner::StepJobRunner::new(
            engine.clone(),
        ));
        let started = Instant::now();
        let workers = switchboard_store::jobs::start_workers(
            store.clone(),
            runner,
            engine.jobs.clone(),
            switchboard_store::jobs::WorkerConfig {
                workers: 2,
                ..Default::default()
            },
        );
        while store.job_counts().await.unwrap().succeeded < JOBS {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let elapsed = started.elapsed();
        println!(
            "jobs drained: {JOBS} asynchronous steps in {:.2} s = {:.0} jobs/s (2 workers, SQLite)",
            elapsed.as_secs_f64(),
            JOBS as f64 / elapsed.as_secs_f64()
        );
        drop(workers);
    });
}

criterion_group!(pipeline_benches, benches);
criterion_main!(pipeline_benches);
