//! Registering processing steps (`sdkmessageprocessingstep`): the one place that checks a
//! step against the registration rules, used by the solution import, the CLI and the Web API.
//!
//! The rules, in the order they are checked (the first broken one is reported):
//! a name of 1 to 256 characters; stage 10, 20 or 40 and asynchronous only at 40
//! ([`ProcessingStep::check_stage_and_mode`]); the message exists (a built-in message or a
//! custom API, by id or name); the custom API's `allowedcustomprocessingsteptype` allows the
//! step (0 None: no step; 1 Async Only: asynchronous post-operation steps only); the plug-in
//! type exists (by id, by name or assembly-qualified name, or by export key); every entity
//! image is one the message gives at the step's stage ([`StepImage::check`]).

use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, TransactionTrait,
};
use serde::Serialize;
use switchboard_model::step::column_list;
use switchboard_model::{
    AllowedStepType, ExportKey, ImageType, Message, MessageId, MessageRef, ProcessingStep,
    StepImage, StepMode, StepPluginRef, StepStage, ids,
};
use uuid::Uuid;

pub use switchboard_model::step::{StepRule, StepUpdate};

use crate::Store;
use crate::entity::{
    customapi, pluginpackage, plugintype, publisher, sdkmessage, sdkmessageprocessingstep as step,
    sdkmessageprocessingstepimage as image, sdkmessageprocessingstepsecureconfig as secure,
    solution,
};

/// The longest step name (`sdkmessageprocessingstep.name` is a String(256)).
pub const MAX_STEP_NAME: usize = 256;

/// Why a step was not registered, changed or deleted.
#[derive(Debug)]
pub enum StepError {
    /// A rule refused it.
    Rejected {
        /// Which rule.
        rule: StepRule,
        /// The user-facing message.
        message: Message,
    },
    /// The database failed.
    Database(DbErr),
}

impl From<DbErr> for StepError {
    fn from(e: DbErr) -> Self {
        StepError::Database(e)
    }
}

impl StepError {
    fn rejected(rule: StepRule, message: Message) -> Self {
        StepError::Rejected { rule, message }
    }
}

/// One step of an import that a rule refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFailure {
    /// `sdkmessageprocessingstepid`.
    pub id: Uuid,
    /// Which rule.
    pub rule: StepRule,
    /// The user-facing message.
    pub message: Message,
}

/// What a registration or change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepChange {
    /// `sdkmessageprocessingstepid`.
    pub id: Uuid,
    /// Whether the step was created (else updated).
    pub created: bool,
    /// Non-fatal findings (a plug-in type that lives in a plug-in package).
    pub warnings: Vec<Message>,
}

/// A stored step with what its references resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredStep {
    /// The step (message by id, plug-in type by id when it resolved to a stored type).
    pub step: ProcessingStep,
    /// The message's name (`Create`, a custom API's unique name).
    pub message_name: Option<String>,
    /// The plug-in type's id, when it is a stored type (not inside a plug-in package).
    pub plugin_type_id: Option<Uuid>,
    /// The plug-in type's name or export key, for display.
    pub plugin_type: String,
    /// The owning solution's id.
    pub solution_id: Uuid,
    /// The owning solution's unique name.
    pub solution: String,
    /// Whether a secure configuration is stored (it is never returned here).
    pub has_secure_configuration: bool,
}

