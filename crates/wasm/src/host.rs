//! The engine, the component cache and the per-call sandbox.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use switchboard_model::value::{Entity, Value};
use switchboard_model::{ExecutionContext, StepMode, StepStage};
use uuid::Uuid;
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, StoreLimits,
    StoreLimitsBuilder, UpdateDeadline,
};

use crate::bindings::switchboard::plugin::types as wit;
use crate::bindings::{Plugin, PluginPre};
use crate::convert::{bag, guid, to_wit};
use crate::long_calls::{LongCallTurn, LongCalls};
use crate::records::RecordService;

/// How much of a sandbox's memory (and tables) may stay resident between calls; only the
/// pages a call dirtied are rewritten (see [`Host::new`]).
const KEEP_RESIDENT: usize = 4 << 20;

/// How long a call runs before it starts yielding to other tasks at every epoch tick.
const YIELD_AFTER: Duration = Duration::from_millis(5);

/// Most trace text kept per call.
pub(crate) const MAX_TRACE_BYTES: usize = 1 << 20;

/// Limits of the sandbox.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// Linear memory a plug-in may use.
    pub memory_limit: usize,
    /// Wall-clock time one call may take.
    pub deadline: Duration,
    /// Calls that may run at once (sizes the pooling allocator).
    pub max_concurrent: u32,
    /// Where compiled components are kept across restarts (wasmtime's cache), if anywhere.
    pub cache_dir: Option<std::path::PathBuf>,
    /// How long a call runs before it counts as long-running.
    pub long_call_after: Duration,
    /// Long-running calls one user (the initiating user) may have running at once; more wait,
    /// running nothing, for one of them to end (their deadline still runs).
    pub long_calls_per_user: u32,
}

impl Default for HostConfig {
    fn default() -> Self {
        Self {
            memory_limit: 64 << 20,
            deadline: Duration::from_secs(2),
            max_concurrent: 100,
            cache_dir: None,
            long_call_after: Duration::from_millis(100),
            long_calls_per_user: 2,
        }
    }
}

/// One line a plug-in traced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLine {
    /// `trace`, `debug`, `info`, `warn` or `error`.
    pub level: &'static str,
    /// The text.
    pub message: String,
}

/// The WIT shape of the context a plug-in is called with.
fn context_to_wit(context: &ExecutionContext) -> wit::Context {
    let stage = |s: StepStage| match s {
        StepStage::PreValidation => wit::Stage::PreValidation,
        StepStage::PreOperation => wit::Stage::PreOperation,
        StepStage::MainOperation => wit::Stage::MainOperation,
        StepStage::PostOperation => wit::Stage::PostOperation,
    };
    let images = |images: &BTreeMap<String, Entity>| {
        images
            .iter()
            .map(|(name, e)| {
                let mut arena = Vec::new();
                let entity = match to_wit(&Value::Entity(e.clone()), &mut arena) {
                    wit::Value::Entity(i) => arena[i as usize].clone(),
                    _ => unreachable!("an entity converts to an entity"),
                };
                wit::EntityImage {
                    name: name.clone(),
                    data: wit::EntityData { entity, arena },
                }
            })
            .collect()
    };
    wit::Context {
        message_name: context.message_name.clone(),
        stage: stage(context.stage),
        mode: match context.mode {
            StepMode::Synchronous => wit::Mode::Synchronous,
            StepMode::Asynchronous => wit::Mode::Asynchronous,
        },
        depth: context.depth,
        user_id: guid(context.user_id),
        initiating_user_id: guid(context.initiating_user_id),
        organization_id: guid(context.organization_id),
        business_unit_id: guid(context.business_unit_id),
        correlation_id: guid(context.correlation_id),
        is_in_transaction: context.is_in_transaction,
        primary_entity_name: context.primary_entity_name.clone(),
        primary_entity_id: context.primary_entity_id.map(guid),
        input_parameters: bag(&context.inputs),
        output_parameters: bag(&context.outputs),
        shared_variables: bag(&context.shared),
        pre_entity_images: images(&context.pre_images),
        post_entity_images: images(&context.post_images),
        parent_context: context.parent.as_ref().map(|(m, s)| wit::ParentContext {
            message_name: m.clone(),
            stage: stage(*s),
        }),
        unsecure_configuration: context.unsecure_configuration.clone(),
        secure_configuration: context.secure_configuration.clone(),
    }
}

