//! `/api/outbox` (admins: what waits, what failed and why), `/api/account/preferences` (what each
//! person wants to be told) and `/api/mail/unsubscribe` (RFC 8058 one-click unsubscribe: a POST from
//! the mail client, or the page a click on the link opens, which asks before changing anything).

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use maud::{DOCTYPE, Markup, html};
use repere_core::users::{Frequency, Preferences, Role, Topic};
use repere_store::unit::Trace;
use serde::Deserialize;
use serde_json::json;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::{json_body, pairs, reject_unknown};
use crate::routes::Routes;
use crate::state::AppState;

/// GET /api/outbox?pending=true — the outbox for admins: counts, whether mails leave, the latest mails.
pub async fn outbox(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    let params = pairs(raw.as_deref())?;
    reject_unknown(&params, &["pending"])?;
    let pending = match params.iter().find(|(k, _)| k == "pending").map(|(_, v)| v.as_str()) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::param(
                "pending",
                format!("true ou false attendu, pas « {other} »"),
            ));
        }
    };
    let counts = repere_store::outbox::counts(&app.store).await?;
    let mails: Vec<_> = repere_store::outbox::recent(&app.store, pending, 200)
        .await?
        .into_iter()
        .map(|q| {
            json!({
                "id": q.id,
                "to": q.mail.to,
                "subject": q.mail.subject,
                "kind": q.mail.kind,
                "created_at": q.created_at,
                "attempts": q.attempts,
                "next_attempt_at": q.sent_at.is_none().then_some(q.next_attempt_at),
                "sent_at": q.sent_at,
                "last_error": q.last_error,
            })
        })
        .collect();
    Ok(Json(json!({
        "smtp_configured": app.mail.sends(),
        "pending": counts.pending,
        "failing": counts.failing,
        "sent": counts.sent,
        "mails": mails,
    }))
    .into_response())
}

fn preferences_json(user: &repere_store::users::User) -> serde_json::Value {
    json!({
        "preferences": user.preferences,
        "moderates": user.role.moderates(),
        "email": user.email.as_str(),
    })
}

/// GET /api/account/preferences — what the signed-in person is told by e-mail.
pub async fn preferences(user: CurrentUser) -> Result<Response, ApiError> {
    Ok(Json(preferences_json(&user.0)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferencesInput {
    submissions: String,
    decisions: bool,
    messages: bool,
    links: bool,
}

/// PUT /api/account/preferences {submissions, decisions, messages, links}.
pub async fn set_preferences(
    State(app): State<AppState>,
    user: CurrentUser,
    body: Result<Json<PreferencesInput>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let input = json_body(body)?;
    let new = Preferences {
        submissions: Frequency::parse("submissions", &input.submissions).map_err(ApiError::field)?,
        decisions: input.decisions,
        messages: input.messages,
        links: input.links,
    };
    save(&app, &user.0, new, "preferences").await?;
    let mut updated = user.0.clone();
    updated.preferences = new;
    Ok(Json(preferences_json(&updated)).into_response())
}

async fn save(
    app: &AppState,
    user: &repere_store::users::User,
    new: Preferences,
    action: &str,
) -> Result<(), ApiError> {
    let now = Utc::now();
    let mut unit = app.store.begin().await?;
    repere_store::accounts::set_preferences(unit.conn(), user.id, &new).await?;
    unit.audit(Trace {
        entity: "user",
        key: user.id.to_string(),
        user: Some(user.id),
        action,
        changes: json!({ "preferences": { "old": user.preferences, "new": new } }),
        at: now,
    })
    .await?;
    unit.commit().await?;
    Ok(())
}

/// Who and what an unsubscribe link names.
async fn unsubscribe_target(app: &AppState, raw: Option<&str>) -> Result<(repere_store::users::User, Topic), ApiError> {
    let params = pairs(raw)?;
    reject_unknown(&params, &["u", "t", "k"])?;
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let user: i64 = get("u")
        .and_then(|u| u.parse().ok())
        .ok_or_else(|| ApiError::param("u", "lien de désinscription incomplet"))?;
    let topic = Topic::parse("t", get("t").unwrap_or_default())?;
    let key = get("k").ok_or_else(|| ApiError::param("k", "lien de désinscription incomplet"))?;
    let user = repere_store::accounts::by_mail_key(&app.store, user, key)
        .await?
        .ok_or_else(|| ApiError::NotFound("ce lien de désinscription n'est pas valable".into()))?;
    Ok((user, topic))
}

fn topic_label(topic: Topic) -> &'static str {
    match topic {
        Topic::Submissions => "les avis de nouvelles remontées à relire",
        Topic::Decisions => "les avis de publication ou de refus de vos remontées",
        Topic::Messages => "les avis de messages de collègues",
        Topic::Links => "les avis de projets reliés à vos usages",
    }
}

pub(crate) fn page(title: &str, body: Markup) -> Response {
    Html(
        html! {
            (DOCTYPE)
            html lang="fr" {
                head { (crate::html::head_start(&format!("{title} — Repère"))) }
                body style="font-family:Marianne,Arial,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5" {
                    header style="border-bottom:1px solid #ddd;padding-bottom:.75rem;margin-bottom:1.5rem" {
                        p style="margin:0;font-weight:700;font-size:1.25rem;color:#000091" { "Repère" }
                        p style="margin:0;color:#3a3a3a" { "Carte des usages numériques innovants — académie de Nice" }
                    }
                    main { h1 style="font-size:1.5rem" { (title) } (body) }
                }
            }
        }
        .into_string(),
    )
    .into_response()
}

/// GET /api/mail/unsubscribe?u&t&k — the page a click on the link opens: it asks before unsubscribing
/// (a link scanner that follows links changes nothing).
pub async fn unsubscribe_page(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let (user, topic) = unsubscribe_target(&app, raw.as_deref()).await?;
    let action = format!("/api/mail/unsubscribe?{}", raw.unwrap_or_default());
    Ok(page(
        "Se désabonner",
        html! {
            p { "Ne plus recevoir " (topic_label(topic)) " à l'adresse " strong { (user.email.as_str()) } " ?" }
            form method="post" action=(action) {
                input type="hidden" name="List-Unsubscribe" value="One-Click";
                button type="submit" style="padding:.5rem 1rem;background:#000091;color:#fff;border:0;font-size:1rem" { "Me désabonner" }
            }
            p { a href="/preferences.html" { "Gérer toutes mes préférences" } }
        },
    ))
}

/// POST /api/mail/unsubscribe?u&t&k — unsubscribes (RFC 8058 one-click, or the page's button); no
/// session needed: the key in the link is the proof.
pub async fn unsubscribe(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let (user, topic) = unsubscribe_target(&app, raw.as_deref()).await?;
    if user.preferences.wants(topic) {
        save(&app, &user, user.preferences.without(topic), "unsubscribe").await?;
    }
    Ok(page(
        "Désabonnement enregistré",
        html! {
            p { "Vous ne recevrez plus " (topic_label(topic)) "." }
            p { a href="/preferences.html" { "Gérer toutes mes préférences" } }
        },
    ))
}

/// The outbox and the preferences (behind the CSRF guard).
pub fn routes() -> Routes {
    Routes::new()
        .get("/outbox", outbox)
        .get("/account/preferences", preferences)
        .put("/account/preferences", set_preferences)
}

/// The unsubscribe links, which mail clients call without session nor token.
pub fn open_routes() -> Routes {
    Routes::new()
        .get("/mail/unsubscribe", unsubscribe_page)
        .post("/mail/unsubscribe", unsubscribe)
}
