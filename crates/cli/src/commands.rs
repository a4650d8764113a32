//! The subcommands' bodies.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use switchboard_locale::Localizer;
use switchboard_model::{Message, MessageId};
use switchboard_solution::Diagnostic;
use switchboard_store::Store;

use crate::output::{diagnostic, out, print_diagnostics};
use crate::{Cli, Command, json};

/// `println!` that tolerates a closed standard output.
macro_rules! out {
    ($($arg:tt)*) => { out(&format!($($arg)*)) };
}

pub(crate) async fn run(cli: Cli) -> ExitCode {
    let l = Localizer::new(&user_language());
    match cli.command {
        Command::Import { ref paths } => {
            let Some(store) = open(&l, &cli, &database_url(&cli, "switchboard.db")).await else {
                return ExitCode::FAILURE;
            };
            import(&l, &store, paths).await
        }
        Command::List { json } => {
            let Some(store) = open(&l, &cli, &database_url(&cli, "switchboard.db")).await else {
                return ExitCode::FAILURE;
            };
            list(&l, &store, json).await
        }
        Command::Serve {
            ref listen,
            create,
            ref tls_cert,
            ref tls_key,
        } => {
            // The certificate is read first, so a bad file stops the server before it listens.
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => {
                    match switchboard_server::tls::TlsConfig::from_pem_files(cert, key) {
                        Ok(tls) => Some(tls),
                        Err(e) => return tls_failed(&l, &e),
                    }
                }
                _ => None,
            };
            let url = database_url(&cli, "switchboard.db");
            if let Some(file) = switchboard_store::sqlite_file(&url)
                && !create
                && !file.exists()
            {
                let m = Message::new(MessageId::CliDatabaseMissing).arg("path", file.display());
                eprintln!(
                    "{}: {}",
                    l.render(&Message::new(MessageId::CliError)),
                    l.render(&m)
                );
                return ExitCode::FAILURE;
            }
            let Some(store) = open(&l, &cli, &url).await else {
                return ExitCode::FAILURE;
            };
            serve(&l, &cli, store, listen, tls).await
        }
        Command::Demo {
            ref solutions,
            ref plugins,
            ref listen,
            tls,
        } => demo(&l, &cli, solutions, plugins, listen, tls).await,
        Command::Plugin { ref command } => plugin(&l, command),
        Command::Step { ref command } => {
            let Some(store) = open(&l, &cli, &database_url(&cli, "switchboard.db")).await else {
                return ExitCode::FAILURE;
            };
            crate::steps::run(&l, &store, command).await
        }
        Command::Connector { ref command } => {
            let Some(store) = open(&l, &cli, &database_url(&cli, "switchboard.db")).await else {
                return ExitCode::FAILURE;
            };
            crate::connector::run(&l, &store, command).await
        }
        Command::Organization { ref command } => {
            let Some(store) = open(&l, &cli, &database_url(&cli, "switchboard.db")).await else {
                return ExitCode::FAILURE;
            };
            organization(&l, &store, command).await
        }
        Command::User { .. } | Command::Role { .. } | Command::Token { .. } => {
            let Some(store) = open(&l, &cli, &database_url(&cli, "switchboard.db")).await else {
                return ExitCode::FAILURE;
            };
            security(&l, &store, &cli.command).await
        }
    }
}

