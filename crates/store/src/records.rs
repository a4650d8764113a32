//! Records of the record tables: create, retrieve, query, update and delete with typed values
//! bound as parameters. Filters and sort orders become SQL built by sea-query from validated
//! column names; no request text is ever spliced into SQL.

use std::collections::BTreeMap;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::sea_query::extension::postgres::PgExpr;
use sea_orm::sea_query::{
    Alias, Condition, Expr, ExprTrait, LikeExpr, Order, Query, SelectStatement, Value as SqlValue,
};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, QueryResult};
use switchboard_model::query::{Comparison, Filter, Literal, RecordQuery, TextMatch};
use switchboard_model::value::{NUL_REFUSED, has_nul, utc_seconds};
use switchboard_model::{Column, ColumnType, EntityReference, Message, MessageId, Table, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// Column values of one record by logical name; lookups are [`Value::EntityReference`].
pub type Record = BTreeMap<String, Value>;

pub use switchboard_model::RecordErrorKind;

/// Why a record operation failed.
#[derive(Debug)]
pub enum RecordError {
    /// The request is wrong; the message says how.
    Rejected(RecordErrorKind, Message),
    /// The database failed.
    Database(DbErr),
}

impl RecordError {
    /// The same error, for another request that shared its statement.
    pub fn duplicate(&self) -> Self {
        match self {
            RecordError::Rejected(kind, message) => RecordError::Rejected(*kind, message.clone()),
            RecordError::Database(e) => RecordError::Database(DbErr::Custom(e.to_string())),
        }
    }
}

impl From<DbErr> for RecordError {
    fn from(e: DbErr) -> Self {
        RecordError::Database(e)
    }
}

type Result<T> = std::result::Result<T, RecordError>;

fn rejected(kind: RecordErrorKind, message: Message) -> RecordError {
    RecordError::Rejected(kind, message)
}

fn unknown_column(table: &Table, name: &str) -> RecordError {
    rejected(
        RecordErrorKind::UnknownColumn,
        Message::new(MessageId::ODataUnknownProperty)
            .arg("name", name)
            .arg(
                "type",
                format!("Microsoft.Dynamics.CRM.{}", table.logical_name),
            ),
    )
}

fn invalid(column: &Column, detail: impl Into<String>) -> RecordError {
    rejected(
        RecordErrorKind::InvalidValue,
        Message::new(MessageId::ODataInvalidValue)
            .arg("name", &column.logical_name)
            .arg("expected", column.column_type.attribute_type())
            .arg("detail", detail.into()),
    )
}

pub(crate) fn bad_query(detail: impl Into<String>) -> RecordError {
    rejected(
        RecordErrorKind::BadQuery,
        Message::new(MessageId::ODataBadQueryOption)
            .arg("option", "$filter")
            .arg("detail", detail.into()),
    )
}

/// `{table} With Id = {id} Does Not Exist`, Dataverse's words.
pub fn not_found(table: &str, id: Uuid) -> RecordError {
    rejected(
        RecordErrorKind::NotFound,
        Message::new(MessageId::ODataRecordNotFound)
            .arg("table", table)
            .arg("id", id.to_string()),
    )
}

/// The physical table and key column holding records of `logical_name` (the identity tables
/// serve `systemuser` and `businessunit`).
fn storage_of(logical_name: &str) -> (String, String) {
    match logical_name {
        "systemuser" | "businessunit" => (logical_name.to_owned(), format!("{logical_name}id")),
        other => (format!("{other}base"), format!("{other}id")),
    }
}

/// The companion column that remembers the table of a polymorphic lookup's value.
pub(crate) fn lookup_type_column(column: &str) -> String {
    format!("{column}type")
}

fn is_polymorphic(column: &Column) -> bool {
    column.lookup_targets().is_some_and(|t| t.len() > 1)
}

fn null_of(kind: &ColumnType) -> SqlValue {
    match kind {
        ColumnType::PrimaryKey | ColumnType::UniqueIdentifier | ColumnType::Lookup { .. } => {
            SqlValue::Uuid(None)
        }
        ColumnType::String { .. } | ColumnType::Memo { .. } | ColumnType::DateTime => {
            SqlValue::String(None)
        }
        ColumnType::Integer { .. } | ColumnType::Picklist { .. } => SqlValue::Int(None),
        ColumnType::BigInt => SqlValue::BigInt(None),
        ColumnType::Decimal { .. } | ColumnType::Money => SqlValue::Decimal(None),
        ColumnType::Float => SqlValue::Double(None),
        ColumnType::Boolean => SqlValue::Bool(None),
    }
}

fn decimal_of(value: &Value) -> Option<Decimal> {
    match value {
        Value::Decimal(d) | Value::Money(d) => Some(*d),
        Value::Integer(i) | Value::Picklist(i) => Some(Decimal::from(*i)),
        Value::Float(f) => Decimal::try_from(*f).ok(),
        _ => None,
    }
}

/// The SQL value for `value` in `column`, after Dataverse's checks (length, range, choice,
/// lookup target). The second value is the lookup's table for polymorphic lookups.
fn to_sql(column: &Column, value: &Value) -> Result<(SqlValue, Option<String>)> {
    let kind = &column.column_type;
    if value.is_null() {
        return Ok((null_of(kind), None));
    }
    let mismatch = || {
        invalid(
            column,
            format!("a {} value cannot be stored here", type_name(value)),
        )
    };
    let sql = match kind {
        ColumnType::String { max_length } | ColumnType::Memo { max_length } => match value {
            Value::String(s) => {
                if has_nul(s) {
                    return Err(invalid(column, NUL_REFUSED));
                }
                let length = s.chars().count();
                if length > *max_length as usize {
                    return Err(invalid(
                        column,
                        format!("{length} characters exceed the maximum length of {max_length}"),
                    ));
                }
                SqlValue::from(s.clone())
            }
            _ => return Err(mismatch()),
        },
        ColumnType::Integer { min, max } => match value {
            Value::Integer(i) if (*min..=*max).contains(i) => SqlValue::from(*i),
            Value::Integer(i) => {
                return Err(invalid(
                    column,
                    format!("{i} is outside the range {min} to {max}"),
                ));
            }
            _ => return Err(mismatch()),
        },
        ColumnType::Picklist { options } => match value {
            Value::Picklist(v) | Value::Integer(v) => {
                if !options.iter().any(|o| o.value == *v) {
                    return Err(invalid(column, format!("{v} is not one of the choices")));
                }
                SqlValue::from(*v)
            }
            _ => return Err(mismatch()),
        },
        ColumnType::BigInt => match decimal_of(value).filter(|d| d.fract().is_zero()) {
            Some(d) => SqlValue::from(d.to_i64().ok_or_else(|| invalid(column, "too large"))?),
            None => return Err(mismatch()),
        },
        ColumnType::Decimal { precision } => match value {
            Value::Boolean(_) | Value::String(_) => return Err(mismatch()),
            _ => SqlValue::from(
                decimal_of(value)
                    .ok_or_else(mismatch)?
                    .round_dp_with_strategy(*precision, RoundingStrategy::MidpointAwayFromZero)
                    .normalize(),
            ),
        },
        ColumnType::Money => match value {
            Value::Boolean(_) | Value::String(_) => return Err(mismatch()),
            _ => SqlValue::from(
                decimal_of(value)
                    .ok_or_else(mismatch)?
                    .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
                    .normalize(),
            ),
        },
        ColumnType::Float => match value {
            Value::Float(f) => SqlValue::from(*f),
            Value::Integer(i) => SqlValue::from(f64::from(*i)),
            Value::Decimal(d) | Value::Money(d) => SqlValue::from(d.to_f64().ok_or_else(mismatch)?),
            _ => return Err(mismatch()),
        },
        ColumnType::Boolean => match value {
            Value::Boolean(b) => SqlValue::from(*b),
            _ => return Err(mismatch()),
        },
        ColumnType::DateTime => match value {
            Value::DateTime(dt) => SqlValue::from(utc_seconds(*dt)),
            _ => return Err(mismatch()),
        },
        ColumnType::PrimaryKey | ColumnType::UniqueIdentifier => match value {
            Value::Guid(g) => SqlValue::from(*g),
            _ => return Err(mismatch()),
        },
        ColumnType::Lookup { targets } => {
            let reference = match value {
                Value::EntityReference(r) => r.clone(),
                Value::Guid(id) if targets.len() == 1 => EntityReference {
                    logical_name: targets[0].clone(),
                    id: *id,
                },
                _ => return Err(mismatch()),
            };
            if !<[String]>::contains(targets, &reference.logical_name) {
                return Err(invalid(
                    column,
                    format!(
                        "a {} record cannot be referenced here (allowed: {})",
                        reference.logical_name,
                        targets.join(", ")
                    ),
                ));
            }
            return Ok((SqlValue::from(reference.id), Some(reference.logical_name)));
        }
    };
    Ok((sql, None))
}

fn type_name(value: &Value) -> String {
    value
        .field_type()
        .map_or_else(|| "null".to_owned(), |t| format!("{t:?}"))
}

fn from_sql(row: &QueryResult, column: &Column, table_of: Option<String>) -> Result<Value> {
    let name = column.logical_name.as_str();
    let value = match &column.column_type {
        ColumnType::String { .. } | ColumnType::Memo { .. } => {
            row.try_get::<Option<String>>("", name)?.map(Value::String)
        }
        ColumnType::Integer { .. } => row.try_get::<Option<i32>>("", name)?.map(Value::Integer),
        ColumnType::Picklist { .. } => row.try_get::<Option<i32>>("", name)?.map(Value::Picklist),
        ColumnType::BigInt => row
            .try_get::<Option<i64>>("", name)?
            .map(|i| Value::Decimal(Decimal::from(i))),
        ColumnType::Decimal { .. } => row
            .try_get::<Option<Decimal>>("", name)?
            .map(|d| Value::Decimal(d.normalize())),
        ColumnType::Money => row
            .try_get::<Option<Decimal>>("", name)?
            .map(|d| Value::Money(d.normalize())),
        ColumnType::Float => row.try_get::<Option<f64>>("", name)?.map(Value::Float),
        ColumnType::Boolean => row.try_get::<Option<bool>>("", name)?.map(Value::Boolean),
        ColumnType::DateTime => match row.try_get::<Option<String>>("", name)? {
            Some(text) => Some(Value::DateTime(
                OffsetDateTime::parse(&text, &Rfc3339).map_err(|e| {
                    DbErr::Custom(format!("stored date-time {text:?} in {name}: {e}"))
                })?,
            )),
            None => None,
        },
        ColumnType::PrimaryKey | ColumnType::UniqueIdentifier => {
            row.try_get::<Option<Uuid>>("", name)?.map(Value::Guid)
        }
        ColumnType::Lookup { targets } => row.try_get::<Option<Uuid>>("", name)?.map(|id| {
            Value::EntityReference(EntityReference {
                logical_name: table_of
                    .or_else(|| targets.first().cloned())
                    .unwrap_or_default(),
                id,
            })
        }),
    };
    Ok(value.unwrap_or(Value::Null))
}

/// Resolves a property name as requests write it: the logical name, or `_x_value` for a lookup.
pub fn resolve_column<'t>(table: &'t Table, name: &str) -> Option<&'t Column> {
    if let Some(inner) = name
        .strip_prefix('_')
        .and_then(|n| n.strip_suffix("_value"))
        && let Some(c) = table.column(inner).filter(|c| c.lookup_targets().is_some())
    {
        return Some(c);
    }
    table.column(name)
}

