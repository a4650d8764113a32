//! The load benchmark: the real `switchboard serve` (sample solutions, SQLite; PostgreSQL too
//! when `SWITCHBOARD_TEST_POSTGRES` names a server) and a bare axum handler, each in its own
//! process, driven by the in-repo generator in this one; one table per database.
//!
//! Run with `cargo bench -p switchboard --bench load`. Settings (environment):
//! `SWITCHBOARD_LOAD_SECS` (5, per case), `SWITCHBOARD_LOAD_CONNECTIONS` (32),
//! `SWITCHBOARD_LOAD_JOBS` (5000, queued for the drain), `SWITCHBOARD_LOAD_ONLY`
//! (`sqlite` or `postgres`), `SWITCHBOARD_LOAD_CASES` (some of `s1,s2,create,read,s3,drain`;
//! all by default), `SWITCHBOARD_LOAD_BIN` (another `switchboard` binary to measure, e.g. an
//! older build, with the same command line). `SWITCHBOARD_LOAD_SOAK_SECS` runs the soak
//! instead (`soak.rs`; `scripts/soak.sh` runs it for ten minutes).

#![allow(missing_docs)]

mod bare;
mod generator;
mod soak;

/// The allocator `switchboard` uses: the bare handler gets it too, so the baseline is not
/// slower for a reason the server avoids.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use generator::{Report, Request};

/// The switchboard binary cargo built for this benchmark (`SWITCHBOARD_LOAD_BIN` names
/// another one).
fn switchboard_bin() -> String {
    std::env::var("SWITCHBOARD_LOAD_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_switchboard").to_owned())
}
/// Service protection is lifted for the run: one user sends every request.
const RATE_LIMIT_FLAG: [&str; 2] = ["--rate-limit", "4294967295"];
/// The project record the read-by-key case reads.
const PROJECT_ID: &str = "5b1f3c2e-0d4a-4e6b-8c9d-0a1b2c3d4e5f";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Settings of one run.
struct Settings {
    duration: Duration,
    warmup: Duration,
    connections: usize,
    jobs: u64,
    /// The cases to run (empty: all).
    cases: Vec<String>,
}

impl Settings {
    fn runs(&self, case: &str) -> bool {
        self.cases.is_empty() || self.cases.iter().any(|c| c == case)
    }
}

