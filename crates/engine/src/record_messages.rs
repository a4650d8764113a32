//! The built-in record messages (Create, Update, Delete, Retrieve, RetrieveMultiple) run
//! through the pipeline, so steps registered on a table fire around every record operation,
//! from the Web API and from plug-ins alike; their main operation is the store call itself.

use std::collections::BTreeMap;
use std::sync::Arc;

use switchboard_model::execution::{Caller, ExecuteError};
use switchboard_model::privileges::table_privilege;
use switchboard_model::{
    Entity, EntityReference, Message, RecordErrorKind, StepStage, Table, Value,
};
use switchboard_pipeline::{
    BoxFuture, ExecutionContext, MainOperation, MessageRequest, PipelineError, PipelineErrorKind,
    PlatformOperation, StepChanges, UnitOfWork,
};
use switchboard_store::records;
/// Column values of one record by logical name.
pub use switchboard_store::records::Record;
use switchboard_store::{DbErr, RecordError};
use uuid::Uuid;

use crate::Engine;
use crate::unit::{ServerUnit, database, execute_error, reading};

/// Dataverse's largest page: a query without `odata.maxpagesize` gets at most this many.
pub const MAX_PAGE_SIZE: u64 = 5000;

/// The Retrieve input naming the columns to read (empty: every column).
pub(crate) const COLUMN_SET: &str = "ColumnSet";
/// The Retrieve output: the record.
pub const BUSINESS_ENTITY: &str = "BusinessEntity";
/// The RetrieveMultiple input: the OData query options (`$filter=…&$orderby=…`), which
/// steps at 10 and 20 may rewrite.
pub(crate) const QUERY: &str = "Query";
/// The RetrieveMultiple input: the page size.
pub(crate) const PAGE_SIZE: &str = "PageSize";
/// The RetrieveMultiple output: the page of records.
pub const BUSINESS_ENTITY_COLLECTION: &str = "BusinessEntityCollection";
/// The RetrieveMultiple output: more records follow the page.
pub const MORE_RECORDS: &str = "MoreRecords";

/// The built-in record messages the pipeline runs for record tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordOp {
    /// `Create`.
    Create,
    /// `Update`.
    Update,
    /// `Delete`.
    Delete,
    /// `Retrieve`.
    Retrieve,
    /// `RetrieveMultiple`.
    RetrieveMultiple,
}

impl RecordOp {
    /// The record message named `message`.
    pub(crate) fn of(message: &str) -> Option<Self> {
        match message {
            "Create" => Some(RecordOp::Create),
            "Update" => Some(RecordOp::Update),
            "Delete" => Some(RecordOp::Delete),
            "Retrieve" => Some(RecordOp::Retrieve),
            "RetrieveMultiple" => Some(RecordOp::RetrieveMultiple),
            _ => None,
        }
    }

    fn message(self) -> &'static str {
        match self {
            RecordOp::Create => "Create",
            RecordOp::Update => "Update",
            RecordOp::Delete => "Delete",
            RecordOp::Retrieve => "Retrieve",
            RecordOp::RetrieveMultiple => "RetrieveMultiple",
        }
    }

    fn privilege_verb(self) -> &'static str {
        match self {
            RecordOp::Create => "Create",
            RecordOp::Update => "Write",
            RecordOp::Delete => "Delete",
            RecordOp::Retrieve | RecordOp::RetrieveMultiple => "Read",
        }
    }
}

/// What a record message carries in.
pub enum RecordInput {
    /// Create, Update, Delete: the record and its changed columns (none for Delete).
    Write(Uuid, Record),
    /// Retrieve: the record and the columns to read (empty: every column).
    One(Uuid, Vec<String>),
    /// RetrieveMultiple: the query options and the page size.
    Many(String, u64),
}

/// Where a record message runs: at depth 1 for a request from outside, or one level below
/// the plug-in that issued it, in its correlation.
#[derive(Debug, Clone)]
pub(crate) struct Nesting {
    /// The depth of the message.
    pub(crate) depth: u32,
    /// The correlation id of the request.
    pub(crate) correlation_id: Uuid,
    /// The message and stage of the plug-in that issued it.
    pub(crate) parent: Option<(String, StepStage)>,
}