async fn security(l: &Localizer, store: &Store, command: &Command) -> ExitCode {
    use crate::{RoleCommand, TokenCommand, UserCommand};
    use switchboard_store::security::SecurityError;
    let result: Result<Option<String>, SecurityError> = match command {
        Command::User {
            command:
                UserCommand::Add {
                    name,
                    full_name,
                    language,
                },
        } => store
            .add_user(name, full_name.as_deref().unwrap_or(name), *language)
            .await
            .map(|id| {
                Some(
                    l.render(
                        &Message::new(MessageId::CliUserAdded)
                            .arg("name", name)
                            .arg("id", id),
                    ),
                )
            }),
        Command::User {
            command: UserCommand::Language { name, lcid },
        } => match store.user_id_by_name(name).await {
            Ok(id) => store
                .set_user_language(id, (*lcid != 0).then_some(*lcid))
                .await
                .map(|_| None)
                .map_err(SecurityError::from),
            Err(e) => Err(e),
        },
        Command::User {
            command: UserCommand::List,
        } => store
            .list_users()
            .await
            .map_err(SecurityError::from)
            .map(|users| {
                Some(
                    users
                        .iter()
                        .map(|(id, name, full)| format!("{name}\t{full}\t{id}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
            }),
        Command::Role {
            command: RoleCommand::Add { name },
        } => store.add_role(name).await.map(|id| {
            Some(
                l.render(
                    &Message::new(MessageId::CliRoleAdded)
                        .arg("name", name)
                        .arg("id", id),
                ),
            )
        }),
        Command::Role {
            command: RoleCommand::Grant { role, privileges },
        } => store.grant(role, privileges).await.map(|()| None),
        Command::Role {
            command: RoleCommand::Assign { user, role },
        } => store.assign(user, role).await.map(|()| None),
        Command::Token {
            command:
                TokenCommand::Create {
                    user,
                    expires_in_days,
                },
        } => {
            match store
                .create_token(user, expires_in_days.map(|d| d * 86_400))
                .await
            {
                // Only the token on standard output, so scripts can capture it.
                Ok((id, token)) => {
                    eprintln!("token id {id}");
                    Ok(Some(token))
                }
                Err(e) => Err(e),
            }
        }
        Command::Token {
            command: TokenCommand::Revoke { id },
        } => store.revoke_token(*id).await.map(|()| None),
        _ => Ok(None),
    };
    match result {
        Ok(Some(text)) => {
            out!("{text}");
            ExitCode::SUCCESS
        }
        Ok(None) => {
            eprintln!("{}", l.render(&Message::new(MessageId::CliSecurityDone)));
            ExitCode::SUCCESS
        }
        Err(e) => {
            let detail = match e {
                SecurityError::NotFound(what) => format!("no such {what}"),
                SecurityError::Exists(name) => format!("{name} exists already"),
                SecurityError::Database(e) => e.to_string(),
            };
            eprintln!(
                "{}: {}",
                l.render(&Message::new(MessageId::CliError)),
                l.render(&Message::new(MessageId::CliSecurityFailed).arg("detail", detail))
            );
            ExitCode::FAILURE
        }
    }
}

/// `organization show|set`.
async fn organization(
    l: &Localizer,
    store: &Store,
    command: &crate::OrganizationCommand,
) -> ExitCode {
    use switchboard_store::organization::TraceLogSetting;
    if let crate::OrganizationCommand::Set { plugin_trace_log } = command {
        let setting = match plugin_trace_log {
            crate::TraceLogArg::Off => TraceLogSetting::Off,
            crate::TraceLogArg::Exception => TraceLogSetting::Exception,
            crate::TraceLogArg::All => TraceLogSetting::All,
        };
        if let Err(e) = store.set_trace_log_setting(setting).await {
            eprintln!("{}: {e}", l.render(&Message::new(MessageId::CliError)));
            return ExitCode::FAILURE;
        }
    }
    let rows = match store.organization_rows().await {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("{}: {e}", l.render(&Message::new(MessageId::CliError)));
            return ExitCode::FAILURE;
        }
    };
    for row in rows {
        let code = row["plugintracelogsetting"].as_i64().unwrap_or_default();
        let label = TraceLogSetting::from_code(code).map_or("?", TraceLogSetting::label);
        out!(
            "{}",
            l.render(
                &Message::new(MessageId::CliOrganizationShow)
                    .arg("name", row["name"].as_str().unwrap_or_default())
                    .arg("code", code)
                    .arg("label", label)
            )
        );
    }
    ExitCode::SUCCESS
}

/// JWT verification settings from the command line (the JWKS file is read now, so a
/// bad file stops the server before it listens).
fn jwt_config(cli: &Cli) -> Result<switchboard_server::jwt::JwtConfig, String> {
    let jwks = match &cli.jwt_jwks {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            Some(
                serde_json::from_str(&text)
                    .map_err(|e| format!("{} is not a JWKS document: {e}", path.display()))?,
            )
        }
        None => None,
    };
    Ok(switchboard_server::jwt::JwtConfig {
        secret: cli.jwt_secret.clone(),
        jwks,
        issuer: cli.jwt_issuer.clone(),
        audience: cli.jwt_audience.clone(),
    })
}

/// The job workers' settings from the command line.
fn job_config(cli: &Cli) -> switchboard_store::jobs::WorkerConfig {
    let defaults = switchboard_store::jobs::WorkerConfig::default();
    switchboard_store::jobs::WorkerConfig {
        workers: cli.job_workers,
        lease: std::time::Duration::from_secs(cli.job_lease_secs),
        retry: switchboard_store::jobs::RetryPolicy {
            max_attempts: cli.job_max_attempts,
            base_delay: std::time::Duration::from_millis(cli.job_retry_base_ms),
            ..defaults.retry.clone()
        },
        ..defaults
    }
}

/// How long succeeded jobs are kept (`--job-retention-hours`; 0 keeps them).
fn job_retention(cli: &Cli) -> Option<switchboard_store::jobs::RetentionConfig> {
    (cli.job_retention_hours > 0).then(|| switchboard_store::jobs::RetentionConfig {
        keep: std::time::Duration::from_secs(cli.job_retention_hours.saturating_mul(3600)),
        ..switchboard_store::jobs::RetentionConfig::default()
    })
}

/// Outbound HTTP's allowed destinations and timeout from the command line.
fn outbound_config(cli: &Cli) -> switchboard_engine::outbound::OutboundConfig {
    switchboard_engine::outbound::OutboundConfig {
        allow: cli.outbound_allow.clone(),
        timeout: std::time::Duration::from_secs(cli.outbound_timeout_secs),
        ..switchboard_engine::outbound::OutboundConfig::default()
    }
}

/// The plug-in host's limits from the command line.
fn host_config(cli: &Cli) -> switchboard_wasm::HostConfig {
    switchboard_wasm::HostConfig {
        memory_limit: cli.plugin_memory_mib << 20,
        deadline: std::time::Duration::from_millis(cli.plugin_deadline_ms),
        long_call_after: std::time::Duration::from_millis(cli.plugin_long_call_ms),
        long_calls_per_user: cli.plugin_long_calls_per_user,
        // wasmtime wants an absolute cache path.
        cache_dir: std::path::absolute(cli.data_dir.join("plugin-cache")).ok(),
        ..switchboard_wasm::HostConfig::default()
    }
}

fn plugin(l: &Localizer, command: &crate::PluginCommand) -> ExitCode {
    let fail = |path: &Path, detail: String| {
        let m = Message::new(MessageId::PluginBuildFailed)
            .arg("path", path.display())
            .arg("detail", detail);
        eprintln!(
            "{}: {}",
            l.render(&Message::new(MessageId::CliError)),
            l.render(&m)
        );
        ExitCode::FAILURE
    };
    match command {
        crate::PluginCommand::New { name, dir } => match crate::plugin::scaffold(name, dir) {
            Ok(path) => {
                out!(
                    "{}",
                    l.render(
                        &Message::new(MessageId::PluginScaffolded).arg("path", path.display())
                    )
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(dir, e),
        },
        crate::PluginCommand::Build { path } => match crate::plugin::build(path) {
            Ok(built) => {
                for (_, component) in built {
                    out!(
                        "{}",
                        l.render(
                            &Message::new(MessageId::PluginBuilt).arg("path", component.display())
                        )
                    );
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(path, e),
        },
    }
}

/// The language for messages: `LC_ALL`/`LANG` (`de_DE.UTF-8` → `de-DE`), else en-US.
fn user_language() -> String {
    let raw = std::env::var("LC_ALL")
        .or_else(|_| std::env::var("LANG"))
        .unwrap_or_default();
    raw.split('.').next().unwrap_or_default().replace('_', "-")
}

/// `--database`, else a SQLite file in the data directory (created when missing).
fn database_url(cli: &Cli, file: &str) -> String {
    match &cli.database {
        Some(url) => url.clone(),
        None => {
            let _ = std::fs::create_dir_all(&cli.data_dir);
            switchboard_store::sqlite_url(&cli.data_dir.join(file))
        }
    }
}

async fn open(l: &Localizer, cli: &Cli, url: &str) -> Option<Store> {
    let mut config = switchboard_store::StoreConfig::default();
    if let Some(n) = cli.database_connections {
        config.postgres_pool = n;
        config.sqlite_readers = n;
    }
    match Store::connect_with(url, &config).await {
        Ok(store) => Some(store),
        Err(e) => {
            let m = Message::new(MessageId::CliDatabaseOpen)
                .arg("url", redact(url))
                .arg("detail", e);
            eprintln!(
                "{}: {}",
                l.render(&Message::new(MessageId::CliError)),
                l.render(&m)
            );
            None
        }
    }
}

/// A URL with its password replaced, fit for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn import(l: &Localizer, store: &Store, paths: &[PathBuf]) -> ExitCode {
    match crate::import_paths(store, paths).await {
        Ok(imported) => {
            for item in &imported {
                let r = &item.report;
                let warnings = item.package.warnings.len() + r.warnings.len();
                out!(
                    "{}",
                    l.render(
                        &Message::new(MessageId::ImportSummary)
                            .arg("solution", &r.solution)
                            .arg("version", &r.version)
                            .arg("managed", if r.managed { "managed" } else { "unmanaged" })
                            .arg("created", r.created.len())
                            .arg("updated", r.updated.len())
                            .arg("warnings", warnings)
                    )
                );
                for c in &r.created {
                    out!(
                        "  {}",
                        l.render(&Message::new(MessageId::ImportCreated).arg("component", c))
                    );
                }
                for c in &r.updated {
                    out!(
                        "  {}",
                        l.render(&Message::new(MessageId::ImportUpdated).arg("component", c))
                    );
                }
                for c in &r.removed {
                    out!(
                        "  {}",
                        l.render(&Message::new(MessageId::ImportDeleted).arg("component", c))
                    );
                }
                for w in &item.package.warnings {
                    out!("  {}", diagnostic(l, w));
                }
                for w in &r.warnings {
                    out!("  {}", diagnostic(l, &Diagnostic::warning(None, w.clone())));
                }
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            print_diagnostics(l, &failure.diagnostics);
            eprintln!(
                "{}",
                l.render(&Message::new(MessageId::CliImportNothingWritten))
            );
            ExitCode::FAILURE
        }
    }
}

async fn list(l: &Localizer, store: &Store, as_json: bool) -> ExitCode {
    let apis = match store.list_apis().await {
        Ok(apis) => apis,
        Err(e) => {
            eprintln!("{}: {e}", l.render(&Message::new(MessageId::CliError)));
            return ExitCode::FAILURE;
        }
    };
    if as_json {
        let values: Vec<serde_json::Value> = apis.iter().map(json::api).collect();
        out!(
            "{}",
            serde_json::to_string_pretty(&values).unwrap_or_default()
        );
        return ExitCode::SUCCESS;
    }
    if apis.is_empty() {
        eprintln!("{}", l.render(&Message::new(MessageId::CliListEmpty)));
    }
    for s in &apis {
        let a = &s.api;
        let kind = if a.is_function { "function" } else { "action" };
        let binding = match a.binding.table() {
            Some(t) => format!("{} {t}", a.binding.binding_type().label()),
            None => a.binding.binding_type().label().to_owned(),
        };
        let mut flags = Vec::new();
        if a.is_private {
            flags.push("private".to_owned());
        }
        if !a.is_exposable() {
            flags.push("not exposable".to_owned());
        }
        if let Some(p) = &a.execute_privilege {
            flags.push(format!("privilege {p}"));
        }
        flags.push(format!("steps: {}", a.allowed_step_type.label()));
        out!(
            "{} ({kind}, {binding}; {}) [{}]",
            a.unique_name,
            flags.join(", "),
            s.solution
        );
        if let Some(target) = a.implicit_target() {
            out!(
                "  in  {} : {} ({}, implicit)",
                target.unique_name,
                target.field_type.label(),
                target
                    .logical_entity_name
                    .map(|t| t.to_string())
                    .unwrap_or_default()
            );
        }
        for p in &a.request_parameters {
            let optional = if p.is_optional { "?" } else { "" };
            out!(
                "  in  {}{optional} : {}",
                p.unique_name,
                p.field_type.label()
            );
        }
        for p in &a.response_properties {
            out!("  out {} : {}", p.unique_name, p.field_type.label());
        }
    }
    ExitCode::SUCCESS
}

async fn bind(l: &Localizer, listen: &str) -> Option<tokio::net::TcpListener> {
    match tokio::net::TcpListener::bind(listen).await {
        Ok(listener) => Some(listener),
        Err(e) => {
            let m = Message::new(MessageId::CliBindFailed)
                .arg("addr", listen)
                .arg("detail", e);
            eprintln!(
                "{}: {}",
                l.render(&Message::new(MessageId::CliError)),
                l.render(&m)
            );
            None
        }
    }
}

fn base_url(listener: &tokio::net::TcpListener, tls: bool) -> String {
    let scheme = if tls { "https" } else { "http" };
    listener
        .local_addr()
        .map(|a| format!("{scheme}://{a}"))
        .unwrap_or_default()
}

/// Reports a certificate or key file that cannot be used.
fn tls_failed(l: &Localizer, e: &switchboard_server::tls::TlsError) -> ExitCode {
    eprintln!(
        "{}: {}",
        l.render(&Message::new(MessageId::CliError)),
        l.render(&e.message)
    );
    ExitCode::FAILURE
}

async fn serve(
    l: &Localizer,
    cli: &Cli,
    store: Store,
    listen: &str,
    tls: Option<switchboard_server::tls::TlsConfig>,
) -> ExitCode {
    let Some(listener) = bind(l, listen).await else {
        return ExitCode::FAILURE;
    };
    serve_on(l, cli, store, listener, tls).await
}

async fn serve_on(
    l: &Localizer,
    cli: &Cli,
    store: Store,
    listener: tokio::net::TcpListener,
    tls: Option<switchboard_server::tls::TlsConfig>,
) -> ExitCode {
    let https = tls.is_some();
    let config = switchboard_server::ServerConfig {
        rate_limit: cli.rate_limit,
        rate_window: std::time::Duration::from_secs(cli.rate_window_secs),
        request_timeout: std::time::Duration::from_secs(cli.request_timeout_secs),
        jwt: match jwt_config(cli) {
            Ok(j) => j,
            Err(e) => {
                eprintln!("{}: {e}", l.render(&Message::new(MessageId::CliError)));
                return ExitCode::FAILURE;
            }
        },
        tls,
        connections: switchboard_server::ConnectionLimits {
            header_read_timeout: std::time::Duration::from_millis(cli.header_read_timeout_ms),
            max_connections: cli.max_connections as usize,
            max_connections_per_ip: cli.max_connections_per_ip as usize,
        },
        public_url: cli.public_url.clone(),
        retry_after_secs: cli.retry_after_secs,
    };
    // The engine runs messages (and this process's job workers); the server is its HTTP
    // front.
    let engine_config = switchboard_engine::EngineConfig {
        plugins: host_config(cli),
        jobs: job_config(cli),
        job_retention: job_retention(cli),
        outbound: outbound_config(cli),
        ..switchboard_engine::EngineConfig::default()
    };
    let engine = match switchboard_engine::Engine::new(store, engine_config).await {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("{}: {e}", l.render(&Message::new(MessageId::CliError)));
            return ExitCode::FAILURE;
        }
    };
    let state = switchboard_server::AppState::over(engine, config);
    out!(
        "{}",
        l.render(&Message::new(MessageId::CliServing).arg("url", base_url(&listener, https)))
    );
    match switchboard_server::serve(listener, state, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e}", l.render(&Message::new(MessageId::CliError)));
            ExitCode::FAILURE
        }
    }
}

/// Completes on SIGINT (Ctrl-C) or, on unix, SIGTERM: the server then stops accepting and
/// finishes the requests under way.
async fn shutdown_signal() {
    #[cfg(unix)]
    if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        return;
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Solution roots in a folder: sub-folders holding a manifest, and `.zip` files.
fn solution_roots(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut roots = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_root = path.join("Other").join("Solution.xml").is_file()
            || path.join("solution.xml").is_file();
        let is_zip = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
        if (path.is_dir() && is_root) || (path.is_file() && is_zip) {
            roots.push(path);
        }
    }
    roots.sort();
    Ok(roots)
}

/// Any record id works for a record-bound call until tables arrive; this one is printed.
const DEMO_ACCOUNT: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
/// The project record the demo seeds (when the sample's `sb_project` table was imported).
const DEMO_PROJECT: &str = "2c3f6a4e-5d1b-4c8e-9f70-1a2b3c4d5e6f";

/// Record-bound calls need real records: the demo seeds an account and, when the sample
/// table exists, a project that belongs to it.
async fn seed_demo_records(store: &Store) -> Result<(), switchboard_store::RecordError> {
    use switchboard_model::Value;
    use switchboard_model::value::EntityReference;
    use switchboard_store::records;
    let tables = store.tables().await?;
    let db = store.connection();
    let account_id = uuid::Uuid::parse_str(DEMO_ACCOUNT).expect("a GUID");
    if let Some(account) = tables.iter().find(|t| t.logical_name == "account")
        && !records::exists(db, "account", account_id).await?
    {
        let values = records::Record::from([
            ("accountid".to_owned(), Value::Guid(account_id)),
            ("name".to_owned(), Value::String("Contoso (demo)".into())),
        ]);
        records::create(db, account, values, None).await?;
    }
    let project_id = uuid::Uuid::parse_str(DEMO_PROJECT).expect("a GUID");
    if let Some(project) = tables.iter().find(|t| t.logical_name == "sb_project")
        && !records::exists(db, "sb_project", project_id).await?
    {
        let values = records::Record::from([
            ("sb_projectid".to_owned(), Value::Guid(project_id)),
            ("sb_name".to_owned(), Value::String("Apollo".into())),
            ("sb_priority".to_owned(), Value::Integer(7)),
            (
                "sb_accountid".to_owned(),
                Value::EntityReference(EntityReference {
                    logical_name: "account".into(),
                    id: account_id,
                }),
            ),
        ]);
        records::create(db, project, values, None).await?;
    }
    Ok(())
}

/// `demo`: recreates `<data-dir>/demo.db` (or, with an explicit `--database`, imports into
/// that database in place, never wiping what the user named) and serves it.
async fn demo(
    l: &Localizer,
    cli: &Cli,
    solutions: &Path,
    plugins: &Path,
    listen: &str,
    https: bool,
) -> ExitCode {
    // With --tls, the development certificate first: a problem with it stops the demo early.
    let tls = if https {
        let dir = std::path::absolute(cli.data_dir.join("tls"))
            .unwrap_or_else(|_| cli.data_dir.join("tls"));
        let loaded = switchboard_server::tls::dev_certificate(&dir).and_then(|dev| {
            switchboard_server::tls::TlsConfig::from_pem_files(&dev.cert, &dev.key)
                .map(|config| (dev.cert, config))
        });
        match loaded {
            Ok(pair) => Some(pair),
            Err(e) => return tls_failed(l, &e),
        }
    } else {
        None
    };
    // The sample plug-ins are build output, never committed: build them into the sample
    // solution first (cargo does nothing when they are up to date).
    if plugins.join("Cargo.toml").is_file() {
        match crate::plugin::build_samples(plugins, solutions) {
            Ok(files) => {
                for f in files {
                    out!(
                        "{}",
                        l.render(&Message::new(MessageId::PluginBuilt).arg("path", f.display()))
                    );
                }
            }
            Err(e) => {
                let m = Message::new(MessageId::PluginBuildFailed)
                    .arg("path", plugins.display())
                    .arg("detail", e);
                eprintln!(
                    "{}: {}",
                    l.render(&Message::new(MessageId::CliWarning)),
                    l.render(&m)
                );
            }
        }
    }
    let roots = match solution_roots(solutions) {
        Ok(r) if !r.is_empty() => r,
        _ => {
            let m = Message::new(MessageId::CliDemoNoSolutions).arg("path", solutions.display());
            eprintln!(
                "{}: {}",
                l.render(&Message::new(MessageId::CliError)),
                l.render(&m)
            );
            return ExitCode::FAILURE;
        }
    };
    let db_path = cli.data_dir.join("demo.db");
    let url = match &cli.database {
        Some(url) => url.clone(),
        None => {
            let _ = std::fs::create_dir_all(&cli.data_dir);
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
            }
            switchboard_store::sqlite_url(&db_path)
        }
    };
    let Some(store) = open(l, cli, &url).await else {
        return ExitCode::FAILURE;
    };
    if import(l, &store, &roots).await != ExitCode::SUCCESS {
        return ExitCode::FAILURE;
    }
    if let Err(e) = seed_demo_records(&store).await {
        eprintln!("{}: {e:?}", l.render(&Message::new(MessageId::CliError)));
        return ExitCode::FAILURE;
    }
    let apis = store.list_apis().await.map(|a| a.len()).unwrap_or(0);
    out!(
        "{}",
        l.render(
            &Message::new(MessageId::CliDemoReady)
                .arg("path", redact(&url))
                .arg("apis", apis)
                .arg("solutions", roots.len())
        )
    );
    let Some(listener) = bind(l, listen).await else {
        return ExitCode::FAILURE;
    };
    let base = base_url(&listener, tls.is_some());
    let api = format!("{base}/api/data/v9.2");
    let token = match store.create_token("admin", None).await {
        Ok((_, token)) => token,
        Err(e) => {
            eprintln!("{}: {e:?}", l.render(&Message::new(MessageId::CliError)));
            return ExitCode::FAILURE;
        }
    };
    out!(
        "{}",
        l.render(&Message::new(MessageId::CliDemoToken).arg("token", &token))
    );
    // Over HTTPS every curl line trusts the development certificate.
    let mut cacert = String::new();
    if let Some((cert, _)) = &tls {
        let path = cert.display();
        out!(
            "{}",
            l.render(&Message::new(MessageId::CliDemoCertificate).arg("path", &path))
        );
        out!(
            "{}",
            l.render(&Message::new(MessageId::CliDemoTrust).arg("path", &path))
        );
        cacert = format!(" --cacert '{path}'");
    }
    let auth = format!("-H 'Authorization: Bearer {token}'");
    // Lines for the record table and the plug-in reading its Target only when the solutions
    // hold them (a demo of other solutions would print failing commands otherwise).
    let stored = store.list_apis().await.unwrap_or_default();
    let has_api = |name: &str| stored.iter().any(|a| a.api.unique_name.as_str() == name);
    let has_projects = store
        .tables()
        .await
        .is_ok_and(|t| t.iter().any(|t| t.logical_name == "sb_project"));
    let mut records = Vec::new();
    if has_projects {
        records.push(format!(
            r#"curl -sfg{cacert} {auth} "{api}/sb_projects?\$select=sb_name,sb_priority&\$filter=sb_priority%20ge%205""#
        ));
        if has_api("sb_ProjectSummary") {
            records.push(format!(
                r#"curl -sf{cacert} -X POST {auth} -H 'Content-Type: application/json' -d '{{}}' '{api}/sb_projects({DEMO_PROJECT})/Microsoft.Dynamics.CRM.sb_ProjectSummary'"#
            ));
        }
    }
    for command in [
        format!(
            r#"curl -sf{cacert} -X POST '{api}/sb_Echo' {auth} -H 'Content-Type: application/json' -d '{{"StringParameter":"hello","IntegerParameter":42}}'"#
        ),
        format!(r#"curl -sfg{cacert} {auth} "{api}/sb_Greet(Name=@name)?@name='Ada'""#),
        format!(
            r#"curl -sfg{cacert} {auth} "{api}/accounts({DEMO_ACCOUNT})/Microsoft.Dynamics.CRM.sb_AccountSummary()""#
        ),
    ]
    .into_iter()
    .chain(records)
    .chain([
        format!("curl -sf{cacert} '{base}/health'"),
        format!("switchboard --database '{}' list", redact(&url)),
    ]) {
        out!(
            "{}",
            l.render(&Message::new(MessageId::CliDemoTry).arg("command", command))
        );
    }
    serve_on(l, cli, store, listener, tls.map(|(_, config)| config)).await
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://x.db?mode=rwc"), "sqlite://x.db?mode=rwc");
    }
}
