//! Plug-ins that misbehave on purpose, to show the sandbox holds.

use switchboard_plugin::{Context, Plugin, PluginError, export_plugins};

/// Never returns.
struct InfiniteLoop;
impl Plugin for InfiniteLoop {
    fn execute(ctx: &mut Context) -> Result<(), PluginError> {
        ctx.trace("looping forever");
        let mut n: u64 = 0;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
}

/// Allocates until the memory cap stops it.
struct MemoryBomb;
impl Plugin for MemoryBomb {
    fn execute(_ctx: &mut Context) -> Result<(), PluginError> {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            hoard.push(vec![1u8; 1 << 20]);
            std::hint::black_box(&hoard);
        }
    }
}

/// Panics with a message.
struct Panic;
impl Plugin for Panic {
    fn execute(_ctx: &mut Context) -> Result<(), PluginError> {
        panic!("the faults plug-in panics on purpose");
    }
}

/// Returns a business error, as Dataverse's InvalidPluginExecutionException.
struct BusinessError;
impl Plugin for BusinessError {
    fn execute(_ctx: &mut Context) -> Result<(), PluginError> {
        Err(PluginError::business(
            "The order cannot be shipped: the credit limit is exceeded.",
        ))
    }
}

export_plugins!(
    "Samples.Faults.InfiniteLoop" => InfiniteLoop,
    "Samples.Faults.MemoryBomb" => MemoryBomb,
    "Samples.Faults.Panic" => Panic,
    "Samples.Faults.BusinessError" => BusinessError,
);
