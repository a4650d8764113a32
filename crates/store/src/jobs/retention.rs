//! Retention of system jobs, in the manner of Dataverse's bulk-delete cleanup: succeeded
//! jobs completed longer ago than the retention are deleted by a periodic task, a bounded
//! batch per statement. Failed and canceled jobs are kept for inspection (Dataverse's own
//! recurring cleanup deletes succeeded jobs only); `asyncautodelete` jobs are gone at
//! completion already ([`super::complete_in`]). Ended background operations are deleted
//! when their own time to live (`ttlinseconds`) has passed.

use std::time::Duration;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};
use tokio::sync::watch;

use super::{Column, codes, millis, now_millis};
use crate::Store;
use crate::entity::asyncoperation;

/// How long succeeded jobs are kept and how the cleanup runs.
#[derive(Debug, Clone)]
pub struct RetentionConfig {
    /// Succeeded jobs completed longer ago than this are deleted.
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
        let expired = Query::select()
            .column(Column::Asyncoperationid)
            .from(asyncoperation::Entity)
            .and_where(Expr::col(Column::Statecode).eq(codes::STATE_COMPLETED))
            .and_where(Expr::col(Column::Statuscode).eq(codes::STATUS_SUCCEEDED))
            .and_where(Expr::col(Column::Completedon).lt(completed_before))
            .limit(Ord::max(limit, 1))
            .to_owned();
        Ok(asyncoperation::Entity::delete_many()
            .filter(Column::Asyncoperationid.in_subquery(expired))
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

/// Starts the periodic cleanup of succeeded jobs on the current runtime.
pub fn start_retention(store: Store, config: RetentionConfig) -> Retention {
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(store, config, stopped));
    Retention { stop, task }
}

async fn run(store: Store, config: RetentionConfig, mut stop: watch::Receiver<bool>) {
    let batch = Ord::max(config.batch, 1);
    loop {
        let before = now_millis().saturating_sub(millis(config.keep));
        let mut deleted = 0u64;
        loop {
            if *stop.borrow() {
                return;
            }
            match store.delete_succeeded_jobs(before, batch).await {
                Ok(n) => {
                    deleted += n;
                    if n < batch {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "deleting succeeded system jobs past their retention");
                    break;
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(PAUSE) => {}
                _ = stop.changed() => return,
            }
        }
        if deleted > 0 {
            tracing::info!(
                deleted,
                "deleted succeeded system jobs past their retention"
            );
        }
        // Background operations go when their own time to live (`ttlinseconds`) has passed.
        loop {
            match store
                .delete_expired_background_operations(now_millis(), batch)
                .await
            {
                Ok(n) if n >= batch => {}
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "deleting background operations past their time to live");
                    break;
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(PAUSE) => {}
                _ = stop.changed() => return,
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(config.every) => {}
            _ = stop.changed() => return,
        }
    }
}
