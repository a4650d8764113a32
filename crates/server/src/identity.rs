//! Who is calling. Every handler gets the caller from one extractor; until authentication
//! lands it is the built-in system administrator, so auth slots in without touching handlers.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use switchboard_model::execution::Caller;
use uuid::Uuid;

/// The organization's id (fixed per installation for now).
pub const ORGANIZATION_ID: Uuid = Uuid::from_u128(0x5b0c_2f6e_1d4a_4e8b_9a37_c1d2_e3f4_a501);
/// The root business unit.
pub const BUSINESS_UNIT_ID: Uuid = Uuid::from_u128(0x5b0c_2f6e_1d4a_4e8b_9a37_c1d2_e3f4_a502);
/// The built-in system administrator.
pub const ADMINISTRATOR_ID: Uuid = Uuid::from_u128(0x5b0c_2f6e_1d4a_4e8b_9a37_c1d2_e3f4_a503);

/// The calling user, as extracted from the request.
#[derive(Debug, Clone)]
pub struct CallerIdentity(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for CallerIdentity {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(CallerIdentity(Caller {
            user_id: ADMINISTRATOR_ID,
            business_unit_id: BUSINESS_UNIT_ID,
            organization_id: ORGANIZATION_ID,
        }))
    }
}