impl Nesting {
    /// A request from outside.
    pub(crate) fn outermost() -> Self {
        Self {
            depth: 1,
            correlation_id: Uuid::new_v4(),
            parent: None,
        }
    }

    /// A message a plug-in running with `context` issues.
    pub(crate) fn below(context: &ExecutionContext) -> Self {
        Self {
            depth: context.depth + 1,
            correlation_id: context.correlation_id,
            parent: Some((context.message_name.clone(), context.stage)),
        }
    }
}

/// The request of a record message on `table`.
pub(crate) fn record_request(
    table: &Table,
    op: RecordOp,
    input: RecordInput,
    nesting: Nesting,
) -> MessageRequest {
    let reference = |id| {
        Value::EntityReference(EntityReference {
            logical_name: table.logical_name.clone(),
            id,
        })
    };
    let (id, inputs) = match input {
        RecordInput::Write(id, _) if op == RecordOp::Delete => (
            Some(id),
            BTreeMap::from([("Target".to_owned(), reference(id))]),
        ),
        RecordInput::Write(id, fields) => (
            Some(id),
            BTreeMap::from([(
                "Target".to_owned(),
                Value::Entity(Entity {
                    logical_name: Some(table.logical_name.clone()),
                    id: Some(id),
                    attributes: fields,
                }),
            )]),
        ),
        RecordInput::One(id, columns) => (
            Some(id),
            BTreeMap::from([
                ("Target".to_owned(), reference(id)),
                (COLUMN_SET.to_owned(), Value::StringArray(columns)),
            ]),
        ),
        RecordInput::Many(query, page_size) => (
            None,
            BTreeMap::from([
                (QUERY.to_owned(), Value::String(query)),
                (
                    PAGE_SIZE.to_owned(),
                    Value::Integer(i32::try_from(page_size).unwrap_or(i32::MAX)),
                ),
            ]),
        ),
    };
    let mut outputs = BTreeMap::new();
    if let (RecordOp::Create, Some(id)) = (op, id) {
        outputs.insert("id".to_owned(), Value::Guid(id));
    }
    MessageRequest {
        message: op.message().to_owned(),
        primary_entity_name: Some(table.logical_name.clone()),
        primary_entity_id: id,
        inputs,
        outputs,
        privilege: Some(table_privilege(op.privilege_verb(), &table.logical_name)),
        depth: nesting.depth,
        correlation_id: nesting.correlation_id,
        parent: nesting.parent,
        main_operation: MainOperation::Platform,
    }
}

/// Runs a record message from outside (its own unit of work) and returns its outputs. The
/// record error, if the operation was refused, comes back with its own kind.
pub async fn record_message(
    engine: &Engine,
    caller: &Caller,
    table: &Table,
    op: RecordOp,
    input: RecordInput,
) -> Result<BTreeMap<String, Value>, RecordMessageError> {
    let server_unit = ServerUnit::for_record_message(engine, op.message(), &table.logical_name);
    // A read no step fires for: all the pipeline would do is check the privilege and read.
    if server_unit.stepless
        && let RecordInput::One(id, columns) = &input
    {
        let privilege = table_privilege(op.privilege_verb(), &table.logical_name);
        if !caller.holds(&privilege) {
            return Err(RecordMessageError::Execute(ExecuteError::Forbidden(
                caller.missing_privilege(&privilege, op.message()),
            )));
        }
        let columns = (!columns.is_empty()).then_some(columns.as_slice());
        return retrieve(&server_unit, table, *id, columns)
            .await
            .map_err(RecordMessageError::from);
    }
    let request = record_request(table, op, input, Nesting::outermost());
    run_record_message(engine, caller, request, &server_unit).await
}

/// What a write by key may do: Dataverse's upsert (`PATCH`), or only one half of it
/// (`If-None-Match: *` creates only, `If-Match: *` updates only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// Update the record, or create it with this id when it does not exist.
    Either,
    /// Create only: an existing record is a duplicate.
    CreateOnly,
    /// Update only: an absent record is not found.
    UpdateOnly,
}

