//! Background operations (Dataverse's `backgroundoperation`, SPEC Integrations §3): a custom
//! API call accepted now and run later by the job workers, durably.
//!
//! Starting one writes its row (Ready / Waiting For Resources) and a system job of
//! [`codes::OPERATION_BACKGROUND_OPERATION`] regarding it in one transaction, so the
//! operation exists exactly when its job does. Claiming the job marks the operation Locked /
//! In Progress; the runner marks it Succeeded with its outputs in the job's own transaction
//! ([`succeed_in`]), so outputs, writes and status commit together, once. A failed attempt is
//! recorded by the job queue, which calls [`attempt_failed_in`] in the same statement's
//! transaction: back to Ready while attempts are left, else Failed with the error. Whenever an
//! operation with a callback ends, a callback job ([`codes::OPERATION_BACKGROUND_CALLBACK`]) is
//! queued in the same transaction; its runner posts the payload and records the outcome
//! ([`callback_delivered_in`]; a last failure through [`attempt_failed_in`]).

use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};
use uuid::Uuid;

use switchboard_model::ids::{
    ON_BACKGROUND_OPERATION_COMPLETE, on_background_operation_complete_id,
};

use crate::Store;
use crate::entity::asyncoperation;
use crate::entity::backgroundoperation::{self, Column, Model};
use crate::jobs::{self, ClaimedJob, FailOutcome, JobError, NewJob, now_millis};

/// Dataverse's codes for `backgroundoperation` and Switchboard's callback states.
pub mod codes {
    /// `asyncoperation.operationtype` of the job running a background operation
    /// (Switchboard's own value; Dataverse does not publish one).
    pub const OPERATION_BACKGROUND_OPERATION: i32 = 201;
    /// `asyncoperation.operationtype` of the job posting an operation's callback.
    pub const OPERATION_BACKGROUND_CALLBACK: i32 = 202;
    /// `asyncoperation.operationtype` of the job firing `OnBackgroundOperationComplete`.
    pub const OPERATION_BACKGROUND_COMPLETE: i32 = 203;

    /// `backgroundoperationstatecode` 0: Ready.
    pub const STATE_READY: i32 = 0;
    /// `backgroundoperationstatecode` 2: Locked.
    pub const STATE_LOCKED: i32 = 2;
    /// `backgroundoperationstatecode` 3: Completed.
    pub const STATE_COMPLETED: i32 = 3;

    /// `backgroundoperationstatuscode` 0 (Ready): Waiting For Resources.
    pub const STATUS_WAITING: i32 = 0;
    /// 20 (Locked): In Progress.
    pub const STATUS_IN_PROGRESS: i32 = 20;
    /// 22 (Locked): Canceling — a cancel asked for while it ran.
    pub const STATUS_CANCELING: i32 = 22;
    /// 30 (Completed): Succeeded.
    pub const STATUS_SUCCEEDED: i32 = 30;
    /// 31 (Completed): Failed.
    pub const STATUS_FAILED: i32 = 31;
    /// 32 (Completed): Canceled.
    pub const STATUS_CANCELED: i32 = 32;

    /// `callbackkind` 0: Dataverse's callback (`Prefer: odata.callback`): the status members.
    pub const CALLBACK_ODATA: i32 = 0;
    /// `callbackkind` 1: the webhook action pattern: the API's outputs.
    pub const CALLBACK_WEBHOOK: i32 = 1;

    /// `callbackstatecode` 0: to be posted when the operation ends.
    pub const CALLBACK_PENDING: i32 = 0;
    /// 1: posted and answered 2xx.
    pub const CALLBACK_DELIVERED: i32 = 1;
    /// 2: every attempt failed.
    pub const CALLBACK_FAILED: i32 = 2;
    /// 3: not posted: the subscriber unsubscribed (canceled) first.
    pub const CALLBACK_SUPPRESSED: i32 = 3;

    /// Dataverse's default time to live: 90 days.
    pub const DEFAULT_TTL_SECONDS: i32 = 90 * 24 * 3600;
}

