//! The engine: runs messages. It owns the definitions snapshot (the registry), the pipeline's
//! seams over the store and the plug-in host (step source, plug-in invoker, unit of work),
//! the record messages, the services plug-ins call back into, and the runner of queued
//! asynchronous steps, and the outbound HTTP client those steps' deliveries go through
//! ([`outbound`]). It serves no HTTP: the server asks it; the CLI builds it.

pub mod background;
pub mod connector;
pub mod definitions;
pub mod execute;
mod invoker;
pub mod job_runner;
pub mod outbound;
mod plugin_records;
pub mod record_messages;
pub mod registry;
pub mod steps;
pub mod tables;
mod unit;

use std::sync::Arc;
use std::time::Duration;

use switchboard_model::execution::Caller;
use switchboard_model::ids;
use switchboard_store::Store;
use switchboard_store::deliveries::DeliveryLog;
use switchboard_store::jobs::{
    JobQueue, JobRunner, Retention, RetentionConfig, WorkerConfig, Workers,
};
use switchboard_store::log_writer::LogConfig;
use switchboard_store::security::Principal;
use switchboard_store::tracelog::TraceLog;
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

/// How often the engine checks whether another process imported definitions.
pub const REGISTRY_POLL: Duration = Duration::from_secs(2);
/// How often the engine checks whether another process changed security or organization
/// settings (PostgreSQL also announces them at once).
pub const CHANGES_POLL: Duration = Duration::from_millis(250);

/// How the engine runs: the plug-in sandbox, the job workers, outbound HTTP, how often it
/// looks for other processes' changes.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Plug-in sandbox limits.
    pub plugins: switchboard_wasm::HostConfig,
    /// Job workers (count, lease, retries); none when `workers` is 0 (jobs wait).
    pub jobs: WorkerConfig,
    /// How often another process's import is looked for.
    pub registry_poll: Duration,
    /// How often another process's security or organization change is looked for.
    pub changes_poll: Duration,
    /// How long succeeded system jobs are kept (and how the cleanup runs); `None` keeps
    /// them.
    pub job_retention: Option<RetentionConfig>,
    /// Outbound HTTP: allowed destinations, timeout, the cap on answers read.
    pub outbound: outbound::OutboundConfig,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            plugins: switchboard_wasm::HostConfig::default(),
            jobs: WorkerConfig::default(),
            registry_poll: REGISTRY_POLL,
            changes_poll: CHANGES_POLL,
            job_retention: Some(RetentionConfig::default()),
            outbound: outbound::OutboundConfig::default(),
        }
    }
}

/// What running a message needs.
pub struct Parts {
    /// The database.
    pub(crate) store: Store,
    /// The current definitions.
    pub registry: SharedRegistry,
    /// Platform messages, in every language there are translations for.
    pub locales: Arc<switchboard_locale::Locales>,
    /// The plug-in host.
    pub(crate) plugins: Arc<switchboard_wasm::Host>,
    /// Wakes the job workers: call [`JobQueue::notify`] after committing a transaction that
    /// queued asynchronous steps.
    pub jobs: JobQueue,
    /// The plug-in trace log's background writer.
    pub(crate) traces: TraceLog,
    /// Outbound HTTP (callbacks, webhooks), recording every attempt in the delivery log.
    pub outbound: outbound::Outbound,
    /// The delivery log's background writer (flushed at shutdown).
    deliveries: DeliveryLog,
    /// How the engine runs.
    pub config: EngineConfig,
    /// What the job workers hand claimed jobs to; `None`: queued steps ([`StepJobRunner`]).
    ///
    /// [`StepJobRunner`]: job_runner::StepJobRunner
    job_runner: Option<Arc<dyn JobRunner>>,
}

/// The engine's work beside the calls, from [`Engine::start_background`] until
/// [`Background::stop`]: definitions and change watchers, job workers, the retention of
/// succeeded jobs and old deliveries, the trace and delivery writers.
pub struct Background {
    watchers: [tokio::task::JoinHandle<()>; 2],
    workers: Option<Workers>,
    retention: Option<Retention>,
    traces: TraceLog,
    deliveries: DeliveryLog,
}

impl Background {
    /// Stops the watchers and the jobs' retention, then the job workers (running jobs get
    /// their grace period), then flushes the trace and delivery logs.
    pub async fn stop(self) {
        for watcher in &self.watchers {
            watcher.abort();
        }
        if let Some(retention) = self.retention {
            retention.shutdown().await;
        }
        if let Some(workers) = self.workers {
            workers.shutdown().await;
        }
        self.traces.shutdown().await;
        self.deliveries.shutdown().await;
    }
}

