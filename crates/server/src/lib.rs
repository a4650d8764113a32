//! The HTTP server: axum router, the Dataverse-style Web API, and health.

pub mod definitions;
mod entity_definitions;
pub mod errors;
pub mod execute;
pub mod identity;
pub mod jwt;
mod labels;
mod plugin_records;
pub mod ratelimit;
mod records_api;
pub mod registry;
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
use switchboard_store::Store;
use tokio::net::TcpListener;

use registry::{Registry, SharedRegistry};

/// How often the server checks whether another process imported definitions.
pub const REGISTRY_POLL: Duration = Duration::from_secs(2);

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The current definitions.
    pub registry: SharedRegistry,
    /// Platform messages (the caller's language arrives with the labels issue).
    pub locales: Arc<switchboard_locale::Locales>,
    /// The plug-in host.
    pub plugins: Arc<switchboard_wasm::Host>,
    /// Per-user request limits.
    pub limiter: Arc<ratelimit::RateLimiter>,
    /// Longest a Web API request may take.
    pub request_timeout: Duration,
    /// JWT verification.
    pub jwt: Arc<jwt::JwtConfig>,
    /// HTTPS settings; `None` serves plain HTTP.
    pub tls: Option<tls::TlsConfig>,
}

/// How the server is configured.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Plug-in sandbox limits.
    pub plugins: switchboard_wasm::HostConfig,
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
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            plugins: switchboard_wasm::HostConfig::default(),
            rate_limit: 6000,
            rate_window: Duration::from_secs(300),
            request_timeout: Duration::from_secs(120),
            jwt: jwt::JwtConfig::default(),
            tls: None,
        }
    }
}

impl AppState {
    /// Loads the definitions from the store and starts the plug-in host.
    pub async fn new(store: Store, config: ServerConfig) -> Result<Self, String> {
        let registry =
            SharedRegistry::new(Registry::load(&store).await.map_err(|e| e.to_string())?);
        let plugins = Arc::new(switchboard_wasm::Host::new(config.plugins)?);
        let limiter = Arc::new(ratelimit::RateLimiter::new(
            config.rate_limit,
            config.rate_window,
        ));
        Ok(Self {
            store,
            registry,
            locales: Arc::new(switchboard_locale::Locales::default()),
            plugins,
            limiter,
            request_timeout: config.request_timeout,
            jwt: Arc::new(config.jwt),
            tls: config.tls,
        })
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

/// Refuses requests whose headers are larger than [`MAX_HEADER_BYTES`] (431).
async fn limit_headers(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
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
        return errors::ApiError {
            error,
            localizer: state.locales.pick(None, accept_language(request.headers())),
        }
        .into_response();
    }
    next.run(request).await
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/data/{version}", any(webapi::handle))
        .route("/api/data/{version}/", any(webapi::handle))
        .route("/api/data/{version}/{*rest}", any(webapi::handle))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit_headers,
        ))
        .with_state(state)
}

/// `GET /health`: 200 when the database answers, 503 otherwise.
async fn health(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
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

/// Serves (over HTTPS when `state.tls` is set) until `shutdown` completes, rebuilding the
/// registry when definitions change.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let watcher = state.registry.watch(state.store.clone(), REGISTRY_POLL);
    let tls = state.tls.clone();
    let app = router(state);
    let result = match tls {
        None => {
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
        }
        Some(tls) => tls::serve(listener, app, &tls, shutdown).await,
    };
    watcher.abort();
    result
}
