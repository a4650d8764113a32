//! Durable storage of solutions and custom API definitions through sea-orm, on SQLite
//! (a file, the default) or PostgreSQL.

pub mod entity;
pub mod import;
pub mod jobs;
pub mod migration;
pub mod pipeline_steps;
pub mod read;
pub mod records;
pub mod security;
pub mod steps;
pub mod tables;
pub mod tracelog;
pub mod unit;

use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;

pub use import::{Conflict, ImportError, ImportReport, ItemKind};
pub use read::{PluginTarget, Rows, StoredApi};
pub use records::{Page, Record, RecordError, RecordErrorKind};
pub use sea_orm::{DatabaseTransaction, DbErr, TransactionTrait};
pub use steps::{StepChange, StepError, StepFailure, StepRule, StepUpdate, StoredStep};
pub use tables::{TableChange, TableError};

/// An open, migrated database.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
}

impl Store {
    /// Connects to `sqlite://path?mode=rwc` or `postgres://…` and applies migrations.
    pub async fn connect(url: &str) -> Result<Self, DbErr> {
        let mut options = ConnectOptions::new(url.to_owned());
        options.sqlx_logging(false);
        if url.starts_with("sqlite:") {
            // One writer at a time is all SQLite allows; a single connection avoids
            // "database is locked" between pooled connections of this process.
            options.max_connections(1);
        }
        let db = Database::connect(options).await?;
        migration::Migrator::up(&db, None).await?;
        let store = Self { db };
        store.ensure_built_in_tables().await?;
        Ok(store)
    }

    /// The underlying connection.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }
}

/// The SQLite URL for a database file, created when absent.
pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

impl Store {
    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.db.ping().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn migrations_seed_the_built_in_messages_once() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let counts = store.row_counts().await.unwrap();
        assert_eq!(
            counts["sdkmessage"],
            switchboard_model::ids::BUILT_IN_MESSAGES.len() as u64
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
}
