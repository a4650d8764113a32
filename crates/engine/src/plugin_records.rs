//! The record operations plug-ins call (create, retrieve, update, delete, retrieve-multiple)
//! and the messages they execute, run as the calling user with the same table privileges and
//! checks as the Web API, inside the execution's unit of work (its transaction).

use std::collections::BTreeMap;
use std::sync::Arc;

use switchboard_locale::Localizer;
use switchboard_model::execution::Caller;
use switchboard_model::privileges::table_privilege;
use switchboard_model::value::{Entity, Value};
use switchboard_model::{Message, MessageId, Table};
use switchboard_odata::query::record_query;
use switchboard_store::RecordError;

use switchboard_model::execution::ExecuteError;
use switchboard_pipeline::{ExecutionContext, MessageRequest, UnitOfWork};
use switchboard_store::records::{self, Record};
use switchboard_wasm::{RecordFailure, RecordFuture, RecordPage, RecordService};
use uuid::Uuid;

use crate::Engine;
use crate::record_messages::MAX_PAGE_SIZE;
use crate::record_messages::{
    BUSINESS_ENTITY, BUSINESS_ENTITY_COLLECTION, MORE_RECORDS, Nesting, RecordInput,
    RecordMessageError, RecordOp, record_request, run_record_message,
};
use crate::registry::Registry;
use crate::unit::ServerUnit;

/// Record access for one plug-in call, on behalf of its caller.
pub(crate) struct CallerRecords {
    engine: Engine,
    registry: Arc<Registry>,
    caller: Caller,
    localizer: Arc<Localizer>,
    unit: Arc<ServerUnit>,
    /// Where the plug-in's own messages run: one level below its call.
    below: Nesting,
    /// The failures handed to the plug-in that are not business errors (a missing
    /// privilege, a database failure, a nested plug-in's crash), by the text the plug-in
    /// got: a plug-in that passes one on fails with its class, status and code, not as a
    /// business error of its own ([`Self::passed_on`]).
    classified: std::sync::Mutex<Vec<(String, ExecuteError)>>,
}

impl CallerRecords {
    pub(crate) fn new(
        engine: Engine,
        registry: Arc<Registry>,
        caller: Caller,
        unit: Arc<ServerUnit>,
        context: &ExecutionContext,
    ) -> Self {
        let localizer = engine.locales.pick(caller.language, None);
        Self {
            engine,
            registry,
            caller,
            localizer,
            unit,
            below: Nesting::below(context),
            classified: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// A plug-in's record operation as a record message one level deeper, in the same unit
    /// of work: steps registered on the table fire for it, as in Dataverse.
    async fn record_message(
        &self,
        op: RecordOp,
        table: &Table,
        input: RecordInput,
    ) -> Result<BTreeMap<String, Value>, RecordFailure> {
        let request = record_request(table, op, input, self.below.clone());
        run_record_message(&self.engine, &self.caller, request, &self.unit)
            .await
            .map_err(|e| match e {
                RecordMessageError::Refused(_, m) => self.fail(m),
                RecordMessageError::Failed(detail) => self.failed(&detail),
                RecordMessageError::Execute(e) => {
                    if let ExecuteError::InfiniteLoop(m) = &e {
                        self.unit
                            .nested_failure
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .get_or_insert(switchboard_pipeline::PipelineError::new(
                                switchboard_pipeline::PipelineErrorKind::InfiniteLoop,
                                m.clone(),
                            ));
                    }
                    self.fail_with(e)
                }
            })
    }

    /// A refusal the plug-in may show as its own business error.
    fn fail(&self, message: Message) -> RecordFailure {
        RecordFailure {
            message: self.localizer.render(&message),
        }
    }

    /// A failure of `error`'s class, remembered unless it is a business error.
    fn fail_with(&self, error: ExecuteError) -> RecordFailure {
        let message = self.localizer.render(error.message());
        if !matches!(error, ExecuteError::Business(_)) {
            self.classified
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((message.clone(), error));
        }
        RecordFailure { message }
    }

    /// The failure handed to the plug-in with this text, when it was not a business error:
    /// the plug-in passed it on unchanged.
    pub(crate) fn passed_on(&self, message: &str) -> Option<ExecuteError> {
        self.classified
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .rev()
            .find(|(text, _)| text == message)
            .map(|(_, error)| error.clone())
    }

    fn store_error(&self, e: RecordError) -> RecordFailure {
        match e {
            RecordError::Rejected(_, m) => self.fail(m),
            RecordError::Database(e) => self.failed(&e.to_string()),
        }
    }

    /// The database failed under a plug-in's record operation. The plug-in may handle the
    /// failure, so no 5xx may log it: it is logged here.
    fn failed(&self, detail: &str) -> RecordFailure {
        let message = Message::internal(format_args!("plug-in record operation failed: {detail}"));
        tracing::error!(
            correlation = message.get("id").unwrap_or_default(),
            error = detail,
            "plug-in record operation failed"
        );
        self.fail_with(ExecuteError::Internal(message))
    }

    /// The table, once the caller is known to hold `prv{verb}{table}`.
    fn table(&self, logical_name: &str, verb: &str) -> Result<Arc<Table>, RecordFailure> {
        let table = self
            .registry
            .records
            .get(logical_name)
            .cloned()
            .ok_or_else(|| {
                self.fail(
                    Message::new(MessageId::ODataResourceNotFound).arg("segment", logical_name),
                )
            })?;
        let privilege = table_privilege(verb, logical_name);
        if !self.caller.holds(&privilege) {
            return Err(self.fail_with(ExecuteError::Forbidden(
                self.caller.missing_privilege(&privilege, logical_name),
            )));
        }
        Ok(table)
    }

    fn table_of(&self, entity: &Entity) -> Result<String, RecordFailure> {
        entity.logical_name.clone().ok_or_else(|| {
            self.fail(
                Message::new(MessageId::ODataMissingParameter)
                    .arg("name", "LogicalName")
                    .arg("api", "organization"),
            )
        })
    }
}

impl RecordService for CallerRecords {
    fn create(&self, entity: Entity) -> RecordFuture<'_, Uuid> {
        Box::pin(async move {
            let table = self.table(&self.table_of(&entity)?, "Create")?;
            let mut values = entity.attributes;
            if let Some(id) = entity.id {
                values.insert(table.primary_id.clone(), Value::Guid(id));
            }
            let id = match values.remove(&table.primary_id) {
                Some(Value::Guid(id)) => id,
                _ => Uuid::new_v4(),
            };
            self.record_message(RecordOp::Create, &table, RecordInput::Write(id, values))
                .await?;
            Ok(id)
        })
    }

    fn retrieve(&self, table: String, id: Uuid, columns: Vec<String>) -> RecordFuture<'_, Entity> {
        Box::pin(async move {
            let table = self.table(&table, "Read")?;
            let mut outputs = self
                .record_message(RecordOp::Retrieve, &table, RecordInput::One(id, columns))
                .await?;
            match outputs.remove(BUSINESS_ENTITY) {
                Some(Value::Entity(e)) => Ok(e),
                _ => Err(self.store_error(records::not_found(&table.logical_name, id))),
            }
        })
    }