fn column_for<'t>(table: &'t Table, name: &str) -> Result<&'t Column> {
    resolve_column(table, name).ok_or_else(|| unknown_column(table, name))
}

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

/// `text` as a `LIKE` pattern matching itself (text holding U+0000 is refused: see
/// [`NUL_REFUSED`]).
pub(crate) fn escape_like(text: &str) -> Result<String> {
    if has_nul(text) {
        return Err(bad_query(NUL_REFUSED));
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(out)
}

/// A case-insensitive `LIKE` (Dataverse compares text without regard to case): SQLite's
/// `LIKE` already ignores ASCII case; PostgreSQL needs `ILIKE`.
pub(crate) fn like(backend: DatabaseBackend, column: &str, pattern: String) -> Expr {
    match backend {
        // Backslash is PostgreSQL's default LIKE escape (an ESCAPE clause after a bound
        // pattern is a syntax error there); SQLite has no default, so it is named.
        DatabaseBackend::Postgres => col(column).ilike(LikeExpr::new(pattern)),
        _ => col(column).like(LikeExpr::new(pattern).escape('\\')),
    }
}

fn literal_value(column: &Column, literal: &Literal) -> Result<Value> {
    let mismatch = || {
        bad_query(format!(
            "{literal:?} cannot be compared with {} ({})",
            column.logical_name,
            column.column_type.attribute_type()
        ))
    };
    let number = |text: &str| -> Result<Decimal> {
        Decimal::from_str_exact(text)
            .or_else(|_| Decimal::from_scientific(text))
            .map_err(|_| mismatch())
    };
    Ok(match (&column.column_type, literal) {
        (_, Literal::Null) => Value::Null,
        (ColumnType::String { .. } | ColumnType::Memo { .. }, Literal::String(s)) => {
            Value::String(s.clone())
        }
        (ColumnType::Integer { .. }, Literal::Integer(i)) => {
            Value::Integer(i32::try_from(*i).map_err(|_| mismatch())?)
        }
        (ColumnType::Picklist { .. }, Literal::Integer(i)) => {
            Value::Picklist(i32::try_from(*i).map_err(|_| mismatch())?)
        }
        (ColumnType::BigInt, Literal::Integer(i)) => Value::Decimal(Decimal::from(*i)),
        (ColumnType::Decimal { .. } | ColumnType::Money, Literal::Integer(i)) => {
            Value::Decimal(Decimal::from(*i))
        }
        (ColumnType::Decimal { .. } | ColumnType::Money, Literal::Number(n)) => {
            Value::Decimal(number(n)?)
        }
        (ColumnType::Float, Literal::Integer(i)) => Value::Float(*i as f64),
        (ColumnType::Float, Literal::Number(n)) => {
            Value::Float(n.parse::<f64>().map_err(|_| mismatch())?)
        }
        (ColumnType::Boolean, Literal::Boolean(b)) => Value::Boolean(*b),
        (ColumnType::DateTime, Literal::DateTime(dt)) => Value::DateTime(*dt),
        (
            ColumnType::PrimaryKey | ColumnType::UniqueIdentifier | ColumnType::Lookup { .. },
            Literal::Guid(g),
        ) => Value::Guid(*g),
        _ => return Err(mismatch()),
    })
}

/// The comparison value bound in SQL: like [`to_sql`] but without write-only checks (a filter
/// may ask for a value no record could hold).
fn comparable(column: &Column, value: &Value) -> Result<SqlValue> {
    Ok(match (&column.column_type, value) {
        (ColumnType::Lookup { .. }, Value::Guid(g)) => SqlValue::from(*g),
        (ColumnType::Integer { .. } | ColumnType::Picklist { .. }, Value::Integer(i))
        | (ColumnType::Picklist { .. }, Value::Picklist(i)) => SqlValue::from(*i),
        (ColumnType::String { .. } | ColumnType::Memo { .. }, Value::String(s)) => {
            if has_nul(s) {
                return Err(bad_query(NUL_REFUSED));
            }
            SqlValue::from(s.clone())
        }
        (ColumnType::Decimal { .. } | ColumnType::Money, Value::Decimal(d)) => SqlValue::from(*d),
        (ColumnType::BigInt, Value::Decimal(d)) => {
            SqlValue::from(d.to_i64().ok_or_else(|| bad_query("number out of range"))?)
        }
        _ => match to_sql(column, value) {
            Ok((v, _)) => v,
            Err(RecordError::Rejected(_, m)) => {
                return Err(rejected(RecordErrorKind::BadQuery, m));
            }
            Err(e) => return Err(e),
        },
    })
}

fn condition(backend: DatabaseBackend, table: &Table, filter: &Filter) -> Result<Expr> {
    Ok(match filter {
        // Conditions (not bare `and`/`not` on expressions) so that every group gets its
        // parentheses: `NOT x LIKE y` would negate `x` alone.
        Filter::And(a, b) => Condition::all()
            .add(condition(backend, table, a)?)
            .add(condition(backend, table, b)?)
            .into(),
        Filter::Or(a, b) => Condition::any()
            .add(condition(backend, table, a)?)
            .add(condition(backend, table, b)?)
            .into(),
        Filter::Not(a) => Condition::all()
            .add(condition(backend, table, a)?)
            .not()
            .into(),
        Filter::Compare { column, op, value } => {
            let c = column_for(table, column)?;
            let name = c.logical_name.as_str();
            let value = literal_value(c, value)?;
            if value.is_null() {
                return match op {
                    Comparison::Eq => Ok(col(name).is_null()),
                    Comparison::Ne => Ok(col(name).is_not_null()),
                    _ => Err(bad_query(format!(
                        "null can only be compared with eq or ne ({name})"
                    ))),
                };
            }
            if let (ColumnType::String { .. } | ColumnType::Memo { .. }, Value::String(s)) =
                (&c.column_type, &value)
                && matches!(op, Comparison::Eq | Comparison::Ne)
            {
                let equal = like(backend, name, escape_like(s)?);
                return Ok(if *op == Comparison::Eq {
                    equal
                } else {
                    Condition::all().add(equal).not().into()
                });
            }
            let v = comparable(c, &value)?;
            match op {
                Comparison::Eq => col(name).eq(v),
                Comparison::Ne => col(name).ne(v),
                Comparison::Gt => col(name).gt(v),
                Comparison::Ge => col(name).gte(v),
                Comparison::Lt => col(name).lt(v),
                Comparison::Le => col(name).lte(v),
            }
        }
        Filter::Text {
            function,
            column,
            value,
        } => {
            let c = column_for(table, column)?;
            if !matches!(
                c.column_type,
                ColumnType::String { .. } | ColumnType::Memo { .. }
            ) {
                return Err(bad_query(format!(
                    "{function:?} needs a text column; {} is {}",
                    c.logical_name,
                    c.column_type.attribute_type()
                )));
            }
            let text = escape_like(value)?;
            let pattern = match function {
                TextMatch::Contains => format!("%{text}%"),
                TextMatch::StartsWith => format!("{text}%"),
                TextMatch::EndsWith => format!("%{text}"),
            };
            like(backend, &c.logical_name, pattern)
        }
    })
}

fn stored_columns(table: &Table) -> Vec<String> {
    let mut names = Vec::new();
    for c in &table.columns {
        names.push(c.logical_name.clone());
        if is_polymorphic(c) {
            names.push(lookup_type_column(&c.logical_name));
        }
    }
    names
}

fn read_row(table: &Table, row: &QueryResult, wanted: &[&Column]) -> Result<Record> {
    let mut record = Record::new();
    for c in wanted {
        let table_of = if is_polymorphic(c) {
            row.try_get::<Option<String>>("", &lookup_type_column(&c.logical_name))?
        } else {
            None
        };
        record.insert(c.logical_name.clone(), from_sql(row, c, table_of)?);
    }
    let _ = table;
    Ok(record)
}

fn select_columns<'t>(table: &'t Table, select: Option<&[String]>) -> Result<Vec<&'t Column>> {
    let Some(names) = select else {
        return Ok(table.columns.iter().collect());
    };
    let mut out: Vec<&Column> = Vec::new();
    // The key always comes back, as in Dataverse.
    if let Some(key) = table.column(&table.primary_id) {
        out.push(key);
    }
    for n in names {
        let c = column_for(table, n)?;
        if !out.iter().any(|o| o.logical_name == c.logical_name) {
            out.push(c);
        }
    }
    Ok(out)
}

