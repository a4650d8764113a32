//! The `switchboard` command line: import solutions, list custom APIs, serve, demo.

mod commands;
mod connector;
mod import;
mod json;
mod output;
pub mod plugin;
mod steps;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use import::{ImportFailure, Imported, import_paths};

/// Default address `serve` and `demo` listen on.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:5555";

/// Switchboard: Dataverse-style custom APIs, served over OData, run by WebAssembly plug-ins.
#[derive(Debug, Parser)]
#[command(name = "switchboard", version, about)]
pub struct Cli {
    /// Database URL: `sqlite://FILE?mode=rwc` or `postgres://…`
    /// [default: a SQLite file in the data directory]
    #[arg(long, global = true, env = "SWITCHBOARD_DATABASE_URL")]
    pub database: Option<String>,

    /// Where the default SQLite database lives.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_DATA_DIR",
        default_value = "switchboard-data"
    )]
    pub data_dir: PathBuf,

    /// Database connections: the size of each of the two PostgreSQL pools, one for writes
    /// and one for reads (default 10 each), or a SQLite file's read-only connections beside
    /// its one writer (default 4).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_DATABASE_CONNECTIONS",
        value_parser = clap::value_parser!(u32).range(1..=1000)
    )]
    pub database_connections: Option<u32>,

    /// Longest a plug-in call may run, in milliseconds.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_PLUGIN_DEADLINE_MS",
        default_value_t = 2000
    )]
    pub plugin_deadline_ms: u64,

    /// Most memory a plug-in call may use, in MiB.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_PLUGIN_MEMORY_MIB",
        default_value_t = 64
    )]
    pub plugin_memory_mib: usize,

    /// Plug-in calls past `--plugin-long-call-ms` one user may have running at once; more
    /// wait, running nothing, until one of them ends (their deadline still counts).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_PLUGIN_LONG_CALLS_PER_USER",
        default_value_t = 2,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub plugin_long_calls_per_user: u32,

    /// How long a plug-in call runs, in milliseconds, before it counts as long-running.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_PLUGIN_LONG_CALL_MS",
        default_value_t = 100
    )]
    pub plugin_long_call_ms: u64,

    /// Job workers in this process running asynchronous steps (0 runs none).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_JOB_WORKERS",
        default_value_t = 2
    )]
    pub job_workers: usize,

    /// Attempts a failing job gets, the first included, before it is marked Failed.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_JOB_MAX_ATTEMPTS",
        default_value_t = 4,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub job_max_attempts: u32,

    /// Delay before a failed job's first retry, in milliseconds (doubled for each further
    /// one, at most five minutes).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_JOB_RETRY_BASE_MS",
        default_value_t = 1000
    )]
    pub job_retry_base_ms: u64,

    /// How long a node's claim on a job lasts, in seconds (renewed while the job runs, on
    /// PostgreSQL); the jobs of a node that stopped run again once their claims lapse.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_JOB_LEASE_SECS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub job_lease_secs: u64,

    /// How long succeeded system jobs are kept, in hours (0 keeps them); past it a
    /// periodic cleanup deletes them, as Dataverse's bulk-delete job does after 30 days.
    /// Failed and canceled jobs are always kept. Outbound delivery attempts older than
    /// this are deleted too.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_JOB_RETENTION_HOURS",
        default_value_t = 720
    )]
    pub job_retention_hours: u64,

    /// Destinations outbound HTTP (callbacks, webhooks) may reach besides public addresses
    /// on ports 80 and 443: HOST[:PORT], repeated or comma-separated. HOST is a name,
    /// *.domain, an IP address or a CIDR network (10.0.0.0/8; IPv6 in brackets before a
    /// port: [fd00::/8]:8080). A listed destination may use any port (only PORT when given)
    /// and loopback or private addresses, so local receivers work; any other must resolve
    /// to public addresses only and use port 80 or 443, as Dataverse's webhooks. Decided on
    /// the resolved addresses before connecting.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_OUTBOUND_ALLOW",
        value_name = "HOST[:PORT]",
        value_delimiter = ','
    )]
    pub outbound_allow: Vec<switchboard_engine::outbound::AllowEntry>,

    /// Longest an outbound HTTP attempt may take, in seconds (its redirects and reading the
    /// answer included); a delivery may set its own.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_OUTBOUND_TIMEOUT_SECS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub outbound_timeout_secs: u64,

    /// Requests one user may make per rate-limit window (429 beyond).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_RATE_LIMIT",
        default_value_t = 6000
    )]
    pub rate_limit: u32,

    /// The rate-limit window, in seconds.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_RATE_WINDOW_SECS",
        default_value_t = 300
    )]
    pub rate_window_secs: u64,

    /// Longest a Web API request may take, in seconds (slow clients are cut off).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_REQUEST_TIMEOUT_SECS",
        default_value_t = 120
    )]
    pub request_timeout_secs: u64,

    /// Longest a client may take to send a request's headers, in milliseconds: from its
    /// connection's accept (TLS handshake included) for the first request, from the previous
    /// response for the next ones. The connection is closed after it.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_HEADER_READ_TIMEOUT_MS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub header_read_timeout_ms: u64,

    /// Connections open at once in this process; more are closed as soon as they are
    /// accepted.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_MAX_CONNECTIONS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub max_connections: u32,

    /// Connections open at once from one IP address; more are closed as soon as they are
    /// accepted.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_MAX_CONNECTIONS_PER_IP",
        default_value_t = 256,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub max_connections_per_ip: u32,

    /// The server's public URL (scheme and authority, e.g. `https://api.example.com`):
    /// absolute URLs it answers with (`Location`, `@odata.context`, callback payloads) start
    /// with it, so they are right behind a proxy. Default: each request's `Host`.
    #[arg(long, global = true, env = "SWITCHBOARD_PUBLIC_URL", value_parser = public_url)]
    pub public_url: Option<String>,

    /// The `Retry-After` (seconds) a background operation's status monitor answers while the
    /// operation runs: how long Logic Apps and other pollers wait before asking again.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_RETRY_AFTER_SECS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(0..=3600)
    )]
    pub retry_after_secs: u64,

    /// Shared secret that HS256/384/512 JWTs are signed with.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_JWT_SECRET",
        hide_env_values = true
    )]
    pub jwt_secret: Option<String>,

    /// A JWKS file with the identity provider's public keys (RS*/ES*/PS* JWTs).
    #[arg(long, global = true, env = "SWITCHBOARD_JWT_JWKS")]
    pub jwt_jwks: Option<PathBuf>,

    /// Required JWT issuer (`iss`).
    #[arg(long, global = true, env = "SWITCHBOARD_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,

    /// Required JWT audience (`aud`).
    #[arg(long, global = true, env = "SWITCHBOARD_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import solution folders or zips into the database (all or nothing).
    Import {
        /// Solution folders (holding Other/Solution.xml) or exported .zip files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// List every stored custom API with its parameters, properties, labels and plug-in.
    List {
        /// Print JSON (the shape is documented in the README).
        #[arg(long)]
        json: bool,
    },
    /// Manage users.
    User {
        /// What to do.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage security roles.
    Role {
        /// What to do.
        #[command(subcommand)]
        command: RoleCommand,
    },
    /// Manage access tokens.
    Token {
        /// What to do.
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Show or change the organization's settings (a running server applies a change
    /// within a quarter of a second; at once on PostgreSQL).
    Organization {
        /// What to do.
        #[command(subcommand)]
        command: OrganizationCommand,
    },
    /// Register, list, enable, disable and delete processing steps (no server needed).
    Step {
        /// What to do.
        #[command(subcommand)]
        command: StepCommand,
    },
    /// Create and build WebAssembly plug-ins.
    Plugin {
        /// What to do.
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Logic Apps and Power Automate custom connectors (no server needed).
    Connector {
        /// What to do.
        #[command(subcommand)]
        command: ConnectorCommand,
    },
    /// Run the HTTP server (HTTPS with --tls-cert and --tls-key).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "SWITCHBOARD_LISTEN", default_value = DEFAULT_LISTEN)]
        listen: String,
        /// Create the SQLite database file when it does not exist (without it, a missing
        /// file is an error: a mistyped path or a deleted file never becomes an empty
        /// database that answers as if users, tokens and records were gone).
        #[arg(long)]
        create: bool,
        /// PEM certificate chain (leaf first) to serve HTTPS with; needs --tls-key.
        #[arg(
            long,
            env = "SWITCHBOARD_TLS_CERT",
            value_name = "PEM",
            requires = "tls_key"
        )]
        tls_cert: Option<PathBuf>,
        /// PEM private key of --tls-cert.
        #[arg(
            long,
            env = "SWITCHBOARD_TLS_KEY",
            value_name = "PEM",
            requires = "tls_cert"
        )]
        tls_key: Option<PathBuf>,
    },
    /// Recreate the demo database from the sample solutions and serve it.
    Demo {
        /// Folder holding the solutions to import.
        #[arg(long, default_value = "solutions")]
        solutions: PathBuf,
        /// The sample plug-ins' workspace, built into the solutions before import.
        #[arg(long, default_value = "plugins")]
        plugins: PathBuf,
        /// Address to listen on.
        #[arg(long, env = "SWITCHBOARD_LISTEN", default_value = DEFAULT_LISTEN)]
        listen: String,
        /// Serve HTTPS with a self-signed development certificate for 127.0.0.1 and
        /// localhost, created in <data-dir>/tls on first use and reused afterwards.
        #[arg(long)]
        tls: bool,
    },
}

