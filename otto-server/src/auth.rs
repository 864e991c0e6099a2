//! Authentication: bearer JWTs (HS256 with a shared secret, RS256 from a JWKS URL) turned into
//! a core [`Principal`], plus the tenant header check.
//!
//! Claims follow `platform-facts.md`: `sub` or `user_id`, `company_id`, `role`, optional
//! `permissions`, `exp`, `iat`. Each key type only verifies its own algorithm, so a token can't
//! pick a weaker check by naming another `alg`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use otto_core::{CompanyId, Error, Permission, Principal, Role};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use crate::error::ApiError;
use crate::state::AppState;

/// The JWT claims Otto reads and `otto token` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// Subject: the user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Alternative spelling of the user id used by some identity providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Tenant.
    pub company_id: String,
    /// `admin`, `manager`, `csr` or `sales_rep`.
    pub role: String,
    /// Optional explicit permissions; replaces the role's defaults when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    /// Expiry (seconds since the epoch).
    pub exp: u64,
    /// Issued at.
    #[serde(default)]
    pub iat: u64,
}

impl Claims {
    /// Turns verified claims into a principal, rejecting unknown roles and permissions.
    pub fn into_principal(self) -> Result<Principal, Error> {
        let user = self
            .sub
            .or(self.user_id)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| Error::unauthorized("token has no `sub` or `user_id` claim"))?;
        let company = CompanyId::parse(self.company_id)
            .map_err(|e| Error::unauthorized(format!("token claim {}", e.message())))?;
        let role = Role::parse(&self.role).map_err(|e| Error::unauthorized(format!("token claim {}", e.message())))?;
        Ok(match self.permissions {
            Some(perms) => {
                let perms = perms
                    .iter()
                    .map(|p| Permission::parse(p))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| Error::unauthorized(format!("token claim {}", e.message())))?;
                Principal::with_permissions(user, company, role, perms)
            }
            None => Principal::new(user, company, role),
        })
    }
}

/// Signs an HS256 token (for `otto token` and tests).
pub fn sign_hs256(secret: &[u8], claims: &Claims) -> Result<String, Error> {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret))
        .map_err(|e| Error::internal(format!("could not sign token: {e}")))
}

/// Keys by `kid`, and when they were fetched.
type KeyCache = (HashMap<String, Arc<DecodingKey>>, Option<Instant>);

/// JWKS keys fetched from an identity provider, cached by `kid` and refreshed when a token
/// names a key the cache doesn't have (key rotation), at most once per `min_refresh`.
pub struct JwksCache {
    url: String,
    http: reqwest::Client,
    keys: RwLock<KeyCache>,
    min_refresh: Duration,
    max_age: Duration,
}

impl JwksCache {
    /// A cache for the JWKS at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            http: reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap_or_default(),
            keys: RwLock::new((HashMap::new(), None)),
            min_refresh: Duration::from_secs(10),
            max_age: Duration::from_secs(600),
        }
    }

    async fn key(&self, kid: &str) -> Result<Arc<DecodingKey>, Error> {
        {
            let guard = self.keys.read().await;
            let fresh = guard.1.is_some_and(|t| t.elapsed() < self.max_age);
            if let (Some(k), true) = (guard.0.get(kid), fresh) {
                return Ok(Arc::clone(k));
            }
        }
        let mut guard = self.keys.write().await;
        let may_refresh = guard.1.is_none_or(|t| t.elapsed() >= self.min_refresh);
        if may_refresh {
            match self.fetch().await {
                Ok(keys) => *guard = (keys, Some(Instant::now())),
                Err(e) => tracing::warn!(error = %e, url = %self.url, "JWKS refresh failed; using cached keys"),
            }
        }
        guard.0.get(kid).cloned().ok_or_else(|| Error::unauthorized(format!("unknown signing key `{kid}`")))
    }

    async fn fetch(&self) -> Result<HashMap<String, Arc<DecodingKey>>, Error> {
        let set: JwkSet = self
            .http
            .get(&self.url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| Error::new(otto_core::ErrorKind::Unavailable, format!("JWKS fetch failed: {e}")))?
            .json()
            .await
            .map_err(|e| Error::new(otto_core::ErrorKind::Unavailable, format!("JWKS is not valid JSON: {e}")))?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            if let (Some(kid), Ok(key)) = (jwk.common.key_id.clone(), DecodingKey::from_jwk(jwk)) {
                keys.insert(kid, Arc::new(key));
            }
        }
        Ok(keys)
    }
}