fn base_select(table: &Table) -> SelectStatement {
    let mut stmt = Query::select();
    stmt.from(Alias::new(table.storage_name()));
    for name in stored_columns(table) {
        stmt.column(Alias::new(name));
    }
    stmt.to_owned()
}

/// Whether writing `values` reads other records first (a lookup's target must exist), so
/// the write is more than one statement.
pub fn write_reads_lookups(table: &Table, values: &Record) -> bool {
    values.iter().any(|(name, value)| {
        matches!(value, Value::EntityReference(_))
            && table
                .column(name)
                .and_then(Column::lookup_targets)
                .is_some()
    })
}

/// Checks that every lookup in `values` points at an existing record.
async fn check_lookups<C: ConnectionTrait>(db: &C, table: &Table, values: &Record) -> Result<()> {
    for (name, value) in values {
        let Value::EntityReference(r) = value else {
            continue;
        };
        if table
            .column(name)
            .and_then(Column::lookup_targets)
            .is_none()
        {
            continue;
        }
        if !exists(db, &r.logical_name, r.id).await? {
            return Err(not_found(&r.logical_name, r.id));
        }
    }
    Ok(())
}

fn writable_values(
    table: &Table,
    values: &Record,
    creating: bool,
) -> Result<Vec<(String, SqlValue)>> {
    let mut out = Vec::new();
    for (name, value) in values {
        let c = column_for(table, name)?;
        let allowed = if creating {
            c.valid_for_create
        } else {
            c.valid_for_update
        };
        if !allowed {
            return Err(invalid(
                c,
                if creating {
                    "the column cannot be set when a record is created"
                } else {
                    "the column cannot be changed"
                },
            ));
        }
        let (sql, table_of) = to_sql(c, value)?;
        if is_polymorphic(c) {
            out.push((
                lookup_type_column(&c.logical_name),
                SqlValue::String(table_of),
            ));
        }
        out.push((c.logical_name.clone(), sql));
    }
    Ok(out)
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Creates a record and returns its id (the caller's `primary id` value when given).
pub async fn create<C: ConnectionTrait>(
    db: &C,
    table: &Table,
    values: Record,
    caller: Option<Uuid>,
) -> Result<Uuid> {
    let lookups = write_reads_lookups(table, &values).then(|| values.clone());
    let row = NewRow::prepare(table, values, caller)?;
    if let Some(lookups) = lookups {
        check_lookups(db, table, &lookups).await?;
    }
    let id = row.id;
    insert_rows(db, table, vec![row]).await?;
    Ok(id)
}

/// A record to insert: its id and its stored columns (platform columns included), checked.
#[derive(Debug, Clone)]
pub struct NewRow {
    /// The record's id.
    pub id: Uuid,
    columns: Vec<(String, SqlValue)>,
}

impl NewRow {
    /// Checks `values` against `table` and adds the platform columns (no database work:
    /// lookups are not checked here).
    pub fn prepare(table: &Table, mut values: Record, caller: Option<Uuid>) -> Result<Self> {
        let id = match values.remove(&table.primary_id) {
            Some(Value::Guid(id)) => id,
            Some(Value::Null) | None => Uuid::new_v4(),
            Some(other) => {
                let key = table.column(&table.primary_id).expect("key column");
                return Err(invalid(
                    key,
                    format!("a {} value is not a record id", type_name(&other)),
                ));
            }
        };
        let mut columns = writable_values(table, &values, true)?;
        columns.push((table.primary_id.clone(), SqlValue::from(id)));
        let stamp = SqlValue::from(utc_seconds(now()));
        columns.push(("createdon".into(), stamp.clone()));
        columns.push(("modifiedon".into(), stamp));
        columns.push(("createdby".into(), SqlValue::Uuid(caller)));
        columns.push(("modifiedby".into(), SqlValue::Uuid(caller)));
        Ok(Self { id, columns })
    }

    /// The stored column names, in order (rows with the same ones can share a statement).
    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|(n, _)| n.clone()).collect()
    }
}

