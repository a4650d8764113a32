//! Running a built plug-in outside the server, with a made-up context: what FakeXrmEasy is
//! to .NET plug-ins. Use it from a plug-in crate's native tests.
//!
//! ```ignore
//! let bytes = std::fs::read("target/wasm32-unknown-unknown/release/reverse.wasm")?;
//! let run = switchboard_wasm::testing::run(&bytes, "Samples.Reverse", [("StringParameter", "abc".into())]).await?;
//! assert_eq!(run.outputs["StringProperty"], Value::String("cba".into()));
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use switchboard_model::ExecutionContext;
use switchboard_model::value::Value;

use crate::RecordService;
use crate::host::{Host, HostConfig, Invocation, PluginFailure, TraceLine};

/// Loads `bytes` (component or core module) and runs `plugin_type` as a main operation
/// with these inputs, under the default limits.
pub async fn run(
    bytes: &[u8],
    plugin_type: &str,
    inputs: impl IntoIterator<Item = (&str, Value)>,
) -> Result<Invocation, (PluginFailure, Vec<TraceLine>)> {
    run_with(HostConfig::default(), bytes, plugin_type, inputs).await
}

/// Runs `plugin_type` with a context made by hand (a primary record, a stage, …) and,
/// optionally, a [`RecordService`] for its record operations.
///
/// ```ignore
/// let mut context = ExecutionContext::main_operation("sb_ProjectSummary", BTreeMap::new());
/// context.primary_entity_name = Some("sb_project".into());
/// context.primary_entity_id = Some(id);
/// let run = switchboard_wasm::testing::run_context(HostConfig::default(), &bytes,
///     "Switchboard.Samples.ProjectSummary", &context, Some(Arc::new(my_fake_records))).await?;
/// ```
pub async fn run_context(
    config: HostConfig,
    bytes: &[u8],
    plugin_type: &str,
    context: &ExecutionContext,
    records: Option<Arc<dyn RecordService>>,
) -> Result<Invocation, (PluginFailure, Vec<TraceLine>)> {
    let host = Host::new(config).map_err(|e| (PluginFailure::Load(e), Vec::new()))?;
    let loaded = host.load(bytes).await.map_err(|f| (f, Vec::new()))?;
    host.invoke(&loaded, plugin_type, context, records).await
}

/// As [`run`], with chosen limits.
pub async fn run_with(
    config: HostConfig,
    bytes: &[u8],
    plugin_type: &str,
    inputs: impl IntoIterator<Item = (&str, Value)>,
) -> Result<Invocation, (PluginFailure, Vec<TraceLine>)> {
    let inputs: BTreeMap<String, Value> =
        inputs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    let context = ExecutionContext::main_operation("test", inputs);
    run_context(config, bytes, plugin_type, &context, None).await
}
