//! Dataverse's sample plug-in: reverses `StringParameter` into `StringProperty`.

use switchboard_plugin::{Context, Plugin, PluginError, export_plugins};

struct Reverse;

impl Plugin for Reverse {
    fn execute(ctx: &mut Context) -> Result<(), PluginError> {
        let text: String = ctx.input("StringParameter")?.unwrap_or_default();
        ctx.trace(format!(
            "{}: reversing {} characters",
            ctx.message_name(),
            text.chars().count()
        ));
        ctx.set_output("StringProperty", text.chars().rev().collect::<String>())
    }
}

export_plugins!("Samples.Reverse" => Reverse);