/// `switchboard user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user (in the root business unit, with no roles).
    Add {
        /// Login name.
        name: String,
        /// Display name.
        #[arg(long)]
        full_name: Option<String>,
        /// UI language (LCID, e.g. 1031).
        #[arg(long)]
        language: Option<i32>,
    },
    /// List users.
    List,
    /// Set a user's UI language (an LCID such as 1031), or clear it with 0.
    Language {
        /// Login name.
        name: String,
        /// LCID, or 0 for the organization's base language.
        lcid: i32,
    },
}

/// `switchboard role …`.
#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// Add a security role.
    Add {
        /// Role name.
        name: String,
    },
    /// Grant privileges (`prvReadAccount`, `prvCreatenew_myaction`, …) to a role.
    Grant {
        /// Role name.
        role: String,
        /// Privilege names.
        #[arg(required = true)]
        privileges: Vec<String>,
    },
    /// Assign a role to a user.
    Assign {
        /// Login name.
        user: String,
        /// Role name.
        role: String,
    },
}

/// `switchboard organization …`.
#[derive(Debug, Subcommand)]
pub enum OrganizationCommand {
    /// Print the settings.
    Show,
    /// Change settings.
    Set {
        /// Which plug-in calls leave a trace log row (`plugintracelogsetting`): off (0),
        /// exception (1, failures only; the default) or all (2).
        #[arg(long, value_enum)]
        plugin_trace_log: TraceLogArg,
    },
}

