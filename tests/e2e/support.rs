//! Shared helpers: the binary, fresh databases, the shared corpus, solution copies.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use switchboard_store::Store;
use tempfile::TempDir;

/// The `switchboard` binary built for these tests.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_switchboard")
}

/// The repository root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// The sample solution shipped in `solutions/`.
pub fn sample() -> PathBuf {
    workspace().join("solutions/SwitchboardSamples")
}

/// Says why a test did not run, past the test harness's output capture so it is
/// always seen.
pub fn skip(test: &str, reason: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {reason}");
}

/// `../shared` (or `SWITCHBOARD_SHARED`), where the corpus and conformance tools live.
pub fn shared(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("SWITCHBOARD_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared"));
    if dir.join("corpus/MANIFEST.md").is_file() {
        Some(dir)
    } else {
        skip(
            test,
            &format!(
                "{} has no corpus/MANIFEST.md (set SWITCHBOARD_SHARED to the shared folder)",
                dir.display()
            ),
        );
        None
    }
}

/// A fresh SQLite database in a temporary folder.
pub struct Db {
    pub url: String,
    pub(crate) _dir: TempDir,
}

impl Db {
    /// The data directory a server started by [`serve`] uses.
    pub fn data_dir(&self) -> PathBuf {
        self._dir.path().join("data")
    }
}

pub fn sqlite() -> Db {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = switchboard_store::sqlite_url(&dir.path().join("test.db"));
    Db { url, _dir: dir }
}

/// Runs the binary against a database.
pub fn run(db: &str, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--database")
        .arg(db)
        .args(args)
        .env("LANG", "C")
        .output()
        .expect("run switchboard")
}

