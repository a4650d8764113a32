//! The definition and system tables (`customapi`, `plugintype`, `asyncoperation`, …) as the
//! Web API reads them: `$filter`, `$orderby`, `$select` and a page become one SQL statement
//! with bound values, and each row comes back as JSON with Dataverse's names.
//!
//! A table is described once from its sea-orm entity ([`describe`]: columns and their types)
//! plus how the Web API shows it ([`Shape`]: lookups as `_x_value`, epoch-millisecond times
//! as ISO 8601, a hidden column, an alias). Nothing here reads a whole table: system jobs,
//! trace rows and outbound deliveries grow without bound.

use std::collections::HashMap;
use std::sync::OnceLock;

use sea_orm::sea_query::{
    Alias, Condition, Expr, ExprTrait, Order, Query, SelectStatement, Value as SqlValue,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, IdenStatic, Iterable,
    PrimaryKeyToColumn, QueryResult,
};
use serde_json::{Map, Value as Json};
use switchboard_model::query::{Comparison, Filter, Literal, OrderBy, RecordQuery, TextMatch};
use switchboard_model::value::{NUL_REFUSED, has_nul};
use switchboard_model::{Message, MessageId, RecordErrorKind};
use uuid::Uuid;

use crate::Store;
use crate::entity::{
    asyncoperation, backgroundoperation, businessunit, customapi, customapirequestparameter,
    customapiresponseproperty, organization, outbounddelivery, pluginassembly, plugintracelog,
    plugintype, role, sdkmessage, sdkmessageprocessingstep, sdkmessageprocessingstepimage,
    systemuser,
};
use crate::records::{RecordError, Window, bad_query, escape_like, like};

/// One row as the Web API shows it: Dataverse's column names, lookups as `_x_value`.
pub type Row = Map<String, Json>;

/// Rows of a definition table.
pub type Rows = Vec<Row>;

/// One page of a definition table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowPage {
    /// The rows, in order.
    pub rows: Rows,
    /// Rows remain after this page (within `$top`).
    pub more: bool,
}

type Result<T> = std::result::Result<T, RecordError>;

/// How the Web API shows a table's columns, beyond their names.
struct Shape {
    /// Lookups: shown (and queried) only as `_x_value`.
    lookups: &'static [&'static str],
    /// Epoch milliseconds shown as ISO 8601 date-times (to the second).
    iso_times: &'static [&'static str],
    /// Epoch milliseconds shown as numbers, also compared with date-time literals.
    ms_times: &'static [&'static str],
    /// Never shown (an assembly's bytes).
    hidden: &'static [&'static str],
    /// Further names for a column: (shown name, column).
    aliases: &'static [(&'static str, &'static str)],
}

const PLAIN: Shape = Shape {
    lookups: &[],
    iso_times: &[],
    ms_times: &[],
    hidden: &[],
    aliases: &[],
};

/// What a column holds, from its sea-orm definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Guid,
    Int,
    BigInt,
    Float,
    Bool,
    Text,
    Other,
}

/// How a column is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Plain,
    Lookup,
    IsoTime,
    MsTime,
    Hidden,
}

#[derive(Debug)]
struct ColumnInfo {
    name: &'static str,
    kind: Kind,
    shown: Shown,
}

/// A table as this module reads it.
struct Described {
    logical: &'static str,
    table: &'static str,
    key: &'static str,
    columns: Vec<ColumnInfo>,
    aliases: &'static [(&'static str, &'static str)],
}