/// Writes a record by key as Dataverse's `PATCH` does: whether the record exists is read
/// through the unit of work the Update would run in, then Update (or Create, for an absent
/// id) runs through the pipeline, which checks that message's privilege after
/// pre-validation. Returns whether the record was created.
pub async fn upsert(
    engine: &Engine,
    caller: &Caller,
    table: &Table,
    id: Uuid,
    fields: Record,
    condition: Upsert,
) -> Result<bool, RecordMessageError> {
    let update =
        ServerUnit::for_record_message(engine, RecordOp::Update.message(), &table.logical_name);
    let exists = reading!(update, |db| records::exists(db, &table.logical_name, id))
        .map_err(RecordMessageError::from)?;
    match (exists, condition) {
        (true, Upsert::CreateOnly) => {
            return Err(RecordMessageError::Refused(
                RecordErrorKind::Duplicate,
                Message::new(switchboard_model::MessageId::ODataDuplicateRecord)
                    .arg("name", id.to_string()),
            ));
        }
        (false, Upsert::UpdateOnly) => {
            return Err(records::not_found(&table.logical_name, id).into());
        }
        _ => {}
    }
    if exists {
        let input = RecordInput::Write(id, fields);
        let request = record_request(table, RecordOp::Update, input, Nesting::outermost());
        run_record_message(engine, caller, request, &update).await?;
        return Ok(false);
    }
    // Kept for the race below: an upsert that loses it updates instead.
    let retry = (condition == Upsert::Either).then(|| fields.clone());
    let created = record_message(
        engine,
        caller,
        table,
        RecordOp::Create,
        RecordInput::Write(id, fields),
    )
    .await;
    match (created, retry) {
        // Another writer created the record after the existence read: an upsert never
        // answers "duplicate"; it updates the record, as if it had come second.
        (Err(RecordMessageError::Refused(RecordErrorKind::Duplicate, _)), Some(fields)) => {
            let input = RecordInput::Write(id, fields);
            let request = record_request(table, RecordOp::Update, input, Nesting::outermost());
            run_record_message(engine, caller, request, &update).await?;
            Ok(false)
        }
        (created, _) => created.map(|_| true),
    }
}

/// How many records of `table` match `filter` (`$count=true`).
pub async fn count_records(
    engine: &Engine,
    table: &Table,
    filter: Option<&switchboard_model::query::Filter>,
) -> Result<u64, RecordMessageError> {
    records::count(engine.store.reader(), table, filter)
        .await
        .map_err(RecordMessageError::from)
}

/// Whether the record a bound call names exists: record tables and the identity tables in
/// the store, definition tables by their rows; a table nothing stores has no records.
pub async fn target_exists(
    engine: &Engine,
    table: &str,
    id: Uuid,
) -> Result<bool, RecordMessageError> {
    let registry = engine.registry.current();
    if registry.records.contains_key(table) || matches!(table, "systemuser" | "businessunit") {
        records::exists(engine.store.reader(), table, id)
            .await
            .map_err(RecordMessageError::from)
    } else if crate::definitions::TABLES
        .iter()
        .any(|d| d.logical_name == table)
    {
        engine
            .store
            .record_exists(table, id)
            .await
            .map_err(|e| RecordMessageError::Failed(e.to_string()))
    } else {
        Ok(false)
    }
}

/// Runs a record message in `server_unit` (its own at depth 1, the caller's when a plug-in
/// issues it).
pub(crate) async fn run_record_message(
    engine: &Engine,
    caller: &Caller,
    request: MessageRequest,
    server_unit: &Arc<ServerUnit>,
) -> Result<BTreeMap<String, Value>, RecordMessageError> {
    let unit: Arc<dyn UnitOfWork> = server_unit.clone();
    let result = Engine::pipeline(engine, server_unit.clone())
        .execute(caller, request, &unit)
        .await;
    result.map_err(|e| {
        let refused = server_unit
            .record_failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        match refused {
            Some(r) => r.into(),
            None => RecordMessageError::Execute(execute_error(e)),
        }
    })
}

