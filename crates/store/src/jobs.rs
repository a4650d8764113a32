//! The durable job queue: Dataverse's system jobs (`asyncoperation`).
//!
//! An asynchronous step becomes a row here, written by [`enqueue`] **in the transaction of
//! the message that caused it**, so the job exists exactly when the message committed.
//! Workers ([`start_workers`]) claim jobs ([`Store::claim`]: one Ready job that is due, or a
//! Locked one whose lease lapsed because its node stopped), run them in a transaction of their
//! own and mark them Succeeded in that same transaction ([`complete_in`], guarded by the
//! claim), so a job's writes become visible exactly once. Failures go back to Ready with an
//! exponential backoff ([`Store::fail`], [`RetryPolicy`]) until the attempts run out, then
//! the job is Failed with the error's text. Nothing is kept in memory: a node that dies loses
//! nothing, its claims lapse and other nodes take the jobs over.
//!
//! Claiming is atomic: PostgreSQL takes the row with `FOR UPDATE SKIP LOCKED` inside the
//! claiming statement, SQLite runs one `UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING`
//! (it has one writer). Times are epoch milliseconds ([`now_millis`]).

pub mod background;
mod retention;
mod worker;

use std::collections::BTreeMap;
use std::time::Duration;

use sea_orm::sea_query::{Expr, Value};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    QueryFilter, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::Store;
use crate::entity::asyncoperation::{self, Column};

pub use retention::{Retention, RetentionConfig, start_retention};
pub use sea_orm::DatabaseTransaction;
pub use worker::{
    BoxFuture, JobQueue, JobRunner, WorkerConfig, Workers, default_host_id, start_workers,
};

/// Dataverse's codes for `asyncoperation` (SPEC §6.5) and the error codes the worker writes.
pub mod codes {
    /// `operationtype` of a plug-in step's job: 1 "System Event".
    pub const OPERATION_SYSTEM_EVENT: i32 = 1;

    /// `statecode` 0: waiting to run.
    pub const STATE_READY: i32 = 0;
    /// `statecode` 1: suspended (not used by Switchboard yet).
    pub const STATE_SUSPENDED: i32 = 1;
    /// `statecode` 2: claimed by a node (`hostid`) and running.
    pub const STATE_LOCKED: i32 = 2;
    /// `statecode` 3: finished (succeeded, failed or canceled).
    pub const STATE_COMPLETED: i32 = 3;

    /// `statuscode` 0 (Ready): a new job.
    pub const STATUS_WAITING_FOR_RESOURCES: i32 = 0;
    /// `statuscode` 10 (Ready): waiting for its next attempt (`postponeuntil`).
    pub const STATUS_WAITING: i32 = 10;
    /// `statuscode` 20 (Locked): running.
    pub const STATUS_IN_PROGRESS: i32 = 20;
    /// `statuscode` 21 (Locked): pausing (not used yet).
    pub const STATUS_PAUSING: i32 = 21;
    /// `statuscode` 22 (Locked): canceling (not used yet).
    pub const STATUS_CANCELING: i32 = 22;
    /// `statuscode` 30 (Completed): succeeded.
    pub const STATUS_SUCCEEDED: i32 = 30;
    /// `statuscode` 31 (Completed): failed after its last attempt.
    pub const STATUS_FAILED: i32 = 31;
    /// `statuscode` 32 (Completed): canceled (not used yet).
    pub const STATUS_CANCELED: i32 = 32;

    /// `errorcode` of platform failures: `0x80040216` (UnExpected).
    pub const ERROR_UNEXPECTED: i32 = 0x8004_0216_u32 as i32;
    /// `errorcode` of a failed plug-in (panic, deadline): `0x80040265`.
    pub const ERROR_PLUGIN_FAILED: i32 = 0x8004_0265_u32 as i32;
}

