//! Accounts and sessions: argon2id password hashes, server-side sessions in the database (through the
//! tower-sessions crate), CSRF protection of every state-changing request, login rate limiting per
//! account and per IP, and the `CurrentUser` extractor that routes use to require a role.

pub mod access;
pub mod accounts;
pub mod invitations;
pub mod oidc;
pub mod password;
pub mod provider;
pub mod routes;
pub mod session_store;
pub mod throttle;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use repere_core::users::Role;
use repere_store::users::User;
use serde_json::{Value, json};
use tower_sessions::Session;

use crate::error::{ApiError, problem};
use crate::state::AppState;

/// Session keys.
pub const USER_KEY: &str = "user_id";
pub const CSRF_KEY: &str = "csrf";
/// The account's `auth_epoch` when the session was opened: a later one (password changed, account
/// deactivated) ends the session.
pub const EPOCH_KEY: &str = "epoch";
/// Header carrying the CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Cookie holding the CSRF token of a visitor who has no session (double submit: a request must carry
/// it in the header too, which another site cannot read). No session row is created for visitors.
pub const CSRF_COOKIE: &str = "repere_csrf";

/// The token in cookie `name`, if the request carries a well-formed one (64 hex digits, as
/// [`random_hex`]`(32)` makes).
pub fn cookie_token(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix(name)?.strip_prefix('='))
        .find(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
}

/// The visitor's CSRF token from the cookie, if any.
pub fn csrf_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie_token(headers, CSRF_COOKIE)
}

/// A `Set-Cookie` for a token: not readable by scripts, strict same-site, `Secure` when Repère is
/// served over HTTPS; `extra` adds attributes (`; Max-Age=…`).
pub fn token_cookie(name: &str, token: &str, path: &str, extra: &str, secure: bool) -> axum::http::HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    axum::http::HeaderValue::from_str(&format!(
        "{name}={token}; Path={path}; HttpOnly; SameSite=Strict{extra}{secure}"
    ))
    .unwrap_or_else(|_| axum::http::HeaderValue::from_static(""))
}

/// The `Set-Cookie` of a visitor's CSRF token.
pub fn csrf_cookie_header(token: &str, secure: bool) -> axum::http::HeaderValue {
    token_cookie(CSRF_COOKIE, token, "/", "", secure)
}

/// Random bytes as lower-case hex (session-independent secrets: CSRF tokens, salts).
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS random source is available");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes a password with argon2id and a fresh random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| ApiError::Internal(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| ApiError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// A hash of no account's password, checked when the address has none so that answers take as long.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_hex(16)).unwrap_or_default())
}

/// Checks a password against a stored PHC hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// The signed-in user, or 401.
pub struct CurrentUser(pub User);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, m)| ApiError::Internal(m.to_string()))?;
        let id: Option<i64> = session
            .get(USER_KEY)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let id = id.ok_or(ApiError::Unauthenticated)?;
        let epoch: Option<i64> = session
            .get(EPOCH_KEY)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let user = repere_store::users::by_id(&state.store, id)
            .await?
            .filter(|u| session_valid(u, epoch))
            .ok_or(ApiError::Unauthenticated)?;
        if let Some(personal) = parts.extensions.get::<Personal>() {
            personal.0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(Self(user))
    }
}

/// Set by [`CurrentUser`] when a request is answered for a signed-in person: [`api_answers`]
/// then forbids any cache to keep the answer.
#[derive(Clone, Default)]
pub struct Personal(std::sync::Arc<std::sync::atomic::AtomicBool>);

/// Middleware under `/api` (one layer for both, as each layer costs every request): what was answered
/// for a signed-in person (their reports, the moderation inbox, the breakdowns in CSV, the accounts…)
/// carries `Cache-Control: no-store`, and every error leaves as problem+json ([`crate::error::as_problem`]).
pub async fn api_answers(mut request: Request, next: Next) -> Response {
    let route = request.extensions().get::<axum::extract::MatchedPath>().cloned();
    let personal = Personal::default();
    request.extensions_mut().insert(personal.clone());
    let mut resp = crate::error::as_problem(route, next.run(request).await).await;
    if personal.0.load(std::sync::atomic::Ordering::Relaxed) {
        resp.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
    }
    resp
}

