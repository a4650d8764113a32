//! Durable storage of solutions and custom API definitions through sea-orm, on SQLite
//! (a file, the default) or PostgreSQL.

pub use jobs::background;
pub mod changes;
pub mod definition_tables;
pub mod deliveries;
pub mod entity;
mod gather;
pub mod import;
mod inserts;
mod items;
pub mod jobs;
pub mod log_writer;
pub mod migration;
pub mod organization;
pub mod pipeline_steps;
mod point_reads;
pub mod read;
pub mod records;
pub mod security;
pub mod steps;
pub mod tables;
pub mod tracelog;
pub mod unit;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend};
use sea_orm_migration::MigratorTrait;

pub use definition_tables::{Row, RowPage, Rows};
pub use import::{Conflict, ImportError, ImportReport, ItemKind};
pub use read::{PluginTarget, StoredApi};
pub use records::{Page, Record, RecordError, RecordErrorKind};
pub use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, TransactionTrait};
pub use steps::{StepChange, StepError, StepFailure, StepRule, StepUpdate, StoredStep};
pub use tables::{TableChange, TableError};

/// A PostgreSQL connection idle this long is pinged before it is used again.
const POSTGRES_PING_AFTER_IDLE: Duration = Duration::from_secs(30);

/// How long a SQLite connection waits for another process's write lock before failing.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How the database is opened.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Connections of each PostgreSQL pool: one for writes (and reads inside their
    /// transactions), one for reads outside any transaction.
    pub postgres_pool: u32,
    /// Read-only connections beside the single writer, for a SQLite file.
    pub sqlite_readers: u32,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            postgres_pool: 10,
            sqlite_readers: 4,
        }
    }
}

/// An open, migrated database: a connection pool for writes (SQLite: one connection, its
/// only writer) and one for reads that need no transaction (SQLite: read-only connections,
/// which WAL lets read while the writer writes; PostgreSQL: a pool of the same size), so
/// that readers never wait for a writer.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    reader: DatabaseConnection,
    shared: Arc<Shared>,
}

/// What every clone of one [`Store`] shares: its caches and counters.
#[derive(Debug, Default)]
struct Shared {
    /// The SQLite file, which health checks look for (a deleted file goes on answering
    /// through the open connections while nothing reaches the disk).
    database_file: Option<std::path::PathBuf>,
    /// Statements executed through either pool (see [`Store::statements_executed`]).
    statements: Arc<AtomicU64>,
    /// Principals by token, user id and login name.
    principals: security::PrincipalCache,
    /// A generation per kind of change, and the change stamps last seen in the database.
    changes: changes::Changes,
    /// The organization's settings.
    settings: organization::SettingsCache,
    /// Reads of one record by id, gathered into shared statements.
    point_reads: point_reads::PointReads,
    /// Creates outside a transaction, gathered into shared statements.
    inserts: inserts::Inserts,
}

impl Store {
    /// Connects to `sqlite://path?mode=rwc`, `sqlite::memory:` or `postgres://…` and applies
    /// migrations.
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        Self::connect_with(url, &StoreConfig::default()).await
    }

    /// [`Self::connect`] with pool settings.
    pub async fn connect_with(url: &str, config: &StoreConfig) -> Result<Self, DbErr> {
        let sqlite = url.starts_with("sqlite:");
        let in_memory = sqlite && (url.contains(":memory:") || url.contains("mode=memory"));
        let shared = Arc::new(Shared {
            database_file: sqlite_file(url),
            ..Shared::default()
        });
        let mut options = ConnectOptions::new(url.to_owned());
        options.sqlx_logging(false);
        // sqlx pings a pooled connection on every checkout by default: one more round trip
        // per statement. A SQLite file never drops its connection; a PostgreSQL connection
        // is pinged only when it sat idle long enough for something between to drop it.
        if sqlite {
            options.test_before_acquire(false);
        } else {
            options.test_before_acquire_if_idle_for(POSTGRES_PING_AFTER_IDLE);
        }
        if sqlite {
            // SQLite has one writer at a time: a single writing connection in this process
            // never waits for itself. WAL lets the read-only connections read meanwhile, and
            // commits without an fsync each (synchronous=NORMAL keeps the database
            // consistent; a power cut may lose the last commits, never corrupt).
            options.max_connections(1);
            if !in_memory {
                options.map_sqlx_sqlite_opts(|o| {
                    o.journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                        .busy_timeout(SQLITE_BUSY_TIMEOUT)
                });
            }
        } else {
            options.max_connections(config.postgres_pool.max(1));
        }
        let mut db = Database::connect(options).await?;
        count_statements(&mut db, &shared);
        migration::Migrator::up(&db, None).await?;
        let reader = if sqlite && !in_memory {
            let mut options = ConnectOptions::new(url.to_owned());
            options
                .sqlx_logging(false)
                .test_before_acquire(false)
                .max_connections(config.sqlite_readers.max(1))
                .min_connections(0)
                .map_sqlx_sqlite_opts(|o| o.read_only(true).busy_timeout(SQLITE_BUSY_TIMEOUT));
            let mut reader = Database::connect(options).await?;
            count_statements(&mut reader, &shared);
            reader
        } else if !sqlite {
            // A pool of its own, so that readers never wait for connections that writers
            // hold through their transactions (a transaction stays open while a post-operation
            // step runs, up to its deadline).
            let mut options = ConnectOptions::new(url.to_owned());
            options
                .sqlx_logging(false)
                .test_before_acquire_if_idle_for(POSTGRES_PING_AFTER_IDLE)
                .max_connections(config.postgres_pool.max(1))
                .min_connections(0);
            let mut reader = Database::connect(options).await?;
            count_statements(&mut reader, &shared);
            reader
        } else {
            // An in-memory database exists once per connection: one pool serves both.
            db.clone()
        };
        let store = Self { db, reader, shared };
        store.ensure_built_in_tables().await?;
        store.shared.changes.seed(&store.db).await?;
        Ok(store)
    }

    /// The connection writes go through (and reads inside a transaction).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The connection for reads outside any transaction: never waits for a writer.
    pub fn reader(&self) -> &DatabaseConnection {
        &self.reader
    }

    /// The database's backend.
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// How many statements this store (any clone of it) has sent to the database: lets a
    /// test prove that a call did no database work.
    pub fn statements_executed(&self) -> u64 {
        self.shared.statements.load(Ordering::Relaxed)
    }
}

