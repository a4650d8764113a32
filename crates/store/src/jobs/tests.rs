//! The queue's guarantees, each run on SQLite and (with `SWITCHBOARD_TEST_POSTGRES`, a
//! `postgres://` URL of a server where databases may be created) on a fresh PostgreSQL
//! database.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement, TransactionTrait};

use super::*;
use crate::unit::Unit;

async fn sqlite() -> Store {
    Store::connect("sqlite::memory:").await.expect("sqlite")
}

/// A fresh PostgreSQL database, dropped by [`Pg::drop`].
struct Pg {
    store: Store,
    admin: String,
    name: String,
}

async fn postgres(test: &str) -> Option<Pg> {
    let Ok(admin) = std::env::var("SWITCHBOARD_TEST_POSTGRES") else {
        eprintln!("SKIPPED {test} on PostgreSQL: SWITCHBOARD_TEST_POSTGRES is not set");
        return None;
    };
    let name = format!("switchboard_jobs_{}", Uuid::new_v4().simple());
    let conn = Database::connect(&admin)
        .await
        .expect("connect to postgres");
    conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a test database");
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
    let store = Store::connect(&url)
        .await
        .expect("connect to the test database");
    Some(Pg { store, admin, name })
}

impl Pg {
    async fn drop(self) {
        self.store.connection().clone().close().await.ok();
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

/// `sqlite` and `postgres` tests running one scenario.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name(super::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(pg) = super::postgres(stringify!($name)).await {
                    super::$name(pg.store.clone()).await;
                    pg.drop().await;
                }
            }
        })*
    };
}

on_both!(
    enqueue_joins_the_callers_transaction,
    claims_are_exclusive,
    batch_claims_are_exclusive_and_take_lapsed_jobs_first,
    a_lapsed_claim_is_taken_over,
    failures_back_off_then_fail,
    auto_delete_removes_succeeded_jobs,
    retention_deletes_only_old_succeeded_jobs,
    workers_run_every_job_exactly_once,
    failing_and_panicking_jobs_never_repeat_their_writes,
    jobs_whose_claims_keep_lapsing_fail,
    notify_wakes_workers_and_shutdown_stops_them,
    a_runner_may_write_through_a_savepoint,
    a_job_running_before_its_first_write_holds_no_transaction,
    background_operations_follow_their_jobs,
    canceling_background_operations,
    expired_background_operations_are_deleted,
);

fn job(name: &str) -> NewJob {
    NewJob {
        name: name.to_owned(),
        data: format!("{{\"job\":\"{name}\"}}"),
        ..NewJob::default()
    }
}

async fn enqueue_many(store: &Store, n: usize) -> Vec<Uuid> {
    let txn = store.connection().begin().await.unwrap();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(enqueue(&txn, job(&format!("job {i}"))).await.unwrap());
    }
    txn.commit().await.unwrap();
    ids
}

const HOUR: Duration = Duration::from_secs(3600);

