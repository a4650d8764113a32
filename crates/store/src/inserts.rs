//! Creates that are a statement of their own (no transaction around them), gathered
//! ([`crate::gather`]): records of one table with the same columns that arrive while an
//! insert is under way go in together as one multi-row `INSERT`, one trip to SQLite's single
//! writer. All of a batch or none of it is written; when it fails, each record is inserted
//! alone so each caller gets its own answer (a taken id refuses only that record).

use std::sync::Arc;

use switchboard_model::Table;

use crate::Store;
use crate::gather::{Batch, Gather};
use crate::records::{self, NewRow, RecordError};

type Answer = Result<(), RecordError>;

/// Inserts that can share a statement: the table and its columns, in order.
type Key = (String, Vec<String>);

/// The gathered inserts of one store.
pub(crate) type Inserts = Arc<Gather<Key, NewRow, Answer>>;

impl Store {
    /// Inserts `row` into `table` as a statement of its own (committed when this returns),
    /// together with the other inserts of the table under way.
    pub async fn insert_record(&self, table: &Arc<Table>, row: NewRow) -> Result<(), RecordError> {
        let key: Key = (table.logical_name.clone(), row.column_names());
        let (store, table) = (self.clone(), table.clone());
        let run = move |batch: Batch<NewRow, Answer>| {
            let (store, table) = (store.clone(), table.clone());
            async move { store.insert_batch(&table, batch).await }
        };
        self.shared
            .inserts
            .submit(key, row, run)
            .await
            .unwrap_or_else(|| Err(crate::point_reads::lost()))
    }

    async fn insert_batch(&self, table: &Table, batch: Batch<NewRow, Answer>) {
        let rows: Vec<NewRow> = batch.iter().map(|(row, _)| row.clone()).collect();
        let together = records::insert_rows(self.connection(), table, rows).await;
        match together {
            Ok(()) => {
                for (_, tx) in batch {
                    let _ = tx.send(Ok(()));
                }
            }
            Err(e) if batch.len() == 1 => {
                if let Some((_, tx)) = batch.into_iter().next() {
                    let _ = tx.send(Err(e));
                }
            }
            // One record spoiled the statement: each on its own, for its own answer.
            Err(_) => {
                for (row, tx) in batch {
                    let alone = records::insert_rows(self.connection(), table, vec![row]).await;
                    let _ = tx.send(alone);
                }
            }
        }
    }
}
