//! The HTTP server: axum router, the Dataverse-style Web API, and health.

mod accept;
mod background_api;
mod connector_api;
mod entity_definitions;
pub mod errors;
pub mod identity;
pub mod jwt;
mod labels;
pub mod ratelimit;
mod records_api;
mod request;
mod steps_api;
mod tables_api;
pub mod tls;
pub mod webapi;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;

use switchboard_engine::Engine;
use switchboard_odata::url::MAX_URL;

pub use accept::ConnectionLimits;

/// What every handler can reach: a cheap handle (one reference count) on [`App`], which
/// axum clones for every extractor of every request.
#[derive(Clone)]
pub struct AppState(Arc<App>);

impl std::ops::Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}

/// The server's shared parts.
#[derive(Clone)]
pub struct App {
    /// What runs messages: definitions, store, plug-in host, job queue, trace log.
    pub engine: Engine,
    /// Per-user request limits.
    pub limiter: Arc<ratelimit::RateLimiter>,
    /// Longest a Web API request may take.
    pub request_timeout: Duration,
    /// JWT verification (keys built once, verified tokens remembered until they expire).
    pub jwt: Arc<jwt::Verifier>,
    /// HTTPS settings; `None` serves plain HTTP.
    pub tls: Option<tls::TlsConfig>,
    /// The accept loop's caps and header-read timeout.
    pub connections: ConnectionLimits,
    /// Scheme and authority absolute URLs start with (`Location`, `@odata.context`,
    /// callbacks); `None` takes them from each request's `Host`.
    pub public_url: Option<String>,
    /// The `Retry-After` (seconds) a status monitor asks pollers to wait.
    pub retry_after_secs: u64,
}

/// How the server is configured (the engine has its own [`switchboard_engine::EngineConfig`]).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Requests one user may make per window (Dataverse: 6,000 per 300 s).
    pub rate_limit: u32,
    /// The rate-limit window.
    pub rate_window: Duration,
    /// Longest a request may take, reading its body included (slow clients are cut off).
    pub request_timeout: Duration,
    /// JWT verification, when an identity provider fronts Switchboard.
    pub jwt: jwt::JwtConfig,
    /// HTTPS settings; `None` (the default) serves plain HTTP.
    pub tls: Option<tls::TlsConfig>,
    /// Open connections allowed, and how long a client may take to send a request's headers.
    pub connections: ConnectionLimits,
    /// The public URL's scheme and authority (`https://api.example.com`), for absolute URLs
    /// behind a proxy; `None` takes them from each request's `Host`.
    pub public_url: Option<String>,
    /// The `Retry-After` (seconds) a status monitor asks pollers to wait.
    pub retry_after_secs: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            rate_limit: 6000,
            rate_window: Duration::from_secs(300),
            request_timeout: Duration::from_secs(120),
            jwt: jwt::JwtConfig::default(),
            tls: None,
            connections: ConnectionLimits::default(),
            public_url: None,
            retry_after_secs: DEFAULT_RETRY_AFTER_SECS,
        }
    }
}

/// The default `Retry-After` of a background operation's status monitor: ten seconds
/// (Logic Apps waits 20 s when none is given; Dataverse suggests a minute or more).
pub const DEFAULT_RETRY_AFTER_SECS: u64 = 10;

impl AppState {
    /// The server around an engine (the CLI builds the engine and hands it over).
    pub fn over(engine: Engine, config: ServerConfig) -> Self {
        let limiter = Arc::new(ratelimit::RateLimiter::new(
            config.rate_limit,
            config.rate_window,
        ));
        Self(Arc::new(App {
            engine,
            limiter,
            request_timeout: config.request_timeout,
            jwt: Arc::new(jwt::Verifier::new(config.jwt)),
            tls: config.tls,
            connections: config.connections,
            public_url: config
                .public_url
                .map(|u| u.trim_end_matches('/').to_owned()),
            retry_after_secs: config.retry_after_secs,
        }))
    }
}

/// The `Accept-Language` header, if any.
pub(crate) fn accept_language(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
}

