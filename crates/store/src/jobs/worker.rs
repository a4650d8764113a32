//! Job workers: claim a batch → run each job in a savepoint (opened at its first write) of
//! one shared transaction, completing it there → commit. A job's writes and its Succeeded
//! status commit together (exactly once); a batch shares its claim statement and its commit
//! (one flush to disk for many jobs, where one job each made throughput the disk's). The
//! shared transaction opens only when a job writes, and a job that runs past the batch
//! budget before writing has it committed meanwhile: a slow or looping plug-in holds no
//! connection (SQLite's only writer included) until it writes.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use sea_orm::DbBackend;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::{ClaimedJob, JobError, RetryPolicy, codes, complete_in, record_failure_in};
use crate::Store;
use crate::unit::{SharedCommit, SharedTransaction, Unit};

/// A boxed future, as [`JobRunner::run`] returns it.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Runs one claimed job. Every write of the job goes through `unit` ([`Unit::write`] opens
/// its savepoint at the first write): the worker marks the job Succeeded in the same
/// savepoint and commits it, so the writes happen exactly once. Returning an error (or
/// panicking) rolls them back; the job is then retried or failed. The runner neither commits
/// nor rolls back `unit`, and must not use other connections for the job's writes.
pub trait JobRunner: Send + Sync {
    /// Runs `job`, writing through `unit` (which the worker commits or rolls back).
    fn run<'a>(
        &'a self,
        job: &'a ClaimedJob,
        unit: &'a Arc<Unit>,
    ) -> BoxFuture<'a, Result<(), JobError>>;
}

/// Wakes idle workers: call [`Self::notify`] after committing a transaction that queued
/// jobs, so they run at once instead of at the next poll. Clones share one signal.
#[derive(Debug, Clone, Default)]
pub struct JobQueue {
    wake: Arc<Notify>,
}

impl JobQueue {
    /// A queue signal with no worker yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// New jobs are committed: wakes the idle workers (and the next one to go idle).
    pub fn notify(&self) {
        self.wake.notify_waiters();
        self.wake.notify_one();
    }
}

/// How workers run.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Concurrent workers in this process (0 runs none).
    pub workers: usize,
    /// This node's id; worker `n` claims as `<host_id>/<n>` (`hostid`).
    pub host_id: String,
    /// How long a claim lasts before other nodes may take the job over.
    pub lease: Duration,
    /// Extend the claim every third of `lease` while a job runs (PostgreSQL only: SQLite's
    /// single connection is held by the job's transaction).
    pub renew_leases: bool,
    /// How long an idle worker sleeps between looks at the queue (unless notified).
    pub poll: Duration,
    /// Longest one attempt may run; past it the attempt fails and is rolled back.
    pub job_timeout: Duration,
    /// Retries of failed attempts.
    pub retry: RetryPolicy,
    /// How long shutdown waits for running jobs before abandoning them (their claims lapse
    /// and the jobs run again elsewhere).
    pub shutdown_grace: Duration,
    /// Most jobs one worker claims at once.
    pub batch: usize,
    /// How long one transaction may stay open for the batch's jobs: past it the jobs done
    /// commit and the rest go on in a new transaction, and a job still running without
    /// having written has the transaction committed under it (a slow job does not hold the
    /// others' results, or SQLite's writer, for long).
    pub batch_budget: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            workers: 2,
            host_id: default_host_id(),
            lease: Duration::from_secs(60),
            renew_leases: true,
            poll: Duration::from_millis(250),
            // Dataverse's limit for a sandboxed plug-in.
            job_timeout: Duration::from_secs(120),
            retry: RetryPolicy::default(),
            shutdown_grace: Duration::from_secs(10),
            batch: 32,
            batch_budget: Duration::from_millis(50),
        }
    }
}

/// `<hostname>:<pid>:<random>`: unique per process, so a restarted node never mistakes an
/// earlier claim for its own.
pub fn default_host_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "switchboard".to_owned());
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}:{}:{}", std::process::id(), &random[..8])
}

/// Running workers; [`Self::shutdown`] stops them. Dropping it stops them too, after the
/// jobs under way.
#[derive(Debug)]
pub struct Workers {
    stop: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
    grace: Duration,
}

impl Workers {
    /// Stops claiming, lets running jobs finish for up to the grace period, then abandons
    /// the rest (rolled back; their claims lapse and they run again).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let deadline = tokio::time::Instant::now() + self.grace;
        for mut handle in self.handles {
            if tokio::time::timeout_at(deadline, &mut handle)
                .await
                .is_err()
            {
                tracing::warn!("a job worker did not stop in time; abandoning its job");
                handle.abort();
            }
        }
    }
}

