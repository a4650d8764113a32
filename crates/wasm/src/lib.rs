//! The plug-in host: runs WebAssembly components (the `switchboard:plugin` world) with
//! wasmtime, one fresh sandbox per call, with a memory cap and a wall-clock deadline.
//!
//! The only crate that uses wasmtime. Plug-ins are pure components without WASI: their
//! only capabilities are the WIT imports implemented in [`imports`].

mod convert;
mod host;
mod imports;
mod long_calls;
pub mod records;
pub mod snapshot;
pub mod testing;

pub use host::{
    Host, HostConfig, Invocation, Loaded, PluginFailure, TraceLine, componentize, is_component,
};
pub use records::{RecordFailure, RecordFuture, RecordPage, RecordService};

/// Bindings generated from `crates/plugin-sdk/wit` (the one WIT package).
#[allow(missing_docs, unreachable_pub)]
pub mod bindings {
    wasmtime::component::bindgen!({
        path: "../plugin-sdk/wit",
        world: "plugin",
        // Record operations await the server's `RecordService` (database I/O), so they are
        // async host functions; `trappable` lets one end the call when the deadline passes
        // while it waits. Tracing and parameters stay plain synchronous functions (the default).
        imports: { "switchboard:plugin/organization": async | trappable },
        exports: { default: async },
    });
}