/// `--plugin-trace-log` of `organization set`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TraceLogArg {
    /// 0: no rows.
    #[value(alias = "0")]
    Off,
    /// 1: rows for failed calls.
    #[value(alias = "1")]
    Exception,
    /// 2: rows for every call.
    #[value(alias = "2")]
    All,
}

/// `switchboard token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an access token for a user and print it (it is stored only as a hash).
    Create {
        /// Login name.
        #[arg(long)]
        user: String,
        /// Days until it expires (never, when absent).
        #[arg(long)]
        expires_in_days: Option<i64>,
    },
    /// Revoke a token by id.
    Revoke {
        /// The token's id, as `token create` reports it on standard error.
        id: uuid::Uuid,
    },
}

/// `switchboard step …`.
#[derive(Debug, Subcommand)]
pub enum StepCommand {
    /// Register a processing step; it is checked like a step in a solution (message,
    /// plug-in type, stage and mode, the custom API's allowed step type).
    Add {
        /// The step's name.
        #[arg(long)]
        name: String,
        /// The message: a custom API's unique name, a built-in message (Create, Update, …)
        /// or an sdkmessageid.
        #[arg(long)]
        message: String,
        /// The plug-in type: its id, its name, or an export key.
        #[arg(long)]
        plugin_type: String,
        /// 10 (pre-validation), 20 (pre-operation) or 40 (post-operation).
        #[arg(long)]
        stage: i64,
        /// Synchronous, or asynchronous (post-operation only).
        #[arg(long, value_enum, default_value_t = StepModeArg::Sync)]
        mode: StepModeArg,
        /// Order within the stage (ascending).
        #[arg(long, default_value_t = 1)]
        rank: i32,
        /// The table (primary entity) the step is registered for.
        #[arg(long)]
        entity: Option<String>,
        /// Columns whose change triggers an Update step, comma-separated.
        #[arg(long, value_delimiter = ',')]
        filtering_attributes: Vec<String>,
        /// Unsecure configuration passed to the plug-in.
        #[arg(long)]
        configuration: Option<String>,
        /// Secure configuration passed to the plug-in (stored apart, never shown).
        #[arg(long)]
        secure_configuration: Option<String>,
        /// Delete an asynchronous step's system job when it succeeds.
        #[arg(long)]
        async_auto_delete: bool,
        /// The step's id [default: a new one].
        #[arg(long)]
        id: Option<uuid::Uuid>,
    },
    /// List the registered steps.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Enable a step (checked again against the rules).
    Enable {
        /// The step's id.
        id: uuid::Uuid,
    },
    /// Disable a step.
    Disable {
        /// The step's id.
        id: uuid::Uuid,
    },
    /// Delete a step (not one of a managed solution).
    Delete {
        /// The step's id.
        id: uuid::Uuid,
    },
    /// Register an entity image on a step: a snapshot of the record before (pre) or after
    /// (post) the operation, which the step's plug-in reads by its alias.
    ImageAdd {
        /// The step's id.
        #[arg(long)]
        step: uuid::Uuid,
        /// The alias the plug-in reads the image by.
        #[arg(long)]
        alias: String,
        /// Which snapshot: pre (Update, Delete), post (Create, Update; post-operation
        /// steps), or both.
        #[arg(long = "type", value_enum)]
        image_type: ImageTypeArg,
        /// The columns the image holds, comma-separated [default: every column].
        #[arg(long, value_delimiter = ',')]
        attributes: Vec<String>,
        /// The image's name [default: the alias].
        #[arg(long)]
        name: Option<String>,
        /// The image's id [default: a new one].
        #[arg(long)]
        id: Option<uuid::Uuid>,
    },
    /// Delete a step image.
    ImageDelete {
        /// The image's id.
        id: uuid::Uuid,
    },
}

