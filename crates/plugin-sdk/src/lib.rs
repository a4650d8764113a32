//! Write Switchboard plug-ins in Rust.
//!
//! A plug-in is a type implementing [`Plugin`]; [`export_plugins!`] exports one or more of
//! them from one WebAssembly component (an *assembly*), each under its plug-in type name.
//! Build with `cargo build --target wasm32-unknown-unknown --release` (or
//! `switchboard plugin build`); Switchboard turns the module into a component on import.
//!
//! ```ignore
//! use switchboard_plugin::{export_plugins, Context, Plugin, PluginError};
//!
//! struct Reverse;
//! impl Plugin for Reverse {
//!     fn execute(ctx: &mut Context) -> Result<(), PluginError> {
//!         let text: String = ctx.input("StringParameter")?.unwrap_or_default();
//!         ctx.trace(format!("reversing {} characters", text.chars().count()));
//!         ctx.set_output("StringProperty", text.chars().rev().collect::<String>())
//!     }
//! }
//! export_plugins!("Samples.Reverse" => Reverse);
//! ```
//!
//! A plug-in reads and writes records through its [`Context`] (Dataverse's
//! IOrganizationService), as the user the call runs for:
//!
//! ```ignore
//! use switchboard_plugin::{Context, Entity, Plugin, PluginError};
//!
//! struct Touch;
//! impl Plugin for Touch {
//!     fn execute(ctx: &mut Context) -> Result<(), PluginError> {
//!         let target = ctx.target().ok_or_else(|| PluginError::business("no record given"))?;
//!         let project = ctx.retrieve(&target.logical_name, target.id, &["sb_name"])?;
//!         let name: String = project.attribute("sb_name")?.unwrap_or_default();
//!         ctx.update(&Entity::new("sb_project").with_id(target.id).with("sb_notes", "seen"))?;
//!         ctx.set_output("Name", name)
//!     }
//! }
//! ```

#![deny(missing_docs)]

extern crate self as switchboard_plugin;

mod context;
mod organization;
mod value;

pub use context::{Context, Level, Mode, Stage};
pub use organization::EntityPage;
pub use value::{Entity, EntityReference, FromValue, Guid, Value};

#[doc(hidden)]
#[allow(missing_docs)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "plugin",
        pub_export_macro: true,
        export_macro_name: "__export_plugin_world",
        default_bindings_module: "::switchboard_plugin::bindings",
        runtime_path: "::switchboard_plugin::__rt::wit_bindgen::rt",
    });
}

#[doc(hidden)]
pub mod __rt {
    pub use wit_bindgen;
}

/// An error a plug-in returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginError {
    /// A business error the caller sees as is (Dataverse's InvalidPluginExecutionException).
    InvalidPluginExecution(String),
    /// Something went wrong inside the plug-in.
    Internal(String),
}

impl PluginError {
    /// A business error with this message.
    pub fn business(message: impl Into<String>) -> Self {
        PluginError::InvalidPluginExecution(message.into())
    }
}

impl std::fmt::Display for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PluginError::InvalidPluginExecution(m) | PluginError::Internal(m) => f.write_str(m),
        }
    }
}

impl From<PluginError> for bindings::switchboard::plugin::types::PluginError {
    fn from(e: PluginError) -> Self {
        use bindings::switchboard::plugin::types::PluginError as Wit;
        match e {
            PluginError::InvalidPluginExecution(m) => Wit::InvalidPluginExecution(m),
            PluginError::Internal(m) => Wit::Internal(m),
        }
    }
}

impl From<bindings::switchboard::plugin::types::PluginError> for PluginError {
    fn from(e: bindings::switchboard::plugin::types::PluginError) -> Self {
        use bindings::switchboard::plugin::types::PluginError as Wit;
        match e {
            Wit::InvalidPluginExecution(m) => PluginError::InvalidPluginExecution(m),
            Wit::Internal(m) => PluginError::Internal(m),
        }
    }
}

/// One plug-in type: what runs when a step or a custom API names it.
pub trait Plugin {
    /// Runs the plug-in for one call.
    fn execute(ctx: &mut Context) -> Result<(), PluginError>;
}

/// Forwards panic messages to the trace log: on `wasm32-unknown-unknown` a panic ends in a
/// trap that carries no text, so this is how the host learns what happened.
#[doc(hidden)]
pub fn __install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            bindings::switchboard::plugin::tracing::trace(
                bindings::switchboard::plugin::tracing::Level::Error,
                &format!("plugin panicked: {info}"),
            );
        }));
    });
}

/// Heap the allocator takes at initialisation, so calls allocate without growing memory.
const HEAP_RESERVE: usize = 256 * 1024;

/// What a component does once, when Switchboard pre-initialises it at build time (the
/// state it leaves is every sandbox's starting point): installs the panic hook and grows
/// the heap once, so no call pays for either.
#[doc(hidden)]
pub fn __initialize() {
    __install_panic_hook();
    let reserve: Vec<u8> = Vec::with_capacity(HEAP_RESERVE);
    // Kept from being optimised away: the point is the allocation.
    drop(std::hint::black_box(reserve));
}

/// Runs one plug-in type with the host's context (used by [`export_plugins!`]).
#[doc(hidden)]
pub fn __run<P: Plugin>(
    raw: bindings::switchboard::plugin::types::Context,
) -> Result<(), bindings::switchboard::plugin::types::PluginError> {
    __install_panic_hook();
    let mut ctx =
        Context::from_raw(raw).map_err(bindings::switchboard::plugin::types::PluginError::from)?;
    P::execute(&mut ctx).map_err(Into::into)
}

/// Exports plug-in types from this component, each under a name:
/// `export_plugins!("Samples.Reverse" => Reverse, "Samples.Echo" => Echo);`
#[macro_export]
macro_rules! export_plugins {
    ($($name:literal => $plugin:ty),+ $(,)?) => {
        #[doc(hidden)]
        pub struct __SwitchboardPlugins;

        impl $crate::bindings::Guest for __SwitchboardPlugins {
            fn plugin_types() -> ::std::vec::Vec<::std::string::String> {
                ::std::vec![$(::std::string::String::from($name)),+]
            }

            fn execute(
                plugin_type: ::std::string::String,
                context: $crate::bindings::switchboard::plugin::types::Context,
            ) -> ::std::result::Result<(), $crate::bindings::switchboard::plugin::types::PluginError> {
                $(
                    if plugin_type == $name {
                        return $crate::__run::<$plugin>(context);
                    }
                )+
                ::std::result::Result::Err($crate::bindings::switchboard::plugin::types::PluginError::Internal(
                    ::std::format!("this component has no plug-in type {plugin_type:?}"),
                ))
            }
        }

        $crate::bindings::__export_plugin_world!(__SwitchboardPlugins);

        /// Switchboard runs this once when it builds the component and keeps the state it
        /// leaves (a pre-initialised snapshot); the export is gone afterwards.
        #[doc(hidden)]
        #[unsafe(export_name = "wizer-initialize")]
        pub extern "C" fn __switchboard_initialize() {
            $crate::__initialize();
        }
    };
}
