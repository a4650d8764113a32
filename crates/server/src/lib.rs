//! The HTTP server: axum router, the Dataverse-style Web API, and health.

pub mod definitions;
pub mod errors;
pub mod execute;
pub mod identity;
pub mod registry;
mod tables_api;
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
use switchboard_locale::Localizer;
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
    pub localizer: Arc<Localizer>,
    /// The plug-in host.
    pub plugins: Arc<switchboard_wasm::Host>,
}

impl AppState {
    /// Loads the definitions from the store and starts the plug-in host.
    pub async fn new(store: Store, plugins: switchboard_wasm::HostConfig) -> Result<Self, String> {
        let registry =
            SharedRegistry::new(Registry::load(&store).await.map_err(|e| e.to_string())?);
        let plugins = Arc::new(switchboard_wasm::Host::new(plugins)?);
        Ok(Self {
            store,
            registry,
            localizer: Arc::new(Localizer::english()),
            plugins,
        })
    }
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/data/{version}", any(webapi::handle))
        .route("/api/data/{version}/", any(webapi::handle))
        .route("/api/data/{version}/{*rest}", any(webapi::handle))
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

/// Serves until `shutdown` completes, rebuilding the registry when definitions change.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let watcher = state.registry.watch(state.store.clone(), REGISTRY_POLL);
    let result = axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await;
    watcher.abort();
    result
}