/// Describes entity `E` as the Web API shows it (its columns' types come from the entity,
/// so a column added to the entity is served without a change here).
fn describe<E: EntityTrait>(logical: &'static str, shape: &Shape) -> Described {
    use sea_orm::sea_query::ColumnType as T;
    let columns = E::Column::iter()
        .map(|c| {
            let name = c.as_str();
            let kind = match c.def().get_column_type() {
                T::Uuid => Kind::Guid,
                T::Integer => Kind::Int,
                T::BigInteger => Kind::BigInt,
                T::Double => Kind::Float,
                T::Boolean => Kind::Bool,
                T::String(_) | T::Text => Kind::Text,
                _ => Kind::Other,
            };
            let shown = if shape.lookups.contains(&name) {
                Shown::Lookup
            } else if shape.iso_times.contains(&name) {
                Shown::IsoTime
            } else if shape.ms_times.contains(&name) {
                Shown::MsTime
            } else if shape.hidden.contains(&name) {
                Shown::Hidden
            } else {
                Shown::Plain
            };
            ColumnInfo { name, kind, shown }
        })
        .collect();
    let key = E::PrimaryKey::iter()
        .next()
        .map(|k| k.into_column().as_str())
        .unwrap_or_default();
    Described {
        logical,
        table: E::default().table_name(),
        key,
        columns,
        aliases: shape.aliases,
    }
}

/// Every definition and system table the Web API reads, by logical name.
fn described(logical: &str) -> Option<&'static Described> {
    static ALL: OnceLock<HashMap<&'static str, Described>> = OnceLock::new();
    ALL.get_or_init(|| {
        let api_item = Shape {
            lookups: &["customapiid"],
            ..PLAIN
        };
        let business_unit = Shape {
            lookups: &["businessunitid"],
            ..PLAIN
        };
        [
            describe::<customapi::Entity>(
                "customapi",
                &Shape {
                    lookups: &["plugintypeid", "sdkmessageid"],
                    ..PLAIN
                },
            ),
            describe::<customapirequestparameter::Entity>("customapirequestparameter", &api_item),
            describe::<customapiresponseproperty::Entity>("customapiresponseproperty", &api_item),
            describe::<pluginassembly::Entity>(
                "pluginassembly",
                &Shape {
                    hidden: &["content"],
                    ..PLAIN
                },
            ),
            describe::<plugintype::Entity>(
                "plugintype",
                &Shape {
                    lookups: &["pluginassemblyid"],
                    // Dataverse's plug-in type has both; `name` is the type name here.
                    aliases: &[("name", "typename")],
                    ..PLAIN
                },
            ),
            describe::<sdkmessage::Entity>("sdkmessage", &api_item),
            describe::<sdkmessageprocessingstep::Entity>(
                "sdkmessageprocessingstep",
                &Shape {
                    lookups: &[
                        "sdkmessageid",
                        "plugintypeid",
                        "sdkmessageprocessingstepsecureconfigid",
                    ],
                    ..PLAIN
                },
            ),
            describe::<sdkmessageprocessingstepimage::Entity>(
                "sdkmessageprocessingstepimage",
                &Shape {
                    lookups: &["sdkmessageprocessingstepid"],
                    ..PLAIN
                },
            ),
            describe::<systemuser::Entity>("systemuser", &business_unit),
            describe::<role::Entity>("role", &business_unit),
            describe::<businessunit::Entity>("businessunit", &PLAIN),
            describe::<asyncoperation::Entity>(
                "asyncoperation",
                &Shape {
                    lookups: &["owningextensionid", "regardingobjectid", "ownerid"],
                    iso_times: &[
                        "createdon",
                        "modifiedon",
                        "startedon",
                        "completedon",
                        "postponeuntil",
                        "leaseexpireson",
                    ],
                    ..PLAIN
                },
            ),
            describe::<backgroundoperation::Entity>(
                "backgroundoperation",
                &Shape {
                    lookups: &["asyncoperationid"],
                    iso_times: &["starttime", "endtime", "createdon", "modifiedon"],
                    // A callback URL may carry a secret (a SAS signature): never shown.
                    hidden: &["callbackuri"],
                    ..PLAIN
                },
            ),
            describe::<plugintracelog::Entity>(
                "plugintracelog",
                &Shape {
                    lookups: &["pluginstepid", "createdby"],
                    ms_times: &["performanceexecutionstarttime", "createdon"],
                    ..PLAIN
                },
            ),
            describe::<outbounddelivery::Entity>(
                "outbounddelivery",
                &Shape {
                    lookups: &["regardingobjectid"],
                    iso_times: &["createdon"],
                    ..PLAIN
                },
            ),
            describe::<organization::Entity>(
                "organization",
                &Shape {
                    iso_times: &["modifiedon"],
                    ..PLAIN
                },
            ),
        ]
        .into_iter()
        .map(|d| (d.logical, d))
        .collect()
    })
    .get(logical)
}