/// Inserts rows that have the same columns in one statement (all or none). A taken id is
/// found by the key's constraint in the same statement (no read first); on PostgreSQL that
/// aborts the transaction, as a failed write does in Dataverse.
pub async fn insert_rows<C: ConnectionTrait>(
    db: &C,
    table: &Table,
    rows: Vec<NewRow>,
) -> Result<()> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let only_id = (rows.len() == 1).then_some(first.id);
    let mut stmt = Query::insert();
    stmt.into_table(Alias::new(table.storage_name()))
        .columns(first.columns.iter().map(|(n, _)| Alias::new(n.as_str())));
    for row in rows {
        stmt.values(row.columns.into_iter().map(|(_, v)| Expr::val(v)))
            .map_err(|e| DbErr::Custom(e.to_string()))?;
    }
    match db.execute(&stmt).await {
        Ok(_) => Ok(()),
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            let name = only_id.map_or_else(|| "?".to_owned(), |id| id.to_string());
            Err(rejected(
                RecordErrorKind::Duplicate,
                Message::new(MessageId::ODataDuplicateRecord).arg("name", name),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// One record by id with the `select`ed columns (all when `None`); `None` when absent.
pub async fn retrieve<C: ConnectionTrait>(
    db: &C,
    table: &Table,
    id: Uuid,
    select: Option<&[String]>,
) -> Result<Option<Record>> {
    let wanted = select_columns(table, select)?;
    let stmt = base_select(table)
        .and_where(col(&table.primary_id).eq(id))
        .to_owned();
    match db.query_one(&stmt).await? {
        Some(row) => Ok(Some(read_row(table, &row, &wanted)?)),
        None => Ok(None),
    }
}

/// Records of one table by id, in one statement, with the `select`ed columns (all when
/// `None`): `(id, record)` for each id that exists.
pub async fn retrieve_many<C: ConnectionTrait>(
    db: &C,
    table: &Table,
    ids: &[Uuid],
    select: Option<&[String]>,
) -> Result<Vec<(Uuid, Record)>> {
    let wanted = select_columns(table, select)?;
    let key = table
        .column(&table.primary_id)
        .expect("every table has its key column");
    let stmt = base_select(table)
        .and_where(col(&table.primary_id).is_in(ids.iter().copied()))
        .to_owned();
    let mut found = Vec::with_capacity(ids.len());
    for row in db.query_all(&stmt).await? {
        let id = match from_sql(&row, key, None)? {
            Value::Guid(id) => id,
            _ => continue,
        };
        found.push((id, read_row(table, &row, &wanted)?));
    }
    Ok(found)
}

/// A page of records matching `query`, and whether more follow it.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The records, in order.
    pub records: Vec<Record>,
    /// Records remain after this page (within `$top`).
    pub more: bool,
}

/// Records matching `query`, one page at a time (`skip`/`page_size`), never more than `top`.
pub async fn retrieve_multiple<C: ConnectionTrait>(
    db: &C,
    table: &Table,
    query: &RecordQuery,
) -> Result<Page> {
    let backend = db.get_database_backend();
    let wanted = select_columns(table, query.select.as_deref())?;
    let mut stmt = base_select(table);
    if let Some(filter) = &query.filter {
        stmt.and_where(condition(backend, table, filter)?);
    }
    for o in &query.order_by {
        let c = column_for(table, &o.column)?;
        stmt.order_by(
            Alias::new(c.logical_name.as_str()),
            if o.descending {
                Order::Desc
            } else {
                Order::Asc
            },
        );
    }
    // The key breaks ties so that pages neither repeat nor skip records.
    stmt.order_by(Alias::new(table.primary_id.as_str()), Order::Asc);
    let window = Window::of(query);
    window.apply(&mut stmt);
    let rows = db.query_all(&stmt).await?;
    let mut records = Vec::with_capacity(rows.len());
    for row in &rows {
        records.push(read_row(table, row, &wanted)?);
    }
    let more = window.trim(&mut records);
    Ok(Page { records, more })
}

/// The rows one page of a query reads: `skip` rows passed over, then at most a page (within
/// what `$top` leaves after `skip`) and one more row, which tells whether another page
/// exists. Record tables and the definition tables page alike through it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    skip: u64,
    limit: Option<u64>,
    remaining: Option<u64>,
}

impl Window {
    /// The window of `query`'s `skip`, `page_size` and `top`.
    pub(crate) fn of(query: &RecordQuery) -> Self {
        let remaining = query.top.map(|t| t.saturating_sub(query.skip));
        let limit = match (query.page_size, remaining) {
            (Some(p), Some(r)) => Some(Ord::min(p, r)),
            (p, r) => p.or(r),
        };
        Self {
            skip: query.skip,
            limit,
            remaining,
        }
    }

    /// Adds `LIMIT` (the page and one more row) and `OFFSET` to `stmt`.
    pub(crate) fn apply(&self, stmt: &mut SelectStatement) {
        if let Some(limit) = self.limit {
            stmt.limit(limit.saturating_add(1));
        }
        if self.skip > 0 {
            stmt.offset(self.skip);
        }
    }

    /// Drops the extra row; returns whether rows remain after this page (within `$top`).
    pub(crate) fn trim<T>(&self, rows: &mut Vec<T>) -> bool {
        match self.limit {
            Some(limit) if rows.len() as u64 > limit => {
                rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
                self.remaining.is_none_or(|r| r > limit)
            }
            _ => false,
        }
    }
}

/// How many records match `filter`.
pub async fn count<C: ConnectionTrait>(
    db: &C,
    table: &Table,
    filter: Option<&Filter>,
) -> Result<u64> {
    let backend = db.get_database_backend();
    let mut stmt = Query::select();
    stmt.expr_as(
        Expr::col(Alias::new(table.primary_id.as_str())).count(),
        Alias::new("n"),
    )
    .from(Alias::new(table.storage_name()));
    if let Some(filter) = filter {
        stmt.and_where(condition(backend, table, filter)?);
    }
    let row = db.query_one(&stmt).await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0) as u64)
}

