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

use super::{CSRF_KEY, EPOCH_KEY, USER_KEY, methods, random_hex, session_valid, sign_in, user_json, verify_password};
use crate::error::ApiError;
use crate::routes::Routes;
use crate::state::AppState;

/// Failed logins allowed per account, and per IP address, within [`WINDOW_MINUTES`].
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_IP: i64 = 20;
pub const WINDOW_MINUTES: i64 = 15;

/// The same message whatever was wrong, so that nobody learns which addresses have an account.
const BAD_CREDENTIALS: &str = "Adresse électronique ou mot de passe incorrect.";

fn session_error(e: tower_sessions::session::Error) -> ApiError {
    ApiError::Internal(format!("session: {e}"))
}

/// The session's CSRF token, created on first use.
async fn csrf_token(session: &Session) -> Result<String, ApiError> {
    if let Some(t) = session.get::<String>(CSRF_KEY).await.map_err(session_error)? {
        return Ok(t);
    }
    let t = random_hex(32);
    session.insert(CSRF_KEY, &t).await.map_err(session_error)?;
    Ok(t)
}

/// GET /api/auth/session — who is signed in (if anyone) and the CSRF token to send back.
pub async fn current(State(app): State<AppState>, session: Session) -> Result<Response, ApiError> {
    let csrf = csrf_token(&session).await?;
    let id: Option<i64> = session.get(USER_KEY).await.map_err(session_error)?;
    let epoch: Option<i64> = session.get(EPOCH_KEY).await.map_err(session_error)?;
    let user = match id {
        Some(id) => repere_store::users::by_id(&app.store, id)
            .await?
            .filter(|u| session_valid(u, epoch)),
        None => None,
    };
    Ok(Json(json!({
        "authenticated": user.is_some(),
        "user": user.as_ref().map(user_json),
        "csrf_token": csrf,
        "sign_in": methods(&app),
    }))
    .into_response())
}

#[derive(Deserialize)]
pub struct Login {
    email: String,
    password: String,
}

/// POST /api/auth/login — `{email, password}`; rate limited per account and per IP.
pub async fn login(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
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
    let ip_scope = format!("ip:{}", peer.ip());
    let email = Email::parse(&body.email).ok();
    let account_scope = email.as_ref().map(|e| format!("account:{}", e.as_str()));
    let store = &app.store;
    let mut limited = repere_store::users::failures_since(store, &ip_scope, since).await? >= MAX_FAILURES_PER_IP;
    if let Some(scope) = &account_scope {
        limited |= repere_store::users::failures_since(store, scope, since).await? >= MAX_FAILURES_PER_ACCOUNT;
    }
    if limited {
        return Err(ApiError::TooManyRequests {
            retry_after_s: (WINDOW_MINUTES * 60) as u64,
        });
    }
    let found = match &email {
        Some(e) => repere_store::users::by_email(store, e).await?,
        None => None,
    };
    let user = match found {
        Some((user, hash))
            if user.status != repere_core::users::AccountStatus::Invited && verify_password(&body.password, &hash) =>
        {
            user
        }
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
    Ok(
        Json(json!({ "authenticated": true, "user": user_json(&user), "csrf_token": csrf, "sign_in": methods(&app) }))
            .into_response(),
    )
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
}