fn unknown_property(logical: &str, name: &str) -> RecordError {
    RecordError::Rejected(
        RecordErrorKind::UnknownColumn,
        Message::new(MessageId::ODataUnknownProperty)
            .arg("name", name)
            .arg("type", format!("Microsoft.Dynamics.CRM.{logical}")),
    )
}

/// Epoch milliseconds of a date-time literal.
fn epoch_millis(t: &time::OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos().div_euclid(1_000_000)).unwrap_or(i64::MAX)
}

/// `column op value` where the column holds epoch milliseconds shown to the second: the
/// comparison is the one of the value shown, so a time read from a row finds that row.
fn shown_time(column: &str, op: Comparison, at: i64) -> Expr {
    let col = || Expr::col(Alias::new(column));
    let floor = at.div_euclid(1000).saturating_mul(1000);
    let ceil = if floor == at {
        at
    } else {
        floor.saturating_add(1000)
    };
    let next = floor.saturating_add(1000);
    match op {
        Comparison::Ge => col().gte(ceil),
        Comparison::Gt => col().gte(next),
        Comparison::Lt => col().lt(ceil),
        Comparison::Le => col().lt(next),
        // No second shown is a time with a fraction of a second.
        Comparison::Eq if floor != at => Expr::val(1).eq(0),
        Comparison::Eq => Condition::all()
            .add(col().gte(at))
            .add(col().lt(next))
            .into(),
        Comparison::Ne if floor != at => col().is_not_null(),
        Comparison::Ne => Condition::any()
            .add(col().lt(at))
            .add(col().gte(next))
            .into(),
    }
}

impl Described {
    fn by_column(&self, name: &str) -> Option<&ColumnInfo> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column a Web API name reads: the column's own name, `_x_value` for a lookup, or
    /// an alias; `None` for any other name (hidden columns included).
    fn column(&self, name: &str) -> Option<&ColumnInfo> {
        if let Some((_, column)) = self.aliases.iter().find(|(alias, _)| *alias == name) {
            return self.by_column(column);
        }
        if let Some(inner) = name
            .strip_prefix('_')
            .and_then(|n| n.strip_suffix("_value"))
        {
            return self.by_column(inner).filter(|c| c.shown == Shown::Lookup);
        }
        self.by_column(name)
            .filter(|c| !matches!(c.shown, Shown::Lookup | Shown::Hidden))
    }

    fn column_for(&self, name: &str) -> Result<&ColumnInfo> {
        self.column(name)
            .ok_or_else(|| unknown_property(self.logical, name))
    }

    /// The name a column is shown under.
    fn shown_name(c: &ColumnInfo) -> String {
        if c.shown == Shown::Lookup {
            format!("_{}_value", c.name)
        } else {
            c.name.to_owned()
        }
    }

    /// What a row shows, in order: (name, column); every column but hidden ones and the
    /// aliases, or the key and the selected names.
    fn outputs(&self, select: Option<&[String]>) -> Result<Vec<(String, &ColumnInfo)>> {
        let mut out: Vec<(String, &ColumnInfo)> = Vec::new();
        match select {
            None => {
                for c in self.columns.iter().filter(|c| c.shown != Shown::Hidden) {
                    out.push((Self::shown_name(c), c));
                }
                for (alias, _) in self.aliases {
                    out.push(((*alias).to_owned(), self.column_for(alias)?));
                }
            }
            Some(names) => {
                // The key always comes back, as in Dataverse.
                out.push((self.key.to_owned(), self.column_for(self.key)?));
                for name in names {
                    if !out.iter().any(|(n, _)| n == name) {
                        out.push((name.clone(), self.column_for(name)?));
                    }
                }
            }
        }
        Ok(out)
    }