/// Changes columns of a record; `false` when no record has that id.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    table: &Table,
    id: Uuid,
    mut values: Record,
    caller: Option<Uuid>,
) -> Result<bool> {
    // Sending the record's own key back is harmless (clients often do); changing it is not.
    match values.remove(&table.primary_id) {
        Some(Value::Guid(same)) if same == id => {}
        None => {}
        Some(_) => {
            let key = table.column(&table.primary_id).expect("key column");
            return Err(invalid(key, "the column cannot be changed"));
        }
    }
    let mut columns = writable_values(table, &values, false)?;
    check_lookups(db, table, &values).await?;
    columns.push(("modifiedon".into(), SqlValue::from(utc_seconds(now()))));
    columns.push(("modifiedby".into(), SqlValue::Uuid(caller)));
    let stmt = Query::update()
        .table(Alias::new(table.storage_name()))
        .values(
            columns
                .into_iter()
                .map(|(n, v)| (Alias::new(n), Expr::val(v))),
        )
        .and_where(col(&table.primary_id).eq(id))
        .to_owned();
    Ok(db.execute(&stmt).await?.rows_affected() > 0)
}

/// Deletes a record; `false` when no record has that id.
pub async fn delete<C: ConnectionTrait>(db: &C, table: &Table, id: Uuid) -> Result<bool> {
    let stmt = Query::delete()
        .from_table(Alias::new(table.storage_name()))
        .and_where(col(&table.primary_id).eq(id))
        .to_owned();
    Ok(db.execute(&stmt).await?.rows_affected() > 0)
}