async fn enqueue_joins_the_callers_transaction(store: Store) {
    let txn = store.connection().begin().await.unwrap();
    let id = enqueue(&txn, job("rolled back")).await.unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(store.job_counts().await.unwrap().total(), 0);
    assert!(store.job(id).await.unwrap().is_none());

    let step = Uuid::new_v4();
    let txn = store.connection().begin().await.unwrap();
    let id = enqueue(
        &txn,
        NewJob {
            owning_extension_id: Some(step),
            message_name: Some("Create".into()),
            primary_entity_type: Some("account".into()),
            ..job("committed")
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    let counts = store.job_counts().await.unwrap();
    assert_eq!((counts.ready, counts.total()), (1, 1));
    let row = store.job(id).await.unwrap().unwrap();
    assert_eq!(
        (
            row.statecode,
            row.statuscode,
            row.operationtype,
            row.retrycount
        ),
        (0, 0, 1, 0)
    );
    assert_eq!(row.data.as_deref(), Some("{\"job\":\"committed\"}"));

    // A job postponed into the future is not claimable yet.
    enqueue(
        store.connection(),
        NewJob {
            postpone_until: Some(now_millis() + 3_600_000),
            ..job("later")
        },
    )
    .await
    .unwrap();
    let claimed = store.claim("h", HOUR).await.unwrap().unwrap();
    assert_eq!(claimed.id, id);
    assert_eq!(claimed.owning_extension_id, Some(step));
    assert!(store.claim("h", HOUR).await.unwrap().is_none());

    // Web API rows: Dataverse's names, lookups as _x_value, times as ISO 8601.
    let everything = switchboard_model::query::RecordQuery::default();
    let rows = store
        .definition_page("asyncoperation", &everything)
        .await
        .unwrap()
        .unwrap()
        .rows;
    let row = rows
        .iter()
        .find(|r| r["asyncoperationid"] == id.to_string())
        .unwrap();
    assert_eq!(row["_owningextensionid_value"], step.to_string());
    assert_eq!(row["statecode"], 2);
    assert_eq!(row["statuscode"], 20);
    assert_eq!(row["hostid"], "h");
    let created = row["createdon"].as_str().unwrap();
    assert!(
        created.len() == 20 && created.ends_with('Z') && created.as_bytes()[10] == b'T',
        "{created}"
    );
    assert_eq!(row["completedon"], serde_json::Value::Null);
}

async fn claims_are_exclusive(store: Store) {
    let ids: HashSet<Uuid> = enqueue_many(&store, 500).await.into_iter().collect();
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(job) = store.claim(&format!("host {t}"), HOUR).await.unwrap() {
                    assert_eq!(job.host_id, format!("host {t}"));
                    mine.push(job.id);
                }
                mine
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for t in tasks {
        claimed.extend(t.await.unwrap());
    }
    assert_eq!(claimed.len(), 500, "every job claimed once");
    let unique: HashSet<Uuid> = claimed.into_iter().collect();
    assert_eq!(unique, ids);
    let counts = store.job_counts().await.unwrap();
    assert_eq!((counts.locked, counts.ready), (500, 0));
}

async fn batch_claims_are_exclusive_and_take_lapsed_jobs_first(store: Store) {
    // A lapsed claim goes first, before jobs that were due earlier.
    let lapsed = enqueue(store.connection(), job("lapsed")).await.unwrap();
    assert_eq!(
        store
            .claim("ghost", Duration::ZERO)
            .await
            .unwrap()
            .unwrap()
            .id,
        lapsed
    );
    tokio::time::sleep(Duration::from_millis(2)).await;
    let ids: HashSet<Uuid> = enqueue_many(&store, 500).await.into_iter().collect();
    let first = store.claim_batch("first", HOUR, 5).await.unwrap();
    assert_eq!(first.len(), 5);
    assert_eq!((first[0].id, first[0].retry_count), (lapsed, 1));
    assert!(first.iter().all(|j| j.host_id == "first"));
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = store
                        .claim_batch(&format!("host {t}"), HOUR, 16)
                        .await
                        .unwrap();
                    if batch.is_empty() {
                        return mine;
                    }
                    assert!(batch.len() <= 16);
                    mine.extend(batch.into_iter().map(|j| j.id));
                }
            })
        })
        .collect();
    let mut claimed: Vec<Uuid> = first[1..].iter().map(|j| j.id).collect();
    for t in tasks {
        claimed.extend(t.await.unwrap());
    }
    assert_eq!(claimed.len(), 500, "every job claimed once");
    let unique: HashSet<Uuid> = claimed.into_iter().collect();
    assert_eq!(unique, ids);
}

async fn a_lapsed_claim_is_taken_over(store: Store) {
    let id = enqueue(store.connection(), job("slow")).await.unwrap();
    // Host a's lease lapses at once.
    let a = store.claim("a", Duration::ZERO).await.unwrap().unwrap();
    assert_eq!((a.id, a.retry_count), (id, 0));
    tokio::time::sleep(Duration::from_millis(2)).await;
    let b = store.claim("b", HOUR).await.unwrap().unwrap();
    assert_eq!(b.id, id);
    assert_eq!(b.retry_count, 1, "a lapsed claim counts as an attempt");

    // a finishes late: its completion must not count.
    let txn = store.connection().begin().await.unwrap();
    assert!(!complete_in(&txn, &a).await.unwrap());
    txn.rollback().await.unwrap();
    assert_eq!(
        store
            .fail(&a, &JobError::new("late"), &RetryPolicy::default())
            .await
            .unwrap(),
        FailOutcome::NotHeld
    );
    assert!(!store.extend_lease(&a, HOUR).await.unwrap());
    assert!(store.extend_lease(&b, HOUR).await.unwrap());
    assert!(
        store.claim("c", HOUR).await.unwrap().is_none(),
        "b's lease holds"
    );

    let txn = store.connection().begin().await.unwrap();
    assert!(complete_in(&txn, &b).await.unwrap());
    txn.commit().await.unwrap();
    let row = store.job(id).await.unwrap().unwrap();
    assert_eq!((row.statecode, row.statuscode), (3, 30));
    assert_eq!(row.hostid.as_deref(), Some("b"));
    assert!(row.completedon.is_some() && row.executiontimespan.is_some());
    assert!(row.leaseexpireson.is_none());
    // Completed jobs are never claimed again, even by their host.
    assert!(!complete_in(store.connection(), &b).await.unwrap());
    assert!(store.claim("c", HOUR).await.unwrap().is_none());
}