/// A child process serving HTTP.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// Starts `command` and waits for the `http://ADDR` line it prints when it listens.
    fn start(mut command: Command, what: &str) -> Server {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent && let Some(at) = line.find("http://") {
                    let addr = line[at + 7..].trim().trim_end_matches('/').to_owned();
                    let _ = tx.send(addr);
                    sent = true;
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("{what} did not start listening"));
        Server {
            child,
            addr: addr.parse().expect("a socket address"),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory now, in MiB.
    fn rss_mib(&self) -> f64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    }

    /// CPU time used so far (user + system).
    fn cpu(&self) -> Duration {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap_or_default();
        // Fields after the command name (which may hold spaces): utime is the 12th, stime 13th.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let fields: Vec<u64> = rest
            .split_whitespace()
            .skip(11)
            .take(2)
            .filter_map(|f| f.parse().ok())
            .collect();
        // Linux reports clock ticks of 1/100 s.
        Duration::from_millis(fields.iter().sum::<u64>() * 10)
    }

    /// SIGTERM (the server finishes what it was doing), SIGKILL after 15 s.
    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One database the benchmark runs against.
struct Target {
    label: String,
    url: String,
    data_dir: PathBuf,
}

impl Target {
    fn cli(&self) -> Command {
        let mut command = Command::new(switchboard_bin());
        command
            .arg("--database")
            .arg(&self.url)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(RATE_LIMIT_FLAG);
        command
    }

    /// Runs a CLI command to completion, returning its standard output.
    fn run(&self, args: &[&str]) -> String {
        let output = self
            .cli()
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("switchboard {args:?}: {e}"));
        assert!(
            output.status.success(),
            "switchboard {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn serve(&self, job_workers: usize) -> Server {
        let mut command = self.cli();
        command
            .args(["--job-workers", &job_workers.to_string()])
            .args(["serve", "--listen", "127.0.0.1:0"]);
        Server::start(command, "switchboard serve")
    }
}

/// One row of the table.
struct Row {
    case: String,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    non_2xx: u64,
    /// Compared with the bare handler (the ratio column).
    relative: bool,
    note: String,
}

impl Row {
    fn from_report(case: &str, report: &Report, note: String) -> Row {
        if let Some(failure) = &report.first_failure {
            eprintln!("  {case}: first non-2xx answer: {failure}");
        }
        if report.errors > 0 {
            eprintln!("  {case}: {} connection errors", report.errors);
        }
        Row {
            case: case.to_owned(),
            per_second: report.per_second(),
            p50_ms: report.quantile_ms(0.5),
            p99_ms: report.quantile_ms(0.99),
            non_2xx: report.non_2xx + report.errors,
            relative: true,
            note,
        }
    }
}

/// Prints the table; `baseline` is the bare handler's requests/s the ratios are taken of.
fn print_table(title: &str, rows: &[Row], baseline: f64) {
    println!("\n### {title}\n");
    println!("| case | req/s | p50 ms | p99 ms | non-2xx | ratio to bare axum | notes |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for r in rows {
        let ratio = if r.relative {
            format!("{:.3}", r.per_second / baseline)
        } else {
            "—".to_owned()
        };
        let latency = |v: f64| {
            if v.is_nan() {
                "—".to_owned()
            } else {
                format!("{v:.2}")
            }
        };
        println!(
            "| {} | {:.0} | {} | {} | {} | {} | {} |",
            r.case,
            r.per_second,
            latency(r.p50_ms),
            latency(r.p99_ms),
            r.non_2xx,
            ratio,
            r.note
        );
    }
}

fn measure(server: &Server, request: &Request, settings: &Settings) -> (Report, Duration) {
    let cpu_before = server.cpu();
    let report = generator::run(
        server.addr,
        request,
        settings.connections,
        settings.warmup,
        settings.duration,
        None,
    );
    (report, server.cpu().saturating_sub(cpu_before))
}

fn note(report: &Report, server_cpu: Duration, warmup: Duration, rss: Option<f64>) -> String {
    let mut text = format!(
        "generator {:.2} cores, server {:.2} cores",
        report.cpu_cores(),
        server_cpu.as_secs_f64() / (report.wall.as_secs_f64() + warmup.as_secs_f64())
    );
    if let Some(rss) = rss {
        text.push_str(&format!(", server RSS {rss:.0} MiB"));
    }
    text
}

/// The bare handler's row: the generator against it, and wrk too when asked and installed.
fn baseline(settings: &Settings, token: &str, when: &str, with_wrk: bool) -> (f64, Vec<Row>) {
    let mut command = Command::new(std::env::current_exe().expect("this benchmark's path"));
    command.env(bare::ROLE, "1");
    let bare = Server::start(command, "the bare axum handler");
    let request = reverse_request(token);
    let (report, cpu) = measure(&bare, &request, settings);
    let per_second = report.per_second();
    let mut rows = vec![Row::from_report(
        &format!("bare axum, {when} (this generator)"),
        &report,
        note(&report, cpu, settings.warmup, None),
    )];
    if with_wrk {
        match wrk(&bare, settings, token) {
            Some(wrk) => {
                let off = (per_second - wrk) / wrk * 100.0;
                rows.push(Row {
                    case: format!("bare axum, {when} (wrk -t1)"),
                    per_second: wrk,
                    p50_ms: f64::NAN,
                    p99_ms: f64::NAN,
                    non_2xx: 0,
                    relative: false,
                    note: format!(
                        "this generator is {off:+.1} % of wrk ({})",
                        if off.abs() <= 20.0 {
                            "within 20 %"
                        } else {
                            "OFF BY MORE THAN 20 %"
                        }
                    ),
                });
            }
            None => eprintln!(
                "wrk is not installed: the generator is not compared with it (apt install wrk)"
            ),
        }
    }
    bare.stop();
    (per_second, rows)
}

/// Requests/s wrk measures against the bare handler with the same request, if wrk is here.
fn wrk(server: &Server, settings: &Settings, token: &str) -> Option<f64> {
    let script = std::env::temp_dir().join(format!("switchboard-load-{}.lua", std::process::id()));
    let body = serde_json::json!({"StringParameter": "Hello, wasm!"}).to_string();
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = \"Bearer {token}\"\n"
        ),
    )
    .ok()?;
    let output = Command::new("wrk")
        .args([
            "-t1",
            &format!("-c{}", settings.connections),
            &format!("-d{}s", settings.duration.as_secs().max(1)),
            "-s",
        ])
        .arg(&script)
        .arg(format!("http://{}/api/data/v9.2/sb_Reverse", server.addr))
        .output()
        .ok()?;
    let _ = std::fs::remove_file(&script);
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
}

