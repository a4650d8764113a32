//! The message pipeline over HTTP with real plug-ins: steps at 10/20/40 sync and 40 async
//! around the main operation, rollback on a failing step, nested messages and the depth
//! limit, and durable asynchronous jobs that survive SIGKILL, on SQLite and PostgreSQL.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use switchboard_store::Store;

use crate::support::*;

/// `sb_name` of every `sb_project` row, through the store.
async fn project_names(store: &Store) -> Vec<String> {
    let table = store
        .tables()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.logical_name == "sb_project")
        .unwrap();
    let page = switchboard_store::records::retrieve_multiple(
        store.connection(),
        &table,
        &switchboard_model::query::RecordQuery::default(),
    )
    .await
    .unwrap();
    page.records
        .iter()
        .filter_map(|r| match r.get("sb_name") {
            Some(switchboard_model::Value::String(s)) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

async fn wait_for_jobs(store: &Store, succeeded: u64, within: Duration) {
    let start = Instant::now();
    loop {
        let counts = store.job_counts().await.unwrap();
        if counts.succeeded >= succeeded {
            assert_eq!(counts.failed, 0, "{counts:?}");
            return;
        }
        assert!(
            start.elapsed() < within,
            "jobs did not finish in {within:?}: {counts:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn steps_run_in_order_around_the_main_operation() {
    let s = serve(&[&sample(), &plugin_solution()]);
    set_trace_log(&s, 2).await;
    let r = post(&s.url("sb_Pipeline"), json!({"Text": "hello"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Stage 20 upper-cased the input the main operation saw.
    assert_eq!(r.json["Result"], "HELLO seen by main (main-config)");
    // Stage 40 set an output the caller sees; it read what stage 10 shared.
    assert_eq!(r.json["Trail"], "10;20;40;from10=yes");
    let store = store(&s.db.url).await;
    // The asynchronous step ran after the commit, from its queued context.
    wait_for_jobs(&store, 1, Duration::from_secs(30)).await;
    let mut names = project_names(&store).await;
    names.sort();
    assert_eq!(names, ["async:HELLO", "main:HELLO"]);
    let jobs = get(&s.url("asyncoperations?$select=name,statecode,statuscode,messagename")).await;
    assert_eq!(jobs.status, 200, "{}", jobs.text);
    assert_eq!(jobs.json["value"][0]["statuscode"], 30, "{}", jobs.text);
    assert_eq!(jobs.json["value"][0]["messagename"], "sb_Pipeline");
    // With plugintracelogsetting All, every plug-in call left a trace row; the steps' own
    // trace lines are in it.
    let traces = get_until(
        &s.url(
            "plugintracelogs?$select=typename,messageblock,depth&$filter=messagename eq 'sb_Pipeline'",
        ),
        "six trace rows",
        |r| r.json["value"].as_array().is_some_and(|v| v.len() >= 6),
    )
    .await;
    assert_eq!(traces.status, 200, "{}", traces.text);
    let rows = traces.json["value"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        6,
        "10, 20, 30, 40, 40 and the async step: {}",
        traces.text
    );
    let blocks: Vec<&str> = rows
        .iter()
        .filter_map(|r| r["messageblock"].as_str())
        .collect();
    for stage in [10, 20, 40] {
        assert!(
            blocks.contains(&format!("Trail step at stage {stage}").as_str()),
            "{blocks:?}"
        );
    }
}

#[tokio::test]
async fn a_failing_post_operation_step_rolls_back_the_main_operation() {
    let s = serve(&[&sample(), &plugin_solution()]);
    let store = store(&s.db.url).await;
    let before = project_names(&store).await.len();
    let message = post(&s.url("sb_Pipeline"), json!({"Text": "refuse me"}))
        .await
        .error(400, "0x80040265");
    assert!(
        message.contains("post-operation refused REFUSE ME"),
        "{message}"
    );
    // The record the main operation created is gone, and no async step was queued.
    assert_eq!(project_names(&store).await.len(), before);
    assert_eq!(store.job_counts().await.unwrap().total(), 0);
    // The trace log (Exception, the default, keeps failures) survives the rollback and
    // names the failure.
    let traces = get_until(
        &s.url(
            "plugintracelogs?$select=typename,exceptiondetails&$filter=typename eq 'Switchboard.Samples.Steps.Refuse'",
        ),
        "the failure's trace row",
        |r| r.json["value"].as_array().is_some_and(|v| !v.is_empty()),
    )
    .await;
    assert_eq!(traces.status, 200, "{}", traces.text);
    assert!(
        traces.json["value"][0]["exceptiondetails"]
            .as_str()
            .is_some_and(|e| e.contains("post-operation refused")),
        "{}",
        traces.text
    );
}

#[tokio::test]
async fn nested_messages_run_to_depth_eight_and_stop_at_nine() {
    let s = serve(&[&sample(), &plugin_solution()]);
    let store = store(&s.db.url).await;
    let r = post(&s.url("sb_Recurse"), json!({"Levels": 8})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["Depth"], 8);
    let mut names = project_names(&store).await;
    names.sort();
    let expected: Vec<String> = (1..=8).map(|d| format!("depth {d}")).collect();
    assert_eq!(
        names, expected,
        "one record per level, all committed together"
    );
    let message = post(&s.url("sb_Recurse"), json!({"Levels": 9}))
        .await
        .error(400, "0x80044182");
    assert!(message.contains("sb_Recurse"), "{message}");
    // Nothing the nine-level call wrote survived (eight levels had written a record each).
    assert_eq!(project_names(&store).await.len(), 8);
}

/// Starts `serve` on `db` with `workers` job workers; returns the running server and base URL.
fn start_server(db: &str, data_dir: &Path, workers: u32) -> (crate::server::Running, String) {
    let mut cmd = Command::new(bin());
    cmd.args(["--database", db])
        .arg("--data-dir")
        .arg(data_dir)
        .args([
            "--job-workers",
            &workers.to_string(),
            "--job-lease-secs",
            "2",
        ])
        .args(["--rate-limit", "100000"])
        .args(["serve", "--listen", "127.0.0.1:0"]);
    let (server, base, _) = crate::server::start(cmd);
    (server, base)
}

/// 1,000 asynchronous steps queued, the server killed with SIGKILL while it drains them and
/// started again: every job ends Succeeded and ran exactly once (one record each).
async fn jobs_survive_sigkill(db: &str, data_dir: &Path) {
    import_ok(db, &[&sample(), &plugin_solution()]);
    let token = create_token(db, "admin", &[]);
    const JOBS: usize = 1000;
    {
        // Queue them with no worker running.
        let (_server, base) = start_server(db, data_dir, 0);
        let client = reqwest::Client::new();
        let url = format!("{base}/api/data/v9.2/sb_Pipeline");
        for i in 0..JOBS {
            let r = client
                .post(&url)
                .bearer_auth(&token)
                .json(&json!({"Text": format!("job {i:04}")}))
                .send()
                .await
                .expect("request sent");
            assert_eq!(r.status().as_u16(), 200);
        }
    }
    let store = Store::connect(db).await.unwrap();
    assert_eq!(store.job_counts().await.unwrap().ready, JOBS as u64);
    // Drain, and kill the node mid-way.
    let (server, _) = start_server(db, data_dir, 2);
    let start = Instant::now();
    loop {
        let done = store.job_counts().await.unwrap().succeeded;
        if done >= 100 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "no progress");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill_hard();
    let after_kill = store.job_counts().await.unwrap();
    assert!(
        after_kill.succeeded < JOBS as u64,
        "killed too late: {after_kill:?}"
    );
    // A new node picks up the rest, including the jobs the dead node had claimed.
    let (_server, _) = start_server(db, data_dir, 2);
    wait_for_jobs(&store, JOBS as u64, Duration::from_secs(600)).await;
    let mut runs: BTreeMap<String, usize> = BTreeMap::new();
    for name in project_names(&store).await {
        if let Some(text) = name.strip_prefix("async:") {
            *runs.entry(text.to_owned()).or_default() += 1;
        }
    }
    assert_eq!(runs.len(), JOBS, "every job ran");
    assert!(
        runs.values().all(|n| *n == 1),
        "a job ran twice: {:?}",
        runs.iter()
            .filter(|(_, n)| **n > 1)
            .take(5)
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn async_jobs_run_exactly_once_across_sigkill_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = switchboard_store::sqlite_url(&dir.path().join("jobs.db"));
    jobs_survive_sigkill(&db, &dir.path().join("data")).await;
}

#[tokio::test]
async fn async_jobs_run_exactly_once_across_sigkill_on_postgres() {
    let Some(pg) = postgres("async_jobs_run_exactly_once_across_sigkill_on_postgres").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    jobs_survive_sigkill(&pg.url, &dir.path().join("data")).await;
    pg.drop_database().await;
}

#[tokio::test]
async fn two_servers_on_one_postgres_share_the_queue_without_running_a_job_twice() {
    let Some(pg) = postgres("two_servers_on_one_postgres_share_the_queue").await else {
        return;
    };
    let db = pg.url.clone();
    import_ok(&db, &[&sample(), &plugin_solution()]);
    let token = create_token(&db, "admin", &[]);
    let dir = tempfile::tempdir().unwrap();
    const JOBS: usize = 300;
    {
        let (_a, base_a) = start_server(&db, &dir.path().join("a"), 2);
        let (_b, base_b) = start_server(&db, &dir.path().join("b"), 2);
        let client = reqwest::Client::new();
        // Requests alternate between the nodes; both nodes' workers drain one queue.
        for i in 0..JOBS {
            let base = if i % 2 == 0 { &base_a } else { &base_b };
            let r = client
                .post(format!("{base}/api/data/v9.2/sb_Pipeline"))
                .bearer_auth(&token)
                .json(&json!({"Text": format!("shared {i:03}")}))
                .send()
                .await
                .expect("request sent");
            assert_eq!(r.status().as_u16(), 200);
        }
        let store = Store::connect(&db).await.unwrap();
        wait_for_jobs(&store, JOBS as u64, Duration::from_secs(300)).await;
        let mut runs: BTreeMap<String, usize> = BTreeMap::new();
        for name in project_names(&store).await {
            if let Some(text) = name.strip_prefix("async:") {
                *runs.entry(text.to_owned()).or_default() += 1;
            }
        }
        assert_eq!(runs.len(), JOBS);
        assert!(runs.values().all(|n| *n == 1), "a job ran twice");
        // Both nodes took part.
        use sea_orm::ConnectionTrait;
        let hosts = store
            .connection()
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT DISTINCT hostid FROM asyncoperation",
            ))
            .await
            .unwrap();
        assert!(hosts.len() >= 2, "only {} node(s) ran jobs", hosts.len());
    }
    pg.drop_database().await;
}

#[tokio::test]
async fn steps_on_table_messages_change_the_record_and_honour_filtering_attributes() {
    let s = serve(&[&sample(), &plugin_solution()]);
    let db = &s.db.url;
    for args in [
        vec![
            "step",
            "add",
            "--name",
            "Stamp projects on create",
            "--message",
            "Create",
            "--entity",
            "sb_project",
            "--stage",
            "20",
            "--plugin-type",
            "Switchboard.Samples.Steps.Stamp",
        ],
        vec![
            "step",
            "add",
            "--name",
            "Stamp projects when the priority changes",
            "--message",
            "Update",
            "--entity",
            "sb_project",
            "--stage",
            "10",
            "--plugin-type",
            "Switchboard.Samples.Steps.Stamp",
            "--filtering-attributes",
            "sb_priority",
        ],
    ] {
        let out = run(db, &args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    // The server picks up steps registered by another process within two seconds.
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let created = post(&s.url("sb_projects"), json!({"sb_name": "stamped"})).await;
    assert_eq!(created.status, 204, "{}", created.text);
    let location = created.headers["odata-entityid"]
        .to_str()
        .unwrap()
        .to_owned();
    let id = &location[location.rfind('(').unwrap() + 1..location.len() - 1];
    let read = |id: String| {
        let url = s.url(&format!("sb_projects({id})?$select=sb_code,sb_name"));
        async move { get(&url).await.json }
    };
    // The pre-operation step changed the Target the main operation wrote.
    assert_eq!(read(id.to_owned()).await["sb_code"], "STAMP-20");
    let patch = |body: serde_json::Value| {
        let url = s.url(&format!("sb_projects({id})"));
        async move { send(reqwest::Client::new().patch(url).json(&body)).await }
    };
    // An update that does not touch the filtering attribute leaves the step out.
    assert_eq!(patch(json!({"sb_name": "renamed"})).await.status, 204);
    assert_eq!(read(id.to_owned()).await["sb_code"], "STAMP-20");
    // One that does runs it.
    assert_eq!(patch(json!({"sb_priority": 3})).await.status, 204);
    let record = read(id.to_owned()).await;
    assert_eq!(record["sb_code"], "STAMP-10");
    assert_eq!(record["sb_name"], "renamed");
    // A plug-in's own write is a Create message too: the table's step fires for it.
    let r = post(&s.url("sb_Pipeline"), json!({"Text": "from a plug-in"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let written =
        get(&s.url("sb_projects?$select=sb_code&$filter=sb_name%20eq%20'main:FROM%20A%20PLUG-IN'"))
            .await;
    assert_eq!(
        written.json["value"][0]["sb_code"], "STAMP-20",
        "{}",
        written.text
    );
}

const AUDIT_TYPE: &str = "0b6f7e5c-5a1d-4c3e-9f00-000000000507";
const REDACT_TYPE: &str = "0b6f7e5c-5a1d-4c3e-9f00-000000000508";

/// Registers an `Audit` step on `sb_project` over the Web API; returns its id.
async fn audit_step(s: &Served, message: &str, stage: u8, mode: u8) -> String {
    project_step(s, AUDIT_TYPE, message, stage, mode).await
}

/// Registers a step of `plugin_type` on `sb_project` over the Web API; returns its id.
async fn project_step(s: &Served, plugin_type: &str, message: &str, stage: u8, mode: u8) -> String {
    let message_id = switchboard_model::ids::built_in_by_name(message)
        .unwrap()
        .id;
    let r = post(
        &s.url("sdkmessageprocessingsteps"),
        json!({
            "name": format!("Audit {message} {stage} {mode}"),
            "stage": stage,
            "mode": mode,
            "primaryobjecttypecode": "sb_project",
            "sdkmessageid@odata.bind": format!("/sdkmessages({message_id})"),
            "plugintypeid@odata.bind": format!("/plugintypes({plugin_type})"),
        }),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let location = r.headers["odata-entityid"].to_str().unwrap();
    location[location.rfind('(').unwrap() + 1..location.len() - 1].to_owned()
}

/// An asynchronous step with `asyncautodelete` leaves no system job once it succeeded; one
/// without keeps its Succeeded job.
#[tokio::test]
async fn async_auto_delete_removes_the_succeeded_job() {
    let s = serve(&[&sample(), &plugin_solution()]);
    let message_id = switchboard_model::ids::built_in_by_name("Create")
        .unwrap()
        .id;
    let mut steps = Vec::new();
    for auto_delete in [true, false] {
        let r = post(
            &s.url("sdkmessageprocessingsteps"),
            json!({
                "name": format!("Audit, asyncautodelete {auto_delete}"),
                "stage": 40,
                "mode": 1,
                "asyncautodelete": auto_delete,
                "primaryobjecttypecode": "sb_project",
                "sdkmessageid@odata.bind": format!("/sdkmessages({message_id})"),
                "plugintypeid@odata.bind": format!("/plugintypes({AUDIT_TYPE})"),
            }),
        )
        .await;
        assert_eq!(r.status, 204, "{}", r.text);
        let location = r.headers["odata-entityid"].to_str().unwrap();
        steps.push(location[location.rfind('(').unwrap() + 1..location.len() - 1].to_owned());
    }
    let r = post(&s.url("sb_projects"), json!({"sb_name": "Vega"})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    // Both ran: each wrote its audit account.
    let store = store(&s.db.url).await;
    let start = Instant::now();
    while audits(&s).await.len() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the steps did not run"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let counts = store.job_counts().await.unwrap();
    assert_eq!((counts.succeeded, counts.total()), (1, 1), "{counts:?}");
    let jobs = |step: &str| {
        s.url(&format!(
            "asyncoperations?$select=statuscode&$filter=_owningextensionid_value eq {step}"
        ))
    };
    let deleted = get(&jobs(&steps[0])).await;
    assert_eq!(
        deleted.json["value"].as_array().unwrap().len(),
        0,
        "{}",
        deleted.text
    );
    let kept = get(&jobs(&steps[1])).await;
    assert_eq!(kept.json["value"][0]["statuscode"], 30, "{}", kept.text);
}

/// Registers the image `Image` with the columns sb_name and sb_priority on a step.
async fn add_image(s: &Served, step: &str, image_type: u8) -> Reply {
    post(
        &s.url("sdkmessageprocessingstepimages"),
        json!({
            "name": "Image",
            "entityalias": "Image",
            "imagetype": image_type,
            "attributes": "sb_name,sb_priority",
            "messagepropertyname": "Target",
            "sdkmessageprocessingstepid@odata.bind": format!("/sdkmessageprocessingsteps({step})"),
        }),
    )
    .await
}

/// The `audit:` accounts the Audit step wrote, sorted.
async fn audits(s: &Served) -> Vec<String> {
    let r = get(&s.url("accounts?$select=name")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut names: Vec<String> = r.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .filter(|n| n.starts_with("audit:"))
        .map(str::to_owned)
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn steps_receive_the_pre_and_post_images_registered_on_them() {
    let s = serve(&[&sample(), &plugin_solution()]);
    let on_create = audit_step(&s, "Create", 40, 0).await;
    let on_update = audit_step(&s, "Update", 40, 0).await;
    let on_update_async = audit_step(&s, "Update", 40, 1).await;
    let pre_operation = audit_step(&s, "Update", 20, 0).await;
    // Create has no pre-image, and a post-image exists only from post-operation on: both
    // refused with a message that says why, and nothing stored.
    let refused = add_image(&s, &on_create, 0).await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert!(
        refused.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Create"),
        "{}",
        refused.text
    );
    let refused = add_image(&s, &pre_operation, 1).await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert!(
        refused.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("stage 20"),
        "{}",
        refused.text
    );
    for (step, image_type) in [(&on_create, 1), (&on_update, 2), (&on_update_async, 1)] {
        let r = add_image(&s, step, image_type).await;
        assert_eq!(r.status, 204, "{}", r.text);
    }
    // The CLI registers images too: a pre-image for a Delete step.
    let out = run(
        &s.db.url,
        &[
            "step",
            "add",
            "--name",
            "Audit deletes",
            "--message",
            "Delete",
            "--entity",
            "sb_project",
            "--stage",
            "20",
            "--plugin-type",
            "Switchboard.Samples.Steps.Audit",
            "--id",
            "7a0e0d3c-0000-4000-8000-0000000000d1",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(
        &s.db.url,
        &[
            "step",
            "image-add",
            "--step",
            "7a0e0d3c-0000-4000-8000-0000000000d1",
            "--alias",
            "Image",
            "--type",
            "pre",
            "--attributes",
            "sb_name,sb_priority",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(
        &s.db.url,
        &[
            "step",
            "image-add",
            "--step",
            "7a0e0d3c-0000-4000-8000-0000000000d1",
            "--alias",
            "After",
            "--type",
            "post",
        ],
    );
    assert!(!out.status.success(), "Delete has no post-image");
    assert!(stderr(&out).contains("Delete"), "{}", stderr(&out));
    let images = get(&s.url(
        "sdkmessageprocessingstepimages?$select=entityalias,imagetype,attributes,messagepropertyname",
    ))
    .await;
    assert_eq!(images.status, 200, "{}", images.text);
    assert_eq!(
        images.json["value"].as_array().unwrap().len(),
        4,
        "{}",
        images.text
    );
    // The server picks up what another process registered within two seconds.
    tokio::time::sleep(Duration::from_millis(2600)).await;

    let created = post(
        &s.url("sb_projects"),
        json!({"sb_name": "imaged", "sb_priority": 1, "sb_notes": "not in the image"}),
    )
    .await;
    assert_eq!(created.status, 204, "{}", created.text);
    let location = created.headers["odata-entityid"]
        .to_str()
        .unwrap()
        .to_owned();
    let record = location[location.rfind('/').unwrap()..].to_owned();
    let patched = send(
        reqwest::Client::new()
            .patch(s.url(&record[1..]))
            .json(&json!({"sb_priority": 2})),
    )
    .await;
    assert_eq!(patched.status, 204, "{}", patched.text);
    let store = store(&s.db.url).await;
    wait_for_jobs(&store, 1, Duration::from_secs(30)).await;
    let deleted = send(reqwest::Client::new().delete(s.url(&record[1..]))).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert_eq!(
        audits(&s).await,
        [
            // Create: the record after the write, with the image's columns only.
            "audit:Create:sync:-->sb_name=imaged,sb_priority=1",
            // Delete: the record before it went (pre-operation, inside the transaction).
            "audit:Delete:sync:sb_name=imaged,sb_priority=2->-",
            // The asynchronous step ran from its queued context, image included.
            "audit:Update:async:-->sb_name=imaged,sb_priority=2",
            // The pre-operation step has no image; the post-operation one both.
            "audit:Update:sync:-->-",
            "audit:Update:sync:sb_name=imaged,sb_priority=1->sb_name=imaged,sb_priority=2",
        ]
    );

    // Deleting an image over the Web API: the step runs on without it.
    let image_id = images.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["imagetype"] == 2)
        .unwrap()["sdkmessageprocessingstepimageid"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = send(
        reqwest::Client::new()
            .delete(s.url(&format!("sdkmessageprocessingstepimages({image_id})"))),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = send(
        reqwest::Client::new()
            .delete(s.url(&format!("sdkmessageprocessingstepimages({image_id})"))),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.text);
}

#[tokio::test]
async fn retrieve_and_retrieve_multiple_run_through_the_pipeline() {
    let s = serve(&[&sample(), &plugin_solution()]);
    set_trace_log(&s, 2).await;
    for (name, priority) in [("r-a", json!(1)), ("r-b", json!(null))] {
        let r = post(
            &s.url("sb_projects"),
            json!({"sb_name": name, "sb_priority": priority, "sb_notes": "secret"}),
        )
        .await;
        assert_eq!(r.status, 204, "{}", r.text);
    }
    let list = |query: &'static str| {
        let url = s.url(&format!("sb_projects?$select=sb_name,sb_notes&{query}"));
        async move {
            let r = get(&url).await;
            assert_eq!(r.status, 200, "{}", r.text);
            let mut rows: Vec<(String, String)> = r.json["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["sb_name"].as_str().unwrap().to_owned(),
                        p["sb_notes"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
            rows.sort();
            rows
        }
    };
    let plain = list("$filter=startswith(sb_name,'r-')").await;
    assert_eq!(plain.len(), 2, "no step yet: {plain:?}");
    let a = get(&s.url("sb_projects?$select=sb_projectid&$filter=sb_name eq 'r-a'")).await;
    let id = a.json["value"][0]["sb_projectid"]
        .as_str()
        .unwrap()
        .to_owned();

    project_step(&s, REDACT_TYPE, "Retrieve", 40, 0).await;
    project_step(&s, REDACT_TYPE, "RetrieveMultiple", 40, 0).await;
    project_step(&s, REDACT_TYPE, "RetrieveMultiple", 20, 0).await;

    // Retrieve: the post-operation step changed the record the caller gets.
    let one = get(&s.url(&format!("sb_projects({id})?$select=sb_name,sb_notes"))).await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.json["sb_notes"], "[redacted]", "{}", one.text);
    assert_eq!(one.json["sb_name"], "r-a");
    // The record a create or an update answers with (`Prefer: return=representation`) is
    // read by the Retrieve message too: the step changed it.
    let represented = |request: reqwest::RequestBuilder| async {
        send(request.header("Prefer", "return=representation")).await
    };
    let created = represented(
        reqwest::Client::new()
            .post(s.url("sb_projects?$select=sb_name,sb_notes"))
            .json(&json!({"sb_name": "r-c", "sb_notes": "secret"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["sb_notes"], "[redacted]", "{}", created.text);
    let updated = represented(
        reqwest::Client::new()
            .patch(s.url(&format!("sb_projects({id})?$select=sb_name,sb_notes")))
            .json(&json!({"sb_notes": "still secret"})),
    )
    .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.json["sb_notes"], "[redacted]", "{}", updated.text);
    let r = send(reqwest::Client::new().delete(s.url(&format!(
        "sb_projects({})",
        created.json["sb_projectid"].as_str().unwrap()
    ))))
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    // RetrieveMultiple: the pre-operation step narrowed the query (only projects with a
    // priority), the post-operation step changed every record of the page.
    assert_eq!(
        list("$filter=startswith(sb_name,'r-')").await,
        [("r-a".to_owned(), "[redacted]".to_owned())]
    );
    // A missing record is still 404 with the record's code, not a step's error.
    let missing =
        get(&s.url("sb_projects(00000000-0000-4000-8000-000000000404)?$select=sb_name")).await;
    assert_eq!(missing.status, 404, "{}", missing.text);
    // A plug-in's reads are Retrieve messages one level deeper: the step ran for it too.
    let summary = post(
        &s.url(&format!(
            "sb_projects({id})/Microsoft.Dynamics.CRM.sb_ProjectSummary"
        )),
        json!({}),
    )
    .await;
    assert_eq!(summary.status, 200, "{}", summary.text);
    assert_eq!(summary.json["Name"], "r-a");
    let traces = get_until(
        &s.url("plugintracelogs?$select=typename,depth&$filter=messagename eq 'Retrieve'"),
        "Redact's trace rows at depths 1 and 2",
        |r| {
            let depths: Vec<i64> = r.json["value"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|t| t["typename"] == "Switchboard.Samples.Steps.Redact")
                .filter_map(|t| t["depth"].as_i64())
                .collect();
            depths.contains(&1) && depths.contains(&2)
        },
    )
    .await;
    let depths: Vec<i64> = traces.json["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["typename"] == "Switchboard.Samples.Steps.Redact")
        .map(|t| t["depth"].as_i64().unwrap())
        .collect();
    assert!(
        depths.contains(&1) && depths.contains(&2),
        "{}",
        traces.text
    );
}

const LOOP_TYPE: &str = "0b6f7e5c-5a1d-4c3e-9f00-000000000301";

/// Whether none of the calls has answered yet.
fn all_running(calls: &[tokio::task::JoinHandle<Reply>]) -> bool {
    calls.iter().all(|c| !c.is_finished())
}

/// Creates of `sb_project` sent at once (each running a looping step until its deadline).
fn looping_creates(s: &Served, n: usize) -> Vec<tokio::task::JoinHandle<Reply>> {
    (0..n)
        .map(|i| {
            let url = s.url("sb_projects");
            tokio::spawn(async move { post(&url, json!({"sb_name": format!("loop {i}")})).await })
        })
        .collect()
}

/// Reads and writes of other tables go through while sync steps loop: in pre-operation (no
/// transaction yet), in post-operation (its transaction open: readers are not held, on
/// PostgreSQL not even with every writer connection taken).
async fn looping_sync_steps_hold_nothing_others_need(s: &Served) {
    let projects = s.url("sb_projects?$select=sb_name");
    let others = s.url("accounts");

    // Pre-operation: nothing is written before the step, so other writers go on too.
    let step = project_step(s, LOOP_TYPE, "Create", 20, 0).await;
    let creates = looping_creates(s, 3);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    for _ in 0..5 {
        let r = get(&projects).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = post(&others, json!({"name": "written meanwhile"})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert!(
        all_running(&creates),
        "reads and writes waited for looping pre-operation steps"
    );
    for create in creates {
        create.await.unwrap().error(500, "0x80040265");
    }
    assert_eq!(
        delete(&s.url(&format!("sdkmessageprocessingsteps({step})")))
            .await
            .status,
        204
    );

    // Post-operation: each create's transaction is open while its step loops (more of them
    // than PostgreSQL's writer connections); readers do not wait.
    project_step(s, LOOP_TYPE, "Create", 40, 0).await;
    let creates = looping_creates(s, 3);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    for _ in 0..5 {
        let r = get(&projects).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(
            !r.text.contains("loop "),
            "uncommitted creates are not seen: {}",
            r.text
        );
    }
    assert!(
        all_running(&creates),
        "reads waited for looping post-operation steps"
    );
    for create in creates {
        create.await.unwrap().error(500, "0x80040265");
    }
}

/// While asynchronous steps loop (the worker opens no transaction before a step writes),
/// reads and writes go through before any attempt has ended.
async fn looping_async_steps_hold_no_transaction(s: &Served) {
    let projects = s.url("sb_projects?$select=sb_name");
    let others = s.url("accounts");
    project_step(s, LOOP_TYPE, "Create", 40, 1).await;
    for i in 0..3 {
        let r = post(
            &s.url("sb_projects"),
            json!({"sb_name": format!("queued {i}")}),
        )
        .await;
        assert_eq!(r.status, 204, "{}", r.text);
    }
    let running = s.url("asyncoperations?$filter=statecode%20eq%202&$select=name");
    get_until(&running, "a looping job running", |r| {
        r.json["value"].as_array().is_some_and(|v| !v.is_empty())
    })
    .await;
    for _ in 0..5 {
        let r = get(&projects).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = post(&others, json!({"name": "written while jobs loop"})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let attempts = get(&s.url("asyncoperations?$select=retrycount,statecode,message")).await;
    for job in attempts.json["value"].as_array().unwrap() {
        assert_eq!(
            job["retrycount"], 0,
            "the write waited for a looping job's attempt to end: {}",
            attempts.text
        );
    }
}

const LOOPING: &[&str] = &[
    "--plugin-deadline-ms",
    "3000",
    "--database-connections",
    "2",
];

/// Jobs loop for longer than the test takes: it never waits for them.
const LOOPING_JOBS: &[&str] = &[
    "--plugin-deadline-ms",
    "30000",
    "--database-connections",
    "2",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn looping_sync_steps_hold_nothing_others_need_on_sqlite() {
    let s = serve_db_with(sqlite(), &[&sample(), &plugin_solution()], LOOPING);
    looping_sync_steps_hold_nothing_others_need(&s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn looping_sync_steps_hold_nothing_others_need_on_postgres() {
    let Some(pg) = postgres("looping_sync_steps_hold_nothing_others_need").await else {
        return;
    };
    {
        let s = serve_db_with(pg.served_db(), &[&sample(), &plugin_solution()], LOOPING);
        looping_sync_steps_hold_nothing_others_need(&s).await;
    }
    pg.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn looping_async_steps_hold_no_transaction_on_sqlite() {
    let s = serve_db_with(sqlite(), &[&sample(), &plugin_solution()], LOOPING_JOBS);
    looping_async_steps_hold_no_transaction(&s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn looping_async_steps_hold_no_transaction_on_postgres() {
    let Some(pg) = postgres("looping_async_steps_hold_no_transaction").await else {
        return;
    };
    {
        let s = serve_db_with(
            pg.served_db(),
            &[&sample(), &plugin_solution()],
            LOOPING_JOBS,
        );
        looping_async_steps_hold_no_transaction(&s).await;
    }
    pg.drop_database().await;
}
