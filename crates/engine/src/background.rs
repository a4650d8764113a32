//! Background operations: a custom API call accepted now (`Prefer: respond-async`, or a
//! webhook subscription) and run later by the job workers through the same pipeline, as
//! the same user; its status, outputs and error are kept in `backgroundoperation`, and a
//! callback, when asked for, is posted when it ends.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};
use switchboard_model::execution::{Binding, Caller, ExecuteError, ExecuteRequest};
use switchboard_model::value::{EntityReference, Value};
use switchboard_model::{Message, MessageId};
use switchboard_store::background::{self as store_bg, Cancel, NewBackgroundOperation, codes};
use switchboard_store::entity::backgroundoperation::Model as Row;
use switchboard_store::jobs::{ClaimedJob, JobError};
use switchboard_store::unit::Unit;
use uuid::Uuid;

use crate::Engine;

pub use switchboard_store::background::codes as status;

/// The privileges Dataverse asks of a caller starting or reading background operations.
pub const READ_PRIVILEGE: &str = "prvReadbackgroundoperation";
/// See [`READ_PRIVILEGE`].
pub const WRITE_PRIVILEGE: &str = "prvWritebackgroundoperation";

/// Where to post when an operation ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// `Prefer: odata.callback; url="…"`: Dataverse's status payload.
    OData(String),
    /// The webhook action pattern: the API's outputs (or its error).
    Webhook(String),
}

/// A started operation: its id and status monitor URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// `backgroundoperationid`.
    pub id: Uuid,
    /// The status monitor's absolute URL.
    pub location: String,
}

/// The call a background operation's job runs (its `data`).
#[derive(Serialize, Deserialize)]
struct QueuedCall {
    api: String,
    binding: QueuedBinding,
    inputs: BTreeMap<String, Value>,
    user: Uuid,
    initiating_user: Uuid,
    correlation_id: Uuid,
}

#[derive(Serialize, Deserialize)]
enum QueuedBinding {
    None,
    Record(EntityReference),
    Collection(String),
}

/// The status monitor's URL for operation `id` under `public_root` (scheme and authority,
/// no trailing slash).
pub fn monitor_url(public_root: &str, id: Uuid) -> String {
    format!("{public_root}/api/backgroundoperation/{id}")
}

/// Whether the caller may start and read background operations (Dataverse asks both).
pub fn check_privileges(caller: &Caller, operation: &str) -> Result<(), ExecuteError> {
    for privilege in [READ_PRIVILEGE, WRITE_PRIVILEGE] {
        if !caller.holds(privilege) {
            return Err(ExecuteError::Forbidden(
                caller.missing_privilege(privilege, operation),
            ));
        }
    }
    Ok(())
}

/// Accepts `request` to run in the background as `caller`; the status monitor lives under
/// `public_root`. The API's execute privilege is checked now as well as when it runs, so a
/// caller who could never run it hears so at once.
pub async fn start(
    engine: &Engine,
    caller: &Caller,
    request: ExecuteRequest,
    public_root: &str,
    callback: Option<Callback>,
) -> Result<Started, ExecuteError> {
    let api = &request.api;
    check_privileges(caller, api.unique_name.as_str())?;
    if let Some(privilege) = &api.execute_privilege
        && !caller.holds(privilege)
    {
        return Err(ExecuteError::Forbidden(
            caller.missing_privilege(privilege, api.unique_name.as_str()),
        ));
    }
    let registry = engine.registry.current();
    let id = Uuid::new_v4();
    let location = monitor_url(public_root, id);
    let input_parameters = key_values(&request.inputs, &registry.tables);
    let queued = QueuedCall {
        api: api.unique_name.to_string(),
        binding: match request.binding {
            Binding::None => QueuedBinding::None,
            Binding::Record(r) => QueuedBinding::Record(r),
            Binding::Collection(t) => QueuedBinding::Collection(t),
        },
        inputs: request.inputs,
        user: caller.user_id,
        initiating_user: caller.initiating_user_id,
        correlation_id: request.correlation_id,
    };
    let job_data = serde_json::to_string(&queued).map_err(|e| {
        ExecuteError::Internal(Message::internal(format_args!(
            "the background operation's call cannot be queued: {e}"
        )))
    })?;
    engine
        .store
        .start_background_operation(NewBackgroundOperation {
            id,
            name: api.unique_name.to_string(),
            display_name: api
                .display_name
                .base_text(switchboard_model::label::BASE_LANGUAGE)
                .map(str::to_owned),
            input_parameters,
            run_as: caller.user_id,
            correlation_id: request.correlation_id,
            ttl_seconds: codes::DEFAULT_TTL_SECONDS,
            location: location.clone(),
            callback: callback.map(|c| match c {
                Callback::OData(url) => (url, codes::CALLBACK_ODATA),
                Callback::Webhook(url) => (url, codes::CALLBACK_WEBHOOK),
            }),
            job_data,
        })
        .await
        .map_err(|e| {
            ExecuteError::Internal(Message::internal(format_args!(
                "starting a background operation failed: {e}"
            )))
        })?;
    engine.jobs.notify();
    Ok(Started { id, location })
}

