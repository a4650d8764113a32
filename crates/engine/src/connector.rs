//! What a Logic Apps / Power Automate connector is made from: one solution, the custom APIs
//! it owns, and the entity sets of the record tables they may be bound to. The documents
//! themselves are `switchboard-connector`'s to write.

use switchboard_connector::Definitions;
use switchboard_store::{DbErr, Store};

use crate::Engine;

/// A solution's definitions as stored; `None` when no solution has that unique name (in
/// any case).
pub async fn definitions(store: &Store, solution: &str) -> Result<Option<Definitions>, DbErr> {
    let Some(solution) = store.solution(solution).await? else {
        return Ok(None);
    };
    let apis = store
        .list_apis()
        .await?
        .into_iter()
        .filter(|s| s.solution == solution.unique_name)
        .map(|s| s.api)
        .collect();
    let entity_sets = store
        .tables()
        .await?
        .into_iter()
        .map(|t| (t.logical_name, t.set_name))
        .collect();
    Ok(Some(Definitions {
        solution,
        apis,
        entity_sets,
    }))
}

impl Engine {
    /// A solution's connector definitions, read from the store (not the registry: an export
    /// shows what is stored now); `None` for an unknown solution.
    pub async fn connector_definitions(
        &self,
        solution: &str,
    ) -> Result<Option<Definitions>, String> {
        definitions(&self.store, solution)
            .await
            .map_err(|e| e.to_string())
    }
}