async fn failures_back_off_then_fail(store: Store) {
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(150),
        max_delay: Duration::from_millis(200),
    };
    let id = enqueue(store.connection(), job("flaky")).await.unwrap();
    let error = JobError::new("boom: the service answered 503")
        .with_code(-2_147_220_970)
        .with_friendly_message("The service is unavailable.");
    for attempt in 1..=3u32 {
        let claimed = loop {
            if let Some(j) = store.claim("h", HOUR).await.unwrap() {
                break j;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        assert_eq!((claimed.id, claimed.retry_count), (id, attempt - 1));
        let before = now_millis();
        let outcome = store.fail(&claimed, &error, &policy).await.unwrap();
        let row = store.job(id).await.unwrap().unwrap();
        assert_eq!(row.retrycount, attempt as i32);
        assert_eq!(row.message.as_deref(), Some(error.message.as_str()));
        if attempt < 3 {
            let FailOutcome::Retry { at } = outcome else {
                panic!("attempt {attempt}: {outcome:?}");
            };
            let delay = if attempt == 1 { 150 } else { 200 };
            assert!(at >= before + delay && at <= now_millis() + delay, "{at}");
            assert_eq!((row.statecode, row.statuscode), (0, 10));
            assert_eq!(row.postponeuntil, at);
            assert!(row.hostid.is_none());
            assert!(
                store.claim("h", HOUR).await.unwrap().is_none(),
                "postponed until {at}"
            );
        } else {
            assert_eq!(outcome, FailOutcome::Failed);
            assert_eq!((row.statecode, row.statuscode), (3, 31));
            assert_eq!(row.errorcode, Some(-2_147_220_970));
            assert_eq!(
                row.friendlymessage.as_deref(),
                Some("The service is unavailable.")
            );
            assert!(row.completedon.is_some());
        }
    }
    assert!(store.claim("h", HOUR).await.unwrap().is_none());
    assert_eq!(store.job_counts().await.unwrap().failed, 1);

    // A permanent error fails at once.
    let id = enqueue(store.connection(), job("doomed")).await.unwrap();
    let claimed = store.claim("h", HOUR).await.unwrap().unwrap();
    let outcome = store
        .fail(&claimed, &JobError::permanent("bad input"), &policy)
        .await
        .unwrap();
    assert_eq!(outcome, FailOutcome::Failed);
    let row = store.job(id).await.unwrap().unwrap();
    assert_eq!((row.statuscode, row.retrycount), (31, 1));
}

#[test]
fn backoff_doubles_up_to_the_cap() {
    let p = RetryPolicy::default();
    let secs = |n| p.backoff(n).as_secs();
    assert_eq!(
        [0, 1, 2, 3, 4, 9, 10, 40, u32::MAX].map(secs),
        [1, 1, 2, 4, 8, 256, 300, 300, 300]
    );
}

async fn auto_delete_removes_succeeded_jobs(store: Store) {
    let gone = enqueue(
        store.connection(),
        NewJob {
            auto_delete: true,
            ..job("auto")
        },
    )
    .await
    .unwrap();
    let kept = enqueue(store.connection(), job("kept")).await.unwrap();
    for _ in 0..2 {
        let claimed = store.claim("h", HOUR).await.unwrap().unwrap();
        let txn = store.connection().begin().await.unwrap();
        assert!(complete_in(&txn, &claimed).await.unwrap());
        txn.commit().await.unwrap();
    }
    assert!(store.job(gone).await.unwrap().is_none());
    assert_eq!(store.job(kept).await.unwrap().unwrap().statuscode, 30);
    let counts = store.job_counts().await.unwrap();
    assert_eq!((counts.succeeded, counts.total()), (1, 1));
}

/// A job finished with `status` (Completed) at `completed_on` (epoch ms).
async fn finished(store: &Store, name: &str, status: i32, completed_on: i64) -> Uuid {
    let id = enqueue(store.connection(), job(name)).await.unwrap();
    asyncoperation::Entity::update_many()
        .col_expr(Column::Statecode, Expr::value(codes::STATE_COMPLETED))
        .col_expr(Column::Statuscode, Expr::value(status))
        .col_expr(Column::Completedon, Expr::value(completed_on))
        .filter(Column::Asyncoperationid.eq(id))
        .exec(store.connection())
        .await
        .unwrap();
    id
}

/// Succeeded jobs completed before the retention's start go, a bounded batch per
/// statement; recent ones, failed, canceled and waiting jobs stay. Outbound deliveries
/// older than the retention go with them, whatever their outcome.
async fn retention_deletes_only_old_succeeded_jobs(store: Store) {
    let now = now_millis();
    let two_hours_ago = now - 2 * 3_600_000;
    let mut old = Vec::new();
    for i in 0..25 {
        old.push(
            finished(
                &store,
                &format!("old {i}"),
                codes::STATUS_SUCCEEDED,
                two_hours_ago,
            )
            .await,
        );
    }
    let recent = finished(&store, "recent", codes::STATUS_SUCCEEDED, now).await;
    let failed = finished(&store, "failed", codes::STATUS_FAILED, two_hours_ago).await;
    let canceled = finished(&store, "canceled", codes::STATUS_CANCELED, two_hours_ago).await;
    let waiting = enqueue(store.connection(), job("waiting")).await.unwrap();
    let hour_ago = now - 3_600_000;
    let mut batches = Vec::new();
    loop {
        let n = store.delete_succeeded_jobs(hour_ago, 10).await.unwrap();
        batches.push(n);
        if n < 10 {
            break;
        }
    }
    assert_eq!(batches, [10, 10, 5], "at most a batch per statement");
    for id in &old {
        assert!(store.job(*id).await.unwrap().is_none());
    }
    for id in [recent, failed, canceled, waiting] {
        assert!(store.job(id).await.unwrap().is_some(), "{id} is kept");
    }
    let counts = store.job_counts().await.unwrap();
    assert_eq!(
        (
            counts.succeeded,
            counts.failed,
            counts.canceled,
            counts.ready
        ),
        (1, 1, 1, 1)
    );

    // The periodic task does the same from its start, and deletes old deliveries.
    let delivery = |created_on, outcome| crate::deliveries::NewDelivery {
        created_on,
        outcome,
        ..Default::default()
    };
    let mut deliveries: Vec<_> = (0..9).map(|i| delivery(two_hours_ago, i % 3)).collect();
    deliveries.push(delivery(now, crate::deliveries::outcome::FAILED));
    crate::log_writer::write(store.connection(), &deliveries)
        .await
        .unwrap();
    for i in 0..15 {
        finished(
            &store,
            &format!("later {i}"),
            codes::STATUS_SUCCEEDED,
            two_hours_ago,
        )
        .await;
    }
    let retention = start_retention(
        store.clone(),
        RetentionConfig {
            keep: Duration::from_secs(3600),
            every: HOUR,
            batch: 4,
        },
    );
    wait_until(&store, "the retention's first run", |c| c.succeeded == 1).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    while store
        .count_definitions("outbounddelivery", None)
        .await
        .unwrap()
        != Some(1)
    {
        assert!(Instant::now() < deadline, "old deliveries are not deleted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    retention.shutdown().await;
    assert_eq!(store.job_counts().await.unwrap().total(), 4);
}

/// The side effects jobs write in their transaction: one row per attempt that committed.
async fn create_effects(store: &Store) {
    store
        .connection()
        .execute_unprepared("CREATE TABLE jobeffect (jobid TEXT NOT NULL)")
        .await
        .unwrap();
}

/// [`write_effect`] through the job's unit, as runners write.
async fn write_effect_in(unit: &Unit, job: &ClaimedJob) -> Result<(), JobError> {
    let guard = unit
        .write()
        .await
        .map_err(|e| JobError::new(e.to_string()))?;
    write_effect(guard.as_ref().expect("write() opened it"), job).await
}

async fn write_effect(txn: &DatabaseTransaction, job: &ClaimedJob) -> Result<(), JobError> {
    let insert = Query::insert()
        .into_table(Alias::new("jobeffect"))
        .columns([Alias::new("jobid")])
        .values_panic([job.id.to_string().into()])
        .to_owned();
    txn.execute(&insert)
        .await
        .map(drop)
        .map_err(|e| JobError::new(e.to_string()))
}

/// (effects, distinct jobs with an effect).
async fn effects(store: &Store) -> (i64, i64) {
    let backend = store.connection().get_database_backend();
    let row = store
        .connection()
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n, COUNT(DISTINCT jobid) AS d FROM jobeffect",
        ))
        .await
        .unwrap()
        .unwrap();
    (row.try_get("", "n").unwrap(), row.try_get("", "d").unwrap())
}

async fn wait_until(store: &Store, what: &str, done: impl Fn(&JobCounts) -> bool) -> JobCounts {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let counts = store.job_counts().await.unwrap();
        if done(&counts) {
            return counts;
        }
        assert!(Instant::now() < deadline, "{what}: {counts:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn backend_name(store: &Store) -> &'static str {
    match store.connection().get_database_backend() {
        DbBackend::Postgres => "PostgreSQL",
        _ => "SQLite",
    }
}

struct Effects;

impl JobRunner for Effects {
    fn run<'a>(
        &'a self,
        job: &'a ClaimedJob,
        unit: &'a Arc<Unit>,
    ) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(write_effect_in(unit, job))
    }
}