/// Milliseconds since the Unix epoch, the unit of every time column.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A job to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// `name`: what the job runs (the step's name).
    pub name: String,
    /// `operationtype` (default [`codes::OPERATION_SYSTEM_EVENT`]).
    pub operation_type: i32,
    /// `data`: the serialized execution context, opaque to the queue.
    pub data: String,
    /// `correlationid`.
    pub correlation_id: Option<Uuid>,
    /// `requestid`.
    pub request_id: Option<Uuid>,
    /// `messagename`: the message that started the job.
    pub message_name: Option<String>,
    /// `depth`.
    pub depth: i32,
    /// `owningextensionid`: the step.
    pub owning_extension_id: Option<Uuid>,
    /// `primaryentitytype`.
    pub primary_entity_type: Option<String>,
    /// `regardingobjectid`.
    pub regarding_object_id: Option<Uuid>,
    /// `ownerid`: the user the job belongs to.
    pub owner_id: Option<Uuid>,
    /// `postponeuntil`: not before this time (epoch ms); `None` runs it as soon as possible.
    pub postpone_until: Option<i64>,
    /// `asyncautodelete`: delete the row when the job succeeds.
    pub auto_delete: bool,
}

impl Default for NewJob {
    fn default() -> Self {
        Self {
            name: String::new(),
            operation_type: codes::OPERATION_SYSTEM_EVENT,
            data: String::new(),
            correlation_id: None,
            request_id: None,
            message_name: None,
            depth: 1,
            owning_extension_id: None,
            primary_entity_type: None,
            regarding_object_id: None,
            owner_id: None,
            postpone_until: None,
            auto_delete: false,
        }
    }
}

/// Queues a job on `db`, normally the transaction of the message that caused it: the job
/// then exists exactly when that transaction commits. Returns `asyncoperationid`. Call
/// [`JobQueue::notify`] after the commit to wake an idle worker at once.
pub async fn enqueue<C: ConnectionTrait>(db: &C, job: NewJob) -> Result<Uuid, DbErr> {
    let id = Uuid::new_v4();
    let now = now_millis();
    asyncoperation::Entity::insert(asyncoperation::ActiveModel {
        asyncoperationid: Set(id),
        name: Set(job.name),
        operationtype: Set(job.operation_type),
        statecode: Set(codes::STATE_READY),
        statuscode: Set(codes::STATUS_WAITING_FOR_RESOURCES),
        data: Set(Some(job.data)),
        message: Set(None),
        friendlymessage: Set(None),
        errorcode: Set(None),
        retrycount: Set(0),
        correlationid: Set(job.correlation_id),
        requestid: Set(job.request_id),
        messagename: Set(job.message_name),
        depth: Set(job.depth),
        owningextensionid: Set(job.owning_extension_id),
        primaryentitytype: Set(job.primary_entity_type),
        regardingobjectid: Set(job.regarding_object_id),
        ownerid: Set(job.owner_id),
        createdon: Set(now),
        modifiedon: Set(now),
        startedon: Set(None),
        completedon: Set(None),
        postponeuntil: Set(job.postpone_until.unwrap_or(now)),
        executiontimespan: Set(None),
        hostid: Set(None),
        leaseexpireson: Set(None),
        asyncautodelete: Set(job.auto_delete),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// A job a host claimed: what the runner needs, and the claim ([`Self::host_id`] and
/// [`Self::started_on`]) that completing or failing it is guarded by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    /// `asyncoperationid`.
    pub id: Uuid,
    /// `name`.
    pub name: String,
    /// `operationtype`.
    pub operation_type: i32,
    /// `data`: the serialized execution context given to [`enqueue`].
    pub data: String,
    /// `correlationid`.
    pub correlation_id: Option<Uuid>,
    /// `requestid`.
    pub request_id: Option<Uuid>,
    /// `messagename`.
    pub message_name: Option<String>,
    /// `depth`.
    pub depth: i32,
    /// `owningextensionid`: the step.
    pub owning_extension_id: Option<Uuid>,
    /// `primaryentitytype`.
    pub primary_entity_type: Option<String>,
    /// `regardingobjectid`.
    pub regarding_object_id: Option<Uuid>,
    /// `ownerid`.
    pub owner_id: Option<Uuid>,
    /// `retrycount`: earlier attempts that did not succeed (failures and lapsed claims).
    pub retry_count: u32,
    /// `asyncautodelete`.
    pub auto_delete: bool,
    /// `createdon` (epoch ms).
    pub created_on: i64,
    /// `hostid`: who holds the claim.
    pub host_id: String,
    /// `startedon` (epoch ms): when this claim was taken; part of the claim's identity.
    pub started_on: i64,
    /// `leaseexpireson` (epoch ms): when the claim lapses unless extended.
    pub lease_expires_on: i64,
}

impl From<asyncoperation::Model> for ClaimedJob {
    fn from(m: asyncoperation::Model) -> Self {
        Self {
            id: m.asyncoperationid,
            name: m.name,
            operation_type: m.operationtype,
            data: m.data.unwrap_or_default(),
            correlation_id: m.correlationid,
            request_id: m.requestid,
            message_name: m.messagename,
            depth: m.depth,
            owning_extension_id: m.owningextensionid,
            primary_entity_type: m.primaryentitytype,
            regarding_object_id: m.regardingobjectid,
            owner_id: m.ownerid,
            retry_count: u32::try_from(m.retrycount).unwrap_or(0),
            auto_delete: m.asyncautodelete,
            created_on: m.createdon,
            host_id: m.hostid.unwrap_or_default(),
            started_on: m.startedon.unwrap_or_default(),
            lease_expires_on: m.leaseexpireson.unwrap_or_default(),
        }
    }
}

/// How failed jobs are retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; a job is Failed after this many.
    pub max_attempts: u32,
    /// Delay before the first retry; doubled for each further one.
    pub base_delay: Duration,
    /// The longest delay between attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts (Dataverse retries background operations up to three times), one
    /// second doubling up to five minutes.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The delay after the `failures`-th failed attempt: `base × 2^(failures−1)`, at most
    /// `max_delay`.
    pub fn backoff(&self, failures: u32) -> Duration {
        let factor = 1u32
            .checked_shl(failures.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

/// Why a job's attempt failed: written to `message`, `friendlymessage` and `errorcode`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobError {
    /// `message`: the technical description.
    pub message: String,
    /// `friendlymessage`: the text for end users, when there is one.
    pub friendly_message: Option<String>,
    /// `errorcode` (Dataverse's codes as signed 32-bit numbers).
    pub error_code: Option<i32>,
    /// Whether another attempt may succeed; `false` fails the job at once.
    pub retry: bool,
}

impl JobError {
    /// A failure worth retrying.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            friendly_message: None,
            error_code: None,
            retry: true,
        }
    }

    /// A failure no retry can fix (the job fails at once).
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            retry: false,
            ..Self::new(message)
        }
    }

    /// With `errorcode`.
    pub fn with_code(mut self, code: i32) -> Self {
        self.error_code = Some(code);
        self
    }

    /// With `friendlymessage`.
    pub fn with_friendly_message(mut self, text: impl Into<String>) -> Self {
        self.friendly_message = Some(text.into());
        self
    }
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for JobError {}

