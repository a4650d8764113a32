//! `switchboard step add|list|enable|disable|delete|image-add|image-delete`: processing
//! steps and their entity images registered through the store's registration functions
//! (the same rules as an import), without a server.

use std::process::ExitCode;

use switchboard_locale::Localizer;
use switchboard_model::step::column_list;
use switchboard_model::{
    ExportKey, ImageType, Message, MessageId, MessageRef, ProcessingStep, StepImage, StepMode,
    StepPluginRef, StepStage, plugin::parse_guid,
};
use switchboard_solution::Diagnostic;
use switchboard_store::{StepError, Store, StoredStep};

use crate::output::{diagnostic, out};
use crate::{ImageTypeArg, StepCommand, StepModeArg};

/// Runs one `step` subcommand.
pub(crate) async fn run(l: &Localizer, store: &Store, command: &StepCommand) -> ExitCode {
    match command {
        StepCommand::Add { .. } => add(l, store, command).await,
        StepCommand::List { json } => list(l, store, *json).await,
        StepCommand::Enable { id } => report(
            l,
            store.set_step_enabled(*id, true).await.map(|_| ()),
            Message::new(MessageId::CliStepEnabled).arg("id", id),
        ),
        StepCommand::Disable { id } => report(
            l,
            store.set_step_enabled(*id, false).await.map(|_| ()),
            Message::new(MessageId::CliStepDisabled).arg("id", id),
        ),
        StepCommand::Delete { id } => report(
            l,
            store.delete_step(*id).await,
            Message::new(MessageId::CliStepDeleted).arg("id", id),
        ),
        StepCommand::ImageAdd {
            step,
            alias,
            image_type,
            attributes,
            name,
            id,
        } => {
            let image = StepImage {
                id: id.unwrap_or_else(uuid::Uuid::new_v4),
                name: name.clone().unwrap_or_else(|| alias.clone()),
                alias: alias.clone(),
                image_type: match image_type {
                    ImageTypeArg::Pre => ImageType::PreImage,
                    ImageTypeArg::Post => ImageType::PostImage,
                    ImageTypeArg::Both => ImageType::Both,
                },
                attributes: column_list(&attributes.join(",")),
                // Create's record is its returned id; Update's and Delete's the Target.
                message_property_name: message_of(store, *step)
                    .await
                    .map_or("Target", |m| StepImage::default_property(&m))
                    .to_owned(),
                description: None,
            };
            report(
                l,
                store.register_step_image(*step, &image).await.map(|_| ()),
                Message::new(MessageId::CliStepImageAdded)
                    .arg("alias", alias)
                    .arg("step", step)
                    .arg("id", image.id),
            )
        }
        StepCommand::ImageDelete { id } => report(
            l,
            store.delete_step_image(*id).await,
            Message::new(MessageId::CliStepImageDeleted).arg("id", id),
        ),
    }
}

/// The message name of a stored step (`None` when the step is unknown: registering the
/// image then reports that).
async fn message_of(store: &Store, step: uuid::Uuid) -> Option<String> {
    store
        .list_steps()
        .await
        .ok()?
        .into_iter()
        .find(|s| s.step.id == step)?
        .message_name
}

/// Prints `done` on success, else the refusal, and gives the exit code.
fn report(l: &Localizer, result: Result<(), StepError>, done: Message) -> ExitCode {
    match result {
        Ok(()) => {
            out(&l.render(&done));
            ExitCode::SUCCESS
        }
        Err(e) => fail(l, e),
    }
}

fn fail(l: &Localizer, e: StepError) -> ExitCode {
    let text = match e {
        StepError::Rejected { message, .. } => l.render(&message),
        StepError::Database(e) => {
            l.render(&Message::new(MessageId::ImportDatabase).arg("detail", e))
        }
    };
    eprintln!("{}: {text}", l.render(&Message::new(MessageId::CliError)));
    ExitCode::FAILURE
}

/// `--message`: an sdkmessageid, else a name.
fn message_ref(raw: &str) -> MessageRef {
    match parse_guid(raw) {
        Ok(id) => MessageRef::Id(id),
        Err(_) => MessageRef::Name(raw.trim().to_owned()),
    }
}

/// `--plugin-type`: an id (or a classic export key, which is the type id), a package
/// export key (64 hex digits), else a type name.
fn plugin_ref(raw: &str) -> StepPluginRef {
    if let Ok(id) = parse_guid(raw) {
        return StepPluginRef::Type {
            name: None,
            id: Some(id),
        };
    }
    match ExportKey::parse(raw) {
        Ok(key @ ExportKey::Hex(_)) => StepPluginRef::ExportKey(key),
        _ => StepPluginRef::Type {
            name: Some(raw.trim().to_owned()),
            id: None,
        },
    }
}

