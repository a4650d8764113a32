//! The organization row: installation-wide settings (Dataverse's `organization` table),
//! read from memory on every call and reloaded when a change stamp says they changed.

use std::sync::Mutex;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, TransactionTrait};
use switchboard_model::ids;

use crate::Store;
use crate::changes::{self, ChangeKind};
use crate::definition_tables::Rows;
use crate::entity::organization;

pub use switchboard_model::TraceLogSetting;

/// The settings as last read, with the generation they were read under.
#[derive(Debug, Default)]
pub(crate) struct SettingsCache(Mutex<Option<(u64, TraceLogSetting)>>);

impl Store {
    /// The organization's `plugintracelogsetting` (from memory unless it changed).
    pub async fn trace_log_setting(&self) -> Result<TraceLogSetting, DbErr> {
        let generation = self.generation(ChangeKind::Organization);
        let cached = *self
            .shared
            .settings
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some((g, setting)) = cached
            && g == generation
        {
            return Ok(setting);
        }
        let row = organization::Entity::find_by_id(ids::ORGANIZATION_ID)
            .one(self.reader())
            .await?;
        let setting = row
            .and_then(|r| TraceLogSetting::from_code(i64::from(r.plugintracelogsetting)))
            .unwrap_or_default();
        *self
            .shared
            .settings
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some((generation, setting));
        Ok(setting)
    }

    /// Changes `plugintracelogsetting`; this process applies it at once, others when they
    /// notice the change stamp.
    pub async fn set_trace_log_setting(&self, setting: TraceLogSetting) -> Result<(), DbErr> {
        let txn = self.connection().begin().await?;
        organization::Entity::update_many()
            .col_expr(
                organization::Column::Plugintracelogsetting,
                Expr::value(setting.code()),
            )
            .col_expr(
                organization::Column::Modifiedon,
                Expr::value(crate::jobs::now_millis()),
            )
            .filter(organization::Column::Organizationid.eq(ids::ORGANIZATION_ID))
            .exec(&txn)
            .await?;
        changes::record(&txn, ChangeKind::Organization).await?;
        txn.commit().await?;
        self.changed_here(ChangeKind::Organization);
        Ok(())
    }

    /// The organization row, as the Web API shows it (`modifiedon` in ISO 8601).
    pub async fn organization_rows(&self) -> Result<Rows, DbErr> {
        let everything = switchboard_model::query::RecordQuery::default();
        match self.definition_page("organization", &everything).await {
            Ok(page) => Ok(page.map(|p| p.rows).unwrap_or_default()),
            Err(crate::RecordError::Database(e)) => Err(e),
            Err(crate::RecordError::Rejected(_, m)) => Err(DbErr::Custom(format!("{m:?}"))),
        }
    }
}