/// `serve --help`, which lists the global options too.
pub fn serve_help() -> String {
    let help = Command::new(bin())
        .args(["serve", "--help"])
        .output()
        .expect("run switchboard");
    stdout(&help)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `import` and insists it succeeds.
pub fn import_ok(db: &str, paths: &[&Path]) -> Output {
    let mut args = vec!["import".to_owned()];
    args.extend(paths.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(db, &args);
    assert!(
        out.status.success(),
        "import failed:\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    out
}

pub async fn store(url: &str) -> Store {
    Store::connect(url).await.expect("connect")
}

pub async fn counts(url: &str) -> BTreeMap<&'static str, u64> {
    store(url).await.row_counts().await.expect("counts")
}

/// Gives `user` the `privileges` through a new role `role`, with the CLI (another process,
/// as an administrator's change would be).
pub fn grant_through_role(db: &str, user: &str, role: &str, privileges: &[&str]) {
    let mut grant = vec!["role", "grant", role];
    grant.extend_from_slice(privileges);
    for args in [
        vec!["role", "add", role],
        grant,
        vec!["role", "assign", user, role],
    ] {
        let out = run(db, &args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
}

/// The solution roots `corpus/MANIFEST.md` lists, as paths.
pub fn corpus_roots(shared: &Path) -> Vec<PathBuf> {
    let manifest = std::fs::read_to_string(shared.join("corpus/MANIFEST.md")).unwrap();
    manifest
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|line| shared.join("corpus").join(line.split('`').nth(1).unwrap()))
        .collect()
}

/// `list --json` parsed.
pub fn list_json(db: &str) -> serde_json::Value {
    let out = run(db, &["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("list --json is JSON")
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of the sample solution to edit.
pub fn sample_copy() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("SwitchboardSamples");
    copy_tree(&sample(), &root);
    (dir, root)
}

/// Replaces text in a file, insisting the text was there.
pub fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        file.display()
    );
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

/// A fresh PostgreSQL database, when `SWITCHBOARD_TEST_POSTGRES` names a server.
pub struct PgDb {
    pub url: String,
    admin: String,
    name: String,
}

pub async fn postgres(test: &str) -> Option<PgDb> {
    use sea_orm::{ConnectionTrait, Database};
    let Ok(admin) = std::env::var("SWITCHBOARD_TEST_POSTGRES") else {
        skip(
            test,
            "SWITCHBOARD_TEST_POSTGRES is not set (a postgres:// URL enables the PostgreSQL suite)",
        );
        return None;
    };
    let name = format!("switchboard_test_{}", uuid::Uuid::new_v4().simple());
    let conn = Database::connect(&admin)
        .await
        .expect("connect to SWITCHBOARD_TEST_POSTGRES");
    conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    conn.close().await.ok();
    let (base, query) = admin
        .split_once('?')
        .map_or((admin.as_str(), None), |(b, q)| (b, Some(q)));
    let slash = base
        .rfind('/')
        .filter(|&i| i > base.find("://").map_or(0, |s| s + 2))
        .unwrap_or(base.len());
    let mut url = format!("{}/{name}", &base[..slash]);
    if let Some(q) = query {
        url = format!("{url}?{q}");
    }
    Some(PgDb { url, admin, name })
}

impl PgDb {
    /// This database with a temporary data directory, for [`serve_db`].
    pub fn served_db(&self) -> Db {
        Db {
            url: self.url.clone(),
            _dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub async fn drop_database(self) {
        use sea_orm::{ConnectionTrait, Database};
        if let Ok(conn) = Database::connect(&self.admin).await {
            let _ = conn
                .execute_unprepared(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ))
                .await;
        }
    }
}

/// A running server over a fresh database holding `paths`.
pub struct Served {
    pub base: String,
    pub db: Db,
    /// An administrator's token; [`send`] adds it to requests for this server.
    pub token: String,
    /// The certificate an HTTPS server ([`serve_tls`]) presents; [`send`] trusts it.
    pub cert: Option<PathBuf>,
    _server: crate::server::Running,
}

/// A stopped server's port may be handed to the next server this run starts: its token and
/// certificate must not be offered to that one.
impl Drop for Served {
    fn drop(&mut self) {
        TOKENS
            .lock()
            .unwrap()
            .retain(|(base, _)| *base != self.base);
        CERTS.lock().unwrap().retain(|(base, _)| *base != self.base);
    }
}

/// Tokens of the servers this test run started, by base URL: the one helper that makes
/// every request authenticated unless the test sets its own Authorization header.
static TOKENS: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

fn token_for(url: &reqwest::Url) -> Option<String> {
    let origin = origin(url)?;
    TOKENS
        .lock()
        .unwrap()
        .iter()
        .rfind(|(base, _)| *base == origin)
        .map(|(_, t)| t.clone())
}

/// Certificates (PEM) of the HTTPS servers this test run started, by base URL.
static CERTS: std::sync::Mutex<Vec<(String, Vec<u8>)>> = std::sync::Mutex::new(Vec::new());

fn origin(url: &reqwest::Url) -> Option<String> {
    Some(
        format!("{}://{}", url.scheme(), url.host_str()?)
            + &url.port().map(|p| format!(":{p}")).unwrap_or_default(),
    )
}

/// A client for `url`: one trusting only the server's certificate when the test run started
/// that server over HTTPS, a plain client otherwise.
pub fn client_for(url: &reqwest::Url) -> reqwest::Client {
    let origin = origin(url);
    let pem = CERTS
        .lock()
        .unwrap()
        .iter()
        .rfind(|(base, _)| Some(base) == origin.as_ref())
        .map(|(_, pem)| pem.clone());
    match pem {
        Some(pem) => reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("PEM certificate"))
            .build()
            .expect("HTTPS client"),
        None => reqwest::Client::new(),
    }
}

/// Creates a token for a user with the CLI (only the token is printed on stdout).
pub fn create_token(db: &str, user: &str, extra: &[&str]) -> String {
    let mut args = vec!["token", "create", "--user", user];
    args.extend_from_slice(extra);
    let out = run(db, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).trim().to_owned()
}

impl Served {
    /// `http://127.0.0.1:port/api/data/v9.2/` + `rest`.
    pub fn url(&self, rest: &str) -> String {
        format!("{}/api/data/v9.2/{rest}", self.base)
    }
}

pub fn serve(paths: &[&Path]) -> Served {
    serve_with(paths, &[])
}

/// As [`serve`], with extra global options (`--plugin-deadline-ms 300`).
pub fn serve_with(paths: &[&Path], options: &[&str]) -> Served {
    start_served(paths, options, false)
}

/// As [`serve`], over HTTPS (`serve --tls-cert --tls-key`) with a self-signed certificate
/// for 127.0.0.1 made for this server; [`send`] trusts it.
pub fn serve_tls(paths: &[&Path]) -> Served {
    start_served(paths, &[], true)
}

/// As [`serve_tls`], with extra global options.
pub fn serve_tls_with(paths: &[&Path], options: &[&str]) -> Served {
    start_served(paths, options, true)
}

/// As [`serve`], on a given database (PostgreSQL: [`PgDb::served_db`]).
pub fn serve_db(db: Db, paths: &[&Path]) -> Served {
    start_served_on(db, paths, &[], false)
}

/// As [`serve_db`], with extra global options.
pub fn serve_db_with(db: Db, paths: &[&Path], options: &[&str]) -> Served {
    start_served_on(db, paths, options, false)
}

fn start_served(paths: &[&Path], options: &[&str], tls: bool) -> Served {
    start_served_on(sqlite(), paths, options, tls)
}

fn start_served_on(db: Db, paths: &[&Path], options: &[&str], tls: bool) -> Served {
    if !paths.is_empty() {
        import_ok(&db.url, paths);
    }
    let mut cmd = Command::new(bin());
    cmd.args(["--database", &db.url])
        .arg("--data-dir")
        .arg(db.data_dir())
        .args(options)
        .args(["serve", "--listen", "127.0.0.1:0"]);
    if paths.is_empty() {
        // Nothing imported: the database starts empty.
        cmd.arg("--create");
    }
    let cert = tls.then(|| {
        let dev = switchboard_server::tls::dev_certificate(&db._dir.path().join("tls"))
            .expect("a development certificate");
        cmd.arg("--tls-cert")
            .arg(&dev.cert)
            .arg("--tls-key")
            .arg(&dev.key);
        dev.cert
    });
    let (server, base, _) = crate::server::start(cmd);
    let token = create_token(&db.url, "admin", &[]);
    TOKENS.lock().unwrap().push((base.clone(), token.clone()));
    if let Some(cert) = &cert {
        let pem = std::fs::read(cert).unwrap();
        CERTS.lock().unwrap().push((base.clone(), pem));
    }
    seed_account(&base);
    Served {
        base,
        db,
        token,
        cert,
        _server: server,
    }
}

/// The account every test's record-bound calls use (`accounts(SEEDED_ACCOUNT)/…`): bound
/// calls need a real record, so each served database gets it, as `demo` seeds it.
pub const SEEDED_ACCOUNT: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";

/// Creates [`SEEDED_ACCOUNT`] with an upsert (tests are async; this runs on its own thread
/// and runtime so it can be called from the synchronous `serve` helpers).
fn seed_account(base: &str) {
    let url = format!("{base}/api/data/v9.2/accounts({SEEDED_ACCOUNT})");
    let status = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
                send(
                    reqwest::Client::new()
                        .patch(&url)
                        .json(&serde_json::json!({"name": "Seeded account"})),
                )
                .await
                .status
            })
    })
    .join()
    .unwrap();
    assert_eq!(status, 204, "seeding the test account");
}

