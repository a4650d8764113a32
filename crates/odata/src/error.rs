//! What can be wrong with a request, as kinds the server maps to status and code.

use switchboard_model::Message;

/// Every kind of request error; the server's one table gives each its HTTP status and
/// Dataverse error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No entity set, function or action of that name (or one not exposable).
    ResourceNotFound,
    /// The resource exists but not for this HTTP method (function by POST, action by GET).
    NoHttpResource,
    /// A bound operation named without its namespace, or an unbound one with it.
    UnresolvedParameters,
    /// The URL is longer than 32,768 characters.
    UrlTooLong,
    /// The body is not JSON, or not a JSON object.
    MalformedPayload,
    /// A parameter value does not fit its type.
    InvalidParameterValue,
    /// A required parameter is absent (or null).
    MissingParameter,
    /// An argument that is well-formed but not acceptable (Dataverse's InvalidArgument).
    InvalidArgument,
    /// A parameter the operation does not declare.
    UnknownParameter,
    /// A URL literal or alias that cannot be read.
    BadLiteral,
    /// A record key that is not a GUID.
    BadKey,
    /// No record has that key.
    RecordNotFound,
    /// A record with that key or unique name exists.
    Duplicate,
    /// An HTTP method the resource never accepts.
    MethodNotAllowed,
    /// The body is larger than allowed.
    PayloadTooLarge,
    /// The request's headers are larger than allowed.
    HeadersTooLarge,
    /// The request took longer than allowed (a slow client).
    RequestTimeout,
    /// A body that is not `application/json`.
    UnsupportedMediaType,
    /// A query option the resource does not support, or a malformed one.
    BadQueryOption,
    /// No valid access token (401).
    Unauthorized,
    /// The caller lacks a privilege (403).
    Forbidden,
    /// The caller made too many requests (429).
    TooManyRequests,
    /// A processing step the message does not allow (a custom API's
    /// `allowedcustomprocessingsteptype`).
    CustomStepNotAllowed,
    /// A plug-in's business error.
    Business,
    /// A message executed from plug-ins would nest deeper than depth 8.
    InfiniteLoop,
    /// A plug-in failed (trap, deadline, memory cap, bad output).
    PluginFailed,
    /// Anything the platform did wrong.
    Internal,
}

/// A request error: its kind and the message the caller reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ODataError {
    /// The kind, which decides status and code.
    pub kind: ErrorKind,
    /// The message, rendered in the caller's language.
    pub message: Message,
}

impl ODataError {
    /// An error of a kind with a message.
    pub fn new(kind: ErrorKind, message: Message) -> Self {
        Self { kind, message }
    }

    /// The platform failed: the caller reads a correlation id, the server's error log gets
    /// `what` with it ([`Message::internal`]).
    pub fn internal(what: impl std::fmt::Display) -> Self {
        Self::new(ErrorKind::Internal, Message::internal(what))
    }
}
