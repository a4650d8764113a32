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
pub fn start(mut command: Command) -> (Running, String, Vec<String>) {
    let mut child = command
        .env("LANG", "C")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
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

#[tokio::test]
async fn serve_answers_health_over_http() {
    let db = sqlite();
    let mut cmd = Command::new(bin());
    cmd.args(["--database", &db.url, "--data-dir"])
        .arg(db.data_dir())
        .args(["serve", "--listen", "127.0.0.1:0"]);
    let (_server, base, _) = start(cmd);
    let response = reqwest::get(format!("{base}/health")).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "ok", "database": "ok"}));
    let missing = reqwest::get(format!("{base}/nope")).await.unwrap();
    assert_eq!(missing.status(), 404);
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