/// Largest total size of a request's headers.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// The one middleware every request passes (one layer: each costs an allocation per
/// request): refuses, before any routing or authentication, requests whose target (path and
/// query) is longer than [`MAX_URL`] characters (400) or whose headers are larger than
/// [`MAX_HEADER_BYTES`] (431), and logs every 5xx answer once
/// ([`errors::log_server_error`]).
async fn edge(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    // HTTP/2 sends the absolute URI: only its path and query count, as over HTTP/1.1.
    let uri = request.uri();
    let target = uri
        .path_and_query()
        .map_or_else(|| uri.to_string().len(), |pq| pq.as_str().len());
    // A refusal before routing, in the caller's language from Accept-Language.
    let refuse = |error: switchboard_odata::ODataError, headers: &axum::http::HeaderMap| {
        errors::ApiError {
            error,
            localizer: state.engine.locales.pick(None, accept_language(headers)),
        }
        .into_response()
    };
    if target > MAX_URL {
        let error = switchboard_odata::ODataError::new(
            switchboard_odata::ErrorKind::UrlTooLong,
            switchboard_model::Message::new(switchboard_model::MessageId::ODataUrlTooLong)
                .arg("length", target)
                .arg("max", MAX_URL),
        );
        return refuse(error, request.headers());
    }
    let size: usize = request
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if size > MAX_HEADER_BYTES {
        let error = switchboard_odata::ODataError::new(
            switchboard_odata::ErrorKind::HeadersTooLarge,
            switchboard_model::Message::new(switchboard_model::MessageId::ODataHeadersTooLarge)
                .arg("size", size)
                .arg("max", MAX_HEADER_BYTES),
        );
        return refuse(error, request.headers());
    }
    let mut response = next.run(request).await;
    errors::log_server_error(&mut response);
    response
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/data/{version}", any(webapi::handle))
        .route("/api/data/{version}/", any(webapi::handle))
        .route("/api/data/{version}/{*rest}", any(webapi::handle))
        .route(
            "/api/backgroundoperation/{id}",
            any(background_api::monitor),
        )
        .route(
            "/api/webhooks/{api}/subscribe",
            axum::routing::post(background_api::subscribe),
        )
        .route(
            "/api/webhooks/subscriptions/{id}",
            axum::routing::delete(background_api::unsubscribe),
        )
        .route(
            "/api/connector/{solution}/{file}",
            get(connector_api::handle),
        )
        .fallback(no_resource)
        .layer(axum::middleware::from_fn_with_state(state.clone(), edge))
        .with_state(state)
}

/// Anything outside `/api/data/`, `/api/connector/` and `/health` (`/` too): a 404 with
/// Dataverse's error JSON, like every other answer of the service.
async fn no_resource(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    let error = switchboard_odata::ODataError::new(
        switchboard_odata::ErrorKind::NoHttpResource,
        switchboard_model::Message::new(switchboard_model::MessageId::ODataNoHttpResource)
            .arg("uri", &uri),
    );
    let localizer = state.engine.locales.pick(None, accept_language(&headers));
    let mut response = errors::ApiError { error, localizer }.into_response();
    response
        .headers_mut()
        .insert("OData-Version", axum::http::HeaderValue::from_static("4.0"));
    response
}

/// `GET /health`: 200 when the database answers, 503 otherwise.
async fn health(State(state): State<AppState>) -> Response {
    match state.engine.ping().await {
        Ok(()) => Json(json!({ "status": "ok", "database": "ok" })).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database did not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "unavailable" })),
            )
                .into_response()
        }
    }
}