/// A background operation to start.
#[derive(Debug, Clone)]
pub struct NewBackgroundOperation {
    /// `backgroundoperationid`.
    pub id: Uuid,
    /// `name`: the custom API's unique name.
    pub name: String,
    /// `displayname`.
    pub display_name: Option<String>,
    /// `inputparameters`: a JSON array of `{"Key", "Value"}`.
    pub input_parameters: String,
    /// `runas`: the user it runs as.
    pub run_as: Uuid,
    /// The call's correlation id.
    pub correlation_id: Uuid,
    /// `ttlinseconds`.
    pub ttl_seconds: i32,
    /// The status monitor's absolute URL (what callbacks name as `location`).
    pub location: String,
    /// Where to post when it ends, and what ([`codes::CALLBACK_ODATA`] or
    /// [`codes::CALLBACK_WEBHOOK`]).
    pub callback: Option<(String, i32)>,
    /// What the job runner needs to run the call (opaque here).
    pub job_data: String,
}

/// What a cancel did.
#[derive(Debug, Clone, PartialEq)]
pub enum Cancel {
    /// The operation as it is after the cancel (Canceled when it had not started, Canceling
    /// when it runs).
    Done(Box<Model>),
    /// It had ended already: Dataverse refuses.
    Terminal(Box<Model>),
    /// No such operation.
    NotFound,
}

/// Starts an operation on `db` (a transaction: the row and its job go together).
pub async fn start_in<C: ConnectionTrait>(
    db: &C,
    op: NewBackgroundOperation,
) -> Result<Uuid, DbErr> {
    let now = now_millis();
    let job = jobs::enqueue(
        db,
        NewJob {
            name: op.name.clone(),
            operation_type: codes::OPERATION_BACKGROUND_OPERATION,
            data: op.job_data,
            correlation_id: Some(op.correlation_id),
            message_name: Some(op.name.clone()),
            primary_entity_type: Some("backgroundoperation".to_owned()),
            regarding_object_id: Some(op.id),
            owner_id: Some(op.run_as),
            ..NewJob::default()
        },
    )
    .await?;
    backgroundoperation::Entity::insert(backgroundoperation::ActiveModel {
        backgroundoperationid: Set(op.id),
        backgroundoperationstatecode: Set(codes::STATE_READY),
        backgroundoperationstatuscode: Set(codes::STATUS_WAITING),
        name: Set(op.name),
        displayname: Set(op.display_name),
        inputparameters: Set(op.input_parameters),
        outputparameters: Set(None),
        starttime: Set(None),
        endtime: Set(None),
        retrycount: Set(0),
        errorcode: Set(None),
        errormessage: Set(None),
        runas: Set(op.run_as.to_string()),
        createdon: Set(now),
        modifiedon: Set(now),
        ttlinseconds: Set(op.ttl_seconds),
        correlationid: Set(Some(op.correlation_id)),
        asyncoperationid: Set(Some(job)),
        location: Set(Some(op.location)),
        callbackuri: Set(op.callback.as_ref().map(|(uri, _)| uri.clone())),
        callbackkind: Set(op.callback.as_ref().map(|(_, kind)| *kind)),
        callbackstatecode: Set(op.callback.as_ref().map(|_| codes::CALLBACK_PENDING)),
    })
    .exec_without_returning(db)
    .await?;
    Ok(op.id)
}

/// Marks the operations whose jobs were just claimed Locked / In Progress (a retried one
/// keeps its first start time).
pub(crate) async fn claimed<C: ConnectionTrait>(db: &C, jobs: &[ClaimedJob]) -> Result<(), DbErr> {
    let ids: Vec<Uuid> = jobs
        .iter()
        .filter(|j| j.operation_type == codes::OPERATION_BACKGROUND_OPERATION)
        .filter_map(|j| j.regarding_object_id)
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let now = now_millis();
    set_state(codes::STATE_LOCKED, codes::STATUS_IN_PROGRESS, now)
        .col_expr(
            Column::Starttime,
            Func::coalesce([Expr::col(Column::Starttime), Expr::value(now)]).into(),
        )
        .filter(Column::Backgroundoperationid.is_in(ids))
        .filter(Column::Backgroundoperationstatecode.eq(codes::STATE_READY))
        .exec(db)
        .await?;
    Ok(())
}