fn fast(workers: usize) -> WorkerConfig {
    WorkerConfig {
        workers,
        poll: Duration::from_millis(20),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        },
        ..WorkerConfig::default()
    }
}

async fn workers_run_every_job_exactly_once(store: Store) {
    const N: usize = 1000;
    create_effects(&store).await;
    enqueue_many(&store, N).await;
    let started = Instant::now();
    let workers = start_workers(store.clone(), Arc::new(Effects), JobQueue::new(), fast(4));
    let counts = wait_until(&store, "draining", |c| c.succeeded == N as u64).await;
    let elapsed = started.elapsed();
    workers.shutdown().await;
    eprintln!(
        "{}: {N} jobs drained by 4 workers in {:.2} s ({:.0} jobs/s)",
        backend_name(&store),
        elapsed.as_secs_f64(),
        N as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(counts.total(), N as u64);
    assert_eq!(effects(&store).await, (N as i64, N as i64));
}

/// Fails, panics or (on PostgreSQL) outlives its lease, pseudo-randomly by job and attempt,
/// always after writing its side effect.
struct Chaos {
    lease_overrun: Option<Duration>,
    faults: AtomicUsize,
    overruns: AtomicUsize,
}

impl JobRunner for Chaos {
    fn run<'a>(
        &'a self,
        job: &'a ClaimedJob,
        unit: &'a Arc<Unit>,
    ) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            write_effect_in(unit, job).await?;
            let dice = (job.id.as_u128() >> (4 * (job.retry_count % 30))) & 0xf;
            match dice {
                0..=3 => {
                    self.faults.fetch_add(1, Ordering::Relaxed);
                    Err(JobError::new("chaos: failed"))
                }
                4 | 5 => {
                    self.faults.fetch_add(1, Ordering::Relaxed);
                    panic!("chaos: panicked")
                }
                6 => {
                    if let Some(overrun) = self.lease_overrun {
                        self.overruns.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(overrun).await;
                    }
                    Ok(())
                }
                _ => Ok(()),
            }
        })
    }
}

