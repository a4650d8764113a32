//! Plug-ins pre-initialised at build time: a core module that exports
//! [`INITIALIZE`] (the SDK's `export_plugins!` does) runs it once, here, and the state it
//! leaves (the allocator's heap, already grown; the panic hook) becomes the module's
//! initial memory (wizer's snapshot). A fresh sandbox then starts from that state: no
//! `memory.grow` and no set-up on the first call, so the pages a call dirties can be reset
//! in place instead of being unmapped.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use wasmtime::{Config, Engine, Instance, Linker, Module, Store, Val};
use wasmtime_wizer::{InstanceState, SnapshotVal, ValType, Wizer};

/// The export the snapshot runs (wizer's conventional name); it is removed afterwards.
pub const INITIALIZE: &str = "wizer-initialize";

/// Runs the module's [`INITIALIZE`] export and returns the module whose initial state is
/// what it left; a module without the export comes back unchanged.
pub fn preinitialize(core: &[u8]) -> Result<Vec<u8>, String> {
    let engine = Engine::new(&Config::new()).map_err(|e| format!("{e:#}"))?;
    let plain = Module::new(&engine, core).map_err(|e| format!("not a module: {e:#}"))?;
    if !plain.exports().any(|e| e.name() == INITIALIZE) {
        return Ok(core.to_vec());
    }
    let wizer = Wizer::new();
    let (cx, instrumented) = wizer
        .instrument(core)
        .map_err(|e| format!("cannot prepare the snapshot: {e:#}"))?;
    let module = Module::new(&engine, &instrumented).map_err(|e| format!("{e:#}"))?;
    let mut linker = Linker::new(&engine);
    // Initialisation may not call the host: every import traps.
    linker
        .define_unknown_imports_as_traps(&module)
        .map_err(|e| format!("{e:#}"))?;
    let mut store = Store::new(&engine, ());
    let instance = linker
        .instantiate(&mut store, &module)
        .map_err(|e| format!("{e:#}"))?;
    instance
        .get_typed_func::<(), ()>(&mut store, INITIALIZE)
        .and_then(|init| init.call(&mut store, ()))
        .map_err(|e| format!("{INITIALIZE} failed: {e:#}"))?;
    let mut state = Initialized { store, instance };
    // The snapshot only reads this instance's globals and memory, which are at hand: its
    // future is ready at the first poll.
    match poll_once(wizer.snapshot(&cx, &mut state)) {
        Some(result) => result.map_err(|e| format!("cannot take the snapshot: {e:#}")),
        None => Err("the snapshot did not complete".into()),
    }
}

fn poll_once<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}

/// The initialised instance, as the snapshot reads it.
struct Initialized {
    store: Store<()>,
    instance: Instance,
}

impl InstanceState for Initialized {
    async fn global_get(&mut self, name: &str, _type_hint: ValType) -> SnapshotVal {
        let global = self
            .instance
            .get_global(&mut self.store, name)
            .expect("the instrumented module exports its globals");
        match global.get(&mut self.store) {
            Val::I32(x) => SnapshotVal::I32(x),
            Val::I64(x) => SnapshotVal::I64(x),
            Val::F32(x) => SnapshotVal::F32(x),
            Val::F64(x) => SnapshotVal::F64(x),
            Val::V128(x) => SnapshotVal::V128(x.as_u128()),
            other => panic!("a global of type {other:?} cannot be snapshotted"),
        }
    }

    async fn memory_contents(&mut self, name: &str, contents: impl FnOnce(&[u8]) + Send) {
        let memory = self
            .instance
            .get_memory(&mut self.store, name)
            .expect("the instrumented module exports its memories");
        contents(memory.data(&self.store))
    }
}
