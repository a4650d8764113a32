//! The organization row: installation-wide settings (Dataverse's `organization` table),
//! read from memory on every call and reloaded when a change stamp says they changed.

use std::sync::Mutex;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter, TransactionTrait};
use switchboard_model::ids;

use crate::Store;
use crate::changes::{self, ChangeKind};
use crate::entity::organization;
use crate::read::Rows;

/// `plugintracelogsetting`: which plug-in calls leave a row in the trace log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TraceLogSetting {
    /// 0: none.
    Off,
    /// 1: calls that failed (Dataverse's default).
    #[default]
    Exception,
    /// 2: every call.
    All,
}

impl TraceLogSetting {
    /// The option value Dataverse stores.
    pub fn code(self) -> i32 {
        match self {
            TraceLogSetting::Off => 0,
            TraceLogSetting::Exception => 1,
            TraceLogSetting::All => 2,
        }
    }

    /// The setting with this option value.
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(TraceLogSetting::Off),
            1 => Some(TraceLogSetting::Exception),
            2 => Some(TraceLogSetting::All),
            _ => None,
        }
    }

    /// Dataverse's label of the option.
    pub fn label(self) -> &'static str {
        match self {
            TraceLogSetting::Off => "Off",
            TraceLogSetting::Exception => "Exception",
            TraceLogSetting::All => "All",
        }
    }

    /// Whether a call that failed (or not) is written to the trace log.
    pub fn keeps(self, failed: bool) -> bool {
        match self {
            TraceLogSetting::Off => false,
            TraceLogSetting::Exception => failed,
            TraceLogSetting::All => true,
        }
    }
}

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
        Ok(organization::Entity::find()
            .all(self.reader())
            .await?
            .into_iter()
            .filter_map(|m| {
                let modified = crate::jobs::iso8601(m.modifiedon);
                match serde_json::to_value(m) {
                    Ok(serde_json::Value::Object(mut o)) => {
                        o.insert(
                            "modifiedon".into(),
                            modified.map_or(serde_json::Value::Null, serde_json::Value::String),
                        );
                        Some(o)
                    }
                    _ => None,
                }
            })
            .collect())
    }
}
