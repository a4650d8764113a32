//! The enabled processing steps as the pipeline runs them: message names resolved, sorted by
//! stage, rank, then registration order.

use sea_orm::{EntityTrait, QueryOrder};
use uuid::Uuid;

use crate::Store;
use crate::entity::{sdkmessage, sdkmessageprocessingstep as step};

/// One enabled step with everything the pipeline needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineStep {
    /// `sdkmessageprocessingstepid`.
    pub id: Uuid,
    /// `name`.
    pub name: String,
    /// The message's name (custom API unique name or built-in message).
    pub message: String,
    /// `primaryobjecttypecode` (`None` for any table).
    pub primary_entity: Option<String>,
    /// 10, 20 or 40.
    pub stage: i32,
    /// 0 sync, 1 async.
    pub mode: i32,
    /// Order in the stage.
    pub rank: i32,
    /// The plug-in type by id, when the step names one.
    pub plugin_type_id: Option<Uuid>,
    /// The plug-in type by name, when the step names one.
    pub plugin_type_name: Option<String>,
    /// Unsecure configuration.
    pub configuration: Option<String>,
    /// Delete the job when it succeeds.
    pub async_auto_delete: bool,
    /// `filteringattributes`, split on commas.
    pub filtering_attributes: Vec<String>,
    /// The entity images registered on the step.
    pub images: Vec<switchboard_model::StepImage>,
}

impl Store {
    /// Every enabled step, in execution order within each message and stage.
    pub async fn pipeline_steps(&self) -> Result<Vec<PipelineStep>, sea_orm::DbErr> {
        let db = self.reader();
        let messages: Vec<sdkmessage::Model> = sdkmessage::Entity::find().all(db).await?;
        let mut images = crate::steps::images_by_step(db, None).await?;
        let rows = step::Entity::find()
            .order_by_asc(step::Column::Stage)
            .order_by_asc(step::Column::Rank)
            .order_by_asc(step::Column::Name)
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .filter(|r| r.statecode == 0)
            .filter_map(|r| {
                let message = r.sdkmessagename.clone().or_else(|| {
                    let id = r.sdkmessageid?;
                    messages
                        .iter()
                        .find(|m| m.sdkmessageid == id)
                        .map(|m| m.name.clone())
                })?;
                let primary_entity = r
                    .primaryobjecttypecode
                    .clone()
                    .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("none"));
                Some(PipelineStep {
                    images: images
                        .remove(&r.sdkmessageprocessingstepid)
                        .unwrap_or_default(),
                    id: r.sdkmessageprocessingstepid,
                    name: r.name,
                    message,
                    primary_entity,
                    stage: r.stage,
                    mode: r.mode,
                    rank: r.rank,
                    plugin_type_id: r.plugintypeid,
                    plugin_type_name: r.plugintypename,
                    configuration: r.configuration,
                    async_auto_delete: r.asyncautodelete,
                    filtering_attributes: switchboard_model::step::column_list(
                        r.filteringattributes.as_deref().unwrap_or_default(),
                    ),
                })
            })
            .collect())
    }
}