fn reverse_request(token: &str) -> Request {
    Request::post_json(
        "/api/data/v9.2/sb_Reverse",
        &serde_json::json!({"StringParameter": "Hello, wasm!"}),
    )
    .bearer(token)
}

/// Imports the sample solutions into `target`; returns an administrator's token.
fn import_samples(target: &Target) -> String {
    let samples = workspace().join("solutions");
    let import = target.run(&[
        "import",
        samples
            .join("SwitchboardSamples")
            .to_str()
            .expect("a UTF-8 path"),
        samples
            .join("SwitchboardPlugins")
            .to_str()
            .expect("a UTF-8 path"),
    ]);
    assert!(import.contains("created"), "import printed {import}");
    target
        .run(&["token", "create", "--user", "admin"])
        .trim()
        .to_owned()
}

/// Every case against one database, between two runs of the bare handler (the machine's
/// speed drifts: the ratios are taken of their mean); returns the rows and that mean.
fn run_target(target: &Target, settings: &Settings) -> (Vec<Row>, f64) {
    let token = import_samples(target);
    let (bare_before, mut rows) = baseline(settings, &token, "before", true);
    let row = |case: &str, server: &Server, request: &Request, rss: bool| {
        let (report, cpu) = measure(server, request, settings);
        let rss = rss.then(|| server.rss_mib());
        Row::from_report(case, &report, note(&report, cpu, settings.warmup, rss))
    };

    // S1, S2, record Create and read by key on one server.
    let server = target.serve(2);
    let seed = generator::run(
        server.addr,
        &Request::post_json(
            "/api/data/v9.2/sb_projects",
            &serde_json::json!({"sb_projectid": PROJECT_ID, "sb_name": "Apollo", "sb_priority": 7}),
        )
        .bearer(&token),
        1,
        Duration::ZERO,
        Duration::from_secs(10),
        Some(1),
    );
    assert_eq!(
        (seed.requests, seed.non_2xx),
        (1, 0),
        "seeding the project failed: {:?}",
        seed.first_failure
    );
    if settings.runs("s1") {
        rows.push(row(
            "S1 function, no plug-in (`GET sb_Greet(Name=@n)`)",
            &server,
            &Request::get("/api/data/v9.2/sb_Greet(Name=@n)?@n='Ada'").bearer(&token),
            false,
        ));
    }
    if settings.runs("s2") {
        rows.push(row(
            "S2 `POST sb_Reverse` (wasm main operation)",
            &server,
            &reverse_request(&token),
            true,
        ));
    }
    if settings.runs("create") {
        rows.push(row(
            "record Create (`POST sb_projects`)",
            &server,
            &Request::post_json(
                "/api/data/v9.2/sb_projects",
                &serde_json::json!({"sb_name": "load", "sb_priority": 1}),
            )
            .bearer(&token),
            false,
        ));
    }
    if settings.runs("read") {
        rows.push(row(
            "record read by key (`GET sb_projects(id)`)",
            &server,
            &Request::get(format!("/api/data/v9.2/sb_projects({PROJECT_ID})")).bearer(&token),
            true,
        ));
    }
    server.stop();

    // S3: the same call with synchronous wasm steps at 20 and 40.
    for stage in ["20", "40"] {
        target.run(&[
            "step",
            "add",
            "--name",
            &format!("load: Refuse at {stage}"),
            "--message",
            "sb_Reverse",
            "--plugin-type",
            "Switchboard.Samples.Steps.Refuse",
            "--stage",
            stage,
        ]);
    }
    if settings.runs("s3") {
        let server = target.serve(2);
        rows.push(row(
            "S3 S2 + sync wasm steps at 20 and 40",
            &server,
            &reverse_request(&token),
            true,
        ));
        server.stop();
    }
    if settings.runs("drain") {
        rows.push(drain(target, settings, &token));
    }
    let (bare_after, after) = baseline(settings, &token, "after", false);
    rows.extend(after);
    (rows, (bare_before + bare_after) / 2.0)
}

