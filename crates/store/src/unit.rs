//! The writes of one message execution: a transaction opened at the first write (a
//! read-only call never opens one), shared by the executions nested in it, committed or
//! rolled back once by the outermost.

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};
use tokio::sync::{Mutex, MutexGuard};

use crate::Store;

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
