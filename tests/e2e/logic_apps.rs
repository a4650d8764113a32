//! Calling custom APIs the way Azure Logic Apps and Power Automate do: the asynchronous
//! polling pattern (`Prefer: respond-async` → 202 + `Location` → poll until not 202) and the
//! webhook action pattern (subscribe with a callback URL, the result posted to it,
//! unsubscribe to cancel), across nodes sharing one database and across a crash.
//!
//! The "engine" here follows what Logic Apps documents: it follows `Location` while the
//! answer is 202, waits `Retry-After` seconds (20 when absent) between polls, stops at the
//! first non-202 answer, and takes a non-2xx answer as the step's failure.

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};

use crate::server::{Running, start};
use crate::support::{Db, bin, create_token, import_ok, plugin_solution, sqlite};

/// One node of a deployment: a server process over a shared database.
struct Node {
    base: String,
    server: Running,
}

/// Starts a node over `db` with `workers` job workers (0: it only accepts operations).
fn node(db: &Db, workers: usize, callback_receiver: Option<&str>) -> Node {
    let mut cmd = Command::new(bin());
    cmd.args(["--database", &db.url])
        .arg("--data-dir")
        .arg(db.data_dir())
        .args(["--job-workers", &workers.to_string()])
        .args(["--retry-after-secs", "1"]);
    if let Some(receiver) = callback_receiver {
        cmd.args(["--outbound-allow", receiver]);
    }
    cmd.args(["serve", "--listen", "127.0.0.1:0"]);
    let (server, base, _) = start(cmd);
    Node { base, server }
}

/// What the engine saw of one polling action.
struct Polled {
    /// The status of every answer, the start's first.
    statuses: Vec<u16>,
    /// The last answer's status and body.
    status: u16,
    body: Json,
}

impl Polled {
    fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Logic Apps' polling action: the start request, then GETs of `Location` while the answer
/// is 202, each after `Retry-After` seconds; `before_poll` runs before each poll (the test
/// starts a worker node there). Gives up after 60 s.
async fn polling_action(
    start: reqwest::RequestBuilder,
    token: &str,
    mut before_poll: impl FnMut(usize),
) -> Polled {
    let client = reqwest::Client::new();
    let mut response = start
        .bearer_auth(token)
        .header("Prefer", "respond-async")
        .send()
        .await
        .expect("start request");
    let mut statuses = vec![response.status().as_u16()];
    let deadline = Instant::now() + Duration::from_secs(60);
    while response.status().as_u16() == 202 {
        assert!(Instant::now() < deadline, "still 202 after 60 s");
        let headers = response.headers();
        let location = headers
            .get("location")
            .expect("a 202 names its status monitor in Location")
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            location.starts_with("http://"),
            "Location is absolute: {location}"
        );
        let wait = headers
            .get("retry-after")
            .map(|v| {
                v.to_str()
                    .unwrap()
                    .parse::<u64>()
                    .expect("Retry-After in seconds")
            })
            .unwrap_or(20);
        tokio::time::sleep(Duration::from_secs(wait)).await;
        before_poll(statuses.len());
        response = client
            .get(&location)
            .bearer_auth(token)
            .send()
            .await
            .expect("poll");
        statuses.push(response.status().as_u16());
    }
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Json::Null);
    Polled {
        statuses,
        status,
        body,
    }
}

/// A callback receiver: every POST's JSON body, in order.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Json>>>,
}