/// A background operation as its status monitor, its callback and its cancel show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `backgroundoperationid`.
    pub id: Uuid,
    /// `backgroundoperationstatecode` ([`status`]`::STATE_*`).
    pub state: i32,
    /// `backgroundoperationstatuscode` ([`status`]`::STATUS_*`).
    pub status: i32,
    /// `errorcode` of a failed one (Dataverse's code as a signed number).
    pub error_code: Option<i32>,
    /// `errormessage` of a failed one.
    pub error_message: Option<String>,
    /// The outputs of a succeeded one, by response property.
    pub outputs: Map<String, Json>,
    /// The status monitor's URL.
    pub location: Option<String>,
    /// Started by a webhook subscription (its callback carries the outputs).
    pub is_webhook: bool,
}

impl Operation {
    fn of(row: &Row) -> Self {
        Self {
            id: row.backgroundoperationid,
            state: row.backgroundoperationstatecode,
            status: row.backgroundoperationstatuscode,
            error_code: row.errorcode,
            error_message: row.errormessage.clone(),
            outputs: output_members(row),
            location: row.location.clone(),
            is_webhook: row.callbackkind == Some(codes::CALLBACK_WEBHOOK),
        }
    }

    /// Whether it ended (succeeded, failed or canceled).
    pub fn is_finished(&self) -> bool {
        self.state == codes::STATE_COMPLETED
    }

    /// Dataverse's `backgroundOperation*` members (the error ones only on failure).
    pub fn status_members(&self) -> Map<String, Json> {
        let mut members = Map::new();
        members.insert("backgroundOperationId".into(), json!(self.id));
        members.insert("backgroundOperationStateCode".into(), json!(self.state));
        members.insert("backgroundOperationStatusCode".into(), json!(self.status));
        if self.status == codes::STATUS_FAILED {
            members.insert(
                "backgroundOperationErrorCode".into(),
                json!(self.error_code.unwrap_or(0)),
            );
            members.insert(
                "backgroundOperationErrorMessage".into(),
                json!(self.error_message.clone().unwrap_or_default()),
            );
        }
        members
    }

    /// Why a failed (or canceled) operation did not succeed, as the call's error would
    /// have been; `None` unless it ended without succeeding.
    pub fn failure(&self) -> Option<ExecuteError> {
        let text = |t: Option<&str>| {
            Message::new(MessageId::PluginBusiness).arg("message", t.unwrap_or_default())
        };
        match self.status {
            codes::STATUS_CANCELED => Some(ExecuteError::Business(
                Message::new(MessageId::BackgroundCanceled).arg("id", self.id),
            )),
            codes::STATUS_FAILED => {
                let message = text(self.error_message.as_deref());
                Some(match self.error_code.map(|c| c as u32) {
                    Some(0x8004_0220) => ExecuteError::Forbidden(message),
                    Some(0x8004_4182) => ExecuteError::InfiniteLoop(message),
                    Some(0x8004_0265) => ExecuteError::Business(message),
                    _ => ExecuteError::PluginFailed(message),
                })
            }
            _ => None,
        }
    }
}

