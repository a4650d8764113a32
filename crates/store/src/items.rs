//! A custom API's request parameters and response properties: the two tables have the same
//! columns but `isoptional`, so one set of statements serves both.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use switchboard_model::{ApiItem, ApiItemKind, BASE_LANGUAGE, LocalizedLabel};
use uuid::Uuid;

/// One stored row of either table.
#[derive(Debug, Clone)]
pub(crate) struct ItemRow {
    /// The row's key (`customapirequestparameterid` or `customapiresponsepropertyid`).
    pub id: Uuid,
    /// `customapiid`.
    pub api_id: Uuid,
    pub unique_name: String,
    pub name: String,
    /// The base-language `displayname`.
    pub display_name: Option<String>,
    /// The base-language `description`.
    pub description: Option<String>,
    /// `type`: the option value.
    pub field_type: i32,
    /// `isoptional`; always `false` for a response property.
    pub is_optional: bool,
    pub logical_entity_name: Option<String>,
    pub is_customizable: bool,
}

/// The columns of both tables, in order, but the key (first) and `isoptional` (parameters only).
const SHARED: [&str; 8] = [
    "customapiid",
    "uniquename",
    "name",
    "displayname",
    "description",
    "type",
    "logicalentityname",
    "iscustomizable",
];

fn has_optional(kind: ApiItemKind) -> bool {
    kind == ApiItemKind::RequestParameter
}

/// Every column of `kind`'s table: the key, the shared ones, `isoptional` where it exists.
fn columns(kind: ApiItemKind) -> Vec<&'static str> {
    let mut columns = vec![kind.id_column()];
    columns.extend(SHARED);
    if has_optional(kind) {
        columns.push("isoptional");
    }
    columns
}

fn select(kind: ApiItemKind) -> SelectStatement {
    Query::select()
        .columns(columns(kind).into_iter().map(Alias::new))
        .from(Alias::new(kind.table()))
        .order_by(Alias::new("uniquename"), Order::Asc)
        .to_owned()
}

fn from_row(kind: ApiItemKind, row: &QueryResult) -> Result<ItemRow, DbErr> {
    Ok(ItemRow {
        id: row.try_get("", kind.id_column())?,
        api_id: row.try_get("", "customapiid")?,
        unique_name: row.try_get("", "uniquename")?,
        name: row.try_get("", "name")?,
        display_name: row.try_get("", "displayname")?,
        description: row.try_get("", "description")?,
        field_type: row.try_get("", "type")?,
        is_optional: has_optional(kind) && row.try_get("", "isoptional")?,
        logical_entity_name: row.try_get("", "logicalentityname")?,
        is_customizable: row.try_get("", "iscustomizable")?,
    })
}

/// Every row of `kind`'s table, by unique name.
pub(crate) async fn all(
    db: &impl ConnectionTrait,
    kind: ApiItemKind,
) -> Result<Vec<ItemRow>, DbErr> {
    let rows = db.query_all(&select(kind)).await?;
    rows.iter().map(|row| from_row(kind, row)).collect()
}

/// The rows of one custom API, by unique name.
pub(crate) async fn of_api(
    db: &impl ConnectionTrait,
    kind: ApiItemKind,
    api_id: Uuid,
) -> Result<Vec<ItemRow>, DbErr> {
    let statement = select(kind)
        .and_where(Expr::col(Alias::new("customapiid")).eq(api_id))
        .to_owned();
    let rows = db.query_all(&statement).await?;
    rows.iter().map(|row| from_row(kind, row)).collect()
}

/// Writes one item of custom API `api_id` as row `id`: an update when `exists`, else an insert.
pub(crate) async fn write(
    db: &impl ConnectionTrait,
    kind: ApiItemKind,
    (api_id, id): (Uuid, Uuid),
    item: &ApiItem,
    exists: bool,
) -> Result<(), DbErr> {
    let base = |label: &LocalizedLabel| label.base_text(BASE_LANGUAGE).map(str::to_owned);
    let mut values: Vec<SimpleExpr> = vec![
        id.into(),
        api_id.into(),
        item.unique_name.to_string().into(),
        item.name.clone().into(),
        base(&item.display_name).into(),
        base(&item.description).into(),
        item.field_type.code().into(),
        item.logical_entity_name
            .as_ref()
            .map(|e| e.to_string())
            .into(),
        item.is_customizable.into(),
    ];
    if has_optional(kind) {
        values.push(item.is_optional.into());
    }
    let table = Alias::new(kind.table());
    let columns = columns(kind).into_iter().map(Alias::new);
    if exists {
        let statement = Query::update()
            .table(table)
            .values(columns.zip(values).skip(1))
            .and_where(Expr::col(Alias::new(kind.id_column())).eq(id))
            .to_owned();
        db.execute(&statement).await?;
    } else {
        let statement = Query::insert()
            .into_table(table)
            .columns(columns)
            .values_panic(values)
            .to_owned();
        db.execute(&statement).await?;
    }
    Ok(())
}

/// Deletes rows of `kind`'s table by key.
pub(crate) async fn delete(
    db: &impl ConnectionTrait,
    kind: ApiItemKind,
    ids: &[Uuid],
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let statement = Query::delete()
        .from_table(Alias::new(kind.table()))
        .and_where(Expr::col(Alias::new(kind.id_column())).is_in(ids.iter().copied()))
        .to_owned();
    db.execute(&statement).await?;
    Ok(())
}
