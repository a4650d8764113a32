//! The one table that maps every request error to its HTTP status and Dataverse error
//! code, and the OData error body (`{"error":{"code","message"}}`).

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use switchboard_locale::Localizer;
use switchboard_odata::{ErrorKind, ODataError};

/// Status and Dataverse code per kind. Where Dataverse documents a case its values are
/// used; the others are the closest Dataverse code (ARCHITECTURE.md lists each with why).
pub fn status_and_code(kind: ErrorKind) -> (StatusCode, &'static str) {
    use ErrorKind::*;
    match kind {
        ResourceNotFound => (StatusCode::NOT_FOUND, "0x8006088a"),
        NoHttpResource => (StatusCode::NOT_FOUND, ""),
        UnresolvedParameters => (StatusCode::BAD_REQUEST, "0x8006088a"),
        UrlTooLong => (StatusCode::BAD_REQUEST, "0x80060888"),
        MalformedPayload => (StatusCode::BAD_REQUEST, "0x80048d19"),
        InvalidParameterValue => (StatusCode::BAD_REQUEST, "0x80048d19"),
        UnknownParameter => (StatusCode::BAD_REQUEST, "0x80048d19"),
        MissingParameter => (StatusCode::BAD_REQUEST, "0x80040203"),
        InvalidArgument => (StatusCode::BAD_REQUEST, "0x80040203"),
        BadLiteral => (StatusCode::BAD_REQUEST, "0x80060888"),
        BadKey => (StatusCode::BAD_REQUEST, "0x80060888"),
        RecordNotFound => (StatusCode::NOT_FOUND, "0x80040217"),
        Duplicate => (StatusCode::PRECONDITION_FAILED, "0x80040237"),
        BadQueryOption => (StatusCode::BAD_REQUEST, "0x80060888"),
        MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "0x8006088a"),
        PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "0x8004418a"),
        RequestTimeout => (StatusCode::REQUEST_TIMEOUT, "0x80040216"),
        HeadersTooLarge => (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "0x8004418a"),
        UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "0x8006088a"),
        Unauthorized => (StatusCode::UNAUTHORIZED, "0x80040220"),
        Forbidden => (StatusCode::FORBIDDEN, "0x80040220"),
        TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, "0x80072322"),
        CustomStepNotAllowed => (StatusCode::BAD_REQUEST, "0x80044187"),
        Business => (StatusCode::BAD_REQUEST, "0x80040265"),
        InfiniteLoop => (StatusCode::BAD_REQUEST, "0x80044182"),
        PluginFailed => (StatusCode::INTERNAL_SERVER_ERROR, "0x80040265"),
        Internal => (StatusCode::INTERNAL_SERVER_ERROR, "0x80040216"),
    }
}

/// What the error log needs of a 5xx answer ([`log_server_error`] writes it).
#[derive(Debug, Clone)]
pub struct ServerError {
    /// The correlation id the caller was shown, if any.
    pub correlation: Option<String>,
    /// What went wrong, for the log only.
    pub detail: Option<String>,
    /// The message the caller read.
    pub message: String,
    /// The request's method and path, when the handler that failed knows them.
    pub request: Option<String>,
}

/// Logs a 5xx answer once, with its correlation id, which the answer also carries in
/// `x-ms-service-request-id` (a new one when the error did not show one). Called by the
/// server's one middleware for every answer; it costs a status check on the others.
pub fn log_server_error(response: &mut Response) {
    let status = response.status();
    if !status.is_server_error() {
        return;
    }
    let logged = response.extensions_mut().remove::<ServerError>();
    let correlation = logged
        .as_ref()
        .and_then(|l| l.correlation.clone())
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    tracing::error!(
        status = status.as_u16(),
        request = logged.as_ref().and_then(|l| l.request.as_deref()),
        correlation,
        error = logged.as_ref().map(|l| l.message.as_str()),
        detail = logged.as_ref().and_then(|l| l.detail.as_deref()),
        "request failed"
    );
    if let Ok(value) = HeaderValue::from_str(&correlation) {
        response
            .headers_mut()
            .insert("x-ms-service-request-id", value);
    }
}

/// An error ready to be sent: the OData error with the localizer for its message.
pub struct ApiError {
    /// What went wrong.
    pub error: ODataError,
    /// The message language.
    pub localizer: std::sync::Arc<Localizer>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = status_and_code(self.error.kind);
        let message = self.localizer.render(&self.error.message);
        let logged = status.is_server_error().then(|| ServerError {
            correlation: self.error.message.get("id").map(str::to_owned),
            detail: self
                .error
                .message
                .get(switchboard_model::Message::INTERNAL_DETAIL)
                .map(str::to_owned),
            message: message.clone(),
            request: None,
        });
        let mut response = (
            status,
            Json(json!({ "error": { "code": code, "message": message } })),
        )
            .into_response();
        response
            .headers_mut()
            .insert("OData-Version", HeaderValue::from_static("4.0"));
        if let Some(logged) = logged {
            response.extensions_mut().insert(logged);
        }
        if self.error.kind == ErrorKind::Unauthorized {
            response
                .headers_mut()
                .insert("WWW-Authenticate", HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dataverse_hex_or_documented_empty() {
        use ErrorKind::*;
        for kind in [
            ResourceNotFound,
            NoHttpResource,
            UnresolvedParameters,
            UrlTooLong,
            MalformedPayload,
            InvalidParameterValue,
            UnknownParameter,
            MissingParameter,
            InvalidArgument,
            BadLiteral,
            BadKey,
            RecordNotFound,
            Duplicate,
            BadQueryOption,
            MethodNotAllowed,
            PayloadTooLarge,
            RequestTimeout,
            HeadersTooLarge,
            UnsupportedMediaType,
            Unauthorized,
            Forbidden,
            TooManyRequests,
            CustomStepNotAllowed,
            Business,
            PluginFailed,
            Internal,
        ] {
            let (status, code) = status_and_code(kind);
            assert!(code.is_empty() || code.starts_with("0x"), "{kind:?}");
            assert!(
                status.is_client_error() || matches!(kind, Internal | PluginFailed),
                "{kind:?}"
            );
        }
    }
}
