//! Logic Apps and Power Automate custom connectors made from custom API definitions: the
//! Swagger 2.0 `apiDefinition.swagger.json` with Microsoft's `x-ms-*` extensions, its
//! `apiProperties.json`, and an OpenAPI 3.0 document of the same operations for tools that
//! want one.
//!
//! Pure: definitions in (`switchboard-model` types), JSON out; no IO, no async. Every
//! sentence the documents carry is a message id rendered by `switchboard-locale` in the
//! chosen language; labels come in that language, falling back to the base language.
//! Start at [`swagger`].

mod base_url;
mod info;
mod openapi;
mod operations;
mod properties;
mod schemas;
mod swagger;
#[cfg(test)]
mod tests;
mod text;

use std::collections::BTreeMap;

use serde_json::Value;
use switchboard_model::{CustomApi, Lcid, Message, MessageId, Solution};

pub use base_url::BaseUrl;

/// The connector definition's file name, as Power Platform tooling (`paconn`) expects it.
pub const DEFINITION_FILE: &str = "apiDefinition.swagger.json";
/// The connection properties' file name.
pub const PROPERTIES_FILE: &str = "apiProperties.json";
/// The OpenAPI 3.0 document's file name.
pub const OPENAPI_FILE: &str = "openapi.json";
/// Power Platform refuses connector definitions of 1 MB or more.
pub const MAX_DEFINITION_BYTES: usize = 1024 * 1024;

/// What a connector is made from: one solution and the custom APIs it owns.
#[derive(Debug, Clone)]
pub struct Definitions {
    /// The solution: its names and description title and describe the connector.
    pub solution: Solution,
    /// The solution's custom APIs; private and uncallable ones are left out of the documents.
    pub apis: Vec<CustomApi>,
    /// Entity set names by table logical name, for tables whose set name is not the plural
    /// Dataverse derives (`names::entity_set_name`).
    pub entity_sets: BTreeMap<String, String>,
}

/// How the documents are written.
#[derive(Debug, Clone)]
pub struct Options {
    /// The language (LCID) of summaries and descriptions; labels missing in it fall back to
    /// the base language.
    pub language: Lcid,
    /// Where the server answers: host, base path and scheme of the documents.
    pub base_url: BaseUrl,
    /// Which actions get the `Prefer: respond-async` header.
    pub respond_async: RespondAsync,
    /// How the connector authenticates.
    pub security: Security,
}

/// The actions whose calls ask to run in the background (`Prefer: respond-async`), so that
/// a connector call follows the 202 polling pattern.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RespondAsync {
    /// No operation.
    #[default]
    None,
    /// Every action.
    All,
    /// These actions, by unique name (any case).
    Only(Vec<String>),
}

impl RespondAsync {
    /// Reads `all` or a comma-separated list of unique names (`N1,N2`); empty means none.
    pub fn parse(text: &str) -> Self {
        let names: Vec<String> = text
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        match names.as_slice() {
            [] => Self::None,
            [one] if one.eq_ignore_ascii_case("all") => Self::All,
            _ => Self::Only(names),
        }
    }
}

/// How connections authenticate to the server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Security {
    /// The server's own access tokens, sent as `Authorization: Bearer …` (an API key
    /// connection parameter holding `Bearer` and the token).
    #[default]
    BearerToken,
    /// An identity provider issuing the JWTs the server verifies (OAuth 2.0 authorization
    /// code flow).
    OAuth2 {
        /// The provider's authorization endpoint.
        authorization_url: String,
        /// The provider's token endpoint (also used to refresh).
        token_url: String,
    },
}

/// The Swagger 2.0 connector definition (`apiDefinition.swagger.json`).
pub fn swagger(definitions: &Definitions, options: &Options) -> Result<Value, Message> {
    operations::render(definitions, options, &swagger::FORMAT)
}

/// The OpenAPI 3.0 document of the same operations.
pub fn openapi3(definitions: &Definitions, options: &Options) -> Result<Value, Message> {
    operations::render(definitions, options, &openapi::FORMAT)
}

/// The connection properties (`apiProperties.json`).
pub fn api_properties(definitions: &Definitions, options: &Options) -> Value {
    properties::document(definitions, options)
}

/// A document as the file holds it (indented JSON); a document Power Platform would refuse
/// for its size (1 MB or more) is an error.
pub fn to_file(document: &Value) -> Result<Vec<u8>, Message> {
    let mut bytes = serde_json::to_vec_pretty(document).unwrap_or_default();
    bytes.push(b'\n');
    if bytes.len() >= MAX_DEFINITION_BYTES {
        return Err(Message::new(MessageId::ConnectorTooLarge)
            .arg("bytes", bytes.len())
            .arg("max", MAX_DEFINITION_BYTES));
    }
    Ok(bytes)
}