/// Starts `config.workers` workers on the current tokio runtime.
pub fn start_workers(
    store: Store,
    runner: Arc<dyn JobRunner>,
    queue: JobQueue,
    config: WorkerConfig,
) -> Workers {
    let (stop, stopped) = watch::channel(false);
    let grace = config.shutdown_grace;
    let shared = Arc::new(Shared {
        store,
        runner,
        queue,
        config,
    });
    let handles = (0..shared.config.workers)
        .map(|n| {
            let shared = shared.clone();
            let stopped = stopped.clone();
            let host = format!("{}/{n}", shared.config.host_id);
            tokio::spawn(async move { shared.work(host, stopped).await })
        })
        .collect();
    Workers {
        stop,
        handles,
        grace,
    }
}

struct Shared {
    store: Store,
    runner: Arc<dyn JobRunner>,
    queue: JobQueue,
    config: WorkerConfig,
}

/// How an attempt ended.
enum Outcome {
    Succeeded,
    /// The claim lapsed and another host took the job: rolled back, nothing to record.
    LostClaim,
    Failed(JobError),
}

impl Shared {
    async fn work(&self, host: String, mut stopped: watch::Receiver<bool>) {
        loop {
            if *stopped.borrow() {
                return;
            }
            let idle = match self
                .store
                .claim_batch(&host, self.config.lease, self.config.batch)
                .await
            {
                Ok(jobs) if !jobs.is_empty() => {
                    // There may be more: let an idle sibling look too.
                    self.queue.wake.notify_one();
                    self.process(jobs).await;
                    continue;
                }
                Ok(_) => self.config.poll,
                Err(e) => {
                    tracing::warn!(error = %e, host, "claiming jobs failed");
                    self.config.poll.max(Duration::from_secs(1))
                }
            };
            tokio::select! {
                _ = self.queue.wake.notified() => {}
                _ = tokio::time::sleep(idle) => {}
                changed = stopped.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// Runs a claimed batch: transactions of jobs, each closed when the budget is spent.
    async fn process(&self, jobs: Vec<ClaimedJob>) {
        let policy = &self.config.retry;
        let (exhausted, runnable): (Vec<_>, Vec<_>) = jobs
            .into_iter()
            .partition(|job| job.retry_count >= policy.max_attempts);
        for job in exhausted {
            // Every earlier claim lapsed (its node stopped, maybe because of this very job).
            let error = JobError::permanent(format!(
                "the job was claimed {} times without finishing",
                job.retry_count
            ))
            .with_code(codes::ERROR_UNEXPECTED);
            self.record(&job, &error, false).await;
        }
        if runnable.is_empty() {
            return;
        }
        let renew = self.config.renew_leases
            && self.store.connection().get_database_backend() != DbBackend::Sqlite;
        let heartbeat = renew.then(|| {
            let (store, jobs, lease) = (self.store.clone(), runnable.clone(), self.config.lease);
            tokio::spawn(async move { heartbeat(store, jobs, lease).await })
        });
        let shared = SharedTransaction::new(self.store.clone());
        let mut pending = Vec::new();
        for job in &runnable {
            if shared
                .open_for()
                .await
                .is_some_and(|open| open >= self.config.batch_budget)
            {
                self.commit(&shared, &mut pending, false).await;
            }
            let outcome = self.attempt(job, &shared, &mut pending).await;
            match outcome {
                Outcome::Succeeded => {
                    tracing::debug!(job = %job.id, name = job.name, "job succeeded");
                }
                Outcome::LostClaim => {
                    tracing::info!(job = %job.id, "job's claim lapsed; another host runs it");
                }
                Outcome::Failed(error) => {
                    // The failure is recorded with the batch: retried later, or Failed.
                    let unit = Unit::joining(shared.clone());
                    let recorded = async {
                        let guard = unit.write().await?;
                        let txn = guard.as_ref().expect("write() opened the savepoint");
                        record_failure_in(txn, job, &error, &self.config.retry, true).await
                    }
                    .await;
                    let closed = match recorded {
                        Ok(recorded) => {
                            tracing::warn!(job = %job.id, name = job.name, error = %error, ?recorded, "job attempt failed");
                            unit.commit().await
                        }
                        Err(e) => {
                            tracing::error!(job = %job.id, error = %e, "recording a job's failure");
                            unit.rollback().await
                        }
                    };
                    match closed {
                        Ok(()) => pending.push(job),
                        Err(e) => {
                            tracing::error!(job = %job.id, error = %e, "recording a job's failure");
                        }
                    }
                }
            }
        }
        self.commit(&shared, &mut pending, false).await;
        if let Some(h) = heartbeat {
            h.abort();
        }
    }

    /// Commits the shared transaction (with `while_running`, only when the running job's
    /// savepoint is not open in it); when the commit fails, nothing of it happened and each
    /// of its jobs is recorded as failed on its own (if the commit did land after all,
    /// recording finds no claim).
    async fn commit(
        &self,
        shared: &SharedTransaction,
        pending: &mut Vec<&ClaimedJob>,
        while_running: bool,
    ) {
        let committed = if while_running {
            shared.commit_unless_joined().await
        } else {
            shared.commit().await
        };
        match committed {
            Ok(SharedCommit::Committed | SharedCommit::Nothing) => pending.clear(),
            Ok(SharedCommit::Joined) => {}
            Err(e) => {
                let error = JobError::new(format!("committing the jobs failed: {e}"))
                    .with_code(codes::ERROR_UNEXPECTED);
                for job in pending.drain(..) {
                    self.record(job, &error, true).await;
                }
            }
        }
    }

    async fn record(&self, job: &ClaimedJob, error: &JobError, count: bool) {
        match self
            .store
            .record_failure(job, error, &self.config.retry, count)
            .await
        {
            Ok(outcome) => {
                tracing::warn!(job = %job.id, name = job.name, error = %error, ?outcome, "job attempt failed");
            }
            // The claim lapses and the job runs again.
            Err(e) => tracing::error!(job = %job.id, error = %e, "recording a job's failure"),
        }
    }

    /// One job in a savepoint of `shared` opened at its first write: its writes and its
    /// completion are kept together, or rolled back together. While the job runs without
    /// having written, the jobs done before it (`pending`) commit once the batch budget
    /// passes, so that it holds no transaction.
    async fn attempt<'j>(
        &self,
        job: &'j ClaimedJob,
        shared: &SharedTransaction,
        pending: &mut Vec<&'j ClaimedJob>,
    ) -> Outcome {
        let platform = |what: &str, e: &dyn std::fmt::Display| {
            Outcome::Failed(
                JobError::new(format!("{what}: {e}")).with_code(codes::ERROR_UNEXPECTED),
            )
        };
        let unit = Arc::new(Unit::joining(shared.clone()));
        let run = tokio::time::timeout(
            self.config.job_timeout,
            CatchPanic(self.runner.run(job, &unit)),
        );
        tokio::pin!(run);
        let mut idle_commit = Box::pin(tokio::time::sleep(self.config.batch_budget));
        let mut committed_meanwhile = false;
        let ran = loop {
            tokio::select! {
                ran = &mut run => break ran,
                () = &mut idle_commit, if !committed_meanwhile => {
                    committed_meanwhile = true;
                    self.commit(shared, pending, true).await;
                }
            }
        };
        let result = match ran {
            Ok(Ok(result)) => result,
            Ok(Err(panic)) => Err(JobError::new(format!("the job panicked: {panic}"))
                .with_code(codes::ERROR_PLUGIN_FAILED)),
            Err(_) => Err(JobError::new(format!(
                "the job did not finish within {} ms",
                self.config.job_timeout.as_millis()
            ))
            .with_code(codes::ERROR_PLUGIN_FAILED)),
        };
        if let Err(error) = result {
            rollback(&unit).await;
            return Outcome::Failed(error);
        }
        let completed = async {
            let guard = unit.write().await?;
            complete_in(guard.as_ref().expect("write() opened the savepoint"), job).await
        }
        .await;
        match completed {
            Ok(true) => match unit.commit().await {
                Ok(()) => {
                    pending.push(job);
                    Outcome::Succeeded
                }
                Err(e) => platform("releasing the job's savepoint failed", &e),
            },
            Ok(false) => {
                rollback(&unit).await;
                Outcome::LostClaim
            }
            Err(e) => {
                rollback(&unit).await;
                platform("completing the job failed", &e)
            }
        }
    }
}

async fn rollback(unit: &Unit) {
    if let Err(e) = unit.rollback().await {
        tracing::warn!(error = %e, "rolling back a job's writes failed");
    }
}

async fn heartbeat(store: Store, jobs: Vec<ClaimedJob>, lease: Duration) {
    let every = (lease / 3).max(Duration::from_millis(10));
    loop {
        tokio::time::sleep(every).await;
        match store.extend_leases(&jobs, lease).await {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "extending the jobs' leases failed"),
        }
    }
}

/// Turns a panic while polling the runner's future into an error.
struct CatchPanic<'a, T>(BoxFuture<'a, T>);

impl<T> Future for CatchPanic<'_, T> {
    type Output = Result<T, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(payload) => Poll::Ready(Err(payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".to_owned()))),
        }
    }
}