/// Why a record message failed: the operation itself was refused, or the pipeline failed.
pub enum RecordMessageError {
    /// The record operation refused (bad value, missing record, duplicate id, …).
    Refused(RecordErrorKind, Message),
    /// The database failed (what for the log).
    Failed(String),
    /// A step failed, the caller lacks the privilege, or the platform failed.
    Execute(ExecuteError),
}

impl From<RecordError> for RecordMessageError {
    fn from(e: RecordError) -> Self {
        match e {
            RecordError::Rejected(kind, message) => Self::Refused(kind, message),
            RecordError::Database(e) => Self::Failed(e.to_string()),
        }
    }
}

/// The pipeline's platform operations: a record message's store call in the execution's
/// unit of work.
pub(crate) struct RecordOperations(pub(crate) Arc<ServerUnit>);

impl PlatformOperation for RecordOperations {
    fn run<'a>(
        &'a self,
        caller: &'a Caller,
        context: &'a ExecutionContext,
        _unit: &'a Arc<dyn UnitOfWork>,
    ) -> BoxFuture<'a, Result<StepChanges, PipelineError>> {
        Box::pin(async move {
            let op = RecordOp::of(&context.message_name);
            let table = context
                .primary_entity_name
                .as_deref()
                .and_then(|t| self.0.registry.records.get(t));
            match (op, table) {
                (Some(op), Some(table)) => {
                    main_operation(&self.0, op, table, caller, context).await
                }
                _ => Err(PipelineError::new(
                    PipelineErrorKind::Internal,
                    Message::internal(format_args!(
                        "{} on {:?} is not a record message",
                        context.message_name, context.primary_entity_name
                    )),
                )),
            }
        })
    }
}

/// The main operation of a record message: the store call, in the execution's unit, with
/// the inputs as the steps before it left them. Writes open the transaction; reads use it
/// when it is open (so they see the request's own writes) and the pool otherwise.
pub(crate) async fn main_operation(
    unit: &ServerUnit,
    op: RecordOp,
    table: &Table,
    caller: &Caller,
    context: &ExecutionContext,
) -> Result<StepChanges, PipelineError> {
    let id = context.primary_entity_id.unwrap_or_default();
    let result = match op {
        RecordOp::Create | RecordOp::Update | RecordOp::Delete => {
            write(unit, op, table, caller, context, id).await
        }
        RecordOp::Retrieve => {
            let columns = match context.inputs.get(COLUMN_SET) {
                Some(Value::StringArray(c)) if !c.is_empty() => Some(c.as_slice()),
                _ => None,
            };
            retrieve(unit, table, id, columns).await
        }
        RecordOp::RetrieveMultiple => retrieve_multiple(unit, table, context).await,
    };
    match result {
        Ok(outputs) => Ok(StepChanges {
            outputs,
            ..StepChanges::default()
        }),
        Err(refused) => Err(refuse(unit, refused)),
    }
}

/// Retrieve: the record with the `columns` asked for (all when `None`), as the
/// `BusinessEntity` output.
async fn retrieve(
    unit: &ServerUnit,
    table: &Table,
    id: Uuid,
    columns: Option<&[String]>,
) -> Result<BTreeMap<String, Value>, RecordError> {
    let read = match unit.registry.records.get(&table.logical_name) {
        Some(table) => unit.unit.read_record(table, id, columns).await,
        None => reading!(unit, |db| records::retrieve(db, table, id, columns)),
    };
    let record = read?.ok_or_else(|| records::not_found(&table.logical_name, id))?;
    let entity = Entity {
        logical_name: Some(table.logical_name.clone()),
        id: Some(id),
        attributes: record,
    };
    Ok(BTreeMap::from([(
        BUSINESS_ENTITY.to_owned(),
        Value::Entity(entity),
    )]))
}

