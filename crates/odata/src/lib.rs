//! The OData v4 surface of Switchboard, without HTTP: CSDL `$metadata`, the service
//! document, URL and literal parsing, query options (`$filter`, `$orderby`, …) → record
//! queries, JSON ⇄ typed values, call validation, and the error kinds the server maps to
//! Dataverse's status codes.

pub mod call;
pub mod csdl;
pub mod error;
pub mod json;
pub mod literal;
pub mod names;
pub mod query;
pub mod records;
pub mod resource;
pub mod rows;
pub mod tables;
pub mod url;

pub use error::{ErrorKind, ODataError};
pub use tables::{TableInfo, Tables};