/// Keeps the chaos runner's panics out of the test output.
fn quiet_chaos_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let chaos = info
                .payload()
                .downcast_ref::<&str>()
                .is_some_and(|s| s.starts_with("chaos:"));
            if !chaos {
                default(info);
            }
        }));
    });
}

async fn failing_and_panicking_jobs_never_repeat_their_writes(store: Store) {
    const N: usize = 300;
    quiet_chaos_panics();
    create_effects(&store).await;
    enqueue_many(&store, N).await;
    let postgres = store.connection().get_database_backend() == DbBackend::Postgres;
    let mut config = fast(4);
    config.retry.max_attempts = 60;
    if postgres {
        // Claims lapse while some jobs still run: other workers take them over.
        config.lease = Duration::from_millis(300);
        config.renew_leases = false;
    }
    let runner = Arc::new(Chaos {
        lease_overrun: postgres.then_some(Duration::from_millis(600)),
        faults: AtomicUsize::new(0),
        overruns: AtomicUsize::new(0),
    });
    let workers = start_workers(store.clone(), runner.clone(), JobQueue::new(), config);
    let counts = wait_until(&store, "chaos", |c| c.succeeded == N as u64).await;
    workers.shutdown().await;
    assert_eq!(counts.failed, 0);
    assert!(
        runner.faults.load(Ordering::Relaxed) > N / 4,
        "chaos happened"
    );
    if postgres {
        assert!(
            runner.overruns.load(Ordering::Relaxed) > 0,
            "some claims lapsed while their jobs ran"
        );
    }
    assert_eq!(
        effects(&store).await,
        (N as i64, N as i64),
        "one committed side effect per job"
    );
}

async fn jobs_whose_claims_keep_lapsing_fail(store: Store) {
    create_effects(&store).await;
    let id = enqueue(store.connection(), job("crashes its node"))
        .await
        .unwrap();
    let config = fast(1);
    // A node claims it and dies, max_attempts times.
    for _ in 0..config.retry.max_attempts {
        store.claim("ghost", Duration::ZERO).await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let workers = start_workers(store.clone(), Arc::new(Effects), JobQueue::new(), config);
    wait_until(&store, "giving up", |c| c.failed == 1).await;
    workers.shutdown().await;
    let row = store.job(id).await.unwrap().unwrap();
    assert_eq!((row.statecode, row.statuscode, row.retrycount), (3, 31, 4));
    assert!(row.message.unwrap().contains("claimed 4 times"));
    assert_eq!(effects(&store).await, (0, 0), "never ran again");
}

async fn notify_wakes_workers_and_shutdown_stops_them(store: Store) {
    create_effects(&store).await;
    let queue = JobQueue::new();
    let config = WorkerConfig {
        poll: Duration::from_secs(30),
        ..fast(2)
    };
    let workers = start_workers(store.clone(), Arc::new(Effects), queue.clone(), config);
    // Let both workers go idle on their long poll.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    enqueue_many(&store, 3).await;
    queue.notify();
    wait_until(&store, "woken", |c| c.succeeded == 3).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    workers.shutdown().await;

    enqueue_many(&store, 1).await;
    queue.notify();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        store.job_counts().await.unwrap().ready,
        1,
        "stopped workers claim nothing"
    );
}

