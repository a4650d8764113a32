//! Who is calling. Every handler gets the caller from this one extractor: the bearer token
//! decides the user (401 without a valid one), `MSCRMCallerID` impersonates another user
//! for holders of prvActOnBehalfOfAnotherUser. Principals come from the store's cache (no
//! database work once a token was seen, until a security change).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use switchboard_model::execution::Caller;
use switchboard_model::{Message, MessageId, ids};
use switchboard_odata::{ErrorKind, ODataError};

use uuid::Uuid;

use crate::AppState;
use crate::errors::ApiError;

/// The organization's id.
pub const ORGANIZATION_ID: Uuid = ids::ORGANIZATION_ID;

/// The calling user, as extracted from the request.
#[derive(Debug, Clone)]
pub struct CallerIdentity(pub Caller);

/// The user a verified JWT names: `oid` or `sub` as a user id, else the login name in
/// `preferred_username`, `upn` or `sub`.
async fn caller_for_claims(
    state: &AppState,
    claims: &crate::jwt::Claims,
) -> Result<Option<Caller>, String> {
    let ids: Vec<&str> = [&claims.oid, &claims.sub]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let names: Vec<&str> = [&claims.preferred_username, &claims.upn, &claims.sub]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    state.engine.caller_for_identity(&ids, &names).await
}

impl FromRequestParts<AppState> for CallerIdentity {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let reject = |kind: ErrorKind, message: Message| {
            ApiError {
                error: ODataError::new(kind, message),
                localizer: state
                    .engine
                    .locales
                    .pick(None, crate::accept_language(&parts.headers)),
            }
            .into_response()
        };
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(reject(
                ErrorKind::Unauthorized,
                Message::new(MessageId::AuthNoToken),
            ));
        };
        let found = if crate::jwt::looks_like_jwt(token) && state.jwt.enabled() {
            match state.jwt.verify(token) {
                Ok(claims) => caller_for_claims(state, &claims).await,
                Err(reason) => {
                    tracing::info!(%reason, "JWT refused");
                    Ok(None)
                }
            }
        } else {
            state.engine.caller_for_token(token).await
        };
        let principal = match found {
            Ok(Some(p)) => p,
            Ok(None) => {
                return Err(reject(
                    ErrorKind::Unauthorized,
                    Message::new(MessageId::AuthBadToken),
                ));
            }
            Err(e) => {
                return Err(ApiError {
                    error: ODataError::internal(format_args!("checking an access token: {e}")),
                    localizer: state
                        .engine
                        .locales
                        .pick(None, crate::accept_language(&parts.headers)),
                }
                .into_response());
            }
        };
        if let Err(seconds) = state.limiter.check(principal.user_id) {
            let (limit, window) = state.limiter.limits();
            let mut response = reject(
                ErrorKind::TooManyRequests,
                Message::new(MessageId::AuthRateLimited)
                    .arg("limit", limit)
                    .arg("window", window.as_secs()),
            );
            if let Ok(v) = axum::http::HeaderValue::from_str(&seconds.to_string()) {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, v);
            }
            return Err(response);
        }
        let impersonated = parts
            .headers
            .get("MSCRMCallerID")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let Some(target) = impersonated else {
            return Ok(CallerIdentity(principal));
        };
        if !principal.holds(ids::ACT_ON_BEHALF) {
            return Err(reject(
                ErrorKind::Forbidden,
                Message::new(MessageId::AuthImpersonationRefused).arg("user", principal.user_id),
            ));
        }
        let unknown = || {
            reject(
                ErrorKind::Forbidden,
                Message::new(MessageId::AuthUnknownUser).arg("id", &target),
            )
        };
        let id = Uuid::parse_str(target.trim().trim_matches(['{', '}'])).map_err(|_| unknown())?;
        match state.engine.caller_on_behalf(id, &principal).await {
            Ok(Some(user)) => Ok(CallerIdentity(user)),
            _ => Err(unknown()),
        }
    }
}