/// What [`Store::fail`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// Back to Ready (Waiting) for another attempt not before `at` (epoch ms).
    Retry {
        /// `postponeuntil`.
        at: i64,
    },
    /// Completed / Failed.
    Failed,
    /// The host no longer held the claim (another node took the job over): nothing changed.
    NotHeld,
}

/// Jobs by state and status, for tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Ready (waiting or postponed).
    pub ready: u64,
    /// Suspended.
    pub suspended: u64,
    /// Locked (claimed).
    pub locked: u64,
    /// Completed / Succeeded (auto-deleted jobs are gone and not counted).
    pub succeeded: u64,
    /// Completed / Failed.
    pub failed: u64,
    /// Completed / Canceled.
    pub canceled: u64,
}

impl JobCounts {
    /// Every job.
    pub fn total(&self) -> u64 {
        self.ready + self.suspended + self.locked + self.succeeded + self.failed + self.canceled
    }
}

/// The claim `job` was taken with, still held.
fn held(job: &ClaimedJob) -> Condition {
    Condition::all()
        .add(Column::Asyncoperationid.eq(job.id))
        .add(Column::Statecode.eq(codes::STATE_LOCKED))
        .add(Column::Hostid.eq(job.host_id.as_str()))
        .add(Column::Startedon.eq(job.started_on))
}