impl Engine {
    /// Loads the definitions from the store, starts the plug-in host, the outbound client
    /// and the trace and delivery logs' writers (so it must be called inside a tokio
    /// runtime).
    pub async fn new(store: Store, config: EngineConfig) -> Result<Self, String> {
        let registry =
            SharedRegistry::new(Registry::load(&store).await.map_err(|e| e.to_string())?);
        let plugins = Arc::new(switchboard_wasm::Host::new(config.plugins.clone())?);
        let traces = TraceLog::start(store.clone(), LogConfig::default());
        let deliveries = DeliveryLog::start(store.clone(), LogConfig::default());
        let outbound = outbound::Outbound::new(config.outbound.clone(), Some(deliveries.clone()))?;
        Ok(Self(Arc::new(Parts {
            store,
            registry,
            locales: Arc::new(switchboard_locale::Locales::default()),
            plugins,
            jobs: JobQueue::new(),
            traces,
            outbound,
            deliveries,
            config,
            job_runner: None,
        })))
    }

    /// With another runner for claimed jobs (tests of the queue itself); call it before the
    /// engine is shared.
    pub fn with_job_runner(mut self, runner: Arc<dyn JobRunner>) -> Self {
        match Arc::get_mut(&mut self.0) {
            Some(parts) => parts.job_runner = Some(runner),
            None => panic!("with_job_runner is called before the engine is shared"),
        }
        self
    }

    /// Starts the work beside the calls: watching for other processes' imports and
    /// security changes, the job workers and the retention of succeeded jobs (when
    /// configured).
    pub fn start_background(&self) -> Background {
        let watchers = [
            self.registry
                .watch(self.store.clone(), self.config.registry_poll),
            self.store.watch_changes(self.config.changes_poll),
        ];
        let workers = (self.config.jobs.workers > 0).then(|| {
            let runner = self.job_runner.clone().unwrap_or_else(|| {
                Arc::new(job_runner::StepJobRunner::new(self.clone())) as Arc<dyn JobRunner>
            });
            switchboard_store::jobs::start_workers(
                self.store.clone(),
                runner,
                self.jobs.clone(),
                self.config.jobs.clone(),
            )
        });
        // Every node may run the cleanup: nodes deleting the same rows at once delete each
        // row once (the second statement finds it gone).
        let retention = self
            .config
            .job_retention
            .clone()
            .map(|config| switchboard_store::jobs::start_retention(self.store.clone(), config));
        Background {
            watchers,
            workers,
            retention,
            traces: self.traces.clone(),
            deliveries: self.deliveries.clone(),
        }
    }

    /// The caller an opaque access token stands for; `None` when the token is unknown,
    /// revoked or expired, or its user disabled. Cached: no database work once seen, until a
    /// security change.
    pub async fn caller_for_token(&self, token: &str) -> Result<Option<Caller>, String> {
        let principal = self
            .store
            .principal_for_token(token)
            .await
            .map_err(|e| e.to_string())?;
        Ok(principal.map(|p| caller(&p, p.user_id)))
    }

    /// The user a verified identity (a JWT's claims) names: the first of `ids` that is a
    /// user's id, else the first of `names` that is a user's login name.
    pub async fn caller_for_identity(
        &self,
        ids: &[&str],
        names: &[&str],
    ) -> Result<Option<Caller>, String> {
        for id in ids {
            if let Ok(id) = Uuid::parse_str(id)
                && let Some(p) = self.store.principal(id).await.map_err(|e| e.to_string())?
            {
                return Ok(Some(caller(&p, p.user_id)));
            }
        }
        for name in names {
            if let Some(p) = self
                .store
                .principal_by_name(name)
                .await
                .map_err(|e| e.to_string())?
            {
                return Ok(Some(caller(&p, p.user_id)));
            }
        }
        Ok(None)
    }

    /// User `id` as the caller `acting` makes calls on behalf of (`MSCRMCallerID`); `None`
    /// when no enabled user has that id. Whether `acting` may impersonate is the caller's
    /// to check.
    pub async fn caller_on_behalf(
        &self,
        id: Uuid,
        acting: &Caller,
    ) -> Result<Option<Caller>, String> {
        let principal = self.store.principal(id).await.map_err(|e| e.to_string())?;
        Ok(principal.map(|p| caller(&p, acting.user_id)))
    }

    /// The pipeline of one execution (and those nested in it) over `unit`.
    pub(crate) fn pipeline(&self, unit: Arc<unit::ServerUnit>) -> switchboard_pipeline::Pipeline {
        invoker::pipeline(self, unit)
    }

    /// Whether the database answers (the health check).
    pub async fn ping(&self) -> Result<(), String> {
        self.store.ping().await.map_err(|e| e.to_string())
    }
}

/// The caller a principal acts as, for a call `initiating` user caused (themselves, or the
/// user who impersonates them).
pub(crate) fn caller(user: &Principal, initiating: Uuid) -> Caller {
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