    /// The value bound for `literal` compared with `c`, or a 400 when they cannot be
    /// compared (`name eq 3`).
    fn bound(&self, c: &ColumnInfo, literal: &Literal) -> Result<SqlValue> {
        let mismatch = || {
            bad_query(format!(
                "{literal:?} cannot be compared with {}",
                Self::shown_name(c)
            ))
        };
        Ok(match (c.kind, literal) {
            (Kind::Guid, Literal::Guid(g)) => SqlValue::from(*g),
            (Kind::Int, Literal::Integer(i)) => {
                SqlValue::from(i32::try_from(*i).map_err(|_| mismatch())?)
            }
            (Kind::BigInt, Literal::Integer(i)) if c.shown != Shown::IsoTime => SqlValue::from(*i),
            (Kind::BigInt, Literal::DateTime(t)) if c.shown == Shown::MsTime => {
                SqlValue::from(epoch_millis(t))
            }
            (Kind::Float, Literal::Integer(i)) => SqlValue::from(*i as f64),
            (Kind::Float, Literal::Number(n)) => {
                SqlValue::from(n.parse::<f64>().map_err(|_| mismatch())?)
            }
            (Kind::Bool, Literal::Boolean(b)) => SqlValue::from(*b),
            (Kind::Text, Literal::String(s)) => {
                if has_nul(s) {
                    return Err(bad_query(NUL_REFUSED));
                }
                SqlValue::from(s.clone())
            }
            _ => return Err(mismatch()),
        })
    }

    /// `filter` as SQL over this table's columns, with bound values.
    fn condition(&self, backend: DatabaseBackend, filter: &Filter) -> Result<Expr> {
        Ok(match filter {
            // Conditions (not bare `and`/`not`) so that every group gets its parentheses.
            Filter::And(a, b) => Condition::all()
                .add(self.condition(backend, a)?)
                .add(self.condition(backend, b)?)
                .into(),
            Filter::Or(a, b) => Condition::any()
                .add(self.condition(backend, a)?)
                .add(self.condition(backend, b)?)
                .into(),
            Filter::Not(a) => Condition::all()
                .add(self.condition(backend, a)?)
                .not()
                .into(),
            Filter::Compare { column, op, value } => {
                let c = self.column_for(column)?;
                let col = || Expr::col(Alias::new(c.name));
                if *value == Literal::Null {
                    return match op {
                        Comparison::Eq => Ok(col().is_null()),
                        Comparison::Ne => Ok(col().is_not_null()),
                        _ => Err(bad_query(format!(
                            "null can only be compared with eq or ne ({column})"
                        ))),
                    };
                }
                if let (Shown::IsoTime, Literal::DateTime(t)) = (c.shown, value) {
                    return Ok(shown_time(c.name, *op, epoch_millis(t)));
                }
                // Text equality ignores case, as Dataverse's collation does.
                if let (Kind::Text, Literal::String(s)) = (c.kind, value)
                    && matches!(op, Comparison::Eq | Comparison::Ne)
                {
                    let equal = like(backend, c.name, escape_like(s)?);
                    return Ok(if *op == Comparison::Eq {
                        equal
                    } else {
                        Condition::all().add(equal).not().into()
                    });
                }
                let v = self.bound(c, value)?;
                match op {
                    Comparison::Eq => col().eq(v),
                    Comparison::Ne => col().ne(v),
                    Comparison::Gt => col().gt(v),
                    Comparison::Ge => col().gte(v),
                    Comparison::Lt => col().lt(v),
                    Comparison::Le => col().lte(v),
                }
            }
            Filter::Text {
                function,
                column,
                value,
            } => {
                let c = self.column_for(column)?;
                if c.kind != Kind::Text {
                    return Err(bad_query(format!(
                        "{function:?} needs a text column; {column} is not one"
                    )));
                }
                let text = escape_like(value)?;
                let pattern = match function {
                    TextMatch::Contains => format!("%{text}%"),
                    TextMatch::StartsWith => format!("{text}%"),
                    TextMatch::EndsWith => format!("%{text}"),
                };
                like(backend, c.name, pattern)
            }
        })
    }