/// What a call produced.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    /// Outputs the plug-in set.
    pub outputs: BTreeMap<String, Value>,
    /// Inputs it changed (stages 10/20).
    pub input_changes: BTreeMap<String, Value>,
    /// Shared variables it set.
    pub shared_changes: BTreeMap<String, Value>,
    /// Its trace lines.
    pub traces: Vec<TraceLine>,
}

/// Why a call failed, with the traces written before it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginFailure {
    /// The plug-in's business error (InvalidPluginExecutionException).
    Business(String),
    /// The plug-in reported an internal error.
    Internal(String),
    /// The call ran past its deadline and was stopped.
    Timeout(Duration),
    /// The plug-in tried to use more memory than allowed.
    MemoryCap(usize),
    /// The plug-in panicked (message from the SDK's panic hook).
    Panic(String),
    /// Any other trap.
    Trap(String),
    /// A value the plug-in sent could not be read.
    BadValue(String),
    /// The component could not be compiled or linked.
    Load(String),
    /// The component does not export this plug-in type.
    MissingType(String),
}

/// The per-call state behind the imports.
pub(crate) struct HostState {
    pub(crate) limits: StoreLimits,
    pub(crate) stage: StepStage,
    pub(crate) outputs: BTreeMap<String, Value>,
    pub(crate) input_changes: BTreeMap<String, Value>,
    pub(crate) shared_changes: BTreeMap<String, Value>,
    pub(crate) traces: Vec<TraceLine>,
    pub(crate) trace_bytes: usize,
    pub(crate) panic_message: Option<String>,
    pub(crate) bad_value: Option<String>,
    /// The record service of this call, if any.
    pub(crate) records: Option<Arc<dyn RecordService>>,
    /// When the call's deadline passes (a host call waiting on the service is cut off then).
    pub(crate) deadline_at: Instant,
}

/// A compiled component, ready to instantiate, with the plug-in types it exports.
pub struct Loaded {
    pre: PluginPre<HostState>,
    /// Plug-in type names the component exports.
    pub plugin_types: Vec<String>,
    /// SHA-256 of the component bytes.
    pub sha256: String,
}

/// The marker the deadline callback (or a host call cut off at the deadline) raises.
#[derive(Debug)]
pub(crate) struct DeadlineExceeded;

impl std::fmt::Display for DeadlineExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("plug-in deadline exceeded")
    }
}

impl std::error::Error for DeadlineExceeded {}

/// The plug-in host: one engine, compiled components cached by content hash.
pub struct Host {
    engine: Engine,
    linker: Linker<HostState>,
    config: HostConfig,
    cache: Mutex<HashMap<String, Arc<Loaded>>>,
    /// Held while a component compiles: concurrent first calls of one plug-in wait for the
    /// one compile instead of each compiling it (50 parallel compiles starve 2 cores).
    compiling: tokio::sync::Mutex<()>,
    ticker_stop: Arc<AtomicBool>,
    long_calls: Arc<LongCalls>,
}