/// Create, Update or Delete in the execution's transaction.
async fn write(
    unit: &ServerUnit,
    op: RecordOp,
    table: &Table,
    caller: &Caller,
    context: &ExecutionContext,
    id: Uuid,
) -> Result<BTreeMap<String, Value>, RecordError> {
    let mut fields = match context.inputs.get("Target") {
        Some(Value::Entity(e)) => e.attributes.clone(),
        _ => BTreeMap::new(),
    };
    if op == RecordOp::Create {
        fields.insert(table.primary_id.clone(), Value::Guid(id));
    }
    // The only write of an execution no step extends, when it is one statement: no
    // transaction around it (a Create goes with the other such Creates of the table).
    let alone = unit.stepless && !records::write_reads_lookups(table, &fields);
    if alone
        && op == RecordOp::Create
        && let Some(shared) = unit.registry.records.get(&table.logical_name)
    {
        let row = records::NewRow::prepare(table, fields.clone(), Some(caller.user_id))?;
        if let Some(done) = unit.unit.insert_alone(shared, row).await {
            return done.map(|()| BTreeMap::new());
        }
    }
    let single = if alone {
        unit.unit.single_statement().await
    } else {
        None
    };
    let written = match single {
        Some(db) => write_record(db, op, table, caller, id, fields).await?,
        None => {
            let guard = unit.unit.write().await?;
            let txn = guard.as_ref().expect("write() opened the transaction");
            write_record(txn, op, table, caller, id, fields).await?
        }
    };
    if written {
        Ok(BTreeMap::new())
    } else {
        Err(records::not_found(&table.logical_name, id))
    }
}

/// The store call of a Create, Update or Delete; `false` when the record is not there.
async fn write_record<C: switchboard_store::ConnectionTrait>(
    db: &C,
    op: RecordOp,
    table: &Table,
    caller: &Caller,
    id: Uuid,
    fields: Record,
) -> Result<bool, RecordError> {
    match op {
        RecordOp::Create => records::create(db, table, fields, Some(caller.user_id))
            .await
            .map(|_| true),
        RecordOp::Update => records::update(db, table, id, fields, Some(caller.user_id)).await,
        _ => records::delete(db, table, id).await,
    }
}

/// RetrieveMultiple: the query options as the steps before it left them, one page.
async fn retrieve_multiple(
    unit: &ServerUnit,
    table: &Table,
    context: &ExecutionContext,
) -> Result<BTreeMap<String, Value>, RecordError> {
    let text = match context.inputs.get(QUERY) {
        Some(Value::String(q)) => q.as_str(),
        _ => "",
    };
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(text.trim_start_matches('?').as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let mut query = switchboard_odata::query::record_query(&pairs).map_err(|e| {
        RecordError::Rejected(
            switchboard_store::RecordErrorKind::BadQuery,
            e.into_odata_error().message,
        )
    })?;
    let page_size = match context.inputs.get(PAGE_SIZE) {
        Some(Value::Integer(n)) if *n > 0 => *n as u64,
        _ => MAX_PAGE_SIZE,
    };
    query.page_size = Some(page_size.min(MAX_PAGE_SIZE));
    let page = reading!(unit, |db| records::retrieve_multiple(db, table, &query))?;
    let key = &table.primary_id;
    let entities = page
        .records
        .into_iter()
        .map(|r| Entity {
            logical_name: Some(table.logical_name.clone()),
            id: match r.get(key) {
                Some(Value::Guid(id)) => Some(*id),
                _ => None,
            },
            attributes: r,
        })
        .collect();
    Ok(BTreeMap::from([
        (
            BUSINESS_ENTITY_COLLECTION.to_owned(),
            Value::EntityCollection(entities),
        ),
        (MORE_RECORDS.to_owned(), Value::Boolean(page.more)),
    ]))
}

/// Keeps the refusal for the caller (who answers with the record error's own status) and
/// fails the execution with its message.
fn refuse(unit: &ServerUnit, refused: RecordError) -> PipelineError {
    let message: Message = match &refused {
        RecordError::Rejected(_, m) => m.clone(),
        RecordError::Database(e) => return database(DbErr::Custom(e.to_string())),
    };
    *unit
        .record_failure
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(refused);
    PipelineError::new(PipelineErrorKind::Business, message)
}