/// Whether a record exists in a record table or an identity table (`systemuser`, …).
pub async fn exists<C: ConnectionTrait>(db: &C, logical_name: &str, id: Uuid) -> Result<bool> {
    let (storage, key) = storage_of(logical_name);
    let stmt = Query::select()
        .expr(Expr::val(1))
        .from(Alias::new(storage))
        .and_where(col(&key).eq(id))
        .to_owned();
    Ok(db.query_one(&stmt).await?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use switchboard_model::query::OrderBy;
    use switchboard_model::table::built_in_tables;
    use switchboard_model::{ChoiceOption, LocalizedLabel};

    fn project() -> Table {
        let mut t = Table::new("sb_project", "sb_name");
        t.push(Column::new(
            "sb_name",
            ColumnType::String { max_length: 20 },
        ));
        t.push(Column::new(
            "sb_hours",
            ColumnType::Decimal { precision: 2 },
        ));
        t.push(Column::new("sb_big", ColumnType::BigInt));
        t.push(Column::new("sb_on", ColumnType::DateTime));
        t.push(Column::new("sb_active", ColumnType::Boolean));
        t.push(Column::new(
            "sb_stage",
            ColumnType::Picklist {
                options: vec![ChoiceOption {
                    value: 100_000_000,
                    label: LocalizedLabel::plain("New"),
                }],
            },
        ));
        t.push(Column::new(
            "sb_accountid",
            ColumnType::Lookup {
                targets: vec!["account".into()],
            },
        ));
        t.push(Column::new(
            "sb_customerid",
            ColumnType::Lookup {
                targets: vec!["account".into(), "contact".into()],
            },
        ));
        t
    }

    async fn setup() -> (Store, Table, Table) {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let table = project();
        crate::tables::sync_table(store.connection(), &table, None)
            .await
            .unwrap();
        (store, table, built_in_tables().remove(0))
    }

    fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    fn name_is(name: &str) -> Filter {
        Filter::Compare {
            column: "sb_name".into(),
            op: Comparison::Eq,
            value: Literal::String(name.into()),
        }
    }

    #[tokio::test]
    async fn crud_round_trip_with_every_kind() {
        let (store, table, account) = setup().await;
        let db = store.connection();
        let acct = create(
            db,
            &account,
            Record::from([("name".into(), s("Contoso"))]),
            None,
        )
        .await
        .unwrap();
        let when = time::macros::datetime!(2024-02-03 04:05:06 +02:00);
        let values = Record::from([
            ("sb_name".into(), s("Alpha")),
            ("sb_hours".into(), Value::Decimal(Decimal::new(12345, 3))),
            (
                "sb_big".into(),
                Value::Decimal(Decimal::from(9_000_000_000_i64)),
            ),
            ("sb_on".into(), Value::DateTime(when)),
            ("sb_active".into(), Value::Boolean(true)),
            ("sb_stage".into(), Value::Picklist(100_000_000)),
            (
                "sb_accountid".into(),
                Value::EntityReference(EntityReference {
                    logical_name: "account".into(),
                    id: acct,
                }),
            ),
            (
                "sb_customerid".into(),
                Value::EntityReference(EntityReference {
                    logical_name: "account".into(),
                    id: acct,
                }),
            ),
        ]);
        let caller = Uuid::new_v4();
        let id = create(db, &table, values, Some(caller)).await.unwrap();
        let got = retrieve(db, &table, id, None).await.unwrap().unwrap();
        assert_eq!(got["sb_name"], s("Alpha"));
        // Rounded to the column's precision.
        assert_eq!(got["sb_hours"], Value::Decimal(Decimal::new(1235, 2)));
        assert_eq!(
            got["sb_big"],
            Value::Decimal(Decimal::from(9_000_000_000_i64))
        );
        assert_eq!(got["sb_on"], Value::DateTime(when));
        assert_eq!(got["sb_active"], Value::Boolean(true));
        assert_eq!(got["sb_stage"], Value::Picklist(100_000_000));
        assert_eq!(
            got["sb_customerid"],
            Value::EntityReference(EntityReference {
                logical_name: "account".into(),
                id: acct
            })
        );
        assert_eq!(
            got["createdby"],
            Value::EntityReference(EntityReference {
                logical_name: "systemuser".into(),
                id: caller
            })
        );
        assert!(matches!(got["createdon"], Value::DateTime(_)));

        let selected = retrieve(db, &table, id, Some(&["sb_name".into()]))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            selected.keys().collect::<Vec<_>>(),
            ["sb_name", "sb_projectid"]
        );

        assert!(
            update(
                db,
                &table,
                id,
                Record::from([("sb_name".into(), s("Beta"))]),
                None
            )
            .await
            .unwrap()
        );
        let got = retrieve(db, &table, id, None).await.unwrap().unwrap();
        assert_eq!(got["sb_name"], s("Beta"));
        assert_eq!(got["sb_hours"], Value::Decimal(Decimal::new(1235, 2)));
        assert!(delete(db, &table, id).await.unwrap());
        assert!(!delete(db, &table, id).await.unwrap());
        assert!(retrieve(db, &table, id, None).await.unwrap().is_none());
        assert_eq!(store.record_count(&table).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn bad_values_are_rejected_and_nothing_is_written() {
        let (store, table, _) = setup().await;
        let db = store.connection();
        let cases = [
            (
                "sb_name",
                s("x".repeat(21).as_str()),
                RecordErrorKind::InvalidValue,
            ),
            (
                "sb_stage",
                Value::Picklist(7),
                RecordErrorKind::InvalidValue,
            ),
            ("sb_active", s("yes"), RecordErrorKind::InvalidValue),
            (
                "createdon",
                Value::DateTime(now()),
                RecordErrorKind::InvalidValue,
            ),
            ("sb_nope", s("x"), RecordErrorKind::UnknownColumn),
            (
                "sb_accountid",
                Value::EntityReference(EntityReference {
                    logical_name: "account".into(),
                    id: Uuid::new_v4(),
                }),
                RecordErrorKind::NotFound,
            ),
            (
                "sb_accountid",
                Value::EntityReference(EntityReference {
                    logical_name: "team".into(),
                    id: Uuid::new_v4(),
                }),
                RecordErrorKind::InvalidValue,
            ),
        ];
        for (column, value, kind) in cases {
            let err = create(db, &table, Record::from([(column.into(), value)]), None)
                .await
                .unwrap_err();
            match err {
                RecordError::Rejected(k, _) => assert_eq!(k, kind, "{column}"),
                other => panic!("{column}: {other:?}"),
            }
        }
        assert_eq!(store.record_count(&table).await.unwrap(), 0);
        let id = create(db, &table, Record::new(), None).await.unwrap();
        let dup = create(
            db,
            &table,
            Record::from([("sb_projectid".into(), Value::Guid(id))]),
            None,
        )
        .await
        .unwrap_err();
        assert!(matches!(
            dup,
            RecordError::Rejected(RecordErrorKind::Duplicate, _)
        ));
    }

    #[tokio::test]
    async fn filters_sort_and_pages_run_in_sql() {
        let (store, table, _) = setup().await;
        let db = store.connection();
        for (i, name) in ["Delta", "alpha", "Charlie", "bravo", "Echo_1", "Echo%2"]
            .iter()
            .enumerate()
        {
            create(
                db,
                &table,
                Record::from([
                    ("sb_name".into(), s(name)),
                    ("sb_hours".into(), Value::Decimal(Decimal::from(i as i32))),
                ]),
                None,
            )
            .await
            .unwrap();
        }
        let names = |page: &Page| -> Vec<String> {
            page.records
                .iter()
                .map(|r| match &r["sb_name"] {
                    Value::String(s) => s.clone(),
                    other => panic!("{other:?}"),
                })
                .collect()
        };
        let by_hours = vec![OrderBy {
            column: "sb_hours".into(),
            descending: false,
        }];
        // Case-insensitive equality, like Dataverse.
        let q = RecordQuery {
            filter: Some(name_is("ALPHA")),
            ..Default::default()
        };
        assert_eq!(
            names(&retrieve_multiple(db, &table, &q).await.unwrap()),
            ["alpha"]
        );
        // LIKE wildcards in the searched text are literal.
        let q = RecordQuery {
            filter: Some(Filter::Text {
                function: TextMatch::Contains,
                column: "sb_name".into(),
                value: "o_".into(),
            }),
            ..Default::default()
        };
        assert_eq!(
            names(&retrieve_multiple(db, &table, &q).await.unwrap()),
            ["Echo_1"]
        );
        let q = RecordQuery {
            filter: Some(Filter::or(
                Filter::Compare {
                    column: "sb_hours".into(),
                    op: Comparison::Ge,
                    value: Literal::Number("3.5".into()),
                },
                Filter::negate(Filter::Text {
                    function: TextMatch::StartsWith,
                    column: "sb_name".into(),
                    value: "d".into(),
                }),
            )),
            order_by: vec![OrderBy {
                column: "sb_name".into(),
                descending: true,
            }],
            ..Default::default()
        };
        let got = names(&retrieve_multiple(db, &table, &q).await.unwrap());
        assert_eq!(got.len(), 5, "{got:?}");
        assert!(!got.iter().any(|n| n == "Delta"));
        // Paging: 2 per page, within a top of 5.
        let mut seen = Vec::new();
        let mut skip = 0;
        loop {
            let q = RecordQuery {
                order_by: by_hours.clone(),
                top: Some(5),
                skip,
                page_size: Some(2),
                ..Default::default()
            };
            let page = retrieve_multiple(db, &table, &q).await.unwrap();
            seen.extend(names(&page));
            skip += page.records.len() as u64;
            if !page.more {
                break;
            }
        }
        assert_eq!(seen, ["Delta", "alpha", "Charlie", "bravo", "Echo_1"]);
        let filter = Filter::Compare {
            column: "sb_hours".into(),
            op: Comparison::Lt,
            value: Literal::Integer(2),
        };
        assert_eq!(count(db, &table, Some(&filter)).await.unwrap(), 2);
        assert_eq!(count(db, &table, None).await.unwrap(), 6);
        let null = Filter::Compare {
            column: "_sb_accountid_value".into(),
            op: Comparison::Eq,
            value: Literal::Null,
        };
        assert_eq!(count(db, &table, Some(&null)).await.unwrap(), 6);
        for bad in [
            Filter::Compare {
                column: "sb_name".into(),
                op: Comparison::Eq,
                value: Literal::Integer(1),
            },
            Filter::Compare {
                column: "sb_hours".into(),
                op: Comparison::Gt,
                value: Literal::Null,
            },
            Filter::Text {
                function: TextMatch::Contains,
                column: "sb_hours".into(),
                value: "1".into(),
            },
            name_is("x").clone(),
        ]
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i < 3)
        .map(|(_, f)| f)
        {
            let q = RecordQuery {
                filter: Some(bad.clone()),
                ..Default::default()
            };
            assert!(
                matches!(
                    retrieve_multiple(db, &table, &q).await,
                    Err(RecordError::Rejected(RecordErrorKind::BadQuery, _))
                ),
                "{bad:?}"
            );
        }
        let q = RecordQuery {
            filter: Some(Filter::Compare {
                column: "sb_missing".into(),
                op: Comparison::Eq,
                value: Literal::Integer(1),
            }),
            ..Default::default()
        };
        assert!(matches!(
            retrieve_multiple(db, &table, &q).await,
            Err(RecordError::Rejected(RecordErrorKind::UnknownColumn, _))
        ));
    }

    /// A store over a SQLite file (a writer and read-only connections) with the test table.
    async fn file_store() -> (Store, std::sync::Arc<Table>, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("sb-gather-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::connect(&crate::sqlite_url(&dir.join("db.sqlite")))
            .await
            .unwrap();
        let table = project();
        crate::tables::sync_table(store.connection(), &table, None)
            .await
            .unwrap();
        (store, std::sync::Arc::new(table), dir)
    }

    /// Concurrent reads by id (which share statements: see `gather`'s tests) each get their
    /// own record, or none; of concurrent creates a taken id refuses only its own record.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn gathered_reads_and_creates_answer_each_caller() {
        let (store, table, dir) = file_store().await;
        let ids: Vec<Uuid> = (0..60).map(|_| Uuid::new_v4()).collect();
        let creates: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(n, id)| {
                let (store, table) = (store.clone(), table.clone());
                let values = Record::from([
                    ("sb_projectid".into(), Value::Guid(*id)),
                    ("sb_name".into(), s(&format!("p{n}"))),
                ]);
                tokio::spawn(async move {
                    let row = NewRow::prepare(&table, values, None).unwrap();
                    store.insert_record(&table, row).await
                })
            })
            .collect();
        // One more create of a taken id, at the same time.
        let duplicate = {
            let (store, table) = (store.clone(), table.clone());
            let values = Record::from([
                ("sb_projectid".into(), Value::Guid(ids[7])),
                ("sb_name".into(), s("again")),
            ]);
            tokio::spawn(async move {
                let row = NewRow::prepare(&table, values, None).unwrap();
                store.insert_record(&table, row).await
            })
        };
        for c in creates {
            c.await.unwrap().unwrap_or_else(|e| match e {
                // The duplicate may have won the race for ids[7]: then this one lost.
                RecordError::Rejected(RecordErrorKind::Duplicate, _) => {}
                other => panic!("{other:?}"),
            });
        }
        let _ = duplicate.await.unwrap();
        assert_eq!(
            store.record_count(&table).await.unwrap(),
            60,
            "61 creates, one id taken"
        );

        let missing = Uuid::new_v4();
        let reads: Vec<_> = ids
            .iter()
            .copied()
            .chain([missing])
            .map(|id| {
                let (store, table) = (store.clone(), table.clone());
                tokio::spawn(async move {
                    (
                        id,
                        store
                            .read_record(&table, id, Some(&["sb_name".to_owned()]))
                            .await,
                    )
                })
            })
            .collect();
        for r in reads {
            let (id, record) = r.await.unwrap();
            let record = record.unwrap();
            if id == missing {
                assert!(record.is_none());
                continue;
            }
            let record = record.expect("a created record");
            assert_eq!(record["sb_projectid"], Value::Guid(id));
            let Value::String(name) = &record["sb_name"] else {
                panic!("{record:?}")
            };
            let n = ids.iter().position(|i| *i == id).unwrap();
            assert!(
                *name == format!("p{n}") || (n == 7 && name == "again"),
                "{name}"
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[cfg(test)]
mod send_check {
    use super::*;
    fn is_send<T: Send>(_: &T) {}
    #[allow(dead_code)]
    fn futures_are_send(db: &sea_orm::DatabaseConnection, t: &Table, q: &RecordQuery) {
        is_send(&retrieve_multiple(db, t, q));
        is_send(&create(db, t, Record::new(), None));
        is_send(&retrieve(db, t, Uuid::nil(), None));
        is_send(&update(db, t, Uuid::nil(), Record::new(), None));
        is_send(&count(db, t, None));
        is_send(&exists(db, "x", Uuid::nil()));
        is_send(&delete(db, t, Uuid::nil()));
    }
}
