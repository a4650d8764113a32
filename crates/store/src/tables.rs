//! Table definitions and their physical record tables: one SQL table per Dataverse table,
//! created or widened (new columns) inside the import's transaction, so a failed import
//! leaves neither a definition nor a half-made table behind.

use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm::sea_query::{Alias, ColumnDef, Table as DdlTable, TableCreateStatement};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, Statement,
};
use sea_orm::{ColumnTrait, DbErr};
use switchboard_model::table::built_in_tables;
use switchboard_model::{Column, ColumnType, Message, MessageId, Table, ids};
use uuid::Uuid;

use crate::Store;
use crate::entity::entitydefinition;
use crate::records::lookup_type_column;

/// What syncing one table definition did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableChange {
    /// The table did not exist and was created.
    Created,
    /// The definition was updated; these columns were added to the physical table.
    Updated(Vec<String>),
}

/// Why a table definition cannot be stored.
#[derive(Debug)]
pub enum TableError {
    /// The new definition is incompatible with the stored one.
    Incompatible(Message),
    /// The database failed.
    Database(DbErr),
}

impl From<DbErr> for TableError {
    fn from(e: DbErr) -> Self {
        TableError::Database(e)
    }
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The SQL column for one Dataverse column. Decimals and money are `numeric(38,10)`
/// (SQLite stores them as REAL: 15 significant digits); date-times are fixed-width UTC text
/// (`2024-01-31T09:30:00Z`) so that text order is time order on both databases.
pub(crate) fn column_def(name: &str, kind: &ColumnType, primary: bool) -> ColumnDef {
    let mut def = ColumnDef::new(Alias::new(name));
    match kind {
        ColumnType::PrimaryKey | ColumnType::UniqueIdentifier | ColumnType::Lookup { .. } => {
            def.uuid()
        }
        ColumnType::String { .. } | ColumnType::Memo { .. } | ColumnType::DateTime => def.text(),
        ColumnType::Integer { .. } | ColumnType::Picklist { .. } => def.integer(),
        ColumnType::BigInt => def.big_integer(),
        ColumnType::Decimal { .. } | ColumnType::Money => def.decimal_len(38, 10),
        ColumnType::Float => def.double(),
        ColumnType::Boolean => def.boolean(),
    };
    if primary {
        def.not_null().primary_key();
    } else {
        def.null();
    }
    def
}

/// The SQL columns of one Dataverse column: polymorphic lookups also remember the table of
/// their value.
fn column_defs(column: &Column, primary: bool) -> Vec<ColumnDef> {
    let mut defs = vec![column_def(
        &column.logical_name,
        &column.column_type,
        primary,
    )];
    if column.lookup_targets().is_some_and(|t| t.len() > 1) {
        let mut kind = ColumnDef::new(Alias::new(lookup_type_column(&column.logical_name)));
        kind.text().null();
        defs.push(kind);
    }
    defs
}

fn create_statement(table: &Table) -> TableCreateStatement {
    let mut stmt = DdlTable::create();
    stmt.table(Alias::new(table.storage_name()));
    for c in &table.columns {
        for def in column_defs(c, c.logical_name == table.primary_id) {
            stmt.col(def);
        }
    }
    stmt.to_owned()
}

/// Creates or widens the physical table for `table` and stores its definition.
pub(crate) async fn sync_table<C: ConnectionTrait>(
    db: &C,
    table: &Table,
    solution_id: Option<Uuid>,
) -> Result<TableChange, TableError> {
    let stored = entitydefinition::Entity::find()
        .filter(entitydefinition::Column::Logicalname.eq(&table.logical_name))
        .one(db)
        .await?;
    let now = now_millis();
    let Some(row) = stored else {
        if let Some(other) = entitydefinition::Entity::find()
            .filter(entitydefinition::Column::Entitysetname.eq(&table.set_name))
            .one(db)
            .await?
        {
            return Err(TableError::Incompatible(
                Message::new(MessageId::ImportTableConflict)
                    .arg("table", &table.logical_name)
                    .arg(
                        "detail",
                        format!(
                            "entity set {} already belongs to {}",
                            table.set_name, other.logicalname
                        ),
                    ),
            ));
        }
        db.execute(&create_statement(table)).await?;
        entitydefinition::Entity::insert(entitydefinition::ActiveModel {
            entitydefinitionid: Set(ids::table_metadata_id(&table.logical_name)),
            logicalname: Set(table.logical_name.clone()),
            entitysetname: Set(table.set_name.clone()),
            solutionid: Set(solution_id),
            definition: Set(to_json(table)),
            createdon: Set(now),
            modifiedon: Set(now),
        })
        .exec_without_returning(db)
        .await?;
        return Ok(TableChange::Created);
    };
    let old: Table = from_json(&row.definition)?;
    let conflict = |detail: String| {
        TableError::Incompatible(
            Message::new(MessageId::ImportTableConflict)
                .arg("table", &table.logical_name)
                .arg("detail", detail),
        )
    };
    if old.primary_id != table.primary_id {
        return Err(conflict(format!(
            "primary key {} cannot become {}",
            old.primary_id, table.primary_id
        )));
    }
    if old.set_name != table.set_name {
        return Err(conflict(format!(
            "entity set {} cannot become {}",
            old.set_name, table.set_name
        )));
    }
    // Columns are only ever added: records keep their data, and a column a newer solution
    // version dropped stays (Dataverse's unmanaged update semantics).
    let mut merged = old.clone();
    let mut added = Vec::new();
    for c in &table.columns {
        match old.column(&c.logical_name) {
            Some(existing) if !existing.column_type.same_storage(&c.column_type) => {
                return Err(conflict(format!(
                    "column {} is {} and cannot become {}",
                    c.logical_name,
                    existing.column_type.attribute_type(),
                    c.column_type.attribute_type()
                )));
            }
            Some(_) => {
                merged.push(c.clone());
            }
            None => {
                // One column per statement: SQLite's ALTER TABLE adds one at a time.
                for def in column_defs(c, false) {
                    let stmt = DdlTable::alter()
                        .table(Alias::new(table.storage_name()))
                        .add_column(def)
                        .to_owned();
                    db.execute(&stmt).await?;
                }
                merged.push(c.clone());
                added.push(c.logical_name.clone());
            }
        }
    }
    merged.display_name = table.display_name.clone();
    merged.display_collection_name = table.display_collection_name.clone();
    merged.description = table.description.clone();
    merged.primary_name = table.primary_name.clone();
    let definition = to_json(&merged);
    if definition != row.definition {
        entitydefinition::Entity::update(entitydefinition::ActiveModel {
            entitydefinitionid: Set(row.entitydefinitionid),
            definition: Set(definition),
            solutionid: Set(solution_id.or(row.solutionid)),
            modifiedon: Set(now),
            ..Default::default()
        })
        .exec(db)
        .await?;
    }
    Ok(TableChange::Updated(added))
}

fn to_json(table: &Table) -> String {
    serde_json::to_string(table).expect("table definitions serialize")
}

fn from_json(text: &str) -> Result<Table, DbErr> {
    serde_json::from_str(text)
        .map_err(|e| DbErr::Custom(format!("stored table definition is unreadable: {e}")))
}

impl Store {
    /// Every stored table definition, by logical name.
    pub async fn tables(&self) -> Result<Vec<Table>, DbErr> {
        entitydefinition::Entity::find()
            .all(self.reader())
            .await?
            .iter()
            .map(|row| from_json(&row.definition))
            .collect()
    }

