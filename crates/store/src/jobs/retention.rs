//! Retention of system jobs, in the manner of Dataverse's bulk-delete cleanup: succeeded
//! jobs completed longer ago than the retention are deleted by a periodic task, a bounded
//! batch per statement. Failed and canceled jobs are kept for inspection (Dataverse's own
//! recurring cleanup deletes succeeded jobs only); `asyncautodelete` jobs are gone at
//! completion already ([`super::complete_in`]). Outbound delivery attempts older than the
//! same retention go too, whatever their outcome (the log is for recent troubleshooting).
//! Ended background operations are deleted when their own time to live (`ttlinseconds`)
//! has passed.

use std::time::Duration;

use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};
use tokio::sync::watch;

use super::{Column, codes, millis, now_millis};
use crate::Store;
use crate::entity::{asyncoperation, outbounddelivery};

/// How long succeeded jobs (and outbound deliveries) are kept and how the cleanup runs.
#[derive(Debug, Clone)]
pub struct RetentionConfig {
    /// Succeeded jobs completed, and deliveries attempted, longer ago than this are
    /// deleted.
    pub keep: Duration,
    /// How often the cleanup runs (the first time when it starts).
    pub every: Duration,
    /// Most rows one statement deletes, so that no statement holds the writer (SQLite's
    /// only one) for long.
    pub batch: u64,
}

impl Default for RetentionConfig {
    /// 30 days, as the recurring bulk-delete job every Dataverse environment has for
    /// succeeded system jobs; checked every ten minutes, 1,000 rows per statement.
    fn default() -> Self {
        Self {
            keep: Duration::from_secs(30 * 24 * 3600),
            every: Duration::from_secs(600),
            batch: 1000,
        }
    }
}

/// The pause between two deleting statements of one cleanup: other writers get the
/// database in between.
const PAUSE: Duration = Duration::from_millis(20);

impl Store {
    /// Deletes at most `limit` Completed / Succeeded jobs whose `completedon` is before
    /// `completed_before` (epoch ms), in one statement found through
    /// `ix_asyncoperation_retention`; returns how many went.
    pub async fn delete_succeeded_jobs(
        &self,
        completed_before: i64,
        limit: u64,
    ) -> Result<u64, DbErr> {
        self.delete_first::<asyncoperation::Entity>(
            Column::Asyncoperationid,
            Condition::all()
                .add(Expr::col(Column::Statecode).eq(codes::STATE_COMPLETED))
                .add(Expr::col(Column::Statuscode).eq(codes::STATUS_SUCCEEDED))
                .add(Expr::col(Column::Completedon).lt(completed_before)),
            limit,
        )
        .await
    }

    /// Deletes at most `limit` outbound deliveries made before `created_before` (epoch
    /// ms), whatever their outcome, in one statement found through
    /// `ix_outbounddelivery_createdon`; returns how many went.
    pub async fn delete_deliveries(&self, created_before: i64, limit: u64) -> Result<u64, DbErr> {
        use outbounddelivery::Column as C;
        self.delete_first::<outbounddelivery::Entity>(
            C::Outbounddeliveryid,
            Condition::all().add(Expr::col(C::Createdon).lt(created_before)),
            limit,
        )
        .await
    }

    /// Deletes at most `limit` rows of `E` matching `condition`, in one statement (SQLite's
    /// `DELETE` takes no `LIMIT`: the keys come from a limited subquery).
    async fn delete_first<E: EntityTrait>(
        &self,
        key: E::Column,
        condition: Condition,
        limit: u64,
    ) -> Result<u64, DbErr> {
        let expired = Query::select()
            .column(key)
            .from(E::default())
            .cond_where(condition)
            .limit(Ord::max(limit, 1))
            .to_owned();
        Ok(E::delete_many()
            .filter(key.in_subquery(expired))
            .exec(self.connection())
            .await?
            .rows_affected)
    }
}

/// The running cleanup, from [`start_retention`] until [`Retention::shutdown`].
pub struct Retention {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Retention {
    /// Stops the cleanup between two statements and waits for it.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts the periodic cleanup of succeeded jobs and old deliveries on the current runtime.
pub fn start_retention(store: Store, config: RetentionConfig) -> Retention {
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(store, config, stopped));
    Retention { stop, task }
}

/// What the cleanup deletes once past the retention.
#[derive(Debug, Clone, Copy)]
enum Expired {
    /// Succeeded system jobs, by `completedon`.
    SucceededJobs,
    /// Outbound delivery attempts (any outcome), by `createdon`.
    Deliveries,
    /// Ended background operations past their own time to live (`ttlinseconds`), whatever
    /// the retention.
    BackgroundOperations,
}

impl Expired {
    /// Deletes at most `limit` rows older than `before`.
    async fn delete(self, store: &Store, before: i64, limit: u64) -> Result<u64, DbErr> {
        match self {
            Self::SucceededJobs => store.delete_succeeded_jobs(before, limit).await,
            Self::Deliveries => store.delete_deliveries(before, limit).await,
            Self::BackgroundOperations => {
                store
                    .delete_expired_background_operations(now_millis(), limit)
                    .await
            }
        }
    }

    fn what(self) -> &'static str {
        match self {
            Self::SucceededJobs => "succeeded system jobs",
            Self::Deliveries => "outbound deliveries",
            Self::BackgroundOperations => "background operations",
        }
    }
}

async fn run(store: Store, config: RetentionConfig, mut stop: watch::Receiver<bool>) {
    let batch = Ord::max(config.batch, 1);
    loop {
        let before = now_millis().saturating_sub(millis(config.keep));
        for expired in [
            Expired::SucceededJobs,
            Expired::Deliveries,
            Expired::BackgroundOperations,
        ] {
            let mut deleted = 0u64;
            loop {
                if *stop.borrow() {
                    return;
                }
                match expired.delete(&store, before, batch).await {
                    Ok(n) => {
                        deleted += n;
                        if n < batch {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "deleting {} past their retention", expired.what());
                        break;
                    }
                }
                tokio::select! {
                    _ = tokio::time::sleep(PAUSE) => {}
                    _ = stop.changed() => return,
                }
            }
            if deleted > 0 {
                tracing::info!(deleted, "deleted {} past their retention", expired.what());
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(config.every) => {}
            _ = stop.changed() => return,
        }
    }
}