    /// `SELECT` of the columns `outputs` read, filtered and sorted (the key last, so pages
    /// neither repeat nor skip rows).
    fn select(
        &self,
        backend: DatabaseBackend,
        outputs: &[(String, &ColumnInfo)],
        filter: Option<&Filter>,
        order: &[OrderBy],
    ) -> Result<SelectStatement> {
        let mut stmt = Query::select();
        stmt.from(Alias::new(self.table));
        let mut read: Vec<&str> = Vec::new();
        for (_, c) in outputs {
            if !read.contains(&c.name) {
                read.push(c.name);
                stmt.column(Alias::new(c.name));
            }
        }
        if let Some(filter) = filter {
            stmt.and_where(self.condition(backend, filter)?);
        }
        for o in order {
            let c = self.column_for(&o.column)?;
            if c.kind == Kind::Other {
                return Err(unknown_property(self.logical, &o.column));
            }
            let direction = if o.descending {
                Order::Desc
            } else {
                Order::Asc
            };
            stmt.order_by(Alias::new(c.name), direction);
        }
        stmt.order_by(Alias::new(self.key), Order::Asc);
        Ok(stmt)
    }
}

/// One column of a result row as the Web API shows it.
fn shown_value(row: &QueryResult, c: &ColumnInfo) -> std::result::Result<Json, DbErr> {
    let text = |s: String| Json::String(s);
    Ok(match c.kind {
        Kind::Guid => row
            .try_get::<Option<Uuid>>("", c.name)?
            .map_or(Json::Null, |u| text(u.to_string())),
        Kind::Int => row
            .try_get::<Option<i32>>("", c.name)?
            .map_or(Json::Null, Json::from),
        Kind::BigInt => {
            let ms = row.try_get::<Option<i64>>("", c.name)?;
            if c.shown == Shown::IsoTime {
                ms.and_then(crate::jobs::iso8601).map_or(Json::Null, text)
            } else {
                ms.map_or(Json::Null, Json::from)
            }
        }
        Kind::Float => row
            .try_get::<Option<f64>>("", c.name)?
            .map_or(Json::Null, Json::from),
        Kind::Bool => row
            .try_get::<Option<bool>>("", c.name)?
            .map_or(Json::Null, Json::from),
        Kind::Text => row
            .try_get::<Option<String>>("", c.name)?
            .map_or(Json::Null, text),
        Kind::Other => Json::Null,
    })
}

fn shown_row(
    row: &QueryResult,
    outputs: &[(String, &ColumnInfo)],
) -> std::result::Result<Row, DbErr> {
    let mut out = Row::new();
    for (name, c) in outputs {
        out.insert(name.clone(), shown_value(row, c)?);
    }
    Ok(out)
}

/// Most ids bound in one `IN (…)` (SQLite allows 32,766 variables, PostgreSQL 65,535).
const IDS_PER_STATEMENT: usize = 500;