/// The sample solution, served.
pub fn serve_sample() -> Served {
    serve(&[&sample()])
}

/// A response's status, headers and JSON body (Null when empty or not JSON).
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: serde_json::Value,
}

pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    let mut request = request.build().expect("request builds");
    if !request
        .headers()
        .contains_key(reqwest::header::AUTHORIZATION)
        && let Some(token) = token_for(request.url())
    {
        let value = format!("Bearer {token}").parse().unwrap();
        request
            .headers_mut()
            .insert(reqwest::header::AUTHORIZATION, value);
    }
    let response = client_for(request.url())
        .execute(request)
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    Reply {
        status,
        headers,
        text,
        json,
    }
}

/// How long a security or organization change made by another process (the CLI) may take
/// to reach a running server: the registry's interval (it polls every 250 ms; PostgreSQL
/// announces changes at once).
pub const CHANGE_BOUND: std::time::Duration = std::time::Duration::from_secs(2);

/// Sends `request()` until its status is `status` (a change made by another process being
/// applied), failing when that takes longer than [`CHANGE_BOUND`]; returns the reply.
pub async fn until_status(
    request: impl Fn() -> reqwest::RequestBuilder,
    status: u16,
    what: &str,
) -> Reply {
    let deadline = std::time::Instant::now() + CHANGE_BOUND;
    loop {
        let reply = send(request()).await;
        if reply.status == status {
            return reply;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: still {} after {CHANGE_BOUND:?}: {}",
            reply.status,
            reply.text
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// GETs `url` until `done` holds for the reply (rows the background trace writer adds),
/// failing after 10 s; returns the reply.
pub async fn get_until(url: &str, what: &str, done: impl Fn(&Reply) -> bool) -> Reply {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let reply = get(url).await;
        if done(&reply) {
            return reply;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: not there after 10 s: {}",
            reply.text
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// Sets the organization's `plugintracelogsetting` over the Web API (0 Off, 1 Exception,
/// 2 All) on the server at `served`.
pub async fn set_trace_log(served: &Served, setting: u8) {
    let org = switchboard_model::ids::ORGANIZATION_ID;
    let r = send(
        reqwest::Client::new()
            .patch(served.url(&format!("organizations({org})")))
            .json(&serde_json::json!({ "plugintracelogsetting": setting })),
    )
    .await;
    assert_eq!(r.status, 204, "setting plugintracelogsetting: {}", r.text);
}

/// DELETE with the server's token.
pub async fn delete(url: &str) -> Reply {
    send(reqwest::Client::new().delete(url)).await
}

pub async fn get(url: &str) -> Reply {
    send(reqwest::Client::new().get(url)).await
}

pub async fn post(url: &str, body: serde_json::Value) -> Reply {
    send(reqwest::Client::new().post(url).json(&body)).await
}

impl Reply {
    /// Asserts an OData error with this status and code; returns the message.
    pub fn error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status, status, "status; body: {}", self.text);
        assert_eq!(
            self.json["error"]["code"], code,
            "code; body: {}",
            self.text
        );
        assert_eq!(
            self.headers
                .get("odata-version")
                .map(|v| v.to_str().unwrap()),
            Some("4.0")
        );
        self.json["error"]["message"]
            .as_str()
            .expect("message")
            .to_owned()
    }
}

/// Runs the `curl` lines a server printed as `try: curl …` exactly as printed (as a user
/// pasting them would), insisting each succeeds, names `base` and answers OData or health
/// JSON; returns the lines with their output.
pub fn run_printed_curls(printed: &str, base: &str) -> Vec<(String, String)> {
    let curls: Vec<&str> = printed
        .lines()
        .filter_map(|l| l.strip_prefix("try: "))
        .filter(|c| c.starts_with("curl"))
        .collect();
    curls
        .into_iter()
        .map(|command| {
            assert!(command.contains(base), "{command}");
            let out = Command::new("sh").arg("-c").arg(command).output().unwrap();
            let body = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(out.status.success(), "{command} failed: {body}");
            assert!(
                body.contains("@odata.context") || body.contains("\"ok\""),
                "{command}: {body}"
            );
            (command.to_owned(), body)
        })
        .collect()
}

/// The plug-in sample solution with its plug-ins built (once per test run).
pub fn plugin_solution() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let solutions = workspace().join("solutions");
            switchboard::plugin::build_samples(&workspace().join("plugins"), &solutions)
                .unwrap_or_else(|e| panic!("building the sample plug-ins failed: {e}"));
            solutions.join("SwitchboardPlugins")
        })
        .clone()
}

/// A sample plug-in component as built into the plug-in sample solution (`Reverse`, …).
pub fn built_plugin(assembly: &str) -> Vec<u8> {
    let assemblies = plugin_solution().join("PluginAssemblies");
    let folder = std::fs::read_dir(&assemblies)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(&format!("{assembly}-"))
        })
        .unwrap_or_else(|| panic!("no {assembly} assembly folder"));
    std::fs::read(folder.join(format!("{assembly}.wasm"))).unwrap()
}