/// Marks a claimed job Succeeded (or deletes it when `asyncautodelete` is set), but only
/// while `job`'s claim is still held; returns whether it was. Call it on the transaction
/// holding the job's own writes, then commit: when it returns `false` (the lease lapsed
/// and another node took the job) the transaction must be rolled back.
pub async fn complete_in<C: ConnectionTrait>(db: &C, job: &ClaimedJob) -> Result<bool, DbErr> {
    let affected = if job.auto_delete {
        asyncoperation::Entity::delete_many()
            .filter(held(job))
            .exec(db)
            .await?
            .rows_affected
    } else {
        let now = now_millis();
        asyncoperation::Entity::update_many()
            .col_expr(Column::Statecode, Expr::value(codes::STATE_COMPLETED))
            .col_expr(Column::Statuscode, Expr::value(codes::STATUS_SUCCEEDED))
            .col_expr(Column::Completedon, Expr::value(now))
            .col_expr(Column::Modifiedon, Expr::value(now))
            .col_expr(
                Column::Executiontimespan,
                Expr::value(elapsed_seconds(job, now)),
            )
            .col_expr(Column::Leaseexpireson, Expr::value(Value::BigInt(None)))
            .filter(held(job))
            .exec(db)
            .await?
            .rows_affected
    };
    Ok(affected == 1)
}

fn elapsed_seconds(job: &ClaimedJob, now: i64) -> f64 {
    (now - job.started_on).max(0) as f64 / 1000.0
}

/// PostgreSQL: lapsed claims first, then the Ready jobs due first, each found through
/// `ix_asyncoperation_claim` in index order (no sort, however long the queue) and locked by
/// the claiming statement itself with `SKIP LOCKED`: concurrent claimers pass them by, and
/// once this commits they are no longer claimable. `$4` is the most jobs taken.
const CLAIM_POSTGRES: &str = "\
WITH lapsed AS MATERIALIZED (
    SELECT asyncoperationid FROM asyncoperation
    WHERE statecode = 2 AND leaseexpireson <= $1
    LIMIT $4
    FOR UPDATE SKIP LOCKED),
ready AS MATERIALIZED (
    SELECT asyncoperationid FROM asyncoperation
    WHERE statecode = 0 AND postponeuntil <= $1
    ORDER BY postponeuntil
    LIMIT $4
    FOR UPDATE SKIP LOCKED),
next AS (
    SELECT asyncoperationid FROM (
        SELECT asyncoperationid, 0 AS pick FROM lapsed
        UNION ALL SELECT asyncoperationid, 1 AS pick FROM ready) AS candidates
    ORDER BY pick
    LIMIT $4)
UPDATE asyncoperation AS job SET
    retrycount = job.retrycount + CASE WHEN job.statecode = 2 THEN 1 ELSE 0 END,
    statecode = 2, statuscode = 20, hostid = $2, startedon = $1, modifiedon = $1,
    leaseexpireson = $3
FROM next WHERE job.asyncoperationid = next.asyncoperationid
RETURNING job.*";

/// SQLite: the same choice in one statement (SQLite has one writer at a time).
const CLAIM_SQLITE: &str = "\
UPDATE asyncoperation SET
    retrycount = retrycount + CASE WHEN statecode = 2 THEN 1 ELSE 0 END,
    statecode = 2, statuscode = 20, hostid = ?2, startedon = ?1, modifiedon = ?1,
    leaseexpireson = ?3
WHERE asyncoperationid IN (
    SELECT asyncoperationid FROM (
        SELECT asyncoperationid, 0 AS pick, 0 AS due FROM asyncoperation
        WHERE statecode = 2 AND leaseexpireson <= ?1
        UNION ALL
        SELECT asyncoperationid, 1 AS pick, postponeuntil AS due FROM asyncoperation
        WHERE statecode = 0 AND postponeuntil <= ?1)
    ORDER BY pick, due
    LIMIT ?4)
RETURNING *";

impl Store {
    /// Claims one job for `host_id` (unique per worker): see [`Self::claim_batch`].
    pub async fn claim(&self, host_id: &str, lease: Duration) -> Result<Option<ClaimedJob>, DbErr> {
        Ok(self
            .claim_batch(host_id, lease, 1)
            .await?
            .into_iter()
            .next())
    }

