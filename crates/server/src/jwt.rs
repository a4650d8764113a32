//! JWT bearer tokens from an identity provider: verified against a shared secret (HS*) or
//! a JWKS key set (RS*/ES*/PS*), with issuer and audience checked when configured. The
//! decoding keys are built once, and a token that verified is remembered (by its SHA-256)
//! until it expires, so a client repeating its token pays for the signature once.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use sha2::{Digest, Sha256};

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
    /// Expiry (seconds since the epoch); required by the validation.
    pub exp: Option<u64>,
}

impl JwtConfig {
    /// Whether any key is configured.
    pub fn enabled(&self) -> bool {
        self.secret.is_some() || self.jwks.is_some()
    }

    /// Verifies signature, expiry, issuer and audience; returns the claims.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        Verifier::new(self.clone()).verify_uncached(token)
    }
}

/// Most verified tokens remembered; past it the memory starts over.
const VERIFIED_LIMIT: usize = 50_000;

/// Verifies JWTs with keys built once, remembering tokens that verified until they expire.
#[derive(Debug)]
pub struct Verifier {
    config: JwtConfig,
    secret: Option<DecodingKey>,
    /// The key set's keys by `kid` (a key that cannot be used keeps its reason).
    keys: HashMap<String, Result<DecodingKey, String>>,
    verified: RwLock<HashMap<[u8; 32], Claims>>,
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Verifier {
    /// Builds the decoding keys of `config`.
    pub fn new(config: JwtConfig) -> Self {
        let secret = config
            .secret
            .as_ref()
            .map(|s| DecodingKey::from_secret(s.as_bytes()));
        let keys = config
            .jwks
            .iter()
            .flat_map(|set| set.keys.iter())
            .filter_map(|jwk| {
                let kid = jwk.common.key_id.clone()?;
                Some((kid, DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())))
            })
            .collect();
        Self {
            config,
            secret,
            keys,
            verified: RwLock::new(HashMap::new()),
        }
    }

    /// Whether any key is configured.
    pub fn enabled(&self) -> bool {
        self.config.enabled()
    }

    /// Verifies a token, or recognises one that verified before and has not expired.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = now_seconds();
        if let Some(claims) = self
            .verified
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&digest)
            .filter(|c| c.exp.is_some_and(|exp| exp > now))
        {
            return Ok(claims.clone());
        }
        let claims = self.verify_uncached(token)?;
        if claims.exp.is_some_and(|exp| exp > now) {
            let mut verified = self.verified.write().unwrap_or_else(|p| p.into_inner());
            if verified.len() >= VERIFIED_LIMIT {
                verified.clear();
            }
            verified.insert(digest, claims.clone());
        }
        Ok(claims)
    }

    fn verify_uncached(&self, token: &str) -> Result<Claims, String> {
        let header = decode_header(token).map_err(|e| e.to_string())?;
        let hmac = matches!(
            header.alg,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        );
        let key = if hmac {
            self.secret
                .as_ref()
                .ok_or("HMAC tokens are not accepted: no shared secret is configured")?
        } else {
            if self.config.jwks.is_none() {
                return Err("asymmetric tokens are not accepted: no key set is configured".into());
            }
            let kid = header
                .kid
                .as_deref()
                .ok_or("the token names no key (kid)")?;
            match self.keys.get(kid) {
                Some(Ok(key)) => key,
                Some(Err(reason)) => return Err(reason.clone()),
                None => return Err(format!("no key {kid} in the key set")),
            }
        };
        let mut validation = Validation::new(header.alg);
        if let Some(iss) = &self.config.issuer {
            validation.set_issuer(&[iss]);
        }
        match &self.config.audience {
            Some(aud) => validation.set_audience(&[aud]),
            None => validation.validate_aud = false,
        }
        decode::<Claims>(token, key, &validation)
            .map(|d| d.claims)
            .map_err(|e| e.to_string())
    }
}

/// Whether a bearer token is a JWT rather than an opaque Switchboard token.
pub fn looks_like_jwt(token: &str) -> bool {
    token.starts_with("eyJ") && token.matches('.').count() == 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header, encode};

    fn mint(secret: &str, exp: u64) -> String {
        encode(
            &Header::default(),
            &serde_json::json!({"sub": "ada", "exp": exp}),
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    /// A token that verified is remembered until its `exp`, never past it; a token signed
    /// with another key never verifies.
    #[test]
    fn verified_tokens_are_remembered_until_they_expire() {
        let verifier = Verifier::new(JwtConfig {
            secret: Some("a-shared-secret-of-some-length".into()),
            ..JwtConfig::default()
        });
        let good = mint("a-shared-secret-of-some-length", now_seconds() + 600);
        assert_eq!(verifier.verify(&good).unwrap().sub.as_deref(), Some("ada"));
        assert_eq!(verifier.verified.read().unwrap().len(), 1, "remembered");
        assert_eq!(verifier.verify(&good).unwrap().sub.as_deref(), Some("ada"));
        let forged = mint("another-secret-of-the-same-length", now_seconds() + 600);
        assert!(verifier.verify(&forged).is_err());
        // Remembered with an `exp` that has passed (as if time went on): refused again, by
        // the signature check's own expiry rule.
        let soon = mint("a-shared-secret-of-some-length", now_seconds() + 1);
        assert!(verifier.verify(&soon).is_ok());
        let digest: [u8; 32] = Sha256::digest(soon.as_bytes()).into();
        verifier
            .verified
            .write()
            .unwrap()
            .get_mut(&digest)
            .unwrap()
            .exp = Some(now_seconds() - 120);
        let past = mint("a-shared-secret-of-some-length", now_seconds() - 120);
        assert!(verifier.verify(&past).is_err(), "expired (past the leeway)");
        assert!(
            verifier.verify(&soon).is_ok(),
            "the real token still verifies: its own exp is in the future"
        );
    }
}
