//! Plug-ins for the message pipeline sample `sb_Pipeline` (steps at 10, 20, 40 sync and 40
//! async around a main operation), `sb_Recurse` (a message that executes itself), and
//! steps on the `sb_project` table's record messages (`Stamp`, `Audit`, `Redact`).

use switchboard_plugin::{
    Context, Entity, Mode, Plugin, PluginError, Stage, Value, export_plugins,
};

/// The sample table the plug-ins write to (defined by the `SwitchboardSamples` solution).
const PROJECT: &str = "sb_project";

fn text(ctx: &Context, name: &str) -> Result<String, PluginError> {
    Ok(ctx.input::<String>(name)?.unwrap_or_default())
}

fn shared_text(ctx: &Context, name: &str) -> String {
    match ctx.shared(name) {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}

/// Registered at 10, 20 and 40: leaves its stage in the shared `trail`; at 10 it also sets
/// `from10`; at 20 it upper-cases the `Text` input; at 40 it writes `Trail` (the trail and
/// what stage 10 shared) to the outputs.
struct Trail;

impl Plugin for Trail {
    fn execute(ctx: &mut Context) -> Result<(), PluginError> {
        let stage = ctx.stage();
        let code = match stage {
            Stage::PreValidation => 10,
            Stage::PreOperation => 20,
            Stage::MainOperation => 30,
            Stage::PostOperation => 40,
        };
        ctx.trace(format!("Trail step at stage {code}"));
        let trail = format!("{}{code};", shared_text(ctx, "trail"));
        ctx.set_shared("trail", trail.clone())?;
        match stage {
            Stage::PreValidation => ctx.set_shared("from10", "yes")?,
            Stage::PreOperation => {
                let upper = text(ctx, "Text")?.to_uppercase();
                ctx.set_input("Text", upper)?;
            }
            Stage::PostOperation => {
                let from10 = shared_text(ctx, "from10");
                ctx.set_output("Trail", format!("{trail}from10={from10}"))?;
            }
            Stage::MainOperation => {}
        }
        Ok(())
    }
}

/// The main operation of `sb_Pipeline`: records a project named after `Text` (so a failing
/// later step has a write to roll back) and answers `Result`, with the API's configuration.
struct Main;

impl Plugin for Main {
    fn execute(ctx: &mut Context) -> Result<(), PluginError> {
        let text = text(ctx, "Text")?;
        ctx.create(&Entity::new(PROJECT).with("sb_name", format!("main:{text}")))?;
        // The API's own `<configuration>` reaches its main operation (beyond Dataverse).
        let result = match ctx.unsecure_configuration() {
            Some(config) => format!("{text} seen by main ({config})"),
            None => format!("{text} seen by main"),
        };
        ctx.set_output("Result", result)
    }
}

/// Post-operation: refuses any `Text` containing `REFUSE`, after the main operation wrote.
struct Refuse;

impl Plugin for Refuse {
    fn execute(ctx: &mut Context) -> Result<(), PluginError> {
        let text = text(ctx, "Text")?;
        if text.contains("REFUSE") {
            return Err(PluginError::business(format!(
                "post-operation refused {text}"
            )));
        }
        Ok(())
    }
}

/// Asynchronous post-operation: records a project named `async:<Text>` (one per job, so
/// tests can count that every job ran exactly once).
struct AsyncRecord;

impl Plugin for AsyncRecord {
    fn execute(ctx: &mut Context) -> Result<(), PluginError> {
        let text = text(ctx, "Text")?;
        ctx.create(&Entity::new(PROJECT).with("sb_name", format!("async:{text}")))?;
        Ok(())
    }
}

/// The main operation of `sb_Recurse`: records a project for its depth, then executes
/// `sb_Recurse` again until `Levels` is reached; `Depth` is the deepest level that ran.
struct Recurse;

impl Plugin for Recurse {
    fn execute(ctx: &mut Context) -> Result<(), PluginError> {
        let levels: i32 = ctx.input("Levels")?.unwrap_or(1);
        let depth = i32::try_from(ctx.depth()).unwrap_or(i32::MAX);
        ctx.create(&Entity::new(PROJECT).with("sb_name", format!("depth {depth}")))?;
        let mut deepest = depth;
        if depth < levels {
            let outputs = ctx.execute("sb_Recurse", &[("Levels", Value::Integer(levels))])?;
            if let Some((_, Value::Integer(d))) = outputs.iter().find(|(n, _)| n == "Depth") {
                deepest = *d;
            }
        }
        ctx.set_output("Depth", deepest)
    }
}

/// On a table's Create or Update (stage 10 or 20): stamps the record being written with
/// `sb_code = STAMP-<stage>` by changing the `Target` input.
struct Stamp;

impl Plugin for Stamp {
    fn execute(ctx: &mut Context) -> Result<(), PluginError> {
        let mut target: Entity = ctx
            .input("Target")?
            .ok_or_else(|| PluginError::business("Stamp needs the Target record"))?;
        let code = match ctx.stage() {
            Stage::PreValidation => 10,
            Stage::PreOperation => 20,
            Stage::MainOperation => 30,
            Stage::PostOperation => 40,
        };
        target.set("sb_code", format!("STAMP-{code}"));
        ctx.set_input("Target", target)
    }
}

/// On a record message: writes an account named after the entity images the step received
/// under the alias `Image`, so what a step saw can be read back:
/// `audit:<message>:<mode>:<pre-image>-><post-image>`, each image as its sorted
/// `column=value` pairs, `-` when the step received none.
struct Audit;

fn show(image: Option<&Entity>) -> String {
    let Some(image) = image else {
        return "-".to_owned();
    };
    let mut columns: Vec<String> = image
        .attributes
        .iter()
        .map(|(name, value)| match value {
            Value::String(s) => format!("{name}={s}"),
            Value::Integer(n) => format!("{name}={n}"),
            other => format!("{name}={other:?}"),
        })
        .collect();
    columns.sort();
    columns.join(",")
}

impl Plugin for Audit {
    fn execute(ctx: &mut Context) -> Result<(), PluginError> {
        let mode = match ctx.mode() {
            Mode::Synchronous => "sync",
            Mode::Asynchronous => "async",
        };
        let name = format!(
            "audit:{}:{mode}:{}->{}",
            ctx.message_name(),
            show(ctx.pre_image("Image")),
            show(ctx.post_image("Image"))
        );
        ctx.create(&Entity::new("account").with("name", name))?;
        Ok(())
    }
}

/// After a Retrieve or RetrieveMultiple of projects (stage 40): hides `sb_notes` in what
/// the caller gets. Before a RetrieveMultiple (stage 20): narrows the query to projects with
/// a priority, rewriting the `Query` input.
struct Redact;

fn redact(entity: &mut Entity) {
    if entity.get("sb_notes").is_some() {
        entity.set("sb_notes", "[redacted]");
    }
}

impl Plugin for Redact {
    fn execute(ctx: &mut Context) -> Result<(), PluginError> {
        if ctx.stage() == Stage::PreOperation {
            let query: String = ctx.input("Query")?.unwrap_or_default();
            let narrowed = if query.contains("$filter=") {
                query.replacen("$filter=", "$filter=sb_priority ne null and ", 1)
            } else if query.is_empty() {
                "$filter=sb_priority ne null".to_owned()
            } else {
                format!("{query}&$filter=sb_priority ne null")
            };
            return ctx.set_input("Query", narrowed);
        }
        match ctx.output_value("BusinessEntity").cloned() {
            Some(Value::Entity(mut entity)) => {
                redact(&mut entity);
                ctx.set_output("BusinessEntity", Value::Entity(entity))
            }
            _ => match ctx.output_value("BusinessEntityCollection").cloned() {
                Some(Value::EntityCollection(mut entities)) => {
                    entities.iter_mut().for_each(redact);
                    ctx.set_output(
                        "BusinessEntityCollection",
                        Value::EntityCollection(entities),
                    )
                }
                _ => Ok(()),
            },
        }
    }
}

export_plugins!(
    "Switchboard.Samples.Steps.Trail" => Trail,
    "Switchboard.Samples.Steps.Main" => Main,
    "Switchboard.Samples.Steps.Refuse" => Refuse,
    "Switchboard.Samples.Steps.AsyncRecord" => AsyncRecord,
    "Switchboard.Samples.Steps.Recurse" => Recurse,
    "Switchboard.Samples.Steps.Stamp" => Stamp,
    "Switchboard.Samples.Steps.Audit" => Audit,
    "Switchboard.Samples.Steps.Redact" => Redact,
);