/// Writes through a nested transaction (a savepoint in the worker's), as a unit of work
/// that wants to own its transaction does, then fails the first attempt after committing
/// the savepoint: the worker's rollback still discards the write.
struct Nested;

impl JobRunner for Nested {
    fn run<'a>(
        &'a self,
        job: &'a ClaimedJob,
        unit: &'a Arc<Unit>,
    ) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let guard = unit
                .write()
                .await
                .map_err(|e| JobError::new(e.to_string()))?;
            let inner = guard
                .as_ref()
                .expect("write() opened it")
                .begin()
                .await
                .map_err(|e| JobError::new(e.to_string()))?;
            write_effect(&inner, job).await?;
            inner
                .commit()
                .await
                .map_err(|e| JobError::new(e.to_string()))?;
            if job.retry_count == 0 {
                return Err(JobError::new("first attempts fail"));
            }
            Ok(())
        })
    }
}

async fn a_runner_may_write_through_a_savepoint(store: Store) {
    create_effects(&store).await;
    enqueue_many(&store, 20).await;
    let workers = start_workers(store.clone(), Arc::new(Nested), JobQueue::new(), fast(2));
    wait_until(&store, "nested", |c| c.succeeded == 20).await;
    workers.shutdown().await;
    assert_eq!(effects(&store).await, (20, 20));
}

/// Writes its effect; the job named "slow" first waits until the test lets it go on.
struct SlowBeforeWriting {
    started: tokio::sync::Notify,
    go_on: tokio::sync::Notify,
}

impl JobRunner for SlowBeforeWriting {
    fn run<'a>(
        &'a self,
        job: &'a ClaimedJob,
        unit: &'a Arc<Unit>,
    ) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            if job.name == "slow" {
                self.started.notify_one();
                self.go_on.notified().await;
            }
            write_effect_in(unit, job).await
        })
    }
}