    /// Claims up to `limit` jobs for `host_id` (unique per worker) in one statement: Locked
    /// ones whose lease lapsed first (their node stopped; this counts as a failed attempt in
    /// `retrycount`), then Ready jobs whose `postponeuntil` has passed, earliest first. Each
    /// becomes Locked / In Progress with `hostid`, `startedon` and `leaseexpireson` = now +
    /// `lease`. Atomic: concurrent claimers, in this process or on other nodes, never get the
    /// same job.
    pub async fn claim_batch(
        &self,
        host_id: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<ClaimedJob>, DbErr> {
        let db = self.connection();
        let backend = db.get_database_backend();
        let now = now_millis();
        let until = now.saturating_add(millis(lease));
        let sql = match backend {
            DbBackend::Postgres => CLAIM_POSTGRES,
            DbBackend::Sqlite => CLAIM_SQLITE,
            other => {
                return Err(DbErr::Custom(format!(
                    "the job queue does not support {other:?}"
                )));
            }
        };
        let limit = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
        let statement = Statement::from_sql_and_values(
            backend,
            sql,
            [now.into(), host_id.into(), until.into(), limit.into()],
        );
        let mut jobs: Vec<ClaimedJob> = asyncoperation::Entity::find()
            .from_raw_sql(statement)
            .all(db)
            .await?
            .into_iter()
            .map(ClaimedJob::from)
            .collect();
        // RETURNING gives no order: lapsed first, then the earliest due.
        jobs.sort_by_key(|j| (j.retry_count == 0, j.created_on));
        // Idempotent, so it needs no transaction with the claim: a failure here leaves the
        // operations Ready until their jobs end, and the claims stand.
        if let Err(e) = background::claimed(db, &jobs).await {
            tracing::warn!(error = %e, "marking claimed background operations in progress");
        }
        Ok(jobs)
    }

    /// Records a failed attempt of a claimed job: with attempts left (and `error.retry`),
    /// back to Ready / Waiting with `postponeuntil` = now + the policy's backoff; otherwise
    /// Completed / Failed. Either way `retrycount` grows by one and `message`,
    /// `friendlymessage` and `errorcode` take the error's. Nothing changes when the claim is
    /// no longer held ([`FailOutcome::NotHeld`]).
    pub async fn fail(
        &self,
        job: &ClaimedJob,
        error: &JobError,
        policy: &RetryPolicy,
    ) -> Result<FailOutcome, DbErr> {
        self.record_failure(job, error, policy, true).await
    }

    /// [`Self::fail`]; `count` false gives up without counting an attempt (the worker's
    /// verdict on a job whose claims kept lapsing).
    pub(crate) async fn record_failure(
        &self,
        job: &ClaimedJob,
        error: &JobError,
        policy: &RetryPolicy,
        count: bool,
    ) -> Result<FailOutcome, DbErr> {
        record_failure_in(self.connection(), job, error, policy, count).await
    }

    /// Extends the held claims of `jobs` to now + `lease`; returns how many were held.
    pub async fn extend_leases(&self, jobs: &[ClaimedJob], lease: Duration) -> Result<u64, DbErr> {
        let until = now_millis().saturating_add(millis(lease));
        let mut held_any = Condition::any();
        for job in jobs {
            held_any = held_any.add(held(job));
        }
        Ok(asyncoperation::Entity::update_many()
            .col_expr(Column::Leaseexpireson, Expr::value(until))
            .filter(held_any)
            .exec(self.connection())
            .await?
            .rows_affected)
    }
}

/// [`Store::fail`] through `db` (a worker's batch transaction).
pub(crate) async fn record_failure_in<C: ConnectionTrait>(
    db: &C,
    job: &ClaimedJob,
    error: &JobError,
    policy: &RetryPolicy,
    count: bool,
) -> Result<FailOutcome, DbErr> {
    let now = now_millis();
    let failures = job.retry_count.saturating_add(u32::from(count));
    let retry = count
        && error.retry
        && failures < policy.max_attempts
        && background::retry_allowed(db, job).await?;
    let mut update = asyncoperation::Entity::update_many()
        .col_expr(
            Column::Retrycount,
            Expr::value(i32::try_from(failures).unwrap_or(i32::MAX)),
        )
        .col_expr(Column::Message, Expr::value(error.message.clone()))
        .col_expr(
            Column::Friendlymessage,
            Expr::value(error.friendly_message.clone()),
        )
        .col_expr(Column::Errorcode, Expr::value(error.error_code))
        .col_expr(Column::Modifiedon, Expr::value(now))
        .col_expr(Column::Leaseexpireson, Expr::value(Value::BigInt(None)));
    let outcome = if retry {
        let at = now.saturating_add(millis(policy.backoff(failures)));
        update = update
            .col_expr(Column::Statecode, Expr::value(codes::STATE_READY))
            .col_expr(Column::Statuscode, Expr::value(codes::STATUS_WAITING))
            .col_expr(Column::Postponeuntil, Expr::value(at))
            .col_expr(Column::Hostid, Expr::value(Value::String(None)));
        FailOutcome::Retry { at }
    } else {
        update = update
            .col_expr(Column::Statecode, Expr::value(codes::STATE_COMPLETED))
            .col_expr(Column::Statuscode, Expr::value(codes::STATUS_FAILED))
            .col_expr(Column::Completedon, Expr::value(now))
            .col_expr(
                Column::Executiontimespan,
                Expr::value(elapsed_seconds(job, now)),
            );
        FailOutcome::Failed
    };
    let affected = update.filter(held(job)).exec(db).await?.rows_affected;
    let outcome = if affected == 1 {
        outcome
    } else {
        FailOutcome::NotHeld
    };
    // A background operation (or its callback) follows its job, in the same transaction.
    background::attempt_failed_in(db, job, error, outcome, failures).await?;
    Ok(outcome)
}

impl Store {
    /// Extends a held claim to now + `lease`, for jobs running longer than a lease; returns
    /// whether the claim was still held.
    pub async fn extend_lease(&self, job: &ClaimedJob, lease: Duration) -> Result<bool, DbErr> {
        let until = now_millis().saturating_add(millis(lease));
        let affected = asyncoperation::Entity::update_many()
            .col_expr(Column::Leaseexpireson, Expr::value(until))
            .filter(held(job))
            .exec(self.connection())
            .await?
            .rows_affected;
        Ok(affected == 1)
    }