    /// Creates the built-in record tables (`account`, `contact`, `team`) when missing and adds
    /// columns a newer Switchboard declares for them; runs at every start.
    pub(crate) async fn ensure_built_in_tables(&self) -> Result<(), DbErr> {
        let txn = sea_orm::TransactionTrait::begin(self.connection()).await?;
        for table in built_in_tables() {
            match sync_table(&txn, &table, None).await {
                Ok(_) => {}
                Err(TableError::Database(e)) => return Err(e),
                Err(TableError::Incompatible(m)) => {
                    return Err(DbErr::Custom(format!(
                        "built-in table {}: {m:?}",
                        table.logical_name
                    )));
                }
            }
        }
        txn.commit().await
    }

    /// Rows in a record table (tests and diagnostics).
    pub async fn record_count(&self, table: &Table) -> Result<u64, DbErr> {
        let backend = self.connection().get_database_backend();
        let quoted = match backend {
            DatabaseBackend::MySql => format!("`{}`", table.storage_name()),
            _ => format!("\"{}\"", table.storage_name()),
        };
        // The name comes from a validated logical name, never from request input.
        let row = self
            .connection()
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM {quoted}"),
            ))
            .await?;
        Ok(row
            .and_then(|r| r.try_get::<i64>("", "n").ok())
            .unwrap_or(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store() -> Store {
        Store::connect("sqlite::memory:").await.unwrap()
    }

    #[tokio::test]
    async fn built_in_tables_exist_after_connect() {
        let store = store().await;
        let names: Vec<String> = store
            .tables()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.logical_name)
            .collect();
        for t in ["account", "contact", "team"] {
            assert!(names.contains(&t.to_owned()), "{t} in {names:?}");
        }
        let account = built_in_tables().remove(0);
        assert_eq!(store.record_count(&account).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn sync_creates_then_adds_columns_and_refuses_type_changes() {
        let store = store().await;
        let db = store.connection();
        let mut t = Table::new("sb_thing", "sb_name");
        t.push(Column::new(
            "sb_name",
            ColumnType::String { max_length: 10 },
        ));
        assert_eq!(
            sync_table(db, &t, None).await.unwrap(),
            TableChange::Created
        );
        t.push(Column::new("sb_count", ColumnType::BigInt));
        assert_eq!(
            sync_table(db, &t, None).await.unwrap(),
            TableChange::Updated(vec!["sb_count".into()])
        );
        let stored = store
            .tables()
            .await
            .unwrap()
            .into_iter()
            .find(|x| x.logical_name == "sb_thing")
            .unwrap();
        assert!(stored.column("sb_count").is_some());
        t.push(Column::new("sb_count", ColumnType::Boolean));
        assert!(matches!(
            sync_table(db, &t, None).await,
            Err(TableError::Incompatible(_))
        ));
        let mut clash = Table::new("sb_other", "sb_name");
        clash.set_name = "sb_things".into();
        assert!(matches!(
            sync_table(db, &clash, None).await,
            Err(TableError::Incompatible(_))
        ));
    }
}
