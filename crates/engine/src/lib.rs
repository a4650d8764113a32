//! The engine: runs messages. It owns the definitions snapshot (the registry), the pipeline's
//! seams over the store and the plug-in host (step source, plug-in invoker, unit of work),
//! the record messages, the services plug-ins call back into, and the runner of queued
//! asynchronous steps. It knows no HTTP: the server asks it; the CLI builds it.

pub mod definitions;
pub mod execute;
pub mod job_runner;
mod plugin_records;
pub mod record_messages;
pub mod registry;

use std::sync::Arc;

use switchboard_model::execution::Caller;
use switchboard_model::ids;
use switchboard_store::Store;
use switchboard_store::jobs::JobQueue;
use switchboard_store::security::Principal;
use switchboard_store::tracelog::{TraceLog, TraceLogConfig};
use uuid::Uuid;

use registry::{Registry, SharedRegistry};

/// A cheap handle (one reference count) on the engine's parts, shared by the server's
/// handlers, the job workers and every execution under way.
#[derive(Clone)]
pub struct Engine(Arc<Parts>);

impl std::ops::Deref for Engine {
    type Target = Parts;

    #[inline]
    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What running a message needs.
pub struct Parts {
    /// The database.
    pub store: Store,
    /// The current definitions.
    pub registry: SharedRegistry,
    /// Platform messages, in every language there are translations for.
    pub locales: Arc<switchboard_locale::Locales>,
    /// The plug-in host.
    pub plugins: Arc<switchboard_wasm::Host>,
    /// Wakes the job workers: call [`JobQueue::notify`] after committing a transaction that
    /// queued asynchronous steps.
    pub jobs: JobQueue,
    /// The plug-in trace log's background writer.
    pub traces: TraceLog,
}

impl Engine {
    /// Loads the definitions from the store, starts the plug-in host and the trace log's
    /// writer (so it must be called inside a tokio runtime).
    pub async fn new(store: Store, plugins: switchboard_wasm::HostConfig) -> Result<Self, String> {
        let registry =
            SharedRegistry::new(Registry::load(&store).await.map_err(|e| e.to_string())?);
        let plugins = Arc::new(switchboard_wasm::Host::new(plugins)?);
        let traces = TraceLog::start(store.clone(), TraceLogConfig::default());
        Ok(Self(Arc::new(Parts {
            store,
            registry,
            locales: Arc::new(switchboard_locale::Locales::default()),
            plugins,
            jobs: JobQueue::new(),
            traces,
        })))
    }
}

/// The caller a principal acts as, for a call `initiating` user caused (themselves, or the
/// user who impersonates them).
pub fn caller(user: &Principal, initiating: Uuid) -> Caller {
    Caller {
        user_id: user.user_id,
        initiating_user_id: initiating,
        business_unit_id: user.business_unit_id,
        organization_id: ids::ORGANIZATION_ID,
        is_admin: user.is_admin,
        role_count: user.roles.len(),
        privileges: user.privileges.clone(),
        language: user.language.and_then(|l| u32::try_from(l).ok()),
    }
}
