//! The writes of one message execution: a transaction opened at the first write (a
//! read-only call never opens one), shared by the executions nested in it, committed or
//! rolled back once by the outermost.

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};
use tokio::sync::{Mutex, MutexGuard};

use std::sync::Arc;

use switchboard_model::Table;
use uuid::Uuid;

use crate::Store;
use crate::records::{self, NewRow, Record, RecordError};

/// One execution's lazily opened transaction.
pub struct Unit {
    store: Store,
    txn: Mutex<Option<DatabaseTransaction>>,
}

/// The connection an operation of the unit uses: the open transaction, or (for reads
/// before any write) the pool.
pub enum UnitConnection<'a> {
    /// The execution's transaction.
    Transaction(MutexGuard<'a, Option<DatabaseTransaction>>),
    /// No write yet: the read pool (never waits for a writer).
    Pool(&'a DatabaseConnection),
}

impl UnitConnection<'_> {
    /// The transaction, when one is open.
    pub fn transaction(&self) -> Option<&DatabaseTransaction> {
        match self {
            UnitConnection::Transaction(guard) => guard.as_ref(),
            UnitConnection::Pool(_) => None,
        }
    }

    /// The pool, when no transaction is open.
    pub fn pool(&self) -> Option<&DatabaseConnection> {
        match self {
            UnitConnection::Pool(db) => Some(db),
            UnitConnection::Transaction(_) => None,
        }
    }
}

impl Unit {
    /// A unit over this store; nothing is opened yet.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            txn: Mutex::new(None),
        }
    }

    /// A unit around a transaction someone else opened (a job worker's): its writes join it,
    /// and the owner commits.
    pub fn adopt(store: Store, txn: DatabaseTransaction) -> Self {
        Self {
            store,
            txn: Mutex::new(Some(txn)),
        }
    }

    /// The transaction, opened now if this is the first write.
    pub async fn write(&self) -> Result<MutexGuard<'_, Option<DatabaseTransaction>>, DbErr> {
        let mut guard = self.txn.lock().await;
        if guard.is_none() {
            *guard = Some(self.store.connection().begin().await?);
        }
        Ok(guard)
    }

    /// The connection for a read: the transaction when one is open (so the execution sees
    /// its own writes), the pool otherwise.
    pub async fn read(&self) -> UnitConnection<'_> {
        let guard = self.txn.lock().await;
        if guard.is_some() {
            UnitConnection::Transaction(guard)
        } else {
            UnitConnection::Pool(self.store.reader())
        }
    }

    /// One record by id: inside the transaction when one is open (the execution sees its own
    /// writes), else gathered with the other reads of the table under way
    /// ([`Store::read_record`]).
    pub async fn read_record(
        &self,
        table: &Arc<Table>,
        id: Uuid,
        select: Option<&[String]>,
    ) -> Result<Option<Record>, RecordError> {
        {
            let guard = self.txn.lock().await;
            if let Some(txn) = guard.as_ref() {
                return records::retrieve(txn, table, id, select).await;
            }
        }
        self.store.read_record(table, id, select).await
    }

    /// Inserts the execution's only write as a statement of its own, together with other
    /// such inserts of the table ([`Store::insert_record`]); `None` (nothing done) when a
    /// transaction is open already.
    pub async fn insert_alone(
        &self,
        table: &Arc<Table>,
        row: NewRow,
    ) -> Option<Result<(), RecordError>> {
        if self.is_open().await {
            return None;
        }
        Some(self.store.insert_record(table, row).await)
    }

    /// Whether a write opened the transaction.
    pub async fn is_open(&self) -> bool {
        self.txn.lock().await.is_some()
    }

    /// The connection for the execution's only write when it is one statement: that
    /// statement is its own transaction (no BEGIN, no COMMIT: one round trip instead of
    /// three, and SQLite's single writer is held for one statement). `None` when a
    /// transaction is open already.
    pub async fn single_statement(&self) -> Option<&DatabaseConnection> {
        (!self.is_open().await).then(|| self.store.connection())
    }

    /// Commits the writes, if there were any.
    pub async fn commit(&self) -> Result<(), DbErr> {
        match self.txn.lock().await.take() {
            Some(txn) => txn.commit().await,
            None => Ok(()),
        }
    }

    /// Discards the writes, if there were any.
    pub async fn rollback(&self) -> Result<(), DbErr> {
        match self.txn.lock().await.take() {
            Some(txn) => txn.rollback().await,
            None => Ok(()),
        }
    }

    /// Takes the transaction back out (for an owner that commits it itself).
    pub async fn into_transaction(self) -> Option<DatabaseTransaction> {
        self.txn.into_inner()
    }
}
