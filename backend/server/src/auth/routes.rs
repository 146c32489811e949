//! `/api/auth/session`, `/api/auth/login`, `/api/auth/logout`.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use repere_core::users::Email;
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use super::{
    CSRF_KEY, EPOCH_KEY, USER_KEY, methods, random_hex, session_valid, sign_in, signed_in_json, user_json,
    verify_password,
};
use crate::error::ApiError;
use crate::routes::Routes;
use crate::state::AppState;

use super::throttle::{self, PER_ACCOUNT, PER_CLIENT, WINDOW_MINUTES};

/// Cookie naming this browser to the accounts it signed in to (see `throttle`).
const DEVICE_COOKIE: &str = "repere_device";

/// The same message whatever was wrong, so that nobody learns which addresses have an account.
const BAD_CREDENTIALS: &str = "Adresse électronique ou mot de passe incorrect.";

fn session_error(e: tower_sessions::session::Error) -> ApiError {
    ApiError::Internal(format!("session: {e}"))
}

/// GET /api/auth/session — who is signed in (if anyone) and the CSRF token to send back.
pub async fn current(
    State(app): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    // A session's own token; for a visitor without a session, the token of the CSRF cookie (given
    // now if absent): visiting creates no session row.
    let own: Option<String> = session.get(CSRF_KEY).await.map_err(session_error)?;
    let (csrf, new_cookie) = match own.or_else(|| super::csrf_cookie(&headers)) {
        Some(t) => (t, None),
        None => {
            let t = random_hex(32);
            (t.clone(), Some(super::csrf_cookie_header(&t, app.auth.secure_cookies)))
        }
    };
    let id: Option<i64> = session.get(USER_KEY).await.map_err(session_error)?;
    let epoch: Option<i64> = session.get(EPOCH_KEY).await.map_err(session_error)?;
    let user = match id {
        Some(id) => repere_store::users::by_id(&app.store, id)
            .await?
            .filter(|u| session_valid(u, epoch)),
        None => None,
    };
    let mut resp = Json(json!({
        "authenticated": user.is_some(),
        "user": user.as_ref().map(user_json),
        "csrf_token": csrf,
        "sign_in": methods(&app),
    }))
    .into_response();
    // A CSRF token and an account: never kept by any cache.
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    if let Some(cookie) = new_cookie {
        resp.headers_mut().append(axum::http::header::SET_COOKIE, cookie);
    }
    Ok(resp)
}

#[derive(Deserialize)]
pub struct Login {
    email: String,
    password: String,
}

/// POST /api/auth/login — `{email, password}`; slowed per account and per client (see `throttle`).
pub async fn login(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    session: Session,
    body: Result<Json<Login>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body.map_err(|e| {
        ApiError::param(
            "body",
            format!("corps JSON attendu {{email, password}} : {}", e.body_text()),
        )
    })?;
    if !app.auth.password_login {
        return Err(ApiError::Forbidden(
            "la connexion par mot de passe est désactivée : connectez-vous avec le fournisseur d'identité".into(),
        ));
    }
    let now = Utc::now();
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let client = throttle::client_ip(peer.ip(), &headers, &app.auth.trusted_proxies);
    let ip_scope = format!("ip:{client}");
    let email = Email::parse(&body.email).ok();
    let account_scope = email.as_ref().map(|e| format!("account:{}", e.as_str()));
    let store = &app.store;
    let found = match &email {
        Some(e) => repere_store::users::by_email(store, e).await?,
        None => None,
    };
    let device = super::cookie_token(&headers, DEVICE_COOKIE);
    let device_hash = device.as_deref().map(super::token_hash);
    // A browser that signed in to this account before is not slowed by others' failures on it.
    let known = match (&found, &device_hash) {
        (Some((u, _)), Some(h)) => repere_store::users::known_device(store, u.id, h).await?,
        _ => false,
    };
    let (n, last) = repere_store::users::failures_and_last(store, &ip_scope, since).await?;
    let mut retry = throttle::wait(PER_CLIENT, n, last, now);
    if let (Some(scope), false) = (&account_scope, known) {
        let (n, last) = repere_store::users::failures_and_last(store, scope, since).await?;
        retry = retry.max(throttle::wait(PER_ACCOUNT, n, last, now));
    }
    if let Some(retry_after_s) = retry {
        return Err(ApiError::TooManyRequests {
            what: "tentatives de connexion",
            retry_after_s,
        });
    }
    // A password is always checked against a hash, a dummy one when the address has no account (or
    // no password): the time to answer does not tell whether an account exists.
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, String::new()),
    };
    let right = verify_password(
        &body.password,
        if hash.is_empty() { super::dummy_hash() } else { &hash },
    );
    let user = match user {
        Some(user) if right && !hash.is_empty() && user.status != repere_core::users::AccountStatus::Invited => user,
        _ => {
            repere_store::users::record_failure(store, &ip_scope, now).await?;
            if let Some(scope) = &account_scope {
                repere_store::users::record_failure(store, scope, now).await?;
            }
            return Err(ApiError::BadCredentials(BAD_CREDENTIALS.into()));
        }
    };
    if let Some(scope) = &account_scope {
        repere_store::users::clear_failures(store, scope).await?;
    }
    if user.status == repere_core::users::AccountStatus::Deactivated {
        return Err(ApiError::Forbidden(
            "ce compte est désactivé : adressez-vous à la DANE".into(),
        ));
    }
    let csrf = sign_in(&app, &session, &user).await?;
    // This browser is now known to the account: others' failures on it will not slow it.
    let device = device.unwrap_or_else(|| random_hex(32));
    repere_store::users::remember_device(store, user.id, &super::token_hash(&device), now).await?;
    let mut resp = Json(signed_in_json(&app, &user, &csrf)).into_response();
    resp.headers_mut().append(
        axum::http::header::SET_COOKIE,
        super::token_cookie(
            DEVICE_COOKIE,
            &device,
            "/api/auth",
            "; Max-Age=31536000",
            app.auth.secure_cookies,
        ),
    );
    Ok(resp)
}

/// POST /api/auth/logout/everywhere — ends every session of the account, on every device (this one
/// too), audited.
pub async fn logout_everywhere(
    State(app): State<AppState>,
    user: super::CurrentUser,
    session: Session,
) -> Result<Response, ApiError> {
    let mut unit = app.store.begin().await?;
    repere_store::accounts::end_sessions(unit.conn(), user.0.id).await?;
    unit.audit(repere_store::unit::Trace {
        entity: "user",
        key: user.0.id.to_string(),
        user: Some(user.0.id),
        action: "logout_everywhere",
        changes: json!({}),
        at: Utc::now(),
    })
    .await?;
    unit.commit().await?;
    session.flush().await.map_err(session_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// POST /api/auth/logout — ends the session.
pub async fn logout(session: Session) -> Result<Response, ApiError> {
    session.flush().await.map_err(session_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Signing in and out, and who is signed in.
pub fn routes() -> Routes {
    Routes::new()
        .get("/auth/session", current)
        .post("/auth/login", login)
        .post("/auth/logout", logout)
        .post("/auth/logout/everywhere", logout_everywhere)
}
