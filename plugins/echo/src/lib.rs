//! Copies every input parameter to the output of the same name with `Parameter` replaced by
//! `Property` (`StringParameter` → `StringProperty`), so every type can round-trip.

use switchboard_plugin::{Context, Plugin, PluginError, export_plugins};

struct Echo;

impl Plugin for Echo {
    fn execute(ctx: &mut Context) -> Result<(), PluginError> {
        let inputs = ctx.inputs().to_vec();
        for (name, value) in inputs {
            let Some(stem) = name.strip_suffix("Parameter") else {
                continue;
            };
            ctx.set_output(&format!("{stem}Property"), value)?;
        }
        Ok(())
    }
}

export_plugins!("Samples.Echo" => Echo);