/// Queues `settings.jobs` asynchronous steps (`sb_Pipeline`'s AsyncRecord, which writes a
/// record) with no worker running, then starts a server with 4 workers and times the drain.
fn drain(target: &Target, settings: &Settings, token: &str) -> Row {
    let server = target.serve(0);
    let queued = generator::run(
        server.addr,
        &Request::post_json(
            "/api/data/v9.2/sb_Pipeline",
            &serde_json::json!({"Text": "load"}),
        )
        .bearer(token),
        settings.connections,
        Duration::ZERO,
        Duration::from_secs(600),
        Some(settings.jobs),
    );
    server.stop();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let pending = || runtime.block_on(count_jobs(&target.url, "statecode <> 3"));
    assert_eq!(pending(), settings.jobs as i64, "jobs queued");
    let started = Instant::now();
    let server = target.serve(4);
    while pending() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "the drain did not finish"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = started.elapsed();
    let rss = server.rss_mib();
    server.stop();
    let failed = runtime.block_on(count_jobs(&target.url, "statuscode = 31"));
    Row {
        case: "async drain, 4 workers (jobs/s; `sb_Pipeline`'s AsyncRecord writes a record)".into(),
        per_second: settings.jobs as f64 / elapsed.as_secs_f64(),
        p50_ms: f64::NAN,
        p99_ms: f64::NAN,
        non_2xx: queued.non_2xx + queued.errors + failed as u64,
        relative: false,
        note: format!(
            "{} jobs in {:.2} s from the server's start; {failed} failed; server RSS {rss:.0} MiB",
            settings.jobs,
            elapsed.as_secs_f64()
        ),
    }
}

async fn count_jobs(url: &str, condition: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let db = Database::connect(url)
        .await
        .expect("connect to the benchmark's database");
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM asyncoperation WHERE {condition}"),
        ))
        .await
        .expect("count jobs")
        .expect("a row");
    let n: i64 = row.try_get("", "n").expect("a count");
    db.close().await.ok();
    n
}

/// A fresh PostgreSQL database on the server `SWITCHBOARD_TEST_POSTGRES` names.
fn postgres_database(admin: &str) -> (String, String) {
    use sea_orm::{ConnectionTrait, Database};
    let name = format!("switchboard_load_{}", std::process::id());
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(async {
            let conn = Database::connect(admin)
                .await
                .expect("connect to PostgreSQL");
            conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                .await
                .expect("drop an old benchmark database");
            conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create the benchmark database");
        });
    let (base, query) = admin
        .split_once('?')
        .map_or((admin, None), |(b, q)| (b, Some(q)));
    let slash = base
        .rfind('/')
        .filter(|&i| i > base.find("://").map_or(0, |s| s + 2))
        .unwrap_or(base.len());
    let mut url = format!("{}/{name}", &base[..slash]);
    if let Some(q) = query {
        url = format!("{url}?{q}");
    }
    (url, name)
}

