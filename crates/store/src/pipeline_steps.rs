//! The enabled processing steps as the pipeline runs them: message names resolved, sorted by
//! stage, rank, then registration order.

use std::collections::HashMap;

use sea_orm::{EntityTrait, QueryOrder};
use switchboard_model::{StepMode, StepStage};
use uuid::Uuid;

use crate::Store;
use crate::entity::{
    plugintype, sdkmessage, sdkmessageprocessingstep as step,
    sdkmessageprocessingstepsecureconfig as secure,
};

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
    /// Where in the pipeline it runs.
    pub stage: StepStage,
    /// Synchronous or queued.
    pub mode: StepMode,
    /// Order in the stage.
    pub rank: i32,
    /// The plug-in type it runs, by id (a step that names its type resolves it by the
    /// registration's rule).
    pub plugin_type: Uuid,
    /// Unsecure configuration.
    pub configuration: Option<String>,
    /// Secure configuration.
    pub secure_configuration: Option<String>,
    /// Delete the job when it succeeds.
    pub async_auto_delete: bool,
    /// `filteringattributes`, split on commas.
    pub filtering_attributes: Vec<String>,
    /// The entity images registered on the step.
    pub images: Vec<switchboard_model::StepImage>,
}

impl Store {
    /// Every enabled step, in execution order within each message and stage, with its
    /// message, plug-in type, images and secure configuration resolved (one read of each
    /// table). A step whose plug-in type, stage or mode cannot be resolved is left out, with
    /// a warning.
    pub async fn pipeline_steps(&self) -> Result<Vec<PipelineStep>, sea_orm::DbErr> {
        let db = self.reader();
        let messages: Vec<sdkmessage::Model> = sdkmessage::Entity::find().all(db).await?;
        let mut images = crate::steps::images_by_step(db, None).await?;
        let mut types = plugintype::Entity::find().all(db).await?;
        types.sort_by(|a, b| a.typename.cmp(&b.typename));
        let mut secure: HashMap<Uuid, String> = secure::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.sdkmessageprocessingstepsecureconfigid, r.secureconfig))
            .collect();
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
                let plugin_type = r.plugintypeid.or_else(|| {
                    let name = r.plugintypename.as_deref()?;
                    crate::steps::type_named(&types, name).map(|i| types[i].plugintypeid)
                });
                let (Some(plugin_type), Some(stage), Some(mode)) = (
                    plugin_type,
                    StepStage::from_code(i64::from(r.stage)),
                    StepMode::from_code(i64::from(r.mode)),
                ) else {
                    tracing::warn!(step = %r.name, "step skipped: its plug-in type, stage or mode is unknown");
                    return None;
                };
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
                    stage,
                    mode,
                    rank: r.rank,
                    plugin_type,
                    configuration: r.configuration,
                    secure_configuration: r
                        .sdkmessageprocessingstepsecureconfigid
                        .and_then(|id| secure.remove(&id)),
                    async_auto_delete: r.asyncautodelete,
                    filtering_attributes: switchboard_model::step::column_list(
                        r.filteringattributes.as_deref().unwrap_or_default(),
                    ),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::entity::plugintype;
    use crate::steps::type_named;
    use uuid::Uuid;

    fn plugin_type(name: &str, qualified: Option<&str>) -> plugintype::Model {
        plugintype::Model {
            plugintypeid: Uuid::new_v4(),
            pluginassemblyid: Uuid::nil(),
            typename: name.into(),
            assemblyqualifiedname: qualified.map(str::to_owned),
            friendlyname: None,
            description: None,
        }
    }

    /// Steps are run by the rule they were registered by: the type or assembly-qualified
    /// name ignoring case, else the qualified form's first part.
    #[test]
    fn a_step_names_its_plugin_type_as_registration_does() {
        let types = [
            plugin_type("Samples.Audit", None),
            plugin_type(
                "Samples.Reverse",
                Some("Samples.Reverse, Reverse, Version=1.0.0.0"),
            ),
        ];
        assert_eq!(type_named(&types, "samples.audit"), Some(0));
        assert_eq!(
            type_named(&types, "SAMPLES.REVERSE, Reverse, Version=1.0.0.0"),
            Some(1)
        );
        assert_eq!(type_named(&types, " Samples.Reverse, Other "), Some(1));
        assert_eq!(type_named(&types, "Samples.Missing"), None);
    }
}