/// Whether a session opened at `epoch` still speaks for `user`: the account is active and neither its
/// password nor its status changed since (sessions opened before epochs existed hold none: epoch 0).
pub fn session_valid(user: &User, epoch: Option<i64>) -> bool {
    user.status == repere_core::users::AccountStatus::Active && epoch.unwrap_or(0) == user.auth_epoch
}

/// Opens a session for `user` in this browser: a new session id (no fixation), the account's epoch
/// and a new CSRF token, which is returned; the sign-in is noted on the account.
pub async fn sign_in(state: &AppState, session: &Session, user: &User) -> Result<String, ApiError> {
    let err = |e: tower_sessions::session::Error| ApiError::Internal(format!("session: {e}"));
    session.cycle_id().await.map_err(err)?;
    session.insert(USER_KEY, user.id).await.map_err(err)?;
    session.insert(EPOCH_KEY, user.auth_epoch).await.map_err(err)?;
    let csrf = random_hex(32);
    session.insert(CSRF_KEY, &csrf).await.map_err(err)?;
    repere_store::accounts::signed_in(&state.store, user.id, chrono::Utc::now()).await?;
    tracing::info!(user_id = user.id, role = user.role.as_str(), "signed in");
    Ok(csrf)
}

/// What a sign-in answers: the account, the session's new CSRF token and the ways in.
pub fn signed_in_json(app: &AppState, user: &User, csrf: &str) -> Value {
    json!({ "authenticated": true, "user": user_json(user), "csrf_token": csrf, "sign_in": methods(app) })
}

pub fn user_json(u: &User) -> Value {
    json!({ "email": u.email.as_str(), "display_name": u.display_name, "role": u.role.as_str(), "role_label": u.role.label() })
}

/// The ways in this instance offers, for the sign-in page.
pub fn methods(app: &AppState) -> Value {
    json!({
        "password": app.auth.password_login,
        "provider": app.auth.oidc.as_ref().map(|o| o.config.label.as_str()),
    })
}

/// The SHA-256 of a token sent by e-mail, as kept in the store (hex).
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl CurrentUser {
    /// 403 unless the user moderates.
    pub fn require_moderator(&self) -> Result<(), ApiError> {
        if self.0.role.moderates() {
            Ok(())
        } else {
            Err(ApiError::Forbidden("réservé aux modérateurs (CARDIE/DANE)".into()))
        }
    }

    /// 403 unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.0.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden("votre rôle ne permet pas cette action".into()))
        }
    }
}

/// Middleware: every request that may change state must carry the session's CSRF token.
pub async fn csrf_guard(State(_state): State<AppState>, session: Session, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let expected: Option<String> = session
        .get(CSRF_KEY)
        .await
        .ok()
        .flatten()
        .or_else(|| csrf_cookie(request.headers()));
    let given = request
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match (expected, given) {
        (Some(e), Some(g)) if constant_time_eq(e.as_bytes(), g.as_bytes()) => next.run(request).await,
        _ => problem(
            StatusCode::FORBIDDEN,
            "Requête refusée",
            "Jeton CSRF manquant ou invalide : rechargez la page puis réessayez.",
            None,
        )
        .into_response(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_salts_differ() {
        let a = hash_password("une phrase de passe assez longue").unwrap();
        let b = hash_password("une phrase de passe assez longue").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify_password("une phrase de passe assez longue", &a));
        assert!(!verify_password("une autre phrase de passe", &a));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_hex() {
        let t = random_hex(32);
        assert_eq!(t.len(), 64);
        assert_ne!(t, random_hex(32));
        assert!(constant_time_eq(t.as_bytes(), t.as_bytes()));
        assert!(!constant_time_eq(b"ab", b"abc"));
    }
}