/// What a cancel did.
#[derive(Debug, Clone, PartialEq)]
pub enum Cancelled {
    /// The operation after the cancel: Canceled when it had not started, Canceling when it
    /// runs (it runs on; a webhook subscriber gets no callback).
    Done(Operation),
    /// It had ended already: Dataverse refuses.
    Terminal(Operation),
    /// No such operation.
    NotFound,
}

/// One operation, for its status monitor.
pub async fn read(engine: &Engine, id: Uuid) -> Result<Option<Operation>, ExecuteError> {
    let row = engine.store.background_operation(id).await.map_err(|e| {
        ExecuteError::Internal(Message::internal(format_args!(
            "reading background operation {id} failed: {e}"
        )))
    })?;
    Ok(row.as_ref().map(Operation::of))
}

/// Cancels operation `id` (SPEC Integrations §3.5); wakes the workers when a callback was
/// queued.
pub async fn cancel(engine: &Engine, id: Uuid) -> Result<Cancelled, ExecuteError> {
    let outcome = engine
        .store
        .cancel_background_operation(id)
        .await
        .map_err(|e| {
            ExecuteError::Internal(Message::internal(format_args!(
                "canceling background operation {id} failed: {e}"
            )))
        })?;
    Ok(match outcome {
        Cancel::Done(row) => {
            if row.callbackuri.is_some() {
                engine.jobs.notify();
            }
            Cancelled::Done(Operation::of(&row))
        }
        Cancel::Terminal(row) => Cancelled::Terminal(Operation::of(&row)),
        Cancel::NotFound => Cancelled::NotFound,
    })
}

/// `[{"Key": name, "Value": json}, …]`, as Dataverse keeps `inputparameters` and
/// `outputparameters`.
fn key_values(
    values: &BTreeMap<String, Value>,
    tables: &switchboard_odata::tables::Tables,
) -> String {
    let array: Vec<Json> = values
        .iter()
        .map(|(k, v)| json!({ "Key": k, "Value": switchboard_odata::json::encode(v, tables) }))
        .collect();
    Json::Array(array).to_string()
}

/// The outputs of a succeeded operation as the members of one object.
fn output_members(row: &Row) -> Map<String, Json> {
    let mut members = Map::new();
    let pairs: Vec<Json> = row
        .outputparameters
        .as_deref()
        .and_then(|o| serde_json::from_str(o).ok())
        .unwrap_or_default();
    for pair in pairs {
        if let (Some(Json::String(key)), Some(value)) = (pair.get("Key"), pair.get("Value")) {
            members.insert(key.clone(), value.clone());
        }
    }
    members
}

/// The Dataverse error code of a failure, as `errorcode` keeps it.
fn error_code(e: &ExecuteError) -> i32 {
    let code: u32 = match e {
        ExecuteError::Business(_) | ExecuteError::PluginFailed(_) => 0x8004_0265,
        ExecuteError::Forbidden(_) => 0x8004_0220,
        ExecuteError::InfiniteLoop(_) => 0x8004_4182,
        ExecuteError::Internal(_) => 0x8004_0216,
    };
    code as i32
}