/// Counts every statement sent through `db` in `shared`.
fn count_statements(db: &mut DatabaseConnection, shared: &Shared) {
    let statements = shared.statements.clone();
    db.set_metric_callback(move |_| {
        statements.fetch_add(1, Ordering::Relaxed);
    });
}

/// The SQLite URL for a database file, created when absent.
pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// The file a `sqlite:` URL names (`sqlite://FILE?…` or `sqlite:FILE`); `None` for other
/// databases and in-memory SQLite.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    if rest.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    Some(std::path::PathBuf::from(
        rest.split('?').next().unwrap_or(rest),
    ))
}

impl Store {
    /// Checks that the database answers and, for a SQLite file, that the file is still there
    /// and can be opened for writing (a deleted or immutable file fails here while queries
    /// through the open connections still seem to work).
    pub async fn ping(&self) -> Result<(), DbErr> {
        if let Some(file) = &self.shared.database_file {
            std::fs::OpenOptions::new()
                .write(true)
                .open(file)
                .map_err(|e| {
                    DbErr::Custom(format!(
                        "the database file {} cannot be written: {e}",
                        file.display()
                    ))
                })?;
        }
        self.reader.ping().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn migrations_seed_the_built_in_messages_once() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let counts = store.row_counts().await.unwrap();
        // The built-in messages of the first migration, and OnBackgroundOperationComplete.
        assert_eq!(
            counts["sdkmessage"],
            switchboard_model::ids::BUILT_IN_MESSAGES.len() as u64 + 1
        );
        assert_eq!(counts["customapi"], 0);
        // Running the migrator again is a no-op.
        migration::Migrator::up(store.connection(), None)
            .await
            .unwrap();
        assert_eq!(store.row_counts().await.unwrap(), counts);
        store.ping().await.unwrap();
    }

    #[test]
    fn sqlite_urls_create_missing_files() {
        assert_eq!(
            sqlite_url(std::path::Path::new("data/x.db")),
            "sqlite://data/x.db?mode=rwc"
        );
    }

    /// On a SQLite file, reads outside a transaction go to read-only connections that WAL
    /// lets read while the writer's transaction is open: a read never waits for a writer
    /// (and sees only what was committed).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_do_not_wait_for_an_open_write_transaction() {
        use sea_orm::{ConnectionTrait, TransactionTrait};
        let dir = std::env::temp_dir().join(format!("sb-wal-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::connect(&sqlite_url(&dir.join("db.sqlite")))
            .await
            .unwrap();
        let mode = store
            .connection()
            .query_one_raw(sea_orm::Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA journal_mode",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(mode.try_get::<String>("", "journal_mode").unwrap(), "wal");
        let writing = store.connection().begin().await.unwrap();
        writing
            .execute_unprepared("INSERT INTO role (roleid, name, businessunitid) VALUES ('00000000-0000-0000-0000-00000000abcd', 'Uncommitted', '00000000-0000-0000-0000-000000000000')")
            .await
            .unwrap();
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            store.definition_page("role", &switchboard_model::query::RecordQuery::default()),
        )
        .await
        .expect("the read waited for the writer")
        .unwrap()
        .unwrap()
        .rows;
        assert!(
            read.iter().all(|r| r["name"] != "Uncommitted"),
            "uncommitted rows are not read"
        );
        writing.rollback().await.unwrap();
        std::fs::remove_dir_all(&dir).ok();
    }
}
