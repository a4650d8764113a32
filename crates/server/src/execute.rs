//! `execute(message)`: the entry point every call goes through. The pipeline and plug-in
//! issues replace its body; today an API without a plug-in returns each response property's
//! default value, as Dataverse does for an API with no main operation.

use switchboard_model::execution::{Caller, ExecuteError, ExecuteRequest, ExecuteResponse};
use switchboard_model::value::Value;

/// Runs one call of a custom API.
pub async fn execute(
    _caller: &Caller,
    request: &ExecuteRequest,
) -> Result<ExecuteResponse, ExecuteError> {
    let outputs = request
        .api
        .response_properties
        .iter()
        .map(|p| (p.unique_name.to_string(), Value::default_for(p.field_type)))
        .collect();
    Ok(ExecuteResponse { outputs })
}