impl Drop for Host {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

/// Whether the bytes are a component (as opposed to a core module).
pub fn is_component(bytes: &[u8]) -> bool {
    bytes.len() >= 8 && bytes.starts_with(b"\0asm") && bytes[4..8] == [0x0d, 0x00, 0x01, 0x00]
}

/// Turns a core module built for `wasm32-unknown-unknown` (which carries its WIT in a
/// custom section) into a component, pre-initialised first when it exports the SDK's
/// initialisation (see [`crate::snapshot`]); components pass through.
pub fn componentize(bytes: &[u8]) -> Result<Vec<u8>, String> {
    if is_component(bytes) {
        return Ok(bytes.to_vec());
    }
    if !bytes.starts_with(b"\0asm") {
        return Err("not a WebAssembly module or component".into());
    }
    let core = crate::snapshot::preinitialize(bytes)?;
    wit_component::ComponentEncoder::default()
        .validate(true)
        .module(&core)
        .and_then(|e| e.encode())
        .map_err(|e| format!("cannot make a component of this module: {e:#}"))
}

impl Host {
    /// Creates the engine (pooling allocator, epoch interruption) and its ticker thread.
    pub fn new(config: HostConfig) -> Result<Self, String> {
        let mut c = Config::new();
        c.wasm_component_model(true);
        c.epoch_interruption(true);
        // No component-model async (streams, futures) in our WIT: skip its per-instance cost.
        c.concurrency_support(false);
        let mut pool = PoolingAllocationConfig::default();
        let n = config.max_concurrent;
        pool.total_component_instances(n)
            .total_core_instances(n * 4)
            .total_memories(n)
            .total_tables(n * 4)
            .total_stacks(n)
            .max_memory_size(config.memory_limit)
            // A finished sandbox is reset by rewriting the pages it dirtied (found with
            // Linux's PAGEMAP_SCAN) instead of unmapping them: unmapping and copy-on-write
            // faults each flush the TLB of every core running the process, which cost more
            // than the plug-in call itself. Pages past this stay decommitted as before.
            .linear_memory_keep_resident(KEEP_RESIDENT)
            .table_keep_resident(KEEP_RESIDENT)
            .pagemap_scan(wasmtime::Enabled::Auto);
        c.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        if let Some(dir) = &config.cache_dir {
            // Compiled code is written and read by this engine only, keyed by wasmtime on the
            // component and the engine's configuration: a restart reuses it (ms, not tens of ms).
            let mut cache = wasmtime::CacheConfig::new();
            cache.with_directory(dir);
            let cache = wasmtime::Cache::new(cache)
                .map_err(|e| format!("cannot use {} as plug-in cache: {e:#}", dir.display()))?;
            c.cache(Some(cache));
        }
        let engine =
            Engine::new(&c).map_err(|e| format!("cannot start the plug-in engine: {e:#}"))?;
        let mut linker = Linker::new(&engine);
        Plugin::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)
            .map_err(|e| format!("cannot link the plug-in imports: {e:#}"))?;
        let ticker_stop = Arc::new(AtomicBool::new(false));
        let (weak_engine, stop) = (engine.weak(), ticker_stop.clone());
        std::thread::Builder::new()
            .name("plugin-epoch".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(1));
                    match weak_engine.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })
            .map_err(|e| format!("cannot start the epoch ticker: {e}"))?;
        Ok(Self {
            engine,
            linker,
            cache: Mutex::new(HashMap::new()),
            compiling: tokio::sync::Mutex::new(()),
            ticker_stop,
            long_calls: Arc::new(LongCalls::new(config.long_calls_per_user)),
            config,
        })
    }

    /// The configured limits.
    pub fn config(&self) -> &HostConfig {
        &self.config
    }

    /// How many times a long-running call found none of its user's long-call permits free
    /// and waited for one ([`HostConfig::long_calls_per_user`]).
    pub fn long_call_waits(&self) -> u64 {
        self.long_calls.waits()
    }

    /// The compiled component with this content hash, if it was loaded before.
    pub fn load_cached(&self, sha256: &str) -> Option<Arc<Loaded>> {
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(sha256)
            .cloned()
    }

    /// Compiles (once per content hash) and pre-links a component or core module, and asks
    /// it which plug-in types it exports.
    pub async fn load(&self, bytes: &[u8]) -> Result<Arc<Loaded>, PluginFailure> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let cached = || {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache.get(&sha256).cloned()
        };
        if let Some(hit) = cached() {
            return Ok(hit);
        }
        let _compiling = self.compiling.lock().await;
        // Another call may have compiled it while this one waited.
        if let Some(hit) = cached() {
            return Ok(hit);
        }
        let component_bytes = componentize(bytes).map_err(PluginFailure::Load)?;
        let engine = self.engine.clone();
        // Compiling takes tens of milliseconds of CPU: keep it off the async workers.
        let component =
            tokio::task::spawn_blocking(move || Component::new(&engine, &component_bytes))
                .await
                .map_err(|e| PluginFailure::Load(e.to_string()))?
                .map_err(|e| PluginFailure::Load(format!("{e:#}")))?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .and_then(PluginPre::new)
            .map_err(|e| PluginFailure::Load(format!("{e:#}")))?;
        let mut loaded = Loaded {
            pre,
            plugin_types: Vec::new(),
            sha256: sha256.clone(),
        };
        let (mut store, _) = self.store(StepStage::MainOperation, None, None);
        let instance = loaded
            .pre
            .instantiate_async(&mut store)
            .await
            .map_err(|e| PluginFailure::Load(format!("{e:#}")))?;
        loaded.plugin_types = instance
            .call_plugin_types(&mut store)
            .await
            .map_err(|e| PluginFailure::Load(format!("plugin-types failed: {e:#}")))?;
        let loaded = Arc::new(loaded);
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(sha256, loaded.clone());
        Ok(loaded)
    }

    /// A sandbox's store; `user` is whom a long-running call counts against (none: the
    /// host's own calls, which run on).
    fn store(
        &self,
        stage: StepStage,
        records: Option<Arc<dyn RecordService>>,
        user: Option<Uuid>,
    ) -> (Store<HostState>, Instant) {
        let started = Instant::now();
        let deadline = self.config.deadline;
        let long_after = self.config.long_call_after.max(YIELD_AFTER);
        let mut budget = user.map(|u| self.long_calls.for_call(u));
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.config.memory_limit)
            .trap_on_grow_failure(true)
            .build();
        let state = HostState {
            limits,
            stage,
            outputs: BTreeMap::new(),
            input_changes: BTreeMap::new(),
            shared_changes: BTreeMap::new(),
            traces: Vec::new(),
            trace_bytes: 0,
            panic_message: None,
            bad_value: None,
            records,
            deadline_at: started + deadline,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        // Once a call has run for YIELD_AFTER, every tick (1 ms) it yields to tokio, so a
        // busy plug-in never holds a worker; past the deadline it is stopped. A short call
        // that a tick happens to hit goes on: yielding would send it to the back of the run
        // queue, behind every other request. Past `long_after` it runs on only with one of
        // its user's long-call permits, else waits for one. The callback runs only while
        // guest code runs: a record operation waiting on the service is bounded by the same
        // deadline instead (see `imports.rs`).
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            let ran = started.elapsed();
            if ran >= deadline {
                return Err(wasmtime::Error::new(DeadlineExceeded));
            }
            if ran < YIELD_AFTER {
                return Ok(UpdateDeadline::Continue(1));
            }
            match budget.as_mut().filter(|_| ran >= long_after) {
                Some(budget) => match budget.turn(deadline - ran) {
                    LongCallTurn::Run => Ok(UpdateDeadline::Yield(1)),
                    LongCallTurn::Wait(wait) => Ok(UpdateDeadline::YieldCustom(1, wait)),
                },
                None => Ok(UpdateDeadline::Yield(1)),
            }
        });
        (store, started)
    }

    /// Creates a fresh sandbox for `loaded` and drops it without calling it: the fixed part
    /// of every call's price (the benchmark sets the rest against it).
    pub async fn instantiate_only(&self, loaded: &Loaded) -> Result<(), PluginFailure> {
        let (mut store, _) = self.store(StepStage::MainOperation, None, None);
        loaded
            .pre
            .instantiate_async(&mut store)
            .await
            .map(|_| ())
            .map_err(|e| PluginFailure::Trap(format!("{e:#}")))
    }

    /// Runs one plug-in type in a fresh sandbox with the pipeline's context. Its record
    /// operations go to `records`, on behalf of the context's user (none: they answer "not
    /// available"); the deadline covers the time
    /// spent waiting on them.
    pub async fn invoke(
        &self,
        loaded: &Loaded,
        plugin_type: &str,
        context: &ExecutionContext,
        records: Option<Arc<dyn RecordService>>,
    ) -> Result<Invocation, (PluginFailure, Vec<TraceLine>)> {
        if !loaded.plugin_types.iter().any(|t| t == plugin_type) {
            return Err((
                PluginFailure::MissingType(plugin_type.to_owned()),
                Vec::new(),
            ));
        }
        let (mut store, _) = self.store(context.stage, records, Some(context.initiating_user_id));
        let ctx = context_to_wit(context);
        let result = match loaded.pre.instantiate_async(&mut store).await {
            Ok(instance) => instance.call_execute(&mut store, plugin_type, &ctx).await,
            Err(e) => Err(e),
        };
        let state = store.into_data();
        let traces = state.traces;
        match result {
            Ok(Ok(())) => Ok(Invocation {
                outputs: state.outputs,
                input_changes: state.input_changes,
                shared_changes: state.shared_changes,
                traces,
            }),
            Ok(Err(wit::PluginError::InvalidPluginExecution(m))) => {
                Err((PluginFailure::Business(m), traces))
            }
            Ok(Err(wit::PluginError::Internal(m))) => {
                let failure = match state.bad_value {
                    Some(detail) => PluginFailure::BadValue(detail),
                    None => PluginFailure::Internal(m),
                };
                Err((failure, traces))
            }
            Err(trap) => {
                let detail = format!("{trap:#}");
                let failure = if trap.downcast_ref::<DeadlineExceeded>().is_some() {
                    PluginFailure::Timeout(self.config.deadline)
                } else if detail.contains("growing memory")
                    || detail.contains("memory") && detail.contains("limit")
                {
                    PluginFailure::MemoryCap(self.config.memory_limit)
                } else if let Some(message) = state.panic_message {
                    PluginFailure::Panic(message)
                } else {
                    PluginFailure::Trap(detail)
                };
                Err((failure, traces))
            }
        }
    }
}
