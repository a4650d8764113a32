//! What one call of a message carries in and out: the seam between the HTTP edge and
//! whatever executes messages (today defaults, later the pipeline and plug-ins).

use std::collections::BTreeMap;
use std::sync::Arc;

use uuid::Uuid;

use crate::api::CustomApi;
use crate::message::Message;
use crate::value::{EntityReference, Value};

/// Who is calling, with what the caller may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `systemuserid` of the user the call runs as.
    pub user_id: Uuid,
    /// The user who made the request (differs when impersonating with `MSCRMCallerID`).
    pub initiating_user_id: Uuid,
    /// The caller's business unit.
    pub business_unit_id: Uuid,
    /// The organization.
    pub organization_id: Uuid,
    /// Holds the System Administrator role.
    pub is_admin: bool,
    /// How many roles the user has (Dataverse names it in privilege errors).
    pub role_count: usize,
    /// Privileges granted through the user's roles (shared: built once per user, not per
    /// call).
    pub privileges: Arc<std::collections::BTreeSet<String>>,
    /// The user's UI language (LCID), when set.
    pub language: Option<u32>,
}

impl Caller {
    /// Dataverse's "Principal user … is missing … privilege" message for `privilege`, which
    /// guards `subject` (an API, a message or a table).
    pub fn missing_privilege(&self, privilege: &str, subject: &str) -> crate::Message {
        crate::Message::new(crate::MessageId::AuthMissingPrivilege)
            .arg("user", self.user_id)
            .arg("roles", self.role_count)
            .arg("privileges", self.privileges.len())
            .arg("privilege", privilege)
            .arg("privilegeid", crate::privileges::privilege_id(privilege))
            .arg("api", subject)
    }

    /// Whether the caller holds a privilege (administrators hold all).
    pub fn holds(&self, privilege: &str) -> bool {
        self.is_admin
            || self
                .privileges
                .iter()
                .any(|p| p.eq_ignore_ascii_case(privilege))
    }
}

/// What a bound call is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// Called at the service root.
    None,
    /// Called on one record; becomes the `Target` input.
    Record(EntityReference),
    /// Called on a table's entity set.
    Collection(String),
}

/// A validated call of a custom API.
#[derive(Debug, Clone)]
pub struct ExecuteRequest {
    /// The API being called.
    pub api: Arc<CustomApi>,
    /// What the call is bound to.
    pub binding: Binding,
    /// Input parameters by unique name (`Target` included for record-bound calls).
    pub inputs: BTreeMap<String, Value>,
    /// Correlates everything one call causes.
    pub correlation_id: Uuid,
}

/// The outputs of a call, by response property unique name.
#[derive(Debug, Clone, Default)]
pub struct ExecuteResponse {
    /// Output parameters.
    pub outputs: BTreeMap<String, Value>,
}

/// Why a call failed after it was accepted.
#[derive(Debug, Clone)]
pub enum ExecuteError {
    /// A plug-in reported a business error (Dataverse's InvalidPluginExecutionException).
    Business(Message),
    /// A plug-in failed: trap, deadline, memory cap, or outputs that do not fit.
    PluginFailed(Message),
    /// The caller lacks the message's privilege (checked after pre-validation).
    Forbidden(Message),
    /// Executing would nest deeper than Dataverse allows (depth 8).
    InfiniteLoop(Message),
    /// The platform failed.
    Internal(Message),
}

impl ExecuteError {
    /// The message, whatever the kind.
    pub fn message(&self) -> &Message {
        match self {
            ExecuteError::Business(m)
            | ExecuteError::PluginFailed(m)
            | ExecuteError::Forbidden(m)
            | ExecuteError::InfiniteLoop(m)
            | ExecuteError::Internal(m) => m,
        }
    }
}
