//! Reads of one record by id outside a transaction, gathered ([`crate::gather`]): reads of
//! one table and column set that arrive while one is under way go together as one
//! `SELECT … WHERE key IN (…)`. Every read still sees what was committed before it was
//! asked for.

use std::collections::HashMap;
use std::sync::Arc;

use switchboard_model::Table;
use uuid::Uuid;

use crate::Store;
use crate::gather::{Batch, Gather};
use crate::records::{self, Record, RecordError};

type Answer = Result<Option<Record>, RecordError>;

/// Reads that can share a statement: the table and the columns read.
type Key = (String, Option<Vec<String>>);

/// The gathered reads of one store.
pub(crate) type PointReads = Arc<Gather<Key, Uuid, Answer>>;

impl Store {
    /// One record by id with the `select`ed columns (all when `None`), read outside any
    /// transaction, together with the other reads of the table under way.
    pub async fn read_record(
        &self,
        table: &Arc<Table>,
        id: Uuid,
        select: Option<&[String]>,
    ) -> Result<Option<Record>, RecordError> {
        let key: Key = (table.logical_name.clone(), select.map(<[String]>::to_vec));
        let (store, table, columns) = (self.clone(), table.clone(), key.1.clone());
        let run = move |batch: Batch<Uuid, Answer>| {
            let (store, table, columns) = (store.clone(), table.clone(), columns.clone());
            async move { store.read_batch(&table, columns.as_deref(), batch).await }
        };
        self.shared
            .point_reads
            .submit(key, id, run)
            .await
            .unwrap_or_else(|| Err(lost()))
    }

    async fn read_batch(
        &self,
        table: &Table,
        select: Option<&[String]>,
        batch: Batch<Uuid, Answer>,
    ) {
        let ids: Vec<Uuid> = batch.iter().map(|(id, _)| *id).collect();
        match records::retrieve_many(self.reader(), table, &ids, select).await {
            Ok(found) => {
                let found: HashMap<Uuid, Record> = found.into_iter().collect();
                for (id, tx) in batch {
                    let _ = tx.send(Ok(found.get(&id).cloned()));
                }
            }
            Err(e) => {
                for (_, tx) in batch {
                    let _ = tx.send(Err(e.duplicate()));
                }
            }
        }
    }
}

/// The error of a request whose statement's task ended without answering it.
pub(crate) fn lost() -> RecordError {
    RecordError::Database(crate::DbErr::Custom(
        "the statement serving this request ended without an answer".into(),
    ))
}