/// Runs a claimed background operation's call in the job's unit and marks it Succeeded
/// there (so its writes and its outputs commit together, once).
pub(crate) async fn run(
    engine: &Engine,
    job: &ClaimedJob,
    job_unit: &Arc<Unit>,
) -> Result<(), JobError> {
    let id = job
        .regarding_object_id
        .ok_or_else(|| JobError::permanent("the job names no background operation"))?;
    let queued: QueuedCall = serde_json::from_str(&job.data).map_err(|e| {
        JobError::permanent(format!(
            "the background operation's call is unreadable: {e}"
        ))
    })?;
    let registry = engine.registry.current();
    let api = registry.apis.get(&queued.api).cloned().ok_or_else(|| {
        JobError::permanent(format!("custom API {} no longer exists", queued.api))
            .with_code(0x8006_088a_u32 as i32)
    })?;
    let caller = caller_for_job(engine, queued.user, queued.initiating_user).await?;
    let request = ExecuteRequest {
        api,
        binding: match queued.binding {
            QueuedBinding::None => Binding::None,
            QueuedBinding::Record(r) => Binding::Record(r),
            QueuedBinding::Collection(t) => Binding::Collection(t),
        },
        inputs: queued.inputs,
        correlation_id: queued.correlation_id,
    };
    let outputs = crate::execute::execute_in(engine, &caller, request, Some(job_unit.clone()))
        .await
        .map_err(|e| {
            let message = engine
                .locales
                .pick(caller.language, None)
                .render(e.message());
            let error = JobError::new(message).with_code(error_code(&e));
            // A business error or a refusal fails the same way again; the rest may pass.
            match e {
                ExecuteError::Business(_) | ExecuteError::Forbidden(_) => JobError {
                    retry: false,
                    ..error
                },
                _ => error,
            }
        })?
        .outputs;
    let outputs = key_values(&outputs, &registry.tables);
    let guard = job_unit
        .write()
        .await
        .map_err(|e| JobError::new(e.to_string()))?;
    let txn = guard.as_ref().expect("write() opened the savepoint");
    store_bg::succeed_in(txn, id, outputs)
        .await
        .map_err(|e| JobError::new(e.to_string()))?;
    drop(guard);
    engine.jobs.notify();
    Ok(())
}

/// The payload posted to an ended operation's callback: Dataverse's status members (and
/// `location`) for an OData callback; the outputs, or the error with the status members,
/// for a webhook subscription.
pub fn callback_payload(operation: &Operation) -> Json {
    let mut body = operation.status_members();
    if operation.is_webhook {
        if operation.status == codes::STATUS_SUCCEEDED {
            return Json::Object(operation.outputs.clone());
        }
        body.insert(
            "error".into(),
            json!({
                "code": format!("0x{:08x}", operation.error_code.unwrap_or(0) as u32),
                "message": operation.error_message.clone().unwrap_or_default(),
            }),
        );
        return Json::Object(body);
    }
    body.insert(
        "location".into(),
        json!(operation.location.clone().unwrap_or_default()),
    );
    Json::Object(body)
}

/// The operation a callback or completion job is about, with its row.
async fn regarded_operation(engine: &Engine, job: &ClaimedJob) -> Result<(Uuid, Row), JobError> {
    let id = job
        .regarding_object_id
        .ok_or_else(|| JobError::permanent("the job names no background operation"))?;
    let row = engine
        .store
        .background_operation(id)
        .await
        .map_err(|e| JobError::new(e.to_string()))?
        .ok_or_else(|| JobError::permanent(format!("background operation {id} is gone")))?;
    Ok((id, row))
}

/// The caller a job runs as: `user` (from the principal cache), for a call `initiating`
/// caused; a user gone or disabled fails the job for good.
async fn caller_for_job(engine: &Engine, user: Uuid, initiating: Uuid) -> Result<Caller, JobError> {
    let principal = engine
        .store
        .principal(user)
        .await
        .map_err(|e| JobError::new(e.to_string()))?
        .ok_or_else(|| {
            JobError::permanent(format!("user {user} no longer exists or is disabled"))
        })?;
    Ok(crate::caller(&principal, initiating))
}