fn drop_postgres_database(admin: &str, name: &str) {
    use sea_orm::{ConnectionTrait, Database};
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(async {
            if let Ok(conn) = Database::connect(admin).await {
                let _ = conn
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
            }
        });
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores ({cpu}), loopback")
}

fn main() {
    if std::env::var_os(bare::ROLE).is_some() {
        bare::serve();
        return;
    }
    // `cargo test --benches` runs benchmarks once as tests: nothing to measure then.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let settings = Settings {
        duration: Duration::from_secs(env_number("SWITCHBOARD_LOAD_SECS", 5)),
        warmup: Duration::from_secs(1),
        connections: env_number("SWITCHBOARD_LOAD_CONNECTIONS", 32) as usize,
        jobs: env_number("SWITCHBOARD_LOAD_JOBS", 5000),
        cases: std::env::var("SWITCHBOARD_LOAD_CASES")
            .unwrap_or_default()
            .split(',')
            .map(|c| c.trim().to_ascii_lowercase())
            .filter(|c| !c.is_empty())
            .collect(),
    };
    let only = std::env::var("SWITCHBOARD_LOAD_ONLY").unwrap_or_default();
    eprintln!("building the sample plug-ins…");
    switchboard::plugin::build_samples(
        &workspace().join("plugins"),
        &workspace().join("solutions"),
    )
    .expect("the sample plug-ins build");
    println!(
        "Switchboard load benchmark: {} connections, {} s per case after 1 s of warm-up, on {}.",
        settings.connections,
        settings.duration.as_secs(),
        machine()
    );
    println!(
        "Service protection is lifted for the run with `{}` (one user sends every request).",
        RATE_LIMIT_FLAG.join(" ")
    );
    println!("Server: {}.", switchboard_bin());
    println!(
        "Figures are relative: each ratio is of the mean of the two bare axum rows of its table \
         (measured before and after the cases, in the same run)."
    );

    if let Ok(secs) = std::env::var("SWITCHBOARD_LOAD_SOAK_SECS") {
        let secs: u64 = secs
            .parse()
            .expect("SWITCHBOARD_LOAD_SOAK_SECS is a number of seconds");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let target = Target {
            label: "SQLite".into(),
            url: switchboard_store::sqlite_url(&dir.path().join("soak.db")),
            data_dir: dir.path().to_owned(),
        };
        let token = import_samples(&target);
        soak::soak(
            &target,
            &token,
            settings.connections,
            Duration::from_secs(secs),
        );
        return;
    }
    if only.is_empty() || only == "sqlite" {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let target = Target {
            label: "SQLite (a file, the demo's embedded database)".into(),
            url: switchboard_store::sqlite_url(&dir.path().join("load.db")),
            data_dir: dir.path().to_owned(),
        };
        let (rows, baseline) = run_target(&target, &settings);
        print_table(&target.label, &rows, baseline);
    }
    if only.is_empty() || only == "postgres" {
        match std::env::var("SWITCHBOARD_TEST_POSTGRES") {
            Ok(admin) => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let (url, name) = postgres_database(&admin);
                let target = Target {
                    label: "PostgreSQL (127.0.0.1, default durability)".into(),
                    url,
                    data_dir: dir.path().to_owned(),
                };
                let (rows, baseline) = run_target(&target, &settings);
                drop_postgres_database(&admin, &name);
                print_table(&target.label, &rows, baseline);
            }
            Err(_) => println!(
                "\nPostgreSQL: skipped (set SWITCHBOARD_TEST_POSTGRES to a postgres:// URL to run it)."
            ),
        }
    }
}
