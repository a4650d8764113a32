//! The server answers HTTP; `demo` (the README's first command) imports and serves.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::support::*;

/// A child process killed when the test ends, however it ends.
pub struct Running(Child);

impl Running {
    /// Ends the server with SIGKILL (no shutdown, no cleanup), as a crash would.
    pub fn kill_hard(mut self) {
        self.0.kill().expect("SIGKILL the server");
        self.0.wait().expect("reap the server");
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary and waits for its "listening on http://…" line; returns the base
/// URL and every line printed before it.
pub fn start(command: Command) -> (Running, String, Vec<String>) {
    start_with_log(command, Stdio::inherit())
}

/// As [`start`], with the server's log (stderr) sent to `log`.
pub fn start_with_log(mut command: Command, log: Stdio) -> (Running, String, Vec<String>) {
    let mut child = command
        .env("LANG", "C")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(url) = line.split("listening on ").nth(1) {
            return (running, url.trim().to_owned(), lines);
        }
        lines.push(line);
    }
    panic!(
        "the server exited before listening; it printed:\n{}",
        lines.join("\n")
    );
}

/// `serve --create` over `db` as it is (no import): the running server and its base URL.
fn serve_empty(db: &Db) -> (Running, String) {
    let mut cmd = Command::new(bin());
    cmd.args(["--database", &db.url, "--data-dir"])
        .arg(db.data_dir())
        .args(["serve", "--listen", "127.0.0.1:0", "--create"]);
    let (server, base, _) = start(cmd);
    (server, base)
}

#[tokio::test]
async fn serve_answers_health_over_http() {
    let db = sqlite();
    let (_server, base) = serve_empty(&db);
    let response = reqwest::get(format!("{base}/health")).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "ok", "database": "ok"}));
    let missing = reqwest::get(format!("{base}/nope")).await.unwrap();
    assert_eq!(missing.status(), 404);
}

/// A SQLite file deleted under a running server: queries through the open connections still
/// answer, but nothing reaches a file anyone will open again, so health says unavailable.
#[tokio::test]
async fn health_reports_a_deleted_database_file() {
    let db = sqlite();
    let (_server, base) = serve_empty(&db);
    assert_eq!(
        reqwest::get(format!("{base}/health"))
            .await
            .unwrap()
            .status(),
        200
    );
    let file = db
        .url
        .strip_prefix("sqlite://")
        .and_then(|rest| rest.split('?').next())
        .expect("a sqlite file URL");
    std::fs::remove_file(file).unwrap();
    let response = reqwest::get(format!("{base}/health")).await.unwrap();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["database"], "unavailable");

    // Started again, `serve` refuses to create an empty database in its place (users,
    // tokens and records would seem gone) unless told to.
    let out = run(&db.url, &["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("there is no database at") && err.contains(file) && err.contains("--create"),
        "{err}"
    );
    assert!(!std::path::Path::new(file).exists(), "nothing was created");
}

