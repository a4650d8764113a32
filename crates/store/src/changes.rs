//! Change stamps keep cached copies of the database (principals, organization settings)
//! true across processes. A change bumps its kind's counter in `changestamp` inside the
//! changing transaction (on PostgreSQL it also notifies listeners at commit); the process
//! that made it drops its own copies at once, and [`Store::watch_changes`] notices the
//! other processes' changes: at the next poll, or at once on PostgreSQL through
//! `LISTEN/NOTIFY`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, Statement,
};

use crate::Store;
use crate::entity::changestamp;

/// The PostgreSQL channel changes are announced on (the payload is the kind's name).
pub const CHANNEL: &str = "switchboard_changes";

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Users, roles, privileges, role assignments or access tokens.
    Security,
    /// The organization's settings.
    Organization,
}

impl ChangeKind {
    fn name(self) -> &'static str {
        match self {
            ChangeKind::Security => "security",
            ChangeKind::Organization => "organization",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "security" => Some(ChangeKind::Security),
            "organization" => Some(ChangeKind::Organization),
            _ => None,
        }
    }
}

/// This process's view: a generation per kind (bumped whenever a change is seen, so a
/// cached copy filled under an older generation is stale) and the stamps last read.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    security: AtomicU64,
    organization: AtomicU64,
    seen: Mutex<HashMap<String, i64>>,
}

impl Changes {
    fn counter(&self, kind: ChangeKind) -> &AtomicU64 {
        match kind {
            ChangeKind::Security => &self.security,
            ChangeKind::Organization => &self.organization,
        }
    }

    pub(crate) fn generation(&self, kind: ChangeKind) -> u64 {
        self.counter(kind).load(Ordering::Acquire)
    }

    pub(crate) fn bump(&self, kind: ChangeKind) {
        self.counter(kind).fetch_add(1, Ordering::AcqRel);
    }

    /// Remembers the stamps as they are now, so the first poll reports nothing.
    pub(crate) async fn seed(&self, db: &DatabaseConnection) -> Result<(), DbErr> {
        let stamps = read_stamps(db).await?;
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = stamps;
        Ok(())
    }
}

async fn read_stamps<C: ConnectionTrait>(db: &C) -> Result<HashMap<String, i64>, DbErr> {
    Ok(changestamp::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.name, s.version))
        .collect())
}

/// Records a change of `kind` in the caller's transaction (`db`): other processes see it
/// once it commits. Call [`Store::changed_here`] after the commit.
pub(crate) async fn record<C: ConnectionTrait>(db: &C, kind: ChangeKind) -> Result<(), DbErr> {
    let bump = Query::update()
        .table(changestamp::Entity)
        .value(
            changestamp::Column::Version,
            Expr::col(changestamp::Column::Version).add(1),
        )
        .and_where(changestamp::Column::Name.eq(kind.name()))
        .to_owned();
    db.execute(&bump).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        // Delivered when the transaction commits, and only then.
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), kind.name().into()],
        ))
        .await?;
    }
    Ok(())
}

impl Store {
    /// The current generation of `kind`: a copy cached under another one is stale.
    pub fn generation(&self, kind: ChangeKind) -> u64 {
        self.shared.changes.generation(kind)
    }

    /// This process changed `kind` (and committed): its own copies are stale at once.
    pub fn changed_here(&self, kind: ChangeKind) {
        self.shared.changes.bump(kind);
    }

    /// Reads the change stamps and drops the copies of every kind another process changed
    /// since the last look; returns the kinds that changed.
    pub async fn poll_changes(&self) -> Result<Vec<ChangeKind>, DbErr> {
        let now = read_stamps(&self.reader).await?;
        let mut seen = self
            .shared
            .changes
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let mut changed = Vec::new();
        for (name, version) in &now {
            if seen.get(name) != Some(version)
                && let Some(kind) = ChangeKind::from_name(name)
            {
                self.shared.changes.bump(kind);
                changed.push(kind);
            }
        }
        *seen = now;
        Ok(changed)
    }

    /// Notices other processes' changes until the task is aborted: polls every `period`,
    /// and on PostgreSQL also listens for their notifications (at once).
    pub fn watch_changes(&self, period: Duration) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let listener = (store.backend() == DbBackend::Postgres).then(|| {
                let store = store.clone();
                tokio::spawn(async move { store.listen_for_changes().await })
            });
            let mut ticker = tokio::time::interval(period);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let _abort_listener = AbortOnDrop(listener);
            loop {
                ticker.tick().await;
                if let Err(e) = store.poll_changes().await {
                    tracing::warn!(error = %e, "could not read the change stamps");
                }
            }
        })
    }

    /// PostgreSQL: bumps a kind's generation as soon as another process's change commits.
    async fn listen_for_changes(&self) {
        use sea_orm::sqlx::postgres::PgListener;
        let pool = self.db.get_postgres_connection_pool();
        loop {
            let mut listener = match PgListener::connect_with(pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for changes; polling only");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(error = %e, "cannot listen for changes; polling only");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
            loop {
                match listener.recv().await {
                    Ok(n) => match ChangeKind::from_name(n.payload()) {
                        Some(kind) => self.shared.changes.bump(kind),
                        None => tracing::debug!(payload = n.payload(), "unknown change"),
                    },
                    Err(e) => {
                        tracing::warn!(error = %e, "listening for changes failed; reconnecting");
                        // Whatever was announced meanwhile is stale now.
                        self.shared.changes.bump(ChangeKind::Security);
                        self.shared.changes.bump(ChangeKind::Organization);
                        break;
                    }
                }
            }
        }
    }
}

struct AbortOnDrop(Option<tokio::task::JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(h) = &self.0 {
            h.abort();
        }
    }
}