/// `--type` of `step image-add`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImageTypeArg {
    /// The record before the operation.
    Pre,
    /// The record after the operation.
    Post,
    /// Both, under one alias.
    Both,
}

/// `--mode` of `step add`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StepModeArg {
    /// Runs in the caller's request.
    Sync,
    /// Queued; runs after the operation completes.
    Async,
}

/// `switchboard connector …`.
#[derive(Debug, Subcommand)]
pub enum ConnectorCommand {
    /// Write a solution's public custom APIs as a custom connector: apiDefinition.swagger.json
    /// and apiProperties.json (or openapi.json with --format openapi3).
    Export {
        /// The solution's unique name.
        #[arg(long)]
        solution: String,
        /// The folder to write into (created when missing).
        #[arg(long)]
        out: PathBuf,
        /// Language (LCID, e.g. 1031) of summaries and descriptions; labels missing in it
        /// fall back to the base language [default: the base language, 1033].
        #[arg(long)]
        language: Option<u32>,
        /// Where the server answers (`https://host[:port][/prefix]`): host, base path and
        /// scheme of the definition [default: http://127.0.0.1:5555, where `serve` listens
        /// by default].
        #[arg(long)]
        base_url: Option<String>,
        /// Swagger 2.0 with x-ms-* extensions (what Power Platform imports), or OpenAPI 3.0.
        #[arg(long, value_enum, default_value_t = ConnectorFormat::Swagger)]
        format: ConnectorFormat,
        /// Actions whose calls carry `Prefer: respond-async` (202 and polling): `all`, or
        /// unique names separated by commas.
        #[arg(long)]
        respond_async: Option<String>,
        /// Sign connections in through an OAuth 2.0 provider (for JWT setups): its
        /// authorization endpoint; needs --oauth-token-url.
        #[arg(long, requires = "oauth_token_url")]
        oauth_authorization_url: Option<String>,
        /// The OAuth 2.0 provider's token endpoint; needs --oauth-authorization-url.
        #[arg(long, requires = "oauth_authorization_url")]
        oauth_token_url: Option<String>,
    },
}

/// `--format` of `connector export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConnectorFormat {
    /// apiDefinition.swagger.json and apiProperties.json.
    Swagger,
    /// openapi.json.
    Openapi3,
}

/// `switchboard plugin …`.
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Create a plug-in crate that builds as is.
    New {
        /// Crate name (also the folder created).
        name: String,
        /// Where to create it.
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Build a plug-in crate for wasm32 and turn it into a component; prints the path.
    Build {
        /// The crate's folder.
        #[arg(default_value = ".")]
        path: PathBuf,
    },
}

/// Parses the command line and runs it; the exit code is 0 on success.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("switchboard: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(commands::run(cli))
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("SWITCHBOARD_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// `--public-url`: an absolute http(s) URL with no path, query or fragment.
fn public_url(text: &str) -> Result<String, String> {
    let trimmed = text.trim_end_matches('/');
    let authority = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match authority {
        Some(a) if !a.is_empty() && !a.contains(['/', '?', '#', ' ', '@']) => {
            Ok(trimmed.to_owned())
        }
        _ => Err(format!(
            "{text} is not a scheme and authority alone; expected e.g. https://api.example.com"
        )),
    }
}