#[tokio::test]
async fn demo_recreates_its_database_and_serves() {
    let cwd = tempfile::tempdir().unwrap();
    for round in 0..2 {
        let mut cmd = Command::new(bin());
        cmd.current_dir(cwd.path())
            .args(["demo", "--listen", "127.0.0.1:0", "--solutions"])
            .arg(workspace().join("solutions"))
            .arg("--plugins")
            .arg(workspace().join("plugins"));
        let (server, base, lines) = start(cmd);
        let text = lines.join("\n");
        assert!(
            text.contains("holds 21 custom APIs from 2 solutions"),
            "round {round}:\n{text}"
        );
        assert!(
            text.contains("SwitchboardPlugins 1.0.0.0 (unmanaged): 23 created, 0 updated"),
            "plug-ins built and imported:\n{text}"
        );
        assert!(
            text.contains("9 created, 0 updated"),
            "a fresh database each time:\n{text}"
        );
        // Run exactly what was printed, as a user pasting it would.
        let curls = run_printed_curls(&text, &base);
        assert_eq!(
            curls.len(),
            6,
            "an action, a function with an alias, a bound call, a record query, a plug-in reading its Target record, health:\n{text}"
        );
        let summary = curls
            .iter()
            .find(|(c, _)| c.contains("sb_ProjectSummary"))
            .expect("the Target-reading call is printed");
        assert!(
            summary.1.contains(r#""Name":"Apollo""#),
            "the demo seeded the project: {}",
            summary.1
        );
        drop(server);
        assert!(cwd.path().join("switchboard-data/demo.db").is_file());
    }
}

#[tokio::test]
async fn demo_with_an_explicit_database_imports_in_place() {
    let db = sqlite();
    import_ok(&db.url, &[&sample()]);
    let cwd = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(bin());
    cmd.current_dir(cwd.path())
        .args([
            "--database",
            &db.url,
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--solutions",
        ])
        .arg(workspace().join("solutions"));
    let (server, _base, lines) = start(cmd);
    let text = lines.join("\n");
    assert!(
        text.contains("0 created, 9 updated"),
        "updated in place, not wiped:\n{text}"
    );
    drop(server);
    assert!(
        !cwd.path().join("switchboard-data/demo.db").exists(),
        "demo.db untouched"
    );
    assert_eq!(
        counts(&db.url).await["customapi"],
        21,
        "the sample and the plug-in sample"
    );
}

/// Every 5xx answer is logged once, with the correlation id the caller got in the body (for
/// the platform's own failures) and in `x-ms-service-request-id`.
#[tokio::test]
async fn every_server_error_is_logged_once_with_its_correlation_id() {
    use sea_orm::ConnectionTrait;

    let db = sqlite();
    import_ok(&db.url, &[&plugin_solution()]);
    let token = create_token(&db.url, "admin", &[]);
    let log_path = db.data_dir().with_extension("log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut cmd = Command::new(bin());
    cmd.args(["--database", &db.url, "--data-dir"])
        .arg(db.data_dir())
        .args(["serve", "--listen", "127.0.0.1:0"]);
    let (server, base, _) = start_with_log(cmd, log.into());
    let client = reqwest::Client::new();
    let call = |request: reqwest::RequestBuilder| async {
        let r = request.bearer_auth(&token).send().await.unwrap();
        let status = r.status().as_u16();
        let id = r
            .headers()
            .get("x-ms-service-request-id")
            .map(|v| v.to_str().unwrap().to_owned());
        (status, id, r.text().await.unwrap())
    };

    // A plug-in failure: 500, and an id to find it in the log by.
    let (status, panicked, _) = call(
        client
            .post(format!("{base}/api/data/v9.2/sb_FaultPanic"))
            .json(&serde_json::json!({})),
    )
    .await;
    assert_eq!(status, 500);
    let panicked = panicked.expect("a 5xx carries x-ms-service-request-id");

    // The platform's own failure (a table gone from under the server): the body's
    // correlation id is the header's.
    let store = switchboard_store::Store::connect(&db.url).await.unwrap();
    store
        .connection()
        .execute_unprepared("DROP TABLE pluginassembly")
        .await
        .unwrap();
    let (status, internal, body) =
        call(client.get(format!("{base}/api/data/v9.2/pluginassemblies"))).await;
    assert_eq!(status, 500, "{body}");
    let internal = internal.expect("a 5xx carries x-ms-service-request-id");
    assert!(body.contains(&internal), "{body} names {internal}");
    assert!(
        !body.contains("pluginassembly"),
        "no detail reaches the caller: {body}"
    );

    // A 4xx is not a server error: no id, no log line.
    let (status, none, _) = call(client.get(format!("{base}/api/data/v9.2/nosuchset"))).await;
    assert_eq!(status, 404);
    assert!(none.is_none());

    drop(server);
    let log = std::fs::read_to_string(&log_path).unwrap();
    let failed: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("request failed"))
        .collect();
    assert_eq!(failed.len(), 2, "{log}");
    for id in [&panicked, &internal] {
        assert_eq!(
            log.lines().filter(|l| l.contains(id.as_str())).count(),
            1,
            "{id} logged once: {log}"
        );
    }
    assert!(
        failed
            .iter()
            .any(|l| l.contains(&internal) && l.contains("pluginassembly")),
        "the log has what went wrong: {log}"
    );
}