async fn receiver() -> Receiver {
    use axum::routing::post;
    let received: Arc<Mutex<Vec<Json>>> = Arc::default();
    let seen = received.clone();
    let app = axum::Router::new().route(
        "/callback",
        post(move |axum::Json(body): axum::Json<Json>| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push(body);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/callback", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { url, received }
}

impl Receiver {
    /// The host:port the outbound allow-list must name.
    fn authority(&self) -> &str {
        self.url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
    }

    async fn wait_for(&self, count: usize) -> Vec<Json> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let got = self.received.lock().unwrap().clone();
            if got.len() >= count {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{count} callbacks expected, got {got:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn operation_row(base: &str, token: &str, id: &str) -> Json {
    reqwest::Client::new()
        .get(format!("{base}/api/data/v9.2/backgroundoperations({id})"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn action(base: &str, name: &str, body: Json) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(format!("{base}/api/data/v9.2/{name}"))
        .json(&body)
}

/// The polling pattern end to end on `db`: several 202s from a node without workers, then a
/// second node's workers complete it (200 with the outputs); a failing API ends as a
/// failure; an operation queued on a node killed with SIGKILL finishes, once, after a restart.
async fn polling_pattern(db: Db) {
    import_ok(&db.url, &[&plugin_solution()]);
    let token = create_token(&db.url, "admin", &[]);
    let accepting = node(&db, 0, None);

    // Success, completed by another node.
    let mut worker: Option<Node> = None;
    let polled = polling_action(
        action(
            &accepting.base,
            "sb_Reverse",
            json!({"StringParameter": "stressed"}),
        ),
        &token,
        |poll| {
            if poll == 3 {
                worker = Some(node(&db, 2, None));
            }
        },
    )
    .await;
    assert!(
        polled.statuses.len() >= 4 && polled.statuses[..3] == [202, 202, 202],
        "202 until a node with workers runs it: {:?}",
        polled.statuses
    );
    assert!(polled.succeeded(), "{:?} {}", polled.statuses, polled.body);
    assert_eq!(polled.status, 200);
    assert_eq!(polled.body["StringProperty"], "desserts", "{}", polled.body);
    assert_eq!(polled.body["backgroundOperationStatusCode"], 30);
    let id = polled.body["backgroundOperationId"]
        .as_str()
        .unwrap()
        .to_owned();
    let row = operation_row(&accepting.base, &token, &id).await;
    assert_eq!(row["backgroundoperationstatecode"], 3, "{row}");
    assert_eq!(row["name"], "sb_Reverse");
    assert_eq!(row["retrycount"], 0);
    assert!(
        row["outputparameters"]
            .as_str()
            .unwrap()
            .contains("desserts"),
        "{row}"
    );

    // A failing API: the engine sees a non-2xx answer (the step fails), with the members.
    let worker = worker.expect("the worker node started");
    let polled = polling_action(
        action(&worker.base, "sb_FaultBusiness", json!({})),
        &token,
        |_| {},
    )
    .await;
    assert!(!polled.succeeded(), "{:?}", polled.statuses);
    assert_eq!(polled.status, 400, "{}", polled.body);
    assert_eq!(polled.body["error"]["code"], "0x80040265");
    assert_eq!(polled.body["backgroundOperationStatusCode"], 31);
    assert_eq!(
        polled.body["backgroundOperationErrorCode"],
        0x8004_0265_u32 as i32
    );
    drop(worker);

    // Queued on a node that is then killed: a restarted node runs it, once.
    let start = reqwest::Client::new()
        .post(format!("{}/api/data/v9.2/sb_Reverse", accepting.base))
        .bearer_auth(&token)
        .header("Prefer", "respond-async")
        .json(&json!({"StringParameter": "drawer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 202);
    let id = start.headers()["x-ms-dyn-backgroundoperationid"]
        .to_str()
        .unwrap()
        .to_owned();
    let monitor_path = start.headers()["location"]
        .to_str()
        .unwrap()
        .split_once("/api/")
        .unwrap()
        .1
        .to_owned();
    accepting.server.kill_hard();
    let restarted = node(&db, 2, None);
    let monitor = format!("{}/api/{monitor_path}", restarted.base);
    let deadline = Instant::now() + Duration::from_secs(30);
    let done = loop {
        let r = reqwest::Client::new()
            .get(&monitor)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if r.status().as_u16() != 202 {
            break r;
        }
        assert!(Instant::now() < deadline, "not finished after a restart");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(done.status(), 200);
    let body: Json = done.json().await.unwrap();
    assert_eq!(body["StringProperty"], "reward");
    // Once: one job ran it, on its first attempt.
    let row = operation_row(&restarted.base, &token, &id).await;
    assert_eq!(row["retrycount"], 0, "{row}");
    let jobs: Json = reqwest::Client::new()
        .get(format!(
            "{}/api/data/v9.2/asyncoperations?$filter=_regardingobjectid_value eq {id}",
            restarted.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jobs = jobs["value"].as_array().unwrap();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0]["statuscode"], 30);
    assert_eq!(jobs[0]["retrycount"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_pattern_on_sqlite() {
    polling_pattern(sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_pattern_on_postgres() {
    let Some(pg) = crate::support::postgres("polling_pattern_on_postgres").await else {
        return;
    };
    polling_pattern(pg.served_db()).await;
    pg.drop_database().await;
}

/// The webhook action pattern: subscribe → 201 + Location; the outputs are posted to the
/// callback; unsubscribing before it ran cancels it (no callback, Canceled). Also Dataverse's
/// own callback (`Prefer: respond-async, odata.callback; url=…`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_action_runs_to_completion_and_to_cancellation() {
    let receiver = receiver().await;
    let db = sqlite();
    import_ok(&db.url, &[&plugin_solution()]);
    let token = create_token(&db.url, "admin", &[]);
    let client = reqwest::Client::new();

    // Cancellation: subscribed on a node without workers, unsubscribed before any runs it.
    let accepting = node(&db, 0, Some(receiver.authority()));
    let subscribed = client
        .post(format!(
            "{}/api/webhooks/sb_Reverse/subscribe",
            accepting.base
        ))
        .bearer_auth(&token)
        .json(&json!({"callbackUrl": receiver.url, "StringParameter": "never"}))
        .send()
        .await
        .unwrap();
    assert_eq!(subscribed.status(), 201);
    let unsubscribe = subscribed.headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    let canceled: Json = subscribed.json().await.unwrap();
    let canceled_id = canceled["backgroundOperationId"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = client
        .delete(&unsubscribe)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Json = r.json().await.unwrap();
    assert_eq!(body["backgroundOperationStateCode"], 3);
    assert_eq!(body["backgroundOperationStatusCode"], 32);

    // Completion: a node with workers runs the next subscription and posts its outputs.
    let worker = node(&db, 2, Some(receiver.authority()));
    let subscribed = client
        .post(format!("{}/api/webhooks/sb_Reverse/subscribe", worker.base))
        .bearer_auth(&token)
        .json(&json!({"callbackUrl": receiver.url, "StringParameter": "live"}))
        .send()
        .await
        .unwrap();
    assert_eq!(subscribed.status(), 201);
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0], json!({"StringProperty": "evil"}), "{got:?}");

    // Dataverse's callback: the status members and the monitor, no outputs.
    let started = client
        .post(format!("{}/api/data/v9.2/sb_Reverse", worker.base))
        .bearer_auth(&token)
        .header(
            "Prefer",
            format!("respond-async, odata.callback; url=\"{}\"", receiver.url),
        )
        .json(&json!({"StringParameter": "ab"}))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 202);
    assert_eq!(started.headers()["preference-applied"], "callback");
    let body: Json = started.json().await.unwrap();
    let got = receiver.wait_for(2).await;
    assert_eq!(
        got[1]["backgroundOperationId"],
        body["backgroundOperationId"]
    );
    assert_eq!(got[1]["backgroundOperationStatusCode"], 30);
    assert_eq!(got[1]["location"], body["location"]);
    assert!(got[1].get("StringProperty").is_none(), "{}", got[1]);
    // Every callback went through the outbound client: logged against its operation, and
    // the operation says it was delivered.
    let callback_id = body["backgroundOperationId"].as_str().unwrap().to_owned();
    let logged = format!(
        "{}/api/data/v9.2/outbounddeliveries?$filter=_regardingobjectid_value eq {callback_id}",
        worker.base
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let rows = loop {
        let r: Json = client
            .get(&logged)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let rows = r["value"].as_array().cloned().unwrap_or_default();
        if !rows.is_empty() {
            break rows;
        }
        assert!(
            Instant::now() < deadline,
            "the callback was never logged: {r}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(rows[0]["purpose"], "callback", "{rows:?}");
    assert_eq!(rows[0]["httpstatuscode"], 200);
    assert_eq!(rows[0]["regardingobjecttypecode"], "backgroundoperation");
    let row = operation_row(&worker.base, &token, &callback_id).await;
    assert_eq!(row["callbackstatecode"], 1, "delivered: {row}");

    // The canceled subscription never posted, even with workers about.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received.lock().unwrap().len(), 2);
    let row = operation_row(&worker.base, &token, &canceled_id).await;
    assert_eq!(row["backgroundoperationstatuscode"], 32, "{row}");
    assert_eq!(row["callbackstatecode"], 3, "suppressed: {row}");
    assert!(row.get("callbackuri").is_none(), "never shown: {row}");
    drop(accepting);
}

/// `OnBackgroundOperationComplete` takes asynchronous steps only, and an ended operation
/// fires them with Dataverse's inputs and outputs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_operation_fires_on_background_operation_complete() {
    use crate::support::{run, stderr};
    let db = sqlite();
    import_ok(&db.url, &[&plugin_solution()]);
    let token = create_token(&db.url, "admin", &[]);
    let add = |name: &str, mode: &str| {
        run(
            &db.url,
            &[
                "step",
                "add",
                "--name",
                name,
                "--message",
                "OnBackgroundOperationComplete",
                "--plugin-type",
                "Samples.Echo",
                "--stage",
                "40",
                "--mode",
                mode,
            ],
        )
    };
    let refused = add("heard-now", "sync");
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("asynchronous"),
        "{}",
        stderr(&refused)
    );
    let added = add("heard-later", "async");
    assert!(added.status.success(), "{}", stderr(&added));

    let worker = node(&db, 2, None);
    let polled = polling_action(
        action(&worker.base, "sb_Reverse", json!({"StringParameter": "ab"})),
        &token,
        |_| {},
    )
    .await;
    assert_eq!(polled.status, 200, "{}", polled.body);
    let id = polled.body["backgroundOperationId"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!(
        "{}/api/data/v9.2/asyncoperations?$filter=name eq 'heard-later' and statuscode eq 30",
        worker.base
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let job = loop {
        let jobs: Json = reqwest::Client::new()
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(job) = jobs["value"].as_array().and_then(|v| v.first()) {
            break job.clone();
        }
        assert!(Instant::now() < deadline, "the step never ran: {jobs}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(job["messagename"], "OnBackgroundOperationComplete");
    let data = job["data"].as_str().unwrap();
    assert!(
        data.contains(&id),
        "BackgroundOperationId in the context: {data}"
    );
    assert!(data.contains("BackgroundOperationStatusCode"), "{data}");
    assert!(data.contains("sb_Reverse"), "OperationName: {data}");
}

/// Dataverse's rules at the edges: both background-operation privileges to start one, a
/// monitor for an unknown id is a 404, `PATCH` cancels (204) and the monitor then answers
/// an error; an ended operation cannot be canceled; a callback without `respond-async` or
/// with a relative URL is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_operations_follow_dataverse_rules() {
    use crate::support::{run, send, serve_with};
    let s = serve_with(&[&plugin_solution()], &["--job-workers", "0"]);
    for args in [
        &["user", "add", "ops"][..],
        &["role", "add", "Starters"][..],
        &["role", "grant", "Starters", "prvReadbackgroundoperation"],
        &["role", "assign", "ops", "Starters"],
    ] {
        assert!(run(&s.db.url, args).status.success(), "{args:?}");
    }
    let ops = create_token(&s.db.url, "ops", &[]);
    let start = |token: &str, prefer: &str| {
        reqwest::Client::new()
            .post(s.url("sb_Reverse"))
            .bearer_auth(token)
            .header("Prefer", prefer)
            .json(&json!({"StringParameter": "x"}))
    };
    // Read alone is not enough: Dataverse asks for read and write.
    let r = send(start(&ops, "respond-async")).await;
    let message = r.error(403, "0x80040220");
    assert!(message.contains("prvWritebackgroundoperation"), "{message}");

    // Callbacks need respond-async and an absolute URL.
    let r = send(start(
        &s.token,
        "odata.callback; url=\"http://127.0.0.1:9/x\"",
    ))
    .await;
    r.error(400, "0x80040203");
    let r = send(start(
        &s.token,
        "respond-async, odata.callback; url=\"/relative\"",
    ))
    .await;
    r.error(400, "0x80040203");

    // Unknown operation.
    let unknown = format!(
        "{}/api/backgroundoperation/{}",
        s.base,
        uuid::Uuid::new_v4()
    );
    send(reqwest::Client::new().get(&unknown))
        .await
        .error(404, "0x80040217");

    // Started (a function too, with respond-async), canceled by PATCH, then the monitor fails.
    let r = send(
        reqwest::Client::new()
            .get(s.url("sb_ReverseFunction(StringParameter=@p)?@p='abc'"))
            .header("Prefer", "respond-async"),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.headers["preference-applied"], "respond-async");
    assert_eq!(r.headers["retry-after"], "10");
    let id = r.headers["x-ms-dyn-backgroundoperationid"]
        .to_str()
        .unwrap()
        .to_owned();
    let monitor = r.headers["location"].to_str().unwrap().to_owned();
    assert_eq!(monitor, format!("{}/api/backgroundoperation/{id}", s.base));
    let r = send(reqwest::Client::new().get(&monitor)).await;
    assert_eq!(r.status, 202);
    assert_eq!(r.json["backgroundOperationStatusCode"], 0);
    let patch = || {
        reqwest::Client::new()
            .patch(s.url(&format!("backgroundoperations({id})")))
            .header("If-Match", "*")
            .json(&json!({"backgroundoperationstatecode": 2, "backgroundoperationstatuscode": 22}))
    };
    let r = send(patch()).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = send(reqwest::Client::new().get(&monitor)).await;
    r.error(400, "0x80040265");
    assert_eq!(r.json["backgroundOperationStatusCode"], 32);
    // Canceling again: ended, refused with Dataverse's message.
    let message = send(patch()).await.error(400, "0x80040265");
    assert!(message.contains("terminal state"), "{message}");
    let r = send(reqwest::Client::new().delete(&monitor)).await;
    r.error(400, "0x80040265");

    // The table row, as Dataverse names its columns.
    let r = send(reqwest::Client::new().get(s.url(&format!("backgroundoperations({id})")))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["name"], "sb_ReverseFunction");
    assert_eq!(r.json["backgroundoperationstatecode"], 3);
    assert_eq!(r.json["ttlinseconds"], 7_776_000);
    assert!(
        r.json["inputparameters"]
            .as_str()
            .unwrap()
            .contains("\"abc\""),
        "{}",
        r.text
    );
}