impl Store {
    /// One page of the definition or system table `table` (`customapi`, `asyncoperation`,
    /// …): `query`'s filter, order, `$select`, `$top`, `skip` and page size in one
    /// statement. `None` when `table` is not one of them; an unknown column or a value that
    /// cannot be compared with its column is refused.
    pub async fn definition_page(
        &self,
        table: &str,
        query: &RecordQuery,
    ) -> Result<Option<RowPage>> {
        let Some(d) = described(table) else {
            return Ok(None);
        };
        let db = self.reader();
        let outputs = d.outputs(query.select.as_deref())?;
        let mut stmt = d.select(
            db.get_database_backend(),
            &outputs,
            query.filter.as_ref(),
            &query.order_by,
        )?;
        let window = Window::of(query);
        window.apply(&mut stmt);
        let mut rows = Vec::new();
        for row in db.query_all(&stmt).await? {
            rows.push(shown_row(&row, &outputs)?);
        }
        let more = window.trim(&mut rows);
        Ok(Some(RowPage { rows, more }))
    }

    /// How many rows of `table` match `filter` (`$count`); `None` when `table` is not a
    /// definition or system table.
    pub async fn count_definitions(
        &self,
        table: &str,
        filter: Option<&Filter>,
    ) -> Result<Option<u64>> {
        let Some(d) = described(table) else {
            return Ok(None);
        };
        let db = self.reader();
        let mut stmt = Query::select();
        stmt.expr_as(Expr::col(Alias::new(d.key)).count(), Alias::new("n"))
            .from(Alias::new(d.table));
        if let Some(filter) = filter {
            stmt.and_where(d.condition(db.get_database_backend(), filter)?);
        }
        let n = match db.query_one(&stmt).await? {
            Some(row) => row.try_get::<i64>("", "n")?,
            None => 0,
        };
        Ok(Some(u64::try_from(n).unwrap_or(0)))
    }