/// What a step's references resolved to.
struct Resolved {
    message_id: Uuid,
    message_name: String,
    plugin_type_id: Option<Uuid>,
    plugin_type_name: Option<String>,
    export_key: Option<String>,
    warnings: Vec<Message>,
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Checks every registration rule against what `db` holds (inside an import: what the
/// import has written so far).
async fn check(db: &impl ConnectionTrait, s: &ProcessingStep) -> Result<Resolved, StepError> {
    let length = s.name.trim().chars().count();
    if length == 0 || s.name.chars().count() > MAX_STEP_NAME {
        return Err(StepError::rejected(
            StepRule::Name,
            Message::new(MessageId::StepNameInvalid).arg("length", s.name.chars().count()),
        ));
    }
    ProcessingStep::check_stage_and_mode(s.stage, s.mode)
        .map_err(|m| StepError::rejected(StepRule::StageAndMode, m))?;

    // The message: a built-in's well-known id or a custom API's derived id, by id or name.
    let (message_id, shown) = match &s.message {
        MessageRef::Id(id) => (*id, id.to_string()),
        MessageRef::Name(name) => (
            ids::built_in_by_name(name).map_or_else(|| ids::custom_api_message_id(name), |b| b.id),
            name.clone(),
        ),
    };
    let unknown_message = || {
        StepError::rejected(
            StepRule::UnknownMessage,
            Message::new(MessageId::StepUnknownMessage).arg("message", &shown),
        )
    };
    let message = sdkmessage::Entity::find_by_id(message_id)
        .one(db)
        .await?
        .ok_or_else(unknown_message)?;
    if let Some(api_id) = message.customapiid {
        let api = customapi::Entity::find_by_id(api_id)
            .one(db)
            .await?
            .ok_or_else(unknown_message)?;
        check_allowed(&api, s)?;
    } else if message.name == ids::ON_BACKGROUND_OPERATION_COMPLETE
        && !(s.mode == StepMode::Asynchronous && s.stage == StepStage::PostOperation)
    {
        // Dataverse's custom API of that name allows asynchronous steps only.
        return Err(StepError::rejected(
            StepRule::NotAllowedOnMessage,
            Message::new(MessageId::StepCustomApiAsyncOnly)
                .arg("api", &message.name)
                .arg("stage", s.stage.code()),
        ));
    }
    for i in &s.images {
        i.check(&message.name, s.stage)
            .map_err(|m| StepError::rejected(StepRule::Image, m))?;
    }

    let mut warnings = Vec::new();
    let (plugin_type, export_key) = match &s.plugin_type {
        StepPluginRef::Type { name, id } => {
            let mut found = None;
            if let Some(id) = id {
                found = plugintype::Entity::find_by_id(*id).one(db).await?;
            }
            if found.is_none()
                && let Some(name) = name
            {
                found = type_by_name(db, name).await?;
            }
            let reference = match (id, name) {
                (Some(id), _) => id.to_string(),
                (None, Some(name)) => name.clone(),
                (None, None) => String::new(),
            };
            (Some(found.ok_or_else(|| unknown_type(&reference))?), None)
        }
        StepPluginRef::ExportKey(ExportKey::Guid(id)) => {
            let found = plugintype::Entity::find_by_id(*id).one(db).await?;
            (
                Some(found.ok_or_else(|| unknown_type(&id.to_string()))?),
                Some(id.to_string()),
            )
        }
        StepPluginRef::ExportKey(ExportKey::Hex(key)) => {
            // A package's types live inside its .nupkg: the key resolves only in that sense,
            // so a stored plug-in package is required and the step is kept with a warning.
            if pluginpackage::Entity::find().count(db).await? == 0 {
                return Err(unknown_type(key));
            }
            warnings.push(
                Message::new(MessageId::StepPluginTypeInPackage)
                    .arg("step", &s.name)
                    .arg("reference", key),
            );
            (None, Some(key.clone()))
        }
    };
    Ok(Resolved {
        message_id,
        message_name: message.name,
        plugin_type_id: plugin_type.as_ref().map(|t| t.plugintypeid),
        plugin_type_name: plugin_type.map(|t| t.typename),
        export_key,
        warnings,
    })
}

fn unknown_type(reference: &str) -> StepError {
    StepError::rejected(
        StepRule::UnknownPluginType,
        Message::new(MessageId::StepUnknownPluginType).arg("reference", reference),
    )
}

/// `allowedcustomprocessingsteptype`: 0 no steps, 1 asynchronous (post-operation) only.
fn check_allowed(api: &customapi::Model, s: &ProcessingStep) -> Result<(), StepError> {
    let refused = |id| {
        Err(StepError::rejected(
            StepRule::NotAllowedOnMessage,
            Message::new(id)
                .arg("api", &api.uniquename)
                .arg("stage", s.stage.code()),
        ))
    };
    match AllowedStepType::from_code(api.allowedcustomprocessingsteptype.into()) {
        Some(AllowedStepType::SyncAndAsync) => Ok(()),
        Some(AllowedStepType::AsyncOnly)
            if s.mode == StepMode::Asynchronous && s.stage == StepStage::PostOperation =>
        {
            Ok(())
        }
        Some(AllowedStepType::AsyncOnly) => refused(MessageId::StepCustomApiAsyncOnly),
        // 0, or a code Dataverse does not define: no steps.
        Some(AllowedStepType::None) | None => refused(MessageId::StepCustomApiNoSteps),
    }
}

/// A plug-in type by its name: the type name, the assembly-qualified name, or the
/// assembly-qualified form's first part (`Samples.Reverse, Reverse`), ignoring case.
async fn type_by_name(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<plugintype::Model>, DbErr> {
    let mut types = plugintype::Entity::find().all(db).await?;
    types.sort_by(|a, b| a.typename.cmp(&b.typename));
    let index = type_named(&types, name);
    Ok(index.map(|i| types.swap_remove(i)))
}

/// The one rule for naming a plug-in type, for registration and for running steps alike:
/// the type name or the assembly-qualified name, else the assembly-qualified form's first
/// part (`Samples.Reverse, Reverse`), ignoring case; the first in `types`' order wins.
pub(crate) fn type_named(types: &[plugintype::Model], name: &str) -> Option<usize> {
    let name = name.trim();
    let short = name.split(',').next().unwrap_or_default().trim();
    types
        .iter()
        .position(|t| {
            t.typename.eq_ignore_ascii_case(name)
                || t.assemblyqualifiedname
                    .as_deref()
                    .is_some_and(|q| q.eq_ignore_ascii_case(name))
        })
        .or_else(|| {
            types
                .iter()
                .position(|t| t.typename.eq_ignore_ascii_case(short))
        })
}

/// Creates or replaces the step's row with its resolved references. `secure` replaces the
/// secure configuration when given (`Some(None)` removes it).
async fn write(
    db: &impl ConnectionTrait,
    s: &ProcessingStep,
    resolved: &Resolved,
    solution_id: Uuid,
    existing: Option<&step::Model>,
    secure: Option<Option<&str>>,
) -> Result<(), DbErr> {
    let mut secure_id = existing.and_then(|e| e.sdkmessageprocessingstepsecureconfigid);
    match secure {
        None => {}
        Some(None) => {
            if let Some(old) = secure_id.take() {
                secure::Entity::delete_by_id(old).exec(db).await?;
            }
        }
        Some(Some(text)) => {
            let id = secure_id.unwrap_or_else(Uuid::new_v4);
            let row = secure::ActiveModel {
                sdkmessageprocessingstepsecureconfigid: Set(id),
                secureconfig: Set(text.to_owned()),
            };
            if secure_id.is_some() && secure::Entity::find_by_id(id).one(db).await?.is_some() {
                secure::Entity::update(row).exec(db).await?;
            } else {
                secure::Entity::insert(row)
                    .exec_without_returning(db)
                    .await?;
            }
            secure_id = Some(id);
        }
    }
    let row = step::ActiveModel {
        sdkmessageprocessingstepid: Set(s.id),
        name: Set(s.name.clone()),
        description: Set(s.description.clone()),
        sdkmessageid: Set(Some(resolved.message_id)),
        sdkmessagename: Set(Some(resolved.message_name.clone())),
        plugintypeid: Set(resolved.plugin_type_id),
        plugintypename: Set(resolved
            .plugin_type_name
            .clone()
            .or_else(|| match &s.plugin_type {
                StepPluginRef::Type { name, .. } => name.clone(),
                StepPluginRef::ExportKey(_) => None,
            })),
        plugintypeexportkey: Set(resolved.export_key.clone()),
        primaryobjecttypecode: Set(s.primary_entity.clone()),
        secondaryobjecttypecode: Set(s.secondary_entity.clone()),
        stage: Set(s.stage.code()),
        mode: Set(s.mode.code()),
        rank: Set(s.rank),
        filteringattributes: Set(
            (!s.filtering_attributes.is_empty()).then(|| s.filtering_attributes.join(","))
        ),
        configuration: Set(s.configuration.clone()),
        asyncautodelete: Set(s.async_auto_delete),
        invocationsource: Set(s.invocation_source),
        statecode: Set(if s.enabled { 0 } else { 1 }),
        solutionid: Set(solution_id),
        sdkmessageprocessingstepsecureconfigid: if secure.is_some() || existing.is_none() {
            Set(secure_id)
        } else {
            NotSet
        },
    };
    if existing.is_some() {
        step::Entity::update(row).exec(db).await?;
    } else {
        step::Entity::insert(row).exec_without_returning(db).await?;
    }
    image::Entity::delete_many()
        .filter(image::Column::Sdkmessageprocessingstepid.eq(s.id))
        .exec(db)
        .await?;
    for i in &s.images {
        image::Entity::insert(image_row(s.id, i))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

fn image_row(step_id: Uuid, i: &StepImage) -> image::ActiveModel {
    image::ActiveModel {
        sdkmessageprocessingstepimageid: Set(i.id),
        sdkmessageprocessingstepid: Set(step_id),
        name: Set(i.name.clone()),
        entityalias: Set(i.alias.clone()),
        imagetype: Set(i.image_type.code()),
        attributes: Set((!i.attributes.is_empty()).then(|| i.attributes.join(","))),
        messagepropertyname: Set(i.message_property_name.clone()),
        description: Set(i.description.clone()),
    }
}

/// A stored image row back as the model's image.
fn image_model(row: image::Model) -> Result<StepImage, DbErr> {
    Ok(StepImage {
        id: row.sdkmessageprocessingstepimageid,
        image_type: ImageType::from_code(row.imagetype.into())
            .ok_or_else(|| corrupt(format!("image type {}", row.imagetype)))?,
        name: row.name,
        alias: row.entityalias,
        attributes: column_list(row.attributes.as_deref().unwrap_or_default()),
        message_property_name: row.messagepropertyname,
        description: row.description,
    })
}

/// The images of every step (`None`) or of one, by step id, in alias order.
pub(crate) async fn images_by_step(
    db: &impl ConnectionTrait,
    step_id: Option<Uuid>,
) -> Result<std::collections::HashMap<Uuid, Vec<StepImage>>, DbErr> {
    let mut query = image::Entity::find();
    if let Some(id) = step_id {
        query = query.filter(image::Column::Sdkmessageprocessingstepid.eq(id));
    }
    let mut out: std::collections::HashMap<Uuid, Vec<StepImage>> = Default::default();
    for row in query.all(db).await? {
        let step_id = row.sdkmessageprocessingstepid;
        out.entry(step_id).or_default().push(image_model(row)?);
    }
    for images in out.values_mut() {
        images.sort_by(|a, b| a.alias.cmp(&b.alias).then(a.id.cmp(&b.id)));
    }
    Ok(out)
}

/// Checks and writes one step of an import (created, or updated in place when its id is
/// stored). The import's transaction sees the components written before it.
pub(crate) async fn import_step(
    txn: &DatabaseTransaction,
    s: &ProcessingStep,
    solution_id: Uuid,
) -> Result<StepChange, StepError> {
    let resolved = check(txn, s).await?;
    let existing = step::Entity::find_by_id(s.id).one(txn).await?;
    write(txn, s, &resolved, solution_id, existing.as_ref(), None).await?;
    Ok(StepChange {
        id: s.id,
        created: existing.is_none(),
        warnings: resolved.warnings,
    })
}

/// The solution unmanaged components registered outside a solution belong to, created on
/// first use (with Dataverse's default publisher).
async fn ensure_active_solution(txn: &DatabaseTransaction, now: i64) -> Result<Uuid, DbErr> {
    if solution::Entity::find_by_id(ids::ACTIVE_SOLUTION_ID)
        .one(txn)
        .await?
        .is_some()
    {
        return Ok(ids::ACTIVE_SOLUTION_ID);
    }
    if publisher::Entity::find_by_id(ids::DEFAULT_PUBLISHER_ID)
        .one(txn)
        .await?
        .is_none()
    {
        publisher::Entity::insert(publisher::ActiveModel {
            publisherid: Set(ids::DEFAULT_PUBLISHER_ID),
            uniquename: Set("DefaultPublisher".into()),
            friendlyname: Set(Some("Default Publisher".into())),
            description: Set(None),
            customizationprefix: Set("new".into()),
            customizationoptionvalueprefix: Set(Some(10_000)),
        })
        .exec_without_returning(txn)
        .await?;
    }
    solution::Entity::insert(solution::ActiveModel {
        solutionid: Set(ids::ACTIVE_SOLUTION_ID),
        uniquename: Set(ids::ACTIVE_SOLUTION.into()),
        friendlyname: Set(Some("Active Solution".into())),
        description: Set(Some(
            "Placeholder solution for unmanaged components created outside a solution".into(),
        )),
        version: Set("1.0".into()),
        ismanaged: Set(false),
        publisherid: Set(ids::DEFAULT_PUBLISHER_ID),
        installedon: Set(now),
        modifiedon: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(ids::ACTIVE_SOLUTION_ID)
}

/// Marks the owning solution as modified: readers that derive state from the definitions
/// (the registry snapshot) compare its modification time to know when to reload.
async fn touch(txn: &DatabaseTransaction, solution_id: Uuid, now: i64) -> Result<(), DbErr> {
    solution::Entity::update_many()
        .col_expr(
            solution::Column::Modifiedon,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(solution::Column::Solutionid.eq(solution_id))
        .exec(txn)
        .await?;
    Ok(())
}

fn not_found(id: Uuid) -> StepError {
    StepError::rejected(
        StepRule::UnknownStep,
        Message::new(MessageId::StepNotFound).arg("id", id),
    )
}

fn unknown_image(id: Uuid) -> StepError {
    StepError::rejected(
        StepRule::UnknownImage,
        Message::new(MessageId::StepImageNotFound).arg("id", id),
    )
}

/// The step `step_id`, once `image` is one its message gives at its stage.
async fn step_for_image(
    txn: &DatabaseTransaction,
    step_id: Uuid,
    image: &StepImage,
) -> Result<step::Model, StepError> {
    let row = step::Entity::find_by_id(step_id)
        .one(txn)
        .await?
        .ok_or_else(|| not_found(step_id))?;
    let message = row.sdkmessagename.clone().unwrap_or_default();
    image
        .check(&message, step_stage(&row)?)
        .map_err(|m| StepError::rejected(StepRule::Image, m))?;
    Ok(row)
}

/// Refuses to change what a managed solution owns: upgrading or uninstalling that solution
/// does it.
async fn refuse_managed(txn: &DatabaseTransaction, row: &step::Model) -> Result<(), StepError> {
    let owner = solution::Entity::find_by_id(row.solutionid)
        .one(txn)
        .await?;
    match owner.filter(|o| o.ismanaged) {
        Some(owner) => Err(StepError::rejected(
            StepRule::Managed,
            Message::new(MessageId::StepManaged)
                .arg("name", &row.name)
                .arg("solution", &owner.uniquename),
        )),
        None => Ok(()),
    }
}

fn step_stage(row: &step::Model) -> Result<StepStage, DbErr> {
    StepStage::from_code(row.stage.into()).ok_or_else(|| corrupt(format!("stage {}", row.stage)))
}

fn corrupt(what: impl std::fmt::Display) -> DbErr {
    DbErr::Custom(format!("stored step is not valid: {what}"))
}

/// A stored row back as the model's step (message and plug-in type by their stored ids).
fn to_model(row: &step::Model) -> Result<ProcessingStep, DbErr> {
    let message = match (row.sdkmessageid, &row.sdkmessagename) {
        (Some(id), _) => MessageRef::Id(id),
        (None, Some(name)) => MessageRef::Name(name.clone()),
        (None, None) => return Err(corrupt("no message")),
    };
    let plugin_type = match (row.plugintypeid, &row.plugintypeexportkey) {
        (Some(id), _) => StepPluginRef::Type {
            name: row.plugintypename.clone(),
            id: Some(id),
        },
        (None, Some(key)) => StepPluginRef::ExportKey(ExportKey::parse(key).map_err(corrupt)?),
        (None, None) => StepPluginRef::Type {
            name: row.plugintypename.clone(),
            id: None,
        },
    };
    Ok(ProcessingStep {
        id: row.sdkmessageprocessingstepid,
        name: row.name.clone(),
        description: row.description.clone(),
        message,
        plugin_type,
        primary_entity: row.primaryobjecttypecode.clone(),
        secondary_entity: row.secondaryobjecttypecode.clone(),
        stage: StepStage::from_code(row.stage.into())
            .ok_or_else(|| corrupt(format!("stage {}", row.stage)))?,
        mode: StepMode::from_code(row.mode.into())
            .ok_or_else(|| corrupt(format!("mode {}", row.mode)))?,
        rank: row.rank,
        filtering_attributes: column_list(row.filteringattributes.as_deref().unwrap_or_default()),
        configuration: row.configuration.clone(),
        async_auto_delete: row.asyncautodelete,
        invocation_source: row.invocationsource,
        enabled: row.statecode == 0,
        images: Vec::new(),
    })
}

impl Store {
    /// Registers a new step outside a solution import (CLI, Web API): checks every rule,
    /// then writes it with its secure configuration, in one transaction. `solution_id`
    /// names the owning solution (a stored one); `None` puts the step in Dataverse's
    /// Active solution, as unmanaged components created outside a solution are.
    pub async fn register_step(
        &self,
        s: &ProcessingStep,
        secure_configuration: Option<&str>,
        solution_id: Option<Uuid>,
    ) -> Result<StepChange, StepError> {
        let txn = self.connection().begin().await?;
        if step::Entity::find_by_id(s.id).one(&txn).await?.is_some() {
            return Err(StepError::rejected(
                StepRule::Duplicate,
                Message::new(MessageId::StepExists).arg("id", s.id),
            ));
        }
        let resolved = check(&txn, s).await?;
        let now = now_millis();
        let solution_id = match solution_id {
            Some(id) => id,
            None => ensure_active_solution(&txn, now).await?,
        };
        write(
            &txn,
            s,
            &resolved,
            solution_id,
            None,
            Some(secure_configuration),
        )
        .await?;
        touch(&txn, solution_id, now).await?;
        txn.commit().await?;
        Ok(StepChange {
            id: s.id,
            created: true,
            warnings: resolved.warnings,
        })
    }

    /// Changes a stored step and checks the result against every rule again (except when
    /// the change only disables it).
    pub async fn update_step(
        &self,
        id: Uuid,
        update: &StepUpdate,
    ) -> Result<StepChange, StepError> {
        let txn = self.connection().begin().await?;
        let row = step::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| not_found(id))?;
        let mut s = to_model(&row)?;
        s.images = images_by_step(&txn, Some(id))
            .await?
            .remove(&id)
            .unwrap_or_default();
        patch(&mut s.name, &update.name);
        patch(&mut s.description, &update.description);
        patch(&mut s.stage, &update.stage);
        patch(&mut s.mode, &update.mode);
        patch(&mut s.rank, &update.rank);
        patch(&mut s.filtering_attributes, &update.filtering_attributes);
        patch(&mut s.configuration, &update.configuration);
        patch(&mut s.async_auto_delete, &update.async_auto_delete);
        patch(&mut s.enabled, &update.enabled);
        let mut warnings = Vec::new();
        if update.only_disables() {
            step::Entity::update_many()
                .col_expr(step::Column::Statecode, sea_orm::sea_query::Expr::value(1))
                .filter(step::Column::Sdkmessageprocessingstepid.eq(id))
                .exec(&txn)
                .await?;
        } else {
            let resolved = check(&txn, &s).await?;
            let secure = update.secure_configuration.as_ref().map(|c| c.as_deref());
            write(&txn, &s, &resolved, row.solutionid, Some(&row), secure).await?;
            warnings = resolved.warnings;
        }
        touch(&txn, row.solutionid, now_millis()).await?;
        txn.commit().await?;
        Ok(StepChange {
            id,
            created: false,
            warnings,
        })
    }

    /// Enables (`statecode` 0, checked like a change) or disables (`statecode` 1) a step.
    pub async fn set_step_enabled(&self, id: Uuid, enabled: bool) -> Result<StepChange, StepError> {
        self.update_step(
            id,
            &StepUpdate {
                enabled: Some(enabled),
                ..StepUpdate::default()
            },
        )
        .await
    }

    /// Deletes a step and its secure configuration. Steps of a managed solution are
    /// refused: upgrading or uninstalling that solution removes them.
    pub async fn delete_step(&self, id: Uuid) -> Result<(), StepError> {
        let txn = self.connection().begin().await?;
        let row = step::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| not_found(id))?;
        refuse_managed(&txn, &row).await?;
        image::Entity::delete_many()
            .filter(image::Column::Sdkmessageprocessingstepid.eq(id))
            .exec(&txn)
            .await?;
        step::Entity::delete_by_id(id).exec(&txn).await?;
        if let Some(secure_id) = row.sdkmessageprocessingstepsecureconfigid {
            secure::Entity::delete_by_id(secure_id).exec(&txn).await?;
        }
        touch(&txn, row.solutionid, now_millis()).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Every stored step, ordered by message name, stage, rank and name.
    pub async fn list_steps(&self) -> Result<Vec<StoredStep>, DbErr> {
        let db = self.reader();
        let solutions: std::collections::HashMap<Uuid, String> = solution::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.solutionid, s.uniquename))
            .collect();
        let mut images = images_by_step(db, None).await?;
        let mut out = Vec::new();
        for row in step::Entity::find().all(db).await? {
            let mut step = to_model(&row)?;
            step.images = images.remove(&step.id).unwrap_or_default();
            let plugin_type = row
                .plugintypename
                .clone()
                .or_else(|| row.plugintypeexportkey.clone())
                .or_else(|| row.plugintypeid.map(|id| id.to_string()))
                .unwrap_or_default();
            out.push(StoredStep {
                message_name: row.sdkmessagename.clone(),
                plugin_type_id: row.plugintypeid,
                plugin_type,
                solution_id: row.solutionid,
                solution: solutions.get(&row.solutionid).cloned().unwrap_or_default(),
                has_secure_configuration: row.sdkmessageprocessingstepsecureconfigid.is_some(),
                step,
            });
        }
        out.sort_by(|a, b| {
            let key = |s: &StoredStep| {
                (
                    s.message_name.clone().unwrap_or_default().to_lowercase(),
                    s.step.stage,
                    s.step.rank,
                    s.step.name.to_lowercase(),
                )
            };
            key(a).cmp(&key(b))
        });
        Ok(out)
    }

    /// A step's secure configuration (for the plug-in that runs it; never shown).
    pub async fn step_secure_configuration(&self, id: Uuid) -> Result<Option<String>, DbErr> {
        let db = self.reader();
        let Some(secure_id) = step::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|r| r.sdkmessageprocessingstepsecureconfigid)
        else {
            return Ok(None);
        };
        Ok(secure::Entity::find_by_id(secure_id)
            .one(db)
            .await?
            .map(|r| r.secureconfig))
    }

    /// Registers an entity image on a stored step (CLI, Web API): checked against the
    /// step's message and stage like the step's own images.
    pub async fn register_step_image(
        &self,
        step_id: Uuid,
        new: &StepImage,
    ) -> Result<StepChange, StepError> {
        self.write_step_image(Some(step_id), new).await
    }

    /// Changes a stored step image (its step stays), checked like a new one.
    pub async fn update_step_image(&self, changed: &StepImage) -> Result<StepChange, StepError> {
        self.write_step_image(None, changed).await
    }

    /// Writes a step image: a new one on step `new_on_step`, or (`None`) a change to a
    /// stored one, which keeps its step.
    async fn write_step_image(
        &self,
        new_on_step: Option<Uuid>,
        written: &StepImage,
    ) -> Result<StepChange, StepError> {
        let txn = self.connection().begin().await?;
        let stored = image::Entity::find_by_id(written.id).one(&txn).await?;
        let step_id = match (new_on_step, &stored) {
            (Some(_), Some(_)) => {
                return Err(StepError::rejected(
                    StepRule::Duplicate,
                    Message::new(MessageId::StepExists).arg("id", written.id),
                ));
            }
            (Some(step_id), None) => step_id,
            (None, Some(stored)) => stored.sdkmessageprocessingstepid,
            (None, None) => return Err(unknown_image(written.id)),
        };
        let row = step_for_image(&txn, step_id, written).await?;
        let values = image_row(step_id, written);
        if stored.is_some() {
            image::Entity::update(values).exec(&txn).await?;
        } else {
            image::Entity::insert(values)
                .exec_without_returning(&txn)
                .await?;
        }
        touch(&txn, row.solutionid, now_millis()).await?;
        txn.commit().await?;
        Ok(StepChange {
            id: written.id,
            created: stored.is_none(),
            warnings: Vec::new(),
        })
    }

    /// Deletes a step image (refused, like the step, when a managed solution owns it).
    pub async fn delete_step_image(&self, id: Uuid) -> Result<(), StepError> {
        let txn = self.connection().begin().await?;
        let found = image::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| unknown_image(id))?;
        let row = step::Entity::find_by_id(found.sdkmessageprocessingstepid)
            .one(&txn)
            .await?
            .ok_or_else(|| unknown_image(id))?;
        refuse_managed(&txn, &row).await?;
        image::Entity::delete_by_id(id).exec(&txn).await?;
        touch(&txn, row.solutionid, now_millis()).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Every stored step image with the id of its step.
    pub async fn list_step_images(&self) -> Result<Vec<(Uuid, StepImage)>, DbErr> {
        let mut out: Vec<(Uuid, StepImage)> = images_by_step(self.connection(), None)
            .await?
            .into_iter()
            .flat_map(|(step, images)| images.into_iter().map(move |i| (step, i)))
            .collect();
        out.sort_by(|a, b| (a.0, &a.1.alias).cmp(&(b.0, &b.1.alias)));
        Ok(out)
    }
}

/// Takes a changed value when the update gives one (`PATCH` semantics: absent keeps).
fn patch<T: Clone>(field: &mut T, change: &Option<T>) {
    if let Some(value) = change {
        *field = value.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{ImportError, ImportInput};
    use switchboard_model::{
        CustomApi, CustomApiDraft, LocalizedLabel, PluginAssembly, PluginAssemblyKind,
        PluginPackage, PluginType, Publisher, Solution, SolutionVersion,
    };

    const TYPE_ID: Uuid = Uuid::from_u128(0x0b6f_7e5c_5a1d_4c3e_9f00_0000_0000_0a01);
    const ASSEMBLY_ID: Uuid = Uuid::from_u128(0x0b6f_7e5c_5a1d_4c3e_9f00_0000_0000_0a00);
    const HEX_KEY: &str = "2CB787D23396CEB8B99A2F36327D8A5DDDC86288F4DDA8598B2FC1B02E327E3F";

    fn api(name: &str, allowed: AllowedStepType) -> CustomApi {
        CustomApi::validate(
            CustomApiDraft {
                unique_name: Some(name.into()),
                name: Some(name.into()),
                allowed_step_type: Some(allowed),
                ..Default::default()
            },
            Some("sb"),
        )
        .value
        .expect("a valid API")
    }

    fn solution(name: &str, managed: bool) -> Solution {
        Solution {
            unique_name: name.into(),
            names: LocalizedLabel::plain(name),
            descriptions: LocalizedLabel::default(),
            version: SolutionVersion::parse("1.0.0.0").unwrap(),
            managed,
            publisher: Publisher {
                unique_name: "sb".into(),
                names: LocalizedLabel::plain("sb"),
                descriptions: LocalizedLabel::default(),
                prefix: "sb".into(),
                option_value_prefix: None,
            },
        }
    }

    fn assembly() -> PluginAssembly {
        PluginAssembly {
            id: ASSEMBLY_ID,
            full_name: "Reverse, Version=1.0.0.0".into(),
            name: "Reverse".into(),
            version: Some("1.0.0.0".into()),
            isolation_mode: 2,
            source_type: 0,
            file_name: None,
            kind: PluginAssemblyKind::Foreign,
            content: None,
            sha256: None,
            types: vec![PluginType {
                id: TYPE_ID,
                name: "Samples.Reverse".into(),
                assembly_qualified_name: Some("Samples.Reverse, Reverse".into()),
                friendly_name: None,
                description: None,
            }],
        }
    }

    /// A store holding APIs with each AllowedCustomProcessingStepType and one plug-in type.
    async fn store() -> Store {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let apis = [
            api("sb_None", AllowedStepType::None),
            api("sb_AsyncOnly", AllowedStepType::AsyncOnly),
            api("sb_Both", AllowedStepType::SyncAndAsync),
        ];
        let refs: Vec<&CustomApi> = apis.iter().collect();
        let sol = solution("Fixture", false);
        store
            .import(&[ImportInput {
                solution: &sol,
                apis: &refs,
                assemblies: &[assembly()],
                packages: &[],
                steps: &[],
                tables: &[],
            }])
            .await
            .unwrap();
        store
    }

    fn step(message: &str, stage: StepStage, mode: StepMode) -> ProcessingStep {
        ProcessingStep {
            id: Uuid::new_v4(),
            name: format!("{message} step"),
            description: None,
            message: MessageRef::Name(message.into()),
            plugin_type: StepPluginRef::Type {
                name: None,
                id: Some(TYPE_ID),
            },
            primary_entity: None,
            secondary_entity: None,
            stage,
            mode,
            rank: 1,
            filtering_attributes: Vec::new(),
            configuration: None,
            async_auto_delete: false,
            invocation_source: None,
            enabled: true,
            images: Vec::new(),
        }
    }

    fn rule(result: Result<StepChange, StepError>) -> (StepRule, Message) {
        match result {
            Err(StepError::Rejected { rule, message }) => (rule, message),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    use StepMode::{Asynchronous as Async, Synchronous as Sync};
    use StepStage::{PostOperation as Post, PreOperation as Pre, PreValidation as PreVal};

    #[tokio::test]
    async fn the_message_must_exist() {
        let store = store().await;
        let (r, m) = rule(
            store
                .register_step(&step("sb_Nope", Pre, Sync), None, None)
                .await,
        );
        assert_eq!(r, StepRule::UnknownMessage);
        assert_eq!(m.get("message"), Some("sb_Nope"));
        let mut by_id = step("x", Pre, Sync);
        by_id.message = MessageRef::Id(Uuid::new_v4());
        let (r, _) = rule(store.register_step(&by_id, None, None).await);
        assert_eq!(r, StepRule::UnknownMessage);
        // Built-ins by name (any case) and by well-known id; custom APIs by derived id.
        store
            .register_step(&step("create", Pre, Sync), None, None)
            .await
            .unwrap();
        let mut update = step("x", Post, Async);
        update.message = MessageRef::Id(ids::built_in_by_name("Update").unwrap().id);
        store.register_step(&update, None, None).await.unwrap();
        let mut both = step("x", Pre, Sync);
        both.message = MessageRef::Id(ids::custom_api_message_id("sb_Both"));
        store.register_step(&both, None, None).await.unwrap();
        let names: Vec<Option<String>> = store
            .list_steps()
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.message_name)
            .collect();
        assert_eq!(
            names,
            [
                Some("Create".into()),
                Some("sb_Both".into()),
                Some("Update".into())
            ]
        );
    }

    #[tokio::test]
    async fn the_plugin_type_must_exist() {
        let store = store().await;
        let mut s = step("Create", Pre, Sync);
        s.plugin_type = StepPluginRef::Type {
            name: None,
            id: Some(Uuid::new_v4()),
        };
        assert_eq!(
            rule(store.register_step(&s, None, None).await).0,
            StepRule::UnknownPluginType
        );
        s.plugin_type = StepPluginRef::Type {
            name: Some("Samples.Missing".into()),
            id: None,
        };
        assert_eq!(
            rule(store.register_step(&s, None, None).await).0,
            StepRule::UnknownPluginType
        );
        for name in [
            "Samples.Reverse",
            "samples.reverse",
            "Samples.Reverse, Reverse",
            "Samples.Reverse, Reverse, Version=1.0.0.0, Culture=neutral",
        ] {
            let mut s = step("Create", Pre, Sync);
            s.plugin_type = StepPluginRef::Type {
                name: Some(name.into()),
                id: None,
            };
            store.register_step(&s, None, None).await.unwrap();
        }
        let mut s = step("Create", Pre, Sync);
        s.plugin_type = StepPluginRef::ExportKey(ExportKey::Guid(TYPE_ID));
        store.register_step(&s, None, None).await.unwrap();
        assert!(
            store
                .list_steps()
                .await
                .unwrap()
                .iter()
                .all(|s| s.plugin_type_id == Some(TYPE_ID))
        );
        // A package key resolves only when a plug-in package is stored, with a warning.
        let mut s = step("Create", Post, Async);
        s.plugin_type = StepPluginRef::ExportKey(ExportKey::parse(HEX_KEY).unwrap());
        assert_eq!(
            rule(store.register_step(&s, None, None).await).0,
            StepRule::UnknownPluginType
        );
        let sol = solution("Packaged", false);
        store
            .import(&[ImportInput {
                solution: &sol,
                apis: &[],
                assemblies: &[],
                packages: &[PluginPackage {
                    unique_name: "sb_Package".into(),
                    name: "sb_Package".into(),
                    version: None,
                    file_name: None,
                }],
                steps: &[],
                tables: &[],
            }])
            .await
            .unwrap();
        let change = store.register_step(&s, None, None).await.unwrap();
        assert_eq!(change.warnings[0].id, MessageId::StepPluginTypeInPackage);
    }

    #[tokio::test]
    async fn stage_and_mode_and_name() {
        let store = store().await;
        let (r, m) = rule(
            store
                .register_step(&step("Create", StepStage::MainOperation, Sync), None, None)
                .await,
        );
        assert_eq!(
            (r, m.id),
            (StepRule::StageAndMode, MessageId::StepStageInvalid)
        );
        let (r, m) = rule(
            store
                .register_step(&step("Create", Pre, Async), None, None)
                .await,
        );
        assert_eq!(
            (r, m.id),
            (StepRule::StageAndMode, MessageId::StepAsyncNotPostOperation)
        );
        for name in [String::new(), "  ".into(), "x".repeat(MAX_STEP_NAME + 1)] {
            let mut s = step("Create", Pre, Sync);
            s.name = name;
            assert_eq!(
                rule(store.register_step(&s, None, None).await).0,
                StepRule::Name
            );
        }
        let mut s = step("Create", Pre, Sync);
        s.name = "x".repeat(MAX_STEP_NAME);
        store.register_step(&s, None, None).await.unwrap();
        assert_eq!(
            rule(store.register_step(&s, None, None).await).0,
            StepRule::Duplicate
        );
    }

    #[tokio::test]
    async fn allowed_custom_processing_step_type() {
        let store = store().await;
        // 0 None: no step at all, whatever its stage and mode.
        for (stage, mode) in [(PreVal, Sync), (Pre, Sync), (Post, Sync), (Post, Async)] {
            let (r, m) = rule(
                store
                    .register_step(&step("sb_None", stage, mode), None, None)
                    .await,
            );
            assert_eq!(r, StepRule::NotAllowedOnMessage);
            assert_eq!(m.id, MessageId::StepCustomApiNoSteps);
            assert_eq!(m.get("api"), Some("sb_None"));
        }
        // 1 Async Only: asynchronous post-operation steps only.
        for (stage, mode) in [(PreVal, Sync), (Pre, Sync), (Post, Sync)] {
            let (r, m) = rule(
                store
                    .register_step(&step("sb_asynconly", stage, mode), None, None)
                    .await,
            );
            assert_eq!(r, StepRule::NotAllowedOnMessage);
            assert_eq!(m.id, MessageId::StepCustomApiAsyncOnly);
            assert_eq!(m.get("api"), Some("sb_AsyncOnly"), "the stored name");
        }
        store
            .register_step(&step("sb_AsyncOnly", Post, Async), None, None)
            .await
            .unwrap();
        // 2 Sync and Async: anything the stage rules allow.
        for (stage, mode) in [(PreVal, Sync), (Pre, Sync), (Post, Sync), (Post, Async)] {
            store
                .register_step(&step("sb_Both", stage, mode), None, None)
                .await
                .unwrap();
        }
        assert_eq!(store.list_steps().await.unwrap().len(), 5);
    }

    #[tokio::test]
    async fn changes_are_checked_again_and_disabling_always_works() {
        let store = store().await;
        let s = step("sb_AsyncOnly", Post, Async);
        store.register_step(&s, None, None).await.unwrap();
        let (r, _) = rule(
            store
                .update_step(
                    s.id,
                    &StepUpdate {
                        mode: Some(Sync),
                        ..Default::default()
                    },
                )
                .await,
        );
        assert_eq!(r, StepRule::NotAllowedOnMessage);
        store
            .update_step(
                s.id,
                &StepUpdate {
                    rank: Some(7),
                    configuration: Some(Some("c".into())),
                    filtering_attributes: Some(vec!["name".into(), "telephone1".into()]),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let listed = &store.list_steps().await.unwrap()[0];
        assert_eq!(listed.step.mode, Async, "the refused change wrote nothing");
        assert_eq!(listed.step.rank, 7);
        assert_eq!(listed.step.configuration.as_deref(), Some("c"));
        assert_eq!(listed.step.filtering_attributes, ["name", "telephone1"]);
        assert_eq!(listed.solution, ids::ACTIVE_SOLUTION);

        // Disabling skips the rules (the plug-in type may be gone); enabling checks them.
        crate::entity::plugintype::Entity::delete_by_id(TYPE_ID)
            .exec(store.connection())
            .await
            .unwrap();
        store.set_step_enabled(s.id, false).await.unwrap();
        assert!(!store.list_steps().await.unwrap()[0].step.enabled);
        assert_eq!(
            rule(store.set_step_enabled(s.id, true).await).0,
            StepRule::UnknownPluginType
        );
        assert_eq!(
            rule(store.set_step_enabled(Uuid::new_v4(), false).await).0,
            StepRule::UnknownStep
        );
    }

    #[tokio::test]
    async fn secure_configuration_is_kept_apart() {
        let store = store().await;
        let s = step("sb_Both", Pre, Sync);
        store
            .register_step(&s, Some("p@ssw0rd"), None)
            .await
            .unwrap();
        assert_eq!(
            store
                .step_secure_configuration(s.id)
                .await
                .unwrap()
                .as_deref(),
            Some("p@ssw0rd")
        );
        let everything = switchboard_model::query::RecordQuery::default();
        let rows = store
            .definition_page("sdkmessageprocessingstep", &everything)
            .await
            .unwrap()
            .unwrap()
            .rows;
        let text = serde_json::to_string(&rows).unwrap();
        assert!(!text.contains("p@ssw0rd"), "{text}");
        assert!(store.list_steps().await.unwrap()[0].has_secure_configuration);
        store
            .update_step(
                s.id,
                &StepUpdate {
                    secure_configuration: Some(Some("other".into())),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .step_secure_configuration(s.id)
                .await
                .unwrap()
                .as_deref(),
            Some("other")
        );
        store.delete_step(s.id).await.unwrap();
        assert!(store.list_steps().await.unwrap().is_empty());
        assert_eq!(
            secure::Entity::find()
                .count(store.connection())
                .await
                .unwrap(),
            0
        );
        assert!(matches!(
            store.delete_step(s.id).await,
            Err(StepError::Rejected {
                rule: StepRule::UnknownStep,
                ..
            })
        ));
    }

    #[tokio::test]
    async fn registering_marks_definitions_changed() {
        let store = store().await;
        let before = store.registry_version().await.unwrap();
        let s = step("sb_Both", Pre, Sync);
        store.register_step(&s, None, None).await.unwrap();
        let after = store.registry_version().await.unwrap();
        assert_ne!(before, after);
        assert_eq!(
            store.list_steps().await.unwrap()[0].solution_id,
            ids::ACTIVE_SOLUTION_ID
        );
    }

    #[tokio::test]
    async fn imports_check_every_step_and_write_nothing_when_one_is_refused() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let apis = [
            api("sb_None", AllowedStepType::None),
            api("sb_AsyncOnly", AllowedStepType::AsyncOnly),
        ];
        let refs: Vec<&CustomApi> = apis.iter().collect();
        let sol = solution("Fixture", true);
        let good = step("sb_AsyncOnly", Post, Async);
        let sync = step("sb_AsyncOnly", Pre, Sync);
        let none = step("sb_None", Post, Async);
        let before = store.row_counts().await.unwrap();
        let assemblies = [assembly()];
        let input = |steps| ImportInput {
            solution: &sol,
            apis: &refs,
            assemblies: &assemblies,
            packages: &[],
            steps,
            tables: &[],
        };
        let refused = [good.clone(), sync.clone(), none.clone()];
        match store.import(&[input(&refused)]).await {
            Err(ImportError::Steps(failures)) => {
                let got: Vec<(Uuid, StepRule, MessageId)> = failures
                    .iter()
                    .map(|f| (f.id, f.rule, f.message.id))
                    .collect();
                assert_eq!(
                    got,
                    [
                        (
                            sync.id,
                            StepRule::NotAllowedOnMessage,
                            MessageId::StepCustomApiAsyncOnly
                        ),
                        (
                            none.id,
                            StepRule::NotAllowedOnMessage,
                            MessageId::StepCustomApiNoSteps
                        ),
                    ]
                );
            }
            other => panic!("expected refused steps, got {other:?}"),
        }
        assert_eq!(store.row_counts().await.unwrap(), before, "nothing written");

        // The accepted step imports; re-importing updates it in place; a managed
        // solution's step cannot be deleted outside the solution.
        let accepted = [good.clone()];
        let reports = store.import(&[input(&accepted)]).await.unwrap();
        assert!(
            reports[0]
                .created
                .iter()
                .any(|c| c.contains("sb_AsyncOnly step"))
        );
        let reports = store.import(&[input(&accepted)]).await.unwrap();
        assert!(
            reports[0]
                .updated
                .iter()
                .any(|c| c.contains("sb_AsyncOnly step"))
        );
        let (r, m) = match store.delete_step(good.id).await {
            Err(StepError::Rejected { rule, message }) => (rule, message),
            other => panic!("{other:?}"),
        };
        assert_eq!(r, StepRule::Managed);
        assert_eq!(m.get("solution"), Some("Fixture"));
        // Disabling a managed step is allowed.
        store.set_step_enabled(good.id, false).await.unwrap();
    }
}