async fn add(l: &Localizer, store: &Store, command: &StepCommand) -> ExitCode {
    let StepCommand::Add {
        name,
        message,
        plugin_type,
        stage,
        mode,
        rank,
        entity,
        filtering_attributes,
        configuration,
        secure_configuration,
        async_auto_delete,
        id,
    } = command
    else {
        return ExitCode::FAILURE;
    };
    let Some(stage) = StepStage::from_code(*stage) else {
        eprintln!(
            "{}: {}",
            l.render(&Message::new(MessageId::CliError)),
            l.render(&Message::new(MessageId::StepStageInvalid).arg("stage", stage))
        );
        return ExitCode::FAILURE;
    };
    let step = ProcessingStep {
        id: id.unwrap_or_else(uuid::Uuid::new_v4),
        name: name.clone(),
        description: None,
        message: message_ref(message),
        plugin_type: plugin_ref(plugin_type),
        primary_entity: entity
            .as_deref()
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| !e.is_empty() && e != "none"),
        secondary_entity: None,
        stage,
        mode: match mode {
            StepModeArg::Sync => StepMode::Synchronous,
            StepModeArg::Async => StepMode::Asynchronous,
        },
        rank: *rank,
        filtering_attributes: filtering_attributes
            .iter()
            .map(|a| a.trim().to_ascii_lowercase())
            .filter(|a| !a.is_empty())
            .collect(),
        configuration: configuration.clone(),
        async_auto_delete: *async_auto_delete,
        invocation_source: None,
        enabled: true,
        images: Vec::new(),
    };
    match store
        .register_step(&step, secure_configuration.as_deref(), None)
        .await
    {
        Ok(change) => {
            out(&l.render(
                &Message::new(MessageId::CliStepAdded)
                    .arg("name", &step.name)
                    .arg("id", change.id),
            ));
            for w in change.warnings {
                out(&format!(
                    "  {}",
                    diagnostic(l, &Diagnostic::warning(None, w))
                ));
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(l, e),
    }
}

async fn list(l: &Localizer, store: &Store, as_json: bool) -> ExitCode {
    let steps = match store.list_steps().await {
        Ok(steps) => steps,
        Err(e) => return fail(l, StepError::Database(e)),
    };
    if as_json {
        let values: Vec<serde_json::Value> = steps.iter().map(json).collect();
        out(&serde_json::to_string_pretty(&values).unwrap_or_default());
        return ExitCode::SUCCESS;
    }
    if steps.is_empty() {
        eprintln!("{}", l.render(&Message::new(MessageId::CliStepListEmpty)));
    }
    for s in &steps {
        let step = &s.step;
        let state = if step.enabled { "enabled" } else { "disabled" };
        out(&format!(
            "{}  {} on {}  stage {} ({}), {}, rank {}  plug-in {}  {state}  \"{}\" [{}]",
            step.id,
            s.message_name.as_deref().unwrap_or("?"),
            step.primary_entity.as_deref().unwrap_or("any table"),
            step.stage.code(),
            step.stage.label(),
            step.mode.label(),
            step.rank,
            s.plugin_type,
            step.name,
            s.solution,
        ));
        for i in &step.images {
            out(&format!(
                "    image {}  \"{}\" {}  columns {}",
                i.id,
                i.alias,
                i.image_type.label(),
                if i.attributes.is_empty() {
                    "all".to_owned()
                } else {
                    i.attributes.join(",")
                }
            ));
        }
    }
    ExitCode::SUCCESS
}

/// `step list --json`: one object per step with Dataverse's column names (the secure
/// configuration only as whether one is stored).
fn json(s: &StoredStep) -> serde_json::Value {
    let step = &s.step;
    serde_json::json!({
        "sdkmessageprocessingstepid": step.id,
        "name": step.name,
        "message": s.message_name,
        "sdkmessageid": match &step.message {
            MessageRef::Id(id) => Some(*id),
            MessageRef::Name(_) => None,
        },
        "primaryobjecttypecode": step.primary_entity,
        "stage": step.stage.code(),
        "mode": step.mode.code(),
        "rank": step.rank,
        "filteringattributes": step.filtering_attributes,
        "configuration": step.configuration,
        "hassecureconfiguration": s.has_secure_configuration,
        "asyncautodelete": step.async_auto_delete,
        "plugintype": s.plugin_type,
        "plugintypeid": s.plugin_type_id,
        "statecode": if step.enabled { 0 } else { 1 },
        "solution": s.solution,
        "images": step.images.iter().map(|i| serde_json::json!({
            "sdkmessageprocessingstepimageid": i.id,
            "name": i.name,
            "entityalias": i.alias,
            "imagetype": i.image_type.code(),
            "attributes": i.attributes,
            "messagepropertyname": i.message_property_name,
        })).collect::<Vec<_>>(),
    })
}