    /// One job's row.
    pub async fn job(&self, id: Uuid) -> Result<Option<asyncoperation::Model>, DbErr> {
        asyncoperation::Entity::find_by_id(id)
            .one(self.reader())
            .await
    }

    /// How many jobs are in each state and status.
    pub async fn job_counts(&self) -> Result<JobCounts, DbErr> {
        let groups: Vec<(i32, i32, i64)> = asyncoperation::Entity::find()
            .select_only()
            .column(Column::Statecode)
            .column(Column::Statuscode)
            .column_as(Column::Asyncoperationid.count(), "n")
            .group_by(Column::Statecode)
            .group_by(Column::Statuscode)
            .into_tuple()
            .all(self.reader())
            .await?;
        let mut by: BTreeMap<(i32, i32), u64> = BTreeMap::new();
        for (state, status, n) in groups {
            *by.entry((state, status)).or_default() += u64::try_from(n).unwrap_or(0);
        }
        let state = |s: i32| -> u64 {
            by.iter()
                .filter(|((st, _), _)| *st == s)
                .map(|(_, n)| *n)
                .sum()
        };
        let status = |s: i32| -> u64 {
            by.iter()
                .filter(|((st, su), _)| *st == codes::STATE_COMPLETED && *su == s)
                .map(|(_, n)| *n)
                .sum()
        };
        Ok(JobCounts {
            ready: state(codes::STATE_READY),
            suspended: state(codes::STATE_SUSPENDED),
            locked: state(codes::STATE_LOCKED),
            succeeded: status(codes::STATUS_SUCCEEDED),
            failed: status(codes::STATUS_FAILED),
            canceled: status(codes::STATUS_CANCELED),
        })
    }
}

/// Epoch milliseconds as Dataverse writes date-times (`2026-11-22T10:00:00Z`).
pub(crate) fn iso8601(ms: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

#[cfg(test)]
mod tests;