/// Posts an ended operation's callback (one attempt; the job queue retries a failure with
/// backoff) and records the delivery on the operation in the job's unit.
pub(crate) async fn deliver_callback(
    engine: &Engine,
    job: &ClaimedJob,
    job_unit: &Arc<Unit>,
) -> Result<(), JobError> {
    let (id, row) = regarded_operation(engine, job).await?;
    let body = callback_payload(&Operation::of(&row));
    let body = serde_json::to_vec(&body).unwrap_or_default();
    let outcome = engine
        .outbound
        .post(crate::outbound::Delivery {
            regarding: Some(("backgroundoperation", id)),
            correlation_id: row.correlationid,
            attempt: job.retry_count + 1,
            ..crate::outbound::Delivery::new(
                crate::outbound::DeliveryPurpose::Callback,
                &job.data,
                body,
            )
        })
        .await;
    match outcome {
        crate::outbound::DeliveryOutcome::Delivered { .. } => {
            let guard = job_unit
                .write()
                .await
                .map_err(|e| JobError::new(e.to_string()))?;
            let txn = guard.as_ref().expect("write() opened the savepoint");
            store_bg::callback_delivered_in(txn, id)
                .await
                .map_err(|e| JobError::new(e.to_string()))
        }
        crate::outbound::DeliveryOutcome::Failed {
            error, retryable, ..
        } => Err(JobError {
            retry: retryable,
            ..JobError::new(error)
        }),
        crate::outbound::DeliveryOutcome::Refused { reason } => Err(JobError::permanent(reason)),
    }
}

/// Fires `OnBackgroundOperationComplete` for an ended operation (queued only when a step is
/// registered on it): the message runs through the pipeline in the job's unit, so the
/// asynchronous steps registered on it are queued with Dataverse's inputs (`PayloadType`,
/// `LocationUrl`, `BackgroundOperationId`) and outputs (`OperationName`,
/// `BackgroundOperationStateCode`, `BackgroundOperationStatusCode`).
pub(crate) async fn fire_completion(
    engine: &Engine,
    job: &ClaimedJob,
    job_unit: &Arc<Unit>,
) -> Result<(), JobError> {
    use switchboard_model::ids::ON_BACKGROUND_OPERATION_COMPLETE;
    use switchboard_pipeline::{MainOperation, MessageRequest, UnitOfWork};
    let (id, row) = regarded_operation(engine, job).await?;
    let user = Uuid::parse_str(&row.runas)
        .map_err(|_| JobError::permanent(format!("runas {} is not a user id", row.runas)))?;
    let caller = caller_for_job(engine, user, user).await?;
    let message = MessageRequest {
        message: ON_BACKGROUND_OPERATION_COMPLETE.to_owned(),
        primary_entity_name: None,
        primary_entity_id: None,
        inputs: BTreeMap::from([
            ("PayloadType".to_owned(), Value::Integer(0)),
            (
                "LocationUrl".to_owned(),
                Value::String(row.location.clone().unwrap_or_default()),
            ),
            ("BackgroundOperationId".to_owned(), Value::Guid(id)),
        ]),
        outputs: BTreeMap::from([
            ("OperationName".to_owned(), Value::String(row.name.clone())),
            (
                "BackgroundOperationStateCode".to_owned(),
                Value::Integer(row.backgroundoperationstatecode),
            ),
            (
                "BackgroundOperationStatusCode".to_owned(),
                Value::Integer(row.backgroundoperationstatuscode),
            ),
        ]),
        privilege: None,
        depth: 1,
        correlation_id: job.correlation_id.unwrap_or_else(Uuid::new_v4),
        parent: None,
        main_operation: MainOperation::Plugin,
    };
    let mut unit = crate::unit::ServerUnit::over(
        job_unit.clone(),
        Some(engine.jobs.clone()),
        engine.registry.current(),
    );
    unit.owner_commits = true;
    let unit = Arc::new(unit);
    let dyn_unit: Arc<dyn UnitOfWork> = unit.clone();
    Engine::pipeline(engine, unit)
        .execute(&caller, message, &dyn_unit)
        .await
        .map(|_| engine.jobs.notify())
        .map_err(|e| {
            JobError::new(
                engine
                    .locales
                    .pick(caller.language, None)
                    .render(&e.message),
            )
        })
}
