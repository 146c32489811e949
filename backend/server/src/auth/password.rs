//! Forgotten passwords: `POST /api/auth/password/forgot {email}` answers the same whether the address
//! has an account or not, and mails a single-use link valid one hour; `POST /api/auth/password/reset
//! {token, password}` sets the new password, ends every other session of the account and signs this
//! browser in. Single-use tokens (also those of invitations) are shared here.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use repere_core::Invalid;
use repere_core::users::{AccountStatus, Email, check_password};
use repere_store::accounts::{Purpose, TokenRefusal};
use repere_store::unit::Trace;
use serde::Deserialize;
use serde_json::{Value, json};
use tower_sessions::Session;

use super::{hash_password, random_hex, sign_in, token_hash};
use crate::error::ApiError;
use crate::mail::compose::{Compose, Para};
use crate::request::json_body;
use crate::routes::Routes;
use crate::state::AppState;

/// How long a reset link works.
pub const RESET_VALID: Duration = Duration::hours(1);
/// Reset mails one address may cause per hour (more are silently not sent).
const RESETS_PER_HOUR: i64 = 3;

const FORGOT_ANSWER: &str = "Si un compte actif existe pour cette adresse, un courriel vient de lui être envoyé avec un lien valable une heure. Pensez à regarder dans les indésirables.";

/// A fresh token: the one mailed, and the hash kept.
pub(super) fn new_token() -> (String, String) {
    let token = random_hex(32);
    let hash = token_hash(&token);
    (token, hash)
}

/// The French message for a token that cannot be used.
pub(super) fn refusal_message(r: TokenRefusal) -> &'static str {
    match r {
        TokenRefusal::Unknown => "ce lien n'est pas valable : vérifiez qu'il est complet, ou demandez-en un nouveau",
        TokenRefusal::Used => "ce lien a déjà servi : demandez-en un nouveau",
        TokenRefusal::Expired => "ce lien a expiré : demandez-en un nouveau",
    }
}

/// Audits a refused token and answers with its message (422 naming `token`).
pub(super) async fn refuse(app: &AppState, purpose: Purpose, refusal: TokenRefusal, user: Option<i64>) -> ApiError {
    let mut unit = match app.store.begin().await {
        Ok(u) => u,
        Err(e) => return e.into(),
    };
    let trace = Trace {
        entity: "user",
        key: user.map_or_else(|| "?".into(), |u| u.to_string()),
        user: None,
        action: match purpose {
            Purpose::Invitation => "invitation_refused",
            Purpose::Reset => "reset_refused",
        },
        changes: json!({ "reason": format!("{refusal:?}").to_lowercase() }),
        at: Utc::now(),
    };
    if let Err(e) = unit.audit(trace).await {
        return e.into();
    }
    if let Err(e) = unit.commit().await {
        return e.into();
    }
    ApiError::field(Invalid::new("token", refusal_message(refusal)))
}

#[derive(Debug, Deserialize)]
pub struct Forgot {
    email: String,
}

/// POST /api/auth/password/forgot {email} — 202 with the same message, account or not.
pub async fn forgot(
    State(app): State<AppState>,
    body: Result<Json<Forgot>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let input = json_body(body)?;
    let email = Email::parse(&input.email).map_err(ApiError::field)?;
    let now = Utc::now();
    let scope = format!("reset:{}", email.as_str());
    let recent = repere_store::users::failures_since(&app.store, &scope, now - Duration::hours(1)).await?;
    let account = repere_store::users::by_email(&app.store, &email).await?;
    match account {
        Some((user, _)) if user.status == AccountStatus::Active && recent < RESETS_PER_HOUR => {
            repere_store::users::record_failure(&app.store, &scope, now).await?;
            let (token, hash) = new_token();
            let mut unit = app.store.begin().await?;
            repere_store::accounts::create_token(
                unit.conn(),
                &hash,
                Purpose::Reset,
                user.id,
                None,
                now,
                now + RESET_VALID,
            )
            .await?;
            let link = app.mail.link(&format!("/mot-de-passe.html#jeton={token}"));
            let mail = Compose {
                to: user.email.as_str(),
                kind: "reset",
                subject: "Choisir un nouveau mot de passe Repère".into(),
                paras: vec![
                    Para::Text("Vous avez demandé à changer le mot de passe de votre compte Repère. Ce lien est valable une heure et ne sert qu'une fois.".into()),
                    Para::Text("Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe ne change pas.".into()),
                ],
                action: ("Choisir un nouveau mot de passe", link),
                unsubscribe: None,
            }
            .build();
            repere_store::outbox::enqueue(unit.conn(), &mail, now).await?;
            unit.audit(Trace {
                entity: "user",
                key: user.id.to_string(),
                user: None,
                action: "reset_requested",
                changes: json!({}),
                at: now,
            })
            .await?;
            unit.commit().await?;
            app.mail.wake();
        }
        _ => tracing::info!("password reset asked for an address without an active account, or too often"),
    }
    Ok((StatusCode::ACCEPTED, Json(json!({ "message": FORGOT_ANSWER }))).into_response())
}

#[derive(Debug, Deserialize)]
pub struct Reset {
    token: String,
    password: String,
}

/// Uses a single-use token of `purpose` to set a password (and a display name), audited; the account's
/// other sessions end and this browser is signed in. Returns the session's JSON.
pub(super) async fn set_password_with_token(
    app: &AppState,
    session: &Session,
    purpose: Purpose,
    token: &str,
    password: &str,
    display_name: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Value, ApiError> {
    check_password(password).map_err(ApiError::field)?;
    let hash = token_hash(token.trim());
    let password_hash = hash_password(password)?;
    let mut unit = app.store.begin().await?;
    let user = match repere_store::accounts::use_token(unit.conn(), &hash, purpose, now).await? {
        Ok(u) => u,
        Err(refusal) => {
            drop(unit);
            return Err(refuse(app, purpose, refusal, None).await);
        }
    };
    if user.status == AccountStatus::Deactivated {
        return Err(ApiError::Forbidden(
            "ce compte est désactivé : adressez-vous à la DANE".into(),
        ));
    }
    repere_store::accounts::set_password(unit.conn(), user.id, &password_hash, display_name).await?;
    unit.audit(Trace {
        entity: "user",
        key: user.id.to_string(),
        user: Some(user.id),
        action: match purpose {
            Purpose::Invitation => "invitation_accepted",
            Purpose::Reset => "password_reset",
        },
        changes: json!({}),
        at: now,
    })
    .await?;
    unit.commit().await?;
    let user = repere_store::users::by_id(&app.store, user.id)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let csrf = sign_in(app, session, &user).await?;
    Ok(super::signed_in_json(app, &user, &csrf))
}

/// POST /api/auth/password/reset {token, password} — signs in with the new password.
pub async fn reset(
    State(app): State<AppState>,
    session: Session,
    body: Result<Json<Reset>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let input = json_body(body)?;
    let out = set_password_with_token(
        &app,
        &session,
        Purpose::Reset,
        &input.token,
        &input.password,
        None,
        Utc::now(),
    )
    .await?;
    Ok(Json(out).into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .post("/auth/password/forgot", forgot)
        .post("/auth/password/reset", reset)
}
