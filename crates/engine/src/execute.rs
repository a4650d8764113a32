//! `execute(message)`: every custom API call goes through the message pipeline
//! (`switchboard-pipeline`) over the engine's seams (`invoker`) and a unit of work (`unit`);
//! APIs without a runnable plug-in keep their response properties' default values, as
//! Dataverse does.

use std::sync::Arc;

use switchboard_model::execution::{
    Binding, Caller, ExecuteError, ExecuteRequest, ExecuteResponse,
};
use switchboard_pipeline::{MessageRequest, UnitOfWork};
use switchboard_store::unit::Unit;

use crate::Engine;
use crate::invoker::runnable;
use crate::unit::{ServerUnit, default_outputs, execute_error};

/// Runs one call of a custom API through the pipeline.
pub async fn execute(
    engine: &Engine,
    caller: &Caller,
    request: ExecuteRequest,
) -> Result<ExecuteResponse, ExecuteError> {
    execute_in(engine, caller, request, None).await
}

/// [`execute`], writing through `owned` when given: a unit its owner (a job worker)
/// commits with the job's status, so the pipeline leaves the commit to it.
pub(crate) async fn execute_in(
    engine: &Engine,
    caller: &Caller,
    request: ExecuteRequest,
    owned: Option<Arc<Unit>>,
) -> Result<ExecuteResponse, ExecuteError> {
    let api = &request.api;
    let registry = engine.registry.current();
    // Nothing runs for this call (no step on its message, no plug-in): all the pipeline
    // would do is check the privilege and return the defaults, so that is all it costs.
    if !registry.steps.contains_key(api.unique_name.as_str()) && runnable(&registry, api).is_none()
    {
        if let Some(privilege) = &api.execute_privilege
            && !caller.holds(privilege)
        {
            return Err(ExecuteError::Forbidden(
                caller.missing_privilege(privilege, api.unique_name.as_str()),
            ));
        }
        return Ok(ExecuteResponse {
            outputs: default_outputs(api),
        });
    }
    let (primary_name, primary_id) = match &request.binding {
        Binding::Record(r) => (Some(r.logical_name.clone()), Some(r.id)),
        Binding::Collection(t) => (Some(t.clone()), None),
        Binding::None => (None, None),
    };
    let message = MessageRequest {
        message: api.unique_name.to_string(),
        primary_entity_name: primary_name,
        primary_entity_id: primary_id,
        inputs: request.inputs,
        outputs: default_outputs(api),
        privilege: api.execute_privilege.clone(),
        depth: 1,
        correlation_id: request.correlation_id,
        parent: None,
        main_operation: switchboard_pipeline::MainOperation::Plugin,
    };
    let owner_commits = owned.is_some();
    let unit = owned.unwrap_or_else(|| Arc::new(Unit::new(engine.store.clone())));
    let mut server_unit = ServerUnit::over(unit, Some(engine.jobs.clone()), registry);
    server_unit.owner_commits = owner_commits;
    let server_unit = Arc::new(server_unit);
    let unit: Arc<dyn UnitOfWork> = server_unit.clone();
    let result = Engine::pipeline(engine, server_unit.clone())
        .execute(caller, message, &unit)
        .await;
    let outputs = result.map_err(execute_error)?;
    Ok(ExecuteResponse { outputs })
}