/// One worker claims a fast job and a slow one in one batch: the fast one's completion
/// commits while the slow one runs, and other writers (on SQLite, the only connection) are
/// not held up by the slow job, which has not written yet.
async fn a_job_running_before_its_first_write_holds_no_transaction(store: Store) {
    create_effects(&store).await;
    let txn = store.connection().begin().await.unwrap();
    enqueue(&txn, job("fast")).await.unwrap();
    enqueue(
        &txn,
        NewJob {
            // Due a moment later, so that the batch takes it second.
            postpone_until: Some(now_millis() + 1),
            ..job("slow")
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let runner = Arc::new(SlowBeforeWriting {
        started: tokio::sync::Notify::new(),
        go_on: tokio::sync::Notify::new(),
    });
    let workers = start_workers(store.clone(), runner.clone(), JobQueue::new(), fast(1));
    runner.started.notified().await;

    // The slow job is running and has not written: the fast one's effect and status are
    // committed, and a write of someone else goes through.
    wait_until(&store, "the fast job committed", |c| c.succeeded == 1).await;
    assert_eq!(effects(&store).await, (1, 1));
    let other = tokio::time::timeout(
        Duration::from_secs(5),
        store
            .connection()
            .execute_unprepared("INSERT INTO jobeffect (jobid) VALUES ('other')"),
    )
    .await
    .expect("a writer waited for a job that had not written");
    other.unwrap();
    assert_eq!(
        store.job_counts().await.unwrap().locked,
        1,
        "the slow job still runs"
    );

    runner.go_on.notify_one();
    wait_until(&store, "the slow job", |c| c.succeeded == 2).await;
    workers.shutdown().await;
    assert_eq!(effects(&store).await, (3, 3));
}

fn operation(
    name: &str,
    callback: Option<(&str, i32)>,
) -> crate::background::NewBackgroundOperation {
    crate::background::NewBackgroundOperation {
        id: Uuid::new_v4(),
        name: name.to_owned(),
        display_name: Some(format!("{name} display")),
        input_parameters: "[]".to_owned(),
        run_as: Uuid::new_v4(),
        correlation_id: Uuid::new_v4(),
        ttl_seconds: crate::background::codes::DEFAULT_TTL_SECONDS,
        location: format!("http://h/api/backgroundoperation/{name}"),
        callback: callback.map(|(u, k)| (u.to_owned(), k)),
        job_data: "{}".to_owned(),
    }
}

async fn claim_one(store: &Store) -> ClaimedJob {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(j) = store.claim("h", HOUR).await.unwrap() {
            return j;
        }
        assert!(Instant::now() < deadline, "nothing to claim");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// `(state, status)` of an operation.
async fn op_state(store: &Store, id: Uuid) -> (i32, i32) {
    let row = store.background_operation(id).await.unwrap().unwrap();
    (
        row.backgroundoperationstatecode,
        row.backgroundoperationstatuscode,
    )
}

async fn background_operations_follow_their_jobs(store: Store) {
    use crate::background::codes as bg;
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(1),
    };
    let id = store
        .start_background_operation(operation("sb_Op", Some(("http://cb", bg::CALLBACK_ODATA))))
        .await
        .unwrap();
    assert_eq!(
        op_state(&store, id).await,
        (0, 0),
        "Ready, Waiting For Resources"
    );
    let row = store.background_operation(id).await.unwrap().unwrap();
    let job = store
        .job(row.asyncoperationid.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.operationtype, bg::OPERATION_BACKGROUND_OPERATION);
    assert_eq!(job.regardingobjectid, Some(id));

    // Claimed: In Progress with a start time; a retryable failure: Ready again.
    let claimed = claim_one(&store).await;
    assert_eq!(op_state(&store, id).await, (2, 20));
    let started = store
        .background_operation(id)
        .await
        .unwrap()
        .unwrap()
        .starttime;
    assert!(started.is_some());
    store
        .fail(&claimed, &JobError::new("try again").with_code(7), &policy)
        .await
        .unwrap();
    let row = store.background_operation(id).await.unwrap().unwrap();
    assert_eq!(
        (
            row.backgroundoperationstatecode,
            row.backgroundoperationstatuscode
        ),
        (0, 0)
    );
    assert_eq!((row.retrycount, row.errorcode), (1, Some(7)));

    // The last attempt fails: Failed with the error, the start time kept, a callback queued.
    let claimed = claim_one(&store).await;
    assert_eq!(
        store
            .background_operation(id)
            .await
            .unwrap()
            .unwrap()
            .starttime,
        started,
        "a retry keeps the first start time"
    );
    store
        .fail(
            &claimed,
            &JobError::permanent("no way").with_code(-5),
            &policy,
        )
        .await
        .unwrap();
    let row = store.background_operation(id).await.unwrap().unwrap();
    assert_eq!(
        (
            row.backgroundoperationstatecode,
            row.backgroundoperationstatuscode
        ),
        (3, 31)
    );
    assert_eq!(row.errorcode, Some(-5));
    assert_eq!(row.errormessage.as_deref(), Some("no way"));
    assert_eq!(row.retrycount, 2);
    assert!(row.endtime.is_some());
    assert_eq!(row.callbackstatecode, Some(bg::CALLBACK_PENDING));

    // The callback's job: its last failure marks the callback failed; a delivery, delivered.
    let callback = claim_one(&store).await;
    assert_eq!(callback.operation_type, bg::OPERATION_BACKGROUND_CALLBACK);
    assert_eq!(
        (callback.regarding_object_id, callback.data.as_str()),
        (Some(id), "http://cb")
    );
    store
        .fail(&callback, &JobError::permanent("410 Gone"), &policy)
        .await
        .unwrap();
    let row = store.background_operation(id).await.unwrap().unwrap();
    assert_eq!(row.callbackstatecode, Some(bg::CALLBACK_FAILED));
    crate::background::callback_delivered_in(store.connection(), id)
        .await
        .unwrap();
    let row = store.background_operation(id).await.unwrap().unwrap();
    assert_eq!(row.callbackstatecode, Some(bg::CALLBACK_DELIVERED));

    // Success: Succeeded with the outputs, in the job's own transaction.
    let id = store
        .start_background_operation(operation("sb_Ok", None))
        .await
        .unwrap();
    let claimed = claim_one(&store).await;
    let txn = store.connection().begin().await.unwrap();
    crate::background::succeed_in(&txn, id, r#"[{"Key":"Out","Value":1}]"#.to_owned())
        .await
        .unwrap();
    assert!(complete_in(&txn, &claimed).await.unwrap());
    txn.commit().await.unwrap();
    let row = store.background_operation(id).await.unwrap().unwrap();
    assert_eq!(
        (
            row.backgroundoperationstatecode,
            row.backgroundoperationstatuscode
        ),
        (3, 30)
    );
    assert_eq!(
        row.outputparameters.as_deref(),
        Some(r#"[{"Key":"Out","Value":1}]"#)
    );
    assert!(
        store.claim("h", HOUR).await.unwrap().is_none(),
        "no callback asked for"
    );
}

async fn canceling_background_operations(store: Store) {
    use crate::background::{Cancel, codes as bg};
    let policy = RetryPolicy::default();
    let cancel = |id| {
        let store = store.clone();
        async move { store.cancel_background_operation(id).await.unwrap() }
    };
    let state = |c: &Cancel| match c {
        Cancel::Done(r) | Cancel::Terminal(r) => (
            r.backgroundoperationstatecode,
            r.backgroundoperationstatuscode,
        ),
        Cancel::NotFound => (-1, -1),
    };

    // Not started: Canceled at once with its job; an OData callback still reports it.
    let id = store
        .start_background_operation(operation("a", Some(("http://cb", bg::CALLBACK_ODATA))))
        .await
        .unwrap();
    let done = cancel(id).await;
    assert!(matches!(done, Cancel::Done(_)));
    assert_eq!(state(&done), (3, 32));
    let row = store.background_operation(id).await.unwrap().unwrap();
    let job = store
        .job(row.asyncoperationid.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (job.statecode, job.statuscode),
        (3, 32),
        "the job is canceled too"
    );
    let callback = claim_one(&store).await;
    assert_eq!(callback.operation_type, bg::OPERATION_BACKGROUND_CALLBACK);
    complete_in(store.connection(), &callback).await.unwrap();

    // A webhook subscription canceled before it ran: no callback.
    let id = store
        .start_background_operation(operation("b", Some(("http://cb", bg::CALLBACK_WEBHOOK))))
        .await
        .unwrap();
    assert_eq!(state(&cancel(id).await), (3, 32));
    let row = store.background_operation(id).await.unwrap().unwrap();
    assert_eq!(row.callbackstatecode, Some(bg::CALLBACK_SUPPRESSED));
    assert!(
        store.claim("h", HOUR).await.unwrap().is_none(),
        "no callback job"
    );

    // Running: Canceling; a failure then is not retried (Canceled), and a webhook
    // subscriber hears nothing.
    let id = store
        .start_background_operation(operation("c", Some(("http://cb", bg::CALLBACK_WEBHOOK))))
        .await
        .unwrap();
    let claimed = claim_one(&store).await;
    assert_eq!(state(&cancel(id).await), (2, 22));
    let outcome = store
        .fail(&claimed, &JobError::new("transient"), &policy)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        FailOutcome::Failed,
        "a canceled operation is not retried"
    );
    let row = store.background_operation(id).await.unwrap().unwrap();
    assert_eq!(
        (
            row.backgroundoperationstatecode,
            row.backgroundoperationstatuscode
        ),
        (3, 32)
    );
    assert_eq!(row.callbackstatecode, Some(bg::CALLBACK_SUPPRESSED));
    assert!(
        store.claim("h", HOUR).await.unwrap().is_none(),
        "no callback job"
    );

    // Running and canceled, then it succeeds: Succeeded (its writes happened), no callback.
    let id = store
        .start_background_operation(operation("d", Some(("http://cb", bg::CALLBACK_WEBHOOK))))
        .await
        .unwrap();
    let claimed = claim_one(&store).await;
    cancel(id).await;
    crate::background::succeed_in(store.connection(), id, "[]".to_owned())
        .await
        .unwrap();
    complete_in(store.connection(), &claimed).await.unwrap();
    assert_eq!(op_state(&store, id).await, (3, 30));
    assert!(
        store.claim("h", HOUR).await.unwrap().is_none(),
        "no callback job"
    );

    // Ended: refused; unknown: not found.
    assert!(matches!(cancel(id).await, Cancel::Terminal(_)));
    assert_eq!(cancel(Uuid::new_v4()).await, Cancel::NotFound);
}

async fn expired_background_operations_are_deleted(store: Store) {
    use crate::entity::backgroundoperation::{Column as Op, Entity as Ops};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let ended = store
        .start_background_operation(operation("ended", None))
        .await
        .unwrap();
    let claimed = claim_one(&store).await;
    crate::background::succeed_in(store.connection(), ended, "[]".to_owned())
        .await
        .unwrap();
    complete_in(store.connection(), &claimed).await.unwrap();
    let waiting = store
        .start_background_operation(operation("waiting", None))
        .await
        .unwrap();
    let fresh = store
        .start_background_operation(operation("fresh", None))
        .await
        .unwrap();
    // Both created 91 days ago; only the ended one may go. `fresh` is within its time to live.
    let long_ago = now_millis() - 91 * 24 * 3600 * 1000;
    Ops::update_many()
        .col_expr(Op::Createdon, sea_orm::sea_query::Expr::value(long_ago))
        .filter(Op::Backgroundoperationid.is_in([ended, waiting]))
        .exec(store.connection())
        .await
        .unwrap();
    let deleted = store
        .delete_expired_background_operations(now_millis(), 100)
        .await
        .unwrap();
    assert_eq!(deleted, 1);
    assert!(store.background_operation(ended).await.unwrap().is_none());
    assert!(
        store.background_operation(waiting).await.unwrap().is_some(),
        "not ended"
    );
    assert!(store.background_operation(fresh).await.unwrap().is_some());
}