/// Serves (over HTTPS when `state.tls` is set) until `shutdown` completes, with the engine's
/// background work (definitions and change watchers, job workers) running beside. On
/// shutdown the requests under way finish, then the engine's background work stops (jobs
/// under way get a bounded time: see `WorkerConfig::shutdown_grace`). Connections are
/// accepted by the server's own loop (`accept.rs`: header-read timeout, connection caps,
/// accept errors survived), so this returns only after `shutdown`, always `Ok`.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let background = state.engine.start_background();
    let tls = state.tls.as_ref().map(tls::TlsConfig::rustls);
    let limits = state.connections;
    let app = router(state);
    accept::serve(listener, app, tls, limits, shutdown).await;
    background.stop().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_engine::EngineConfig;
    use switchboard_store::Store;
    use switchboard_store::jobs::{
        BoxFuture, ClaimedJob, JobError, JobRunner, NewJob, WorkerConfig,
    };

    struct Count(std::sync::atomic::AtomicUsize);

    impl JobRunner for Count {
        fn run<'a>(
            &'a self,
            _job: &'a ClaimedJob,
            _unit: &'a std::sync::Arc<switchboard_store::unit::Unit>,
        ) -> BoxFuture<'a, Result<(), JobError>> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Box::pin(async { Ok(()) })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn serve_runs_queued_jobs_and_stops_its_workers() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let config = EngineConfig {
            jobs: WorkerConfig {
                poll: Duration::from_secs(30),
                ..WorkerConfig::default()
            },
            ..EngineConfig::default()
        };
        let runner = Arc::new(Count(Default::default()));
        let engine = Engine::new(store.clone(), config)
            .await
            .unwrap()
            .with_job_runner(runner.clone());
        let state = AppState::over(engine, ServerConfig::default());
        let queue = state.engine.jobs.clone();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, state, async {
            let _ = stopped.await;
        }));
        // Idle workers wait on a 30 s poll: the notification is what wakes them.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let job = NewJob {
            name: "job".into(),
            ..NewJob::default()
        };
        switchboard_store::jobs::enqueue(store.connection(), job)
            .await
            .unwrap();
        queue.notify();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while store.job_counts().await.unwrap().succeeded < 1 {
            assert!(tokio::time::Instant::now() < deadline, "the job never ran");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
        assert_eq!(runner.0.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    /// A server over `store` on an ephemeral port, in this process, with no background
    /// statements: no job workers, no retention cleanup, and polls an hour apart (its test
    /// counts the statements requests send, and shows changes apply with no poll at all).
    async fn serve_in_process(store: Store) -> String {
        let hour = Duration::from_secs(3600);
        let config = EngineConfig {
            jobs: WorkerConfig {
                workers: 0,
                ..WorkerConfig::default()
            },
            job_retention: None,
            registry_poll: hour,
            changes_poll: hour,
            ..EngineConfig::default()
        };
        let engine = Engine::new(store, config).await.unwrap();
        let state = AppState::over(engine, ServerConfig::default());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/api/data/v9.2/", listener.local_addr().unwrap());
        tokio::spawn(serve(listener, state, std::future::pending()));
        base
    }

    async fn status(url: &str, token: &str) -> u16 {
        reqwest::Client::new()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// Changes made through this process's store apply to the very next request, although
    /// the principal is cached: no poll, no wait.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn security_changes_apply_to_the_next_request_in_process() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        store.add_user("ines", "Ines", None).await.unwrap();
        let (admin_token_id, admin) = store.create_token("admin", None).await.unwrap();
        let (_, ines) = store.create_token("ines", None).await.unwrap();
        let base = serve_in_process(store.clone()).await;
        let who = format!("{base}WhoAmI");
        let jobs = format!("{base}asyncoperations");

        // Cached after the first request: the next ones do no database work.
        assert_eq!(status(&who, &admin).await, 200);
        let before = store.statements_executed();
        for _ in 0..5 {
            assert_eq!(status(&who, &admin).await, 200);
        }
        assert_eq!(store.statements_executed(), before, "a cached principal");

        // A role and privilege granted: the next request has them.
        assert_eq!(status(&jobs, &ines).await, 403);
        store.add_role("Job Readers").await.unwrap();
        store
            .grant("Job Readers", &["prvReadAsyncOperation".to_owned()])
            .await
            .unwrap();
        store.assign("ines", "Job Readers").await.unwrap();
        assert_eq!(status(&jobs, &ines).await, 200);

        // A revoked token is refused on the next request.
        store.revoke_token(admin_token_id).await.unwrap();
        assert_eq!(status(&who, &admin).await, 401);
        assert_eq!(status(&who, &ines).await, 200, "other tokens keep working");
    }

    /// Another process's change (here: another store over the same database) reaches this
    /// process's cache at its next look at the change stamps.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn other_processes_changes_are_noticed_by_the_change_poll() {
        let dir = std::env::temp_dir().join(format!("sb-changes-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = switchboard_store::sqlite_url(&dir.join("db.sqlite"));
        let here = Store::connect(&url).await.unwrap();
        let elsewhere = Store::connect(&url).await.unwrap();
        let (id, token) = elsewhere.create_token("admin", None).await.unwrap();
        assert!(here.principal_for_token(&token).await.unwrap().is_some());
        elsewhere.revoke_token(id).await.unwrap();
        // Until the poll, the cached principal stands; after it, it is gone.
        assert!(here.principal_for_token(&token).await.unwrap().is_some());
        let changed = here.poll_changes().await.unwrap();
        assert_eq!(
            changed,
            vec![switchboard_store::changes::ChangeKind::Security]
        );
        assert!(here.principal_for_token(&token).await.unwrap().is_none());
        assert!(here.poll_changes().await.unwrap().is_empty(), "seen once");
        std::fs::remove_dir_all(&dir).ok();
    }
}
