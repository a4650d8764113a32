//! JWT bearer tokens from an identity provider: verified against a shared secret (HS*) or
//! a JWKS key set (RS*/ES*/PS*), with issuer and audience checked when configured.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;

/// How JWTs are verified.
#[derive(Debug, Clone, Default)]
pub struct JwtConfig {
    /// Shared secret for HS256/384/512 tokens.
    pub secret: Option<String>,
    /// Public keys for RS/ES/PS tokens, selected by `kid`.
    pub jwks: Option<JwkSet>,
    /// Required `iss`.
    pub issuer: Option<String>,
    /// Required `aud`.
    pub audience: Option<String>,
}

/// The claims that name the user.
#[derive(Debug, Clone, Deserialize)]
pub struct Claims {
    /// Subject.
    pub sub: Option<String>,
    /// Entra ID's object id.
    pub oid: Option<String>,
    /// Login name.
    pub preferred_username: Option<String>,
    /// User principal name.
    pub upn: Option<String>,
}

impl JwtConfig {
    /// Whether any key is configured.
    pub fn enabled(&self) -> bool {
        self.secret.is_some() || self.jwks.is_some()
    }

    /// Verifies signature, expiry, issuer and audience; returns the claims.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        let header = decode_header(token).map_err(|e| e.to_string())?;
        let hmac = matches!(
            header.alg,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        );
        let key = if hmac {
            let secret = self
                .secret
                .as_ref()
                .ok_or("HMAC tokens are not accepted: no shared secret is configured")?;
            DecodingKey::from_secret(secret.as_bytes())
        } else {
            let jwks = self
                .jwks
                .as_ref()
                .ok_or("asymmetric tokens are not accepted: no key set is configured")?;
            let kid = header
                .kid
                .as_deref()
                .ok_or("the token names no key (kid)")?;
            let jwk = jwks
                .find(kid)
                .ok_or_else(|| format!("no key {kid} in the key set"))?;
            DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?
        };
        let mut validation = Validation::new(header.alg);
        if let Some(iss) = &self.issuer {
            validation.set_issuer(&[iss]);
        }
        match &self.audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        decode::<Claims>(token, &key, &validation)
            .map(|d| d.claims)
            .map_err(|e| e.to_string())
    }
}

/// Whether a bearer token is a JWT rather than an opaque Switchboard token.
pub fn looks_like_jwt(token: &str) -> bool {
    token.starts_with("eyJ") && token.matches('.').count() == 2
}