    fn update(&self, entity: Entity) -> RecordFuture<'_, ()> {
        Box::pin(async move {
            let table = self.table(&self.table_of(&entity)?, "Write")?;
            let id = entity.id.ok_or_else(|| {
                self.fail(
                    Message::new(MessageId::ODataMissingParameter)
                        .arg("name", "Id")
                        .arg("api", "Update"),
                )
            })?;
            self.record_message(
                RecordOp::Update,
                &table,
                RecordInput::Write(id, entity.attributes),
            )
            .await
            .map(|_| ())
        })
    }

    fn delete(&self, table: String, id: Uuid) -> RecordFuture<'_, ()> {
        Box::pin(async move {
            let table = self.table(&table, "Delete")?;
            self.record_message(
                RecordOp::Delete,
                &table,
                RecordInput::Write(id, Record::new()),
            )
            .await
            .map(|_| ())
        })
    }

    fn retrieve_multiple(&self, table: String, query: String) -> RecordFuture<'_, RecordPage> {
        Box::pin(async move {
            let table = self.table(&table, "Read")?;
            // Checked here too, so a bad query is the caller's error, not a step's.
            let pairs: Vec<(String, String)> =
                form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
            record_query(&pairs).map_err(|e| self.fail(e.into_odata_error().message))?;
            let mut outputs = self
                .record_message(
                    RecordOp::RetrieveMultiple,
                    &table,
                    RecordInput::Many(query, MAX_PAGE_SIZE),
                )
                .await?;
            let records = match outputs.remove(BUSINESS_ENTITY_COLLECTION) {
                Some(Value::EntityCollection(entities)) => entities,
                _ => Vec::new(),
            };
            Ok(RecordPage {
                records,
                more: matches!(outputs.get(MORE_RECORDS), Some(Value::Boolean(true))),
            })
        })
    }

    fn execute(
        &self,
        message: String,
        inputs: BTreeMap<String, Value>,
    ) -> RecordFuture<'_, BTreeMap<String, Value>> {
        Box::pin(async move {
            // Private messages may be executed from plug-ins (Dataverse forbids it).
            let api = self.registry.apis.get(&message).cloned().ok_or_else(|| {
                self.fail(Message::new(MessageId::ODataResourceNotFound).arg("segment", &message))
            })?;
            let request = MessageRequest {
                message: message.clone(),
                primary_entity_name: None,
                primary_entity_id: None,
                inputs,
                outputs: crate::unit::default_outputs(&api),
                privilege: api.execute_privilege.clone(),
                depth: self.below.depth,
                correlation_id: self.below.correlation_id,
                parent: self.below.parent.clone(),
                main_operation: switchboard_pipeline::MainOperation::Plugin,
            };
            let unit: Arc<dyn UnitOfWork> = self.unit.clone();
            Engine::pipeline(&self.engine, self.unit.clone())
                .execute(&self.caller, request, &unit)
                .await
                .map_err(|e| {
                    let failure = self.fail_with(crate::unit::execute_error(e.clone()));
                    let mut first = self
                        .unit
                        .nested_failure
                        .lock()
                        .unwrap_or_else(|p| p.into_inner());
                    first.get_or_insert(e);
                    failure
                })
        })
    }
}