    /// Every row of `table` whose `column` (a Web API name: `_customapiid_value`) is one of
    /// `ids`, whole, in key order: a page's children (`$expand`), never more than they are.
    pub async fn definition_rows_of(
        &self,
        table: &str,
        column: &str,
        ids: &[Uuid],
    ) -> Result<Option<Rows>> {
        let Some(d) = described(table) else {
            return Ok(None);
        };
        let parent = d.column_for(column)?;
        let db = self.reader();
        let outputs = d.outputs(None)?;
        let mut rows = Vec::new();
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let mut stmt = d.select(db.get_database_backend(), &outputs, None, &[])?;
            stmt.and_where(Expr::col(Alias::new(parent.name)).is_in(chunk.iter().copied()));
            for row in db.query_all(&stmt).await? {
                rows.push(shown_row(&row, &outputs)?);
            }
        }
        Ok(Some(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_model::query::Filter;

    fn rejected(e: RecordError) -> (RecordErrorKind, Message) {
        match e {
            RecordError::Rejected(kind, m) => (kind, m),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn every_table_has_a_key_and_lookups_that_exist() {
        for table in [
            "customapi",
            "customapirequestparameter",
            "customapiresponseproperty",
            "pluginassembly",
            "plugintype",
            "sdkmessage",
            "sdkmessageprocessingstep",
            "sdkmessageprocessingstepimage",
            "systemuser",
            "role",
            "businessunit",
            "asyncoperation",
            "plugintracelog",
            "outbounddelivery",
            "organization",
        ] {
            let d = described(table).unwrap();
            assert_eq!(d.key, format!("{table}id"));
            assert!(d.column(d.key).is_some(), "{table}");
            assert!(
                d.columns
                    .iter()
                    .all(|c| c.kind != Kind::Other || c.shown == Shown::Hidden),
                "{table}: every shown column has a known type"
            );
        }
        let jobs = described("asyncoperation").unwrap();
        assert!(jobs.column("_owningextensionid_value").is_some());
        assert!(
            jobs.column("owningextensionid").is_none(),
            "lookups only as _x_value"
        );
        assert!(jobs.column("_name_value").is_none());
        let types = described("plugintype").unwrap();
        assert_eq!(types.column("name").unwrap().name, "typename");
        let assemblies = described("pluginassembly").unwrap();
        assert!(assemblies.column("content").is_none(), "never shown");
        let items = described("customapirequestparameter").unwrap();
        assert_eq!(items.column("type").unwrap().kind, Kind::Int);
    }

    #[tokio::test]
    async fn unknown_columns_and_mismatched_values_are_refused() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let query = |filter: &str| RecordQuery {
            filter: Some(switchboard_model::query::Filter::Compare {
                column: filter.into(),
                op: Comparison::Eq,
                value: Literal::Integer(3),
            }),
            ..RecordQuery::default()
        };
        let e = store
            .definition_page("role", &query("nope"))
            .await
            .unwrap_err();
        assert_eq!(rejected(e).0, RecordErrorKind::UnknownColumn);
        let e = store
            .definition_page("role", &query("name"))
            .await
            .unwrap_err();
        assert_eq!(rejected(e).0, RecordErrorKind::BadQuery);
        let e = store
            .definition_page("asyncoperation", &query("createdon"))
            .await
            .unwrap_err();
        assert_eq!(
            rejected(e).0,
            RecordErrorKind::BadQuery,
            "a time shown as a date-time compares with date-times"
        );
        assert!(
            store
                .definition_page("account", &RecordQuery::default())
                .await
                .unwrap()
                .is_none()
        );
        let text = Filter::Text {
            function: TextMatch::Contains,
            column: "_businessunitid_value".into(),
            value: "x".into(),
        };
        let e = store
            .definition_page(
                "role",
                &RecordQuery {
                    filter: Some(text),
                    ..RecordQuery::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(rejected(e).0, RecordErrorKind::BadQuery);
    }

    #[tokio::test]
    async fn pages_filter_sort_and_select_in_sql() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        for name in ["Gamma", "alpha", "Beta"] {
            store.add_role(name).await.unwrap();
        }
        let names = |page: &RowPage| -> Vec<String> {
            page.rows
                .iter()
                .map(|r| r["name"].as_str().unwrap().to_owned())
                .collect()
        };
        let sorted = RecordQuery {
            order_by: vec![OrderBy {
                column: "name".into(),
                descending: false,
            }],
            select: Some(vec!["name".into()]),
            page_size: Some(2),
            ..RecordQuery::default()
        };
        let first = store
            .definition_page("role", &sorted)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(names(&first), ["Basic User", "Beta"]);
        assert!(first.more);
        let keys: Vec<&String> = first.rows[0].keys().collect();
        assert_eq!(keys, ["name", "roleid"], "the key and the selected columns");
        let second = store
            .definition_page(
                "role",
                &RecordQuery {
                    skip: 2,
                    ..sorted.clone()
                },
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(names(&second), ["Gamma", "System Administrator"]);
        assert!(second.more);
        let last = store
            .definition_page(
                "role",
                &RecordQuery {
                    skip: 4,
                    ..sorted.clone()
                },
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(names(&last), ["alpha"]);
        assert!(!last.more);
        let topped = store
            .definition_page(
                "role",
                &RecordQuery {
                    top: Some(3),
                    skip: 2,
                    ..sorted.clone()
                },
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(names(&topped), ["Gamma"], "$top bounds the pages");
        assert!(!topped.more);

        let filtered = RecordQuery {
            filter: Some(Filter::or(
                Filter::Compare {
                    column: "name".into(),
                    op: Comparison::Eq,
                    value: Literal::String("ALPHA".into()),
                },
                Filter::Text {
                    function: TextMatch::StartsWith,
                    column: "name".into(),
                    value: "gam".into(),
                },
            )),
            ..sorted.clone()
        };
        let page = store
            .definition_page("role", &filtered)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(names(&page), ["Gamma", "alpha"], "text ignores case");
        assert_eq!(
            store
                .count_definitions("role", filtered.filter.as_ref())
                .await
                .unwrap(),
            Some(2)
        );
    }
}