/// Verifies bearer tokens.
pub struct Authenticator {
    hs256: Option<DecodingKey>,
    jwks: Option<JwksCache>,
}

impl Authenticator {
    /// Accepts HS256 tokens signed with `secret` and/or RS256 tokens whose key is in the JWKS.
    pub fn new(secret: Option<&[u8]>, jwks_url: Option<&str>) -> Self {
        Self { hs256: secret.map(DecodingKey::from_secret), jwks: jwks_url.map(JwksCache::new) }
    }

    /// Verifies `token` and returns its principal.
    pub async fn verify(&self, token: &str) -> Result<Principal, Error> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| Error::unauthorized(format!("malformed token: {e}")))?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = 30;
        validation.set_required_spec_claims(&["exp"]);
        let claims = match header.alg {
            Algorithm::HS256 => {
                let key =
                    self.hs256.as_ref().ok_or_else(|| Error::unauthorized("HS256 tokens are not accepted here"))?;
                decode(token, key, &validation)?
            }
            Algorithm::RS256 => {
                let jwks =
                    self.jwks.as_ref().ok_or_else(|| Error::unauthorized("RS256 tokens are not accepted here"))?;
                let kid = header.kid.as_deref().ok_or_else(|| Error::unauthorized("RS256 token has no `kid`"))?;
                decode(token, &*jwks.key(kid).await?, &validation)?
            }
            other => return Err(Error::unauthorized(format!("unsupported token algorithm {other:?}"))),
        };
        claims.into_principal()
    }
}

fn decode(token: &str, key: &DecodingKey, validation: &Validation) -> Result<Claims, Error> {
    use jsonwebtoken::errors::ErrorKind as J;
    jsonwebtoken::decode::<Claims>(token, key, validation).map(|d| d.claims).map_err(|e| {
        Error::unauthorized(match e.kind() {
            J::ExpiredSignature => "token has expired".to_string(),
            J::InvalidSignature => "token signature is invalid".to_string(),
            _ => format!("invalid token: {e}"),
        })
    })
}

/// Middleware for `/api/v1/*`: a valid bearer token and an `X-Company-ID` equal to its company.
pub async fn require_auth(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    match authenticate(&state, req.headers()).await {
        Ok(p) => {
            req.extensions_mut().insert(p);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

pub(crate) async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("Missing `Authorization: Bearer <token>` header"))?;
    let principal = state.auth.verify(token).await?;
    let mut values = headers.get_all("x-company-id").iter();
    let company = match (values.next(), values.next()) {
        (Some(v), None) => v.to_str().map_err(|_| ApiError::bad_request("`X-Company-ID` is not valid text"))?,
        (None, _) => return Err(ApiError::bad_request("Missing `X-Company-ID` header")),
        (Some(_), Some(_)) => return Err(ApiError::bad_request("Send `X-Company-ID` once")),
    };
    if company != principal.company_id().as_str() {
        return Err(ApiError::forbidden("X-Company-ID does not match the token's company"));
    }
    Ok(principal)
}

/// Verifies a token and checks it belongs to `company_id` (for WebSocket clients that pass
/// credentials in the query string or the first message instead of headers).
pub(crate) async fn authenticate_token(state: &AppState, token: &str, company_id: &str) -> Result<Principal, ApiError> {
    let principal = state.auth.verify(token.trim()).await?;
    if company_id != principal.company_id().as_str() {
        return Err(ApiError::forbidden("company_id does not match the token's company"));
    }
    Ok(principal)
}

/// The authenticated caller, for handlers behind [`require_auth`].
#[derive(Debug, Clone)]
pub struct Auth(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Auth)
            .ok_or_else(|| ApiError::unauthorized("Missing `Authorization: Bearer <token>` header"))
    }
}
