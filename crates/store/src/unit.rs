//! The writes of one message execution: a transaction opened at the first write (a
//! read-only call never opens one), shared by the executions nested in it, committed or
//! rolled back once by the outermost; or, for a job, a savepoint opened at the first write in
//! the transaction its worker shares between jobs.

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
    /// The shared transaction the unit's first write joins (a job worker's), if any.
    joins: Option<SharedTransaction>,
}

/// A transaction that units join one after another, each through a savepoint opened at its
/// first write ([`Unit::joining`]): a job worker runs job after job in it and commits them
/// together, and it is opened only when the first of them writes. Nothing holds it while a
/// unit that has not written runs (a plug-in looping before its first write holds no
/// connection): [`Self::commit_unless_joined`] lets the owner commit it meanwhile.
#[derive(Clone)]
pub struct SharedTransaction {
    store: Store,
    slot: Arc<Mutex<SharedSlot>>,
}

/// What [`SharedTransaction::commit_unless_joined`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedCommit {
    /// Committed the open transaction.
    Committed,
    /// A unit's savepoint is open: nothing done.
    Joined,
    /// No transaction was open.
    Nothing,
}

#[derive(Default)]
struct SharedSlot {
    txn: Option<DatabaseTransaction>,
    /// A unit's savepoint is open in `txn`: it cannot be committed now.
    joined: bool,
    opened_at: Option<std::time::Instant>,
}

impl SharedTransaction {
    /// Nothing opened yet.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            slot: Arc::new(Mutex::new(SharedSlot::default())),
        }
    }

    /// How long the transaction has been open (`None`: it is not).
    pub async fn open_for(&self) -> Option<std::time::Duration> {
        self.slot.lock().await.opened_at.map(|t| t.elapsed())
    }

    /// Commits the transaction when one is open and no unit's savepoint is open in it (or
    /// being opened: a unit busy joining it counts as joined, so that an owner that does not
    /// poll that unit meanwhile never waits for it).
    pub async fn commit_unless_joined(&self) -> Result<SharedCommit, DbErr> {
        match self.slot.try_lock() {
            Ok(slot) if !slot.joined => Self::commit_slot(slot).await,
            _ => Ok(SharedCommit::Joined),
        }
    }

    /// Commits the transaction, if one is open; no unit may be joined to it.
    pub async fn commit(&self) -> Result<SharedCommit, DbErr> {
        let slot = self.slot.lock().await;
        debug_assert!(!slot.joined, "a unit's savepoint is still open");
        Self::commit_slot(slot).await
    }

    async fn commit_slot(mut slot: MutexGuard<'_, SharedSlot>) -> Result<SharedCommit, DbErr> {
        match slot.txn.take() {
            Some(txn) => {
                slot.opened_at = None;
                txn.commit().await.map(|()| SharedCommit::Committed)
            }
            None => Ok(SharedCommit::Nothing),
        }
    }
}

/// The slot's transaction, begun now if none is open.
async fn open<'s>(
    store: &Store,
    slot: &'s mut SharedSlot,
) -> Result<&'s DatabaseTransaction, DbErr> {
    if slot.txn.is_none() {
        slot.txn = Some(store.connection().begin().await?);
        slot.opened_at = Some(std::time::Instant::now());
    }
    Ok(slot.txn.as_ref().expect("opened above"))
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
            joins: None,
        }
    }

    /// A unit whose first write opens a savepoint in `shared` (opening `shared` first when
    /// nothing has): its writes commit when the owner of `shared` commits, and its
    /// [`Self::rollback`] discards them alone.
    pub fn joining(shared: SharedTransaction) -> Self {
        Self {
            store: shared.store.clone(),
            txn: Mutex::new(None),
            joins: Some(shared),
        }
    }

    /// The transaction, opened now if this is the first write.
    pub async fn write(&self) -> Result<MutexGuard<'_, Option<DatabaseTransaction>>, DbErr> {
        let mut guard = self.txn.lock().await;
        if guard.is_none() {
            *guard = Some(match &self.joins {
                None => self.store.connection().begin().await?,
                Some(shared) => {
                    let mut slot = shared.slot.lock().await;
                    let savepoint = open(&self.store, &mut slot).await?.begin().await?;
                    slot.joined = true;
                    savepoint
                }
            });
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
        if self.joins.is_some() || self.is_open().await {
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
        (self.joins.is_none() && !self.is_open().await).then(|| self.store.connection())
    }

    /// Commits the writes, if there were any (a joining unit's go into the shared
    /// transaction).
    pub async fn commit(&self) -> Result<(), DbErr> {
        let taken = self.txn.lock().await.take();
        let result = match taken {
            Some(txn) => txn.commit().await,
            None => return Ok(()),
        };
        self.left().await;
        result
    }

    /// Discards the writes, if there were any.
    pub async fn rollback(&self) -> Result<(), DbErr> {
        let taken = self.txn.lock().await.take();
        let result = match taken {
            Some(txn) => txn.rollback().await,
            None => return Ok(()),
        };
        self.left().await;
        result
    }

    /// A joining unit's savepoint is closed: the shared transaction may commit again.
    async fn left(&self) {
        if let Some(shared) = &self.joins {
            shared.slot.lock().await.joined = false;
        }
    }
}
