//! Messages between colleagues about a practice: "contacter l'auteur" on a published fiche, then
//! replies back and forth. Each side sees the other's display name, never an address.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use repere_core::Invalid;
use repere_store::messages::NewMessage;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::json_body;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct MessageInput {
    body: String,
}

/// Longest message, in characters.
const MESSAGE_MAX: usize = 2_000;
/// Messages one account may write per [`RATE_WINDOW_MINUTES`] (a colleague writes a few; a script
/// flooding an author is stopped).
pub const MESSAGES_PER_WINDOW: i64 = 10;
pub const RATE_WINDOW_MINUTES: i64 = 10;

/// The trimmed body, or a 422 naming `body`.
fn checked_body(body: Result<Json<MessageInput>, axum::extract::rejection::JsonRejection>) -> Result<String, ApiError> {
    let input = json_body(body)?;
    let text = input.body.trim();
    if text.is_empty() || text.chars().count() > MESSAGE_MAX {
        return Err(ApiError::field(Invalid::new(
            "body",
            format!("message de 1 à {MESSAGE_MAX} caractères"),
        )));
    }
    Ok(text.to_string())
}

/// Stores a message from `user` (shown under their display name, "Un collègue" without one); 201.
async fn deliver(
    app: &AppState,
    user: &CurrentUser,
    practice_id: i64,
    to: Option<i64>,
    reply_to: Option<i64>,
    body: &str,
) -> Result<Response, ApiError> {
    let since = chrono::Utc::now() - chrono::Duration::minutes(RATE_WINDOW_MINUTES);
    if repere_store::messages::sent_since(&app.store, user.0.id, since).await? >= MESSAGES_PER_WINDOW {
        return Err(ApiError::TooManyRequests {
            what: "messages",
            retry_after_s: (RATE_WINDOW_MINUTES * 60) as u64,
        });
    }
    let name = if user.0.display_name.is_empty() {
        "Un collègue"
    } else {
        user.0.display_name.as_str()
    };
    let m = NewMessage {
        practice_id,
        sender_id: user.0.id,
        sender_name: name,
        recipient_id: to,
        reply_to,
        body,
    };
    let title = {
        let c = app.read_catalog()?;
        c.practices.get(&practice_id).map(|e| e.practice.title.to_string())
    };
    let mut unit = app.store.begin().await?;
    let id = repere_store::messages::send(unit.conn(), &m).await?;
    let addressee = match to {
        Some(t) => Some(t),
        None => repere_store::messages::get_in(unit.conn(), id).await?,
    };
    if let (Some(addressee), Some(title)) = (addressee, title) {
        crate::mail::notify::message(
            unit.conn(),
            &app.mail,
            addressee,
            name,
            &title,
            body,
            chrono::Utc::now(),
        )
        .await?;
    }
    app.commit(unit).await?;
    Ok((StatusCode::CREATED, Json(json!({ "sent": true, "id": id }))).into_response())
}

/// POST /api/practices/{id}/messages — "contacter l'auteur": a signed-in colleague leaves a message
/// that the author reads in their space.
pub async fn contact_author(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Result<Json<MessageInput>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let text = checked_body(body)?;
    let author = {
        let c = app.read_catalog()?;
        let e = c
            .practices
            .get(&id)
            .filter(|e| e.practice.is_public())
            .ok_or_else(|| ApiError::NotFound(format!("aucun usage publié {id}")))?;
        e.practice.author_id
    };
    let Some(author) = author else {
        return Err(ApiError::Conflict(
            "cet usage n'a pas d'auteur joignable par Repère".into(),
        ));
    };
    if author == user.0.id {
        return Err(ApiError::Conflict("vous êtes l'auteur de cet usage".into()));
    }
    deliver(&app, &user, id, None, None, &text).await
}

/// POST /api/messages/{id}/reply — answers a message one received; the answer goes to its sender.
pub async fn reply(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Result<Json<MessageInput>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let text = checked_body(body)?;
    // Someone else's message answers as if it did not exist: its existence is not theirs to learn.
    let (original, addressee) = repere_store::messages::get(&app.store, id)
        .await?
        .filter(|(_, to)| *to == Some(user.0.id))
        .ok_or_else(|| ApiError::NotFound(format!("aucun message {id} pour vous")))?;
    debug_assert_eq!(addressee, Some(user.0.id));
    deliver(
        &app,
        &user,
        original.practice_id,
        Some(original.sender_id),
        Some(original.id),
        &text,
    )
    .await
}

/// GET /api/messages — the messages the user received (about their practices, and replies to what
/// they wrote), newest first, with the sender's name and whether the user has answered.
pub async fn inbox(State(app): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    let list = repere_store::messages::inbox(&app.store, user.0.id).await?;
    let out: Vec<Value> = {
        let c = app.read_catalog()?;
        list.iter()
            .map(|r| {
                let m = &r.message;
                json!({
                    "id": m.id,
                    "practice_id": m.practice_id,
                    "practice_title": c.practices.get(&m.practice_id).map(|e| e.practice.title.clone()),
                    "sender_name": m.sender_name,
                    "body": m.body,
                    "created_at": m.created_at,
                    "reply_to": m.reply_to,
                    "answered": r.answered,
                    "in_reply_to": r.in_reply_to,
                })
            })
            .collect()
    };
    Ok(Json(json!({ "messages": out })).into_response())
}