/// An update of operations to `state` and `status`, modified `now` (filters and further
/// columns are the caller's).
fn set_state(
    state: i32,
    status: i32,
    now: i64,
) -> sea_orm::UpdateMany<backgroundoperation::Entity> {
    backgroundoperation::Entity::update_many()
        .col_expr(Column::Backgroundoperationstatecode, Expr::value(state))
        .col_expr(Column::Backgroundoperationstatuscode, Expr::value(status))
        .col_expr(Column::Modifiedon, Expr::value(now))
}

/// The operation ran: Succeeded with `outputs` (a JSON array of `{"Key", "Value"}`), and
/// its callback queued. Call it on the job's transaction.
pub async fn succeed_in<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    outputs: String,
) -> Result<(), DbErr> {
    let Some(mut row) = backgroundoperation::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    row.outputparameters = Some(outputs);
    end(db, row, codes::STATUS_SUCCEEDED, None).await
}

/// Ends `row` with `status` (Completed): the error when there is one, the end time, and the
/// callback queued unless the subscriber withdrew it (the callback's runner builds the
/// payload from the ended row).
async fn end<C: ConnectionTrait>(
    db: &C,
    row: Model,
    status: i32,
    error: Option<(i32, String)>,
) -> Result<(), DbErr> {
    let now = now_millis();
    // A webhook subscriber that unsubscribed while the call ran gets no callback.
    let suppressed = row.backgroundoperationstatuscode == codes::STATUS_CANCELING
        && row.callbackkind == Some(codes::CALLBACK_WEBHOOK);
    let mut ended = Model {
        backgroundoperationstatecode: codes::STATE_COMPLETED,
        backgroundoperationstatuscode: status,
        endtime: Some(now),
        modifiedon: now,
        ..row
    };
    if let Some((code, message)) = error {
        ended.errorcode = Some(code);
        ended.errormessage = Some(message);
    }
    let mut callback_job = None;
    if let Some(uri) = ended.callbackuri.clone() {
        if suppressed {
            ended.callbackstatecode = Some(codes::CALLBACK_SUPPRESSED);
        } else {
            callback_job = Some(NewJob {
                name: format!("Callback of background operation {}", ended.name),
                operation_type: codes::OPERATION_BACKGROUND_CALLBACK,
                data: uri,
                correlation_id: ended.correlationid,
                message_name: Some(ended.name.clone()),
                primary_entity_type: Some("backgroundoperation".to_owned()),
                regarding_object_id: Some(ended.backgroundoperationid),
                owner_id: Uuid::parse_str(&ended.runas).ok(),
                ..NewJob::default()
            });
        }
    }
    let (ended_id, ended_correlation, ended_owner) = (
        ended.backgroundoperationid,
        ended.correlationid,
        Uuid::parse_str(&ended.runas).ok(),
    );
    let active: backgroundoperation::ActiveModel = ended.into();
    backgroundoperation::Entity::update(sea_orm::ActiveModelTrait::reset_all(active))
        .exec(db)
        .await?;
    if let Some(job) = callback_job {
        jobs::enqueue(db, job).await?;
    }
    if completion_heard(db).await? {
        jobs::enqueue(
            db,
            NewJob {
                name: ON_BACKGROUND_OPERATION_COMPLETE.to_owned(),
                operation_type: codes::OPERATION_BACKGROUND_COMPLETE,
                data: String::new(),
                correlation_id: ended_correlation,
                message_name: Some(ON_BACKGROUND_OPERATION_COMPLETE.to_owned()),
                primary_entity_type: Some("backgroundoperation".to_owned()),
                regarding_object_id: Some(ended_id),
                owner_id: ended_owner,
                ..NewJob::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// Whether an enabled step is registered on `OnBackgroundOperationComplete` (only then does
/// an ended operation fire it).
async fn completion_heard<C: ConnectionTrait>(db: &C) -> Result<bool, DbErr> {
    use crate::entity::sdkmessageprocessingstep::{Column as Step, Entity as Steps};
    use sea_orm::{PaginatorTrait, QuerySelect};
    let enabled = Steps::find()
        .filter(Step::Sdkmessageid.eq(on_background_operation_complete_id()))
        .filter(Step::Statecode.eq(0))
        .limit(1)
        .count(db)
        .await?;
    Ok(enabled > 0)
}

/// Whether a failed attempt of `job` may be retried as far as its operation goes: not once a
/// cancel was asked for (Dataverse does not retry a canceled operation that errors).
pub(crate) async fn retry_allowed<C: ConnectionTrait>(
    db: &C,
    job: &ClaimedJob,
) -> Result<bool, DbErr> {
    if job.operation_type != codes::OPERATION_BACKGROUND_OPERATION {
        return Ok(true);
    }
    let Some(id) = job.regarding_object_id else {
        return Ok(true);
    };
    let row = backgroundoperation::Entity::find_by_id(id).one(db).await?;
    Ok(row.is_none_or(|r| r.backgroundoperationstatuscode != codes::STATUS_CANCELING))
}

/// A failed attempt of an operation's job (or of its callback's job) was recorded as
/// `outcome`: the operation follows — Ready again with its retry count, or Failed (Canceled
/// when a cancel was asked for) with the error and its callback queued; a callback whose
/// last attempt failed is marked so.
pub(crate) async fn attempt_failed_in<C: ConnectionTrait>(
    db: &C,
    job: &ClaimedJob,
    error: &JobError,
    outcome: FailOutcome,
    retry_count: u32,
) -> Result<(), DbErr> {
    let Some(id) = job.regarding_object_id else {
        return Ok(());
    };
    let now = now_millis();
    match (job.operation_type, outcome) {
        (_, FailOutcome::NotHeld) => Ok(()),
        (codes::OPERATION_BACKGROUND_OPERATION, FailOutcome::Retry { .. }) => {
            set_state(codes::STATE_READY, codes::STATUS_WAITING, now)
                .col_expr(
                    Column::Retrycount,
                    Expr::value(i32::try_from(retry_count).unwrap_or(i32::MAX)),
                )
                .col_expr(Column::Errorcode, Expr::value(error.error_code))
                .col_expr(Column::Errormessage, Expr::value(error.message.clone()))
                .filter(Column::Backgroundoperationid.eq(id))
                .filter(Column::Backgroundoperationstatuscode.ne(codes::STATUS_CANCELING))
                .exec(db)
                .await?;
            Ok(())
        }
        (codes::OPERATION_BACKGROUND_OPERATION, FailOutcome::Failed) => {
            let Some(mut row) = backgroundoperation::Entity::find_by_id(id).one(db).await? else {
                return Ok(());
            };
            let status = if row.backgroundoperationstatuscode == codes::STATUS_CANCELING {
                codes::STATUS_CANCELED
            } else {
                codes::STATUS_FAILED
            };
            row.retrycount = i32::try_from(retry_count).unwrap_or(i32::MAX);
            let code = error.error_code.unwrap_or(0);
            end(db, row, status, Some((code, error.message.clone()))).await
        }
        (codes::OPERATION_BACKGROUND_CALLBACK, FailOutcome::Failed) => {
            set_callback_state(db, id, codes::CALLBACK_FAILED).await
        }
        _ => Ok(()),
    }
}

/// The callback of operation `id` was answered 2xx (on the callback job's transaction).
pub async fn callback_delivered_in<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DbErr> {
    set_callback_state(db, id, codes::CALLBACK_DELIVERED).await
}

async fn set_callback_state<C: ConnectionTrait>(db: &C, id: Uuid, state: i32) -> Result<(), DbErr> {
    backgroundoperation::Entity::update_many()
        .col_expr(Column::Callbackstatecode, Expr::value(state))
        .col_expr(Column::Modifiedon, Expr::value(now_millis()))
        .filter(Column::Backgroundoperationid.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

impl Store {
    /// Starts a background operation (its row and its job in one transaction).
    pub async fn start_background_operation(
        &self,
        op: NewBackgroundOperation,
    ) -> Result<Uuid, DbErr> {
        let txn = self.connection().begin().await?;
        let id = start_in(&txn, op).await?;
        txn.commit().await?;
        Ok(id)
    }

    /// One operation's row.
    pub async fn background_operation(&self, id: Uuid) -> Result<Option<Model>, DbErr> {
        backgroundoperation::Entity::find_by_id(id)
            .one(self.reader())
            .await
    }

    /// Cancels an operation as Dataverse does: one not started yet is Canceled at once (its
    /// job too, and its callback queued unless it is a webhook subscription); a running one
    /// becomes Canceling — it runs on, is not retried, and a webhook subscriber gets no
    /// callback; an ended one cannot be canceled.
    pub async fn cancel_background_operation(&self, id: Uuid) -> Result<Cancel, DbErr> {
        let txn = self.connection().begin().await?;
        let Some(row) = backgroundoperation::Entity::find_by_id(id)
            .one(&txn)
            .await?
        else {
            return Ok(Cancel::NotFound);
        };
        if row.backgroundoperationstatecode == codes::STATE_COMPLETED {
            return Ok(Cancel::Terminal(Box::new(row)));
        }
        // The job is taken off the queue only if no worker has claimed it: the same
        // statement decides, so a cancel and a claim never both win.
        let unclaimed = match row.asyncoperationid {
            Some(job) => {
                let now = now_millis();
                asyncoperation::Entity::update_many()
                    .col_expr(
                        asyncoperation::Column::Statecode,
                        Expr::value(jobs::codes::STATE_COMPLETED),
                    )
                    .col_expr(
                        asyncoperation::Column::Statuscode,
                        Expr::value(jobs::codes::STATUS_CANCELED),
                    )
                    .col_expr(asyncoperation::Column::Completedon, Expr::value(now))
                    .col_expr(asyncoperation::Column::Modifiedon, Expr::value(now))
                    .filter(asyncoperation::Column::Asyncoperationid.eq(job))
                    .filter(asyncoperation::Column::Statecode.eq(jobs::codes::STATE_READY))
                    .exec(&txn)
                    .await?
                    .rows_affected
                    == 1
            }
            None => false,
        };
        if unclaimed {
            let suppress = row.callbackkind == Some(codes::CALLBACK_WEBHOOK);
            let mut row = row;
            if suppress {
                row.callbackstatecode = Some(codes::CALLBACK_SUPPRESSED);
                row.callbackuri = None;
            }
            end(&txn, row, codes::STATUS_CANCELED, None).await?;
        } else {
            set_state(codes::STATE_LOCKED, codes::STATUS_CANCELING, now_millis())
                .filter(Column::Backgroundoperationid.eq(id))
                .exec(&txn)
                .await?;
        }
        let after = backgroundoperation::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("background operation {id}")))?;
        txn.commit().await?;
        Ok(Cancel::Done(Box::new(after)))
    }

    /// Deletes at most `limit` ended operations whose time to live (`ttlinseconds` from
    /// `createdon`) has passed by `now`; returns how many went.
    pub async fn delete_expired_background_operations(
        &self,
        now: i64,
        limit: u64,
    ) -> Result<u64, DbErr> {
        let expired = sea_orm::sea_query::Query::select()
            .column(Column::Backgroundoperationid)
            .from(backgroundoperation::Entity)
            .and_where(Expr::col(Column::Backgroundoperationstatecode).eq(codes::STATE_COMPLETED))
            .and_where(
                Expr::col(Column::Createdon)
                    // In 64 bits: 90 days in milliseconds overflows PostgreSQL's integer.
                    .add(Expr::col(Column::Ttlinseconds).mul(Expr::value(1000_i64)))
                    .lt(now),
            )
            .limit(Ord::max(limit, 1))
            .to_owned();
        Ok(backgroundoperation::Entity::delete_many()
            .filter(Column::Backgroundoperationid.in_subquery(expired))
            .exec(self.connection())
            .await?
            .rows_affected)
    }
}
