//! Subscribing to the lettre: an académie address subscribes to one or more disciplines (and levels,
//! optionally). A signed-in person subscribing their own address is subscribed at once; anyone else
//! confirms from a single-use link sent by e-mail (double opt-in, 48 hours). Every edition's mail
//! carries a one-click unsubscribe (RFC 8058). The addresses serve nothing else.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use maud::html;
use repere_core::Invalid;
use repere_core::users::Email;
use repere_store::letters::{self as store, NewSubscription};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use crate::auth::{random_hex, token_hash};
use crate::error::ApiError;
use crate::mail::compose::{Compose, Para};
use crate::mail::routes::page;
use crate::request::{json_body, pairs};
use crate::routes::Routes;
use crate::state::AppState;

/// How long a confirmation link works.
pub const CONFIRM_HOURS: i64 = 48;
/// Confirmation mails one address may receive per hour (more requests get the same answer, no mail):
/// nobody can make Repère flood a colleague.
pub const CONFIRMATIONS_PER_HOUR: i64 = 3;

fn field(f: &'static str, m: impl Into<String>) -> ApiError {
    ApiError::field(Invalid::new(f, m))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscribeInput {
    email: String,
    disciplines: Vec<String>,
    #[serde(default)]
    levels: Vec<String>,
}

/// The signed-in account's address, if any.
async fn signed_in_email(app: &AppState, session: &Session) -> Option<String> {
    let id: i64 = session.get(crate::auth::USER_KEY).await.ok().flatten()?;
    let u = repere_store::users::by_id(&app.store, id).await.ok().flatten()?;
    Some(u.email.as_str().to_string())
}

/// POST /api/letter/subscriptions {email, disciplines, levels?} — 201 subscribed (one's own address,
/// signed in) or 202 "a confirmation link was sent" (the same answer whether the address was known).
pub async fn subscribe(
    State(app): State<AppState>,
    session: Session,
    body: Result<Json<SubscribeInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let input = json_body(body)?;
    let email = Email::parse(&input.email).map_err(ApiError::field)?;
    if !app.auth.allowed_domains.is_empty() && !email.in_domains(&app.auth.allowed_domains) {
        return Err(field(
            "email",
            format!(
                "la lettre s'adresse aux adresses académiques ({})",
                app.auth.allowed_domains.join(", ")
            ),
        ));
    }
    let known = super::disciplines(&app)?;
    let mut chosen: Vec<String> = Vec::new();
    for d in &input.disciplines {
        let k = super::key(d);
        let name = known
            .iter()
            .find(|x| super::key(x) == k)
            .ok_or_else(|| field("disciplines", format!("aucune discipline « {} » dans Repère", d.trim())))?;
        if !chosen.contains(name) {
            chosen.push(name.clone());
        }
    }
    if chosen.is_empty() || chosen.len() > 20 {
        return Err(field("disciplines", "choisissez de 1 à 20 disciplines"));
    }
    let levels = super::levels(&input.levels)?;
    let own = signed_in_email(&app, &session).await.as_deref() == Some(email.as_str());
    let now = app.intentions.clock.now();
    let token = random_hex(32);
    let hash = token_hash(&token);
    let mut unit = app.store.begin().await?;
    let mut pending = Vec::new();
    for d in &chosen {
        let s = store::subscribe(
            unit.conn(),
            &NewSubscription {
                email: email.as_str(),
                discipline: d,
                key: &super::key(d),
                levels: &levels,
                confirmed: own,
                token_hash: (!own).then_some(hash.as_str()),
                token_expires_at: (!own).then_some(now + Duration::hours(CONFIRM_HOURS)),
                mail_key: &random_hex(16),
            },
            now,
        )
        .await?;
        if s.status == "pending" {
            pending.push(d.clone());
        }
    }
    let flooded =
        repere_store::outbox::written_to_since(&app.store, email.as_str(), "letter_confirm", now - Duration::hours(1))
            .await?
            >= CONFIRMATIONS_PER_HOUR;
    if !pending.is_empty() && !flooded {
        let mail = Compose {
            to: email.as_str(),
            kind: "letter_confirm",
            subject: "Confirmez votre abonnement à la lettre des usages".into(),
            paras: vec![
                Para::Text("Vous (ou quelqu'un avec votre adresse) avez demandé à recevoir la lettre des usages :".into()),
                Para::List(pending.clone()),
                Para::Text(format!(
                    "Confirmez dans les {CONFIRM_HOURS} heures avec le lien ci-dessous. Sans confirmation, rien ne vous sera envoyé."
                )),
            ],
            action: ("Confirmer mon abonnement", app.mail.link(&format!("/abonnement.html#confirmer={token}"))),
            unsubscribe: None,
        }
        .build();
        repere_store::outbox::enqueue(unit.conn(), &mail, now).await?;
    }
    app.commit(unit).await?;
    if own {
        Ok((
            StatusCode::CREATED,
            Json(json!({ "subscribed": chosen, "confirmation_sent": false })),
        )
            .into_response())
    } else {
        Ok((
            StatusCode::ACCEPTED,
            Json(json!({ "subscribed": [], "confirmation_sent": true, "message": "Un lien de confirmation vient de partir à cette adresse : l'abonnement commence quand vous l'ouvrez." })),
        )
            .into_response())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmInput {
    token: String,
}

/// POST /api/letter/confirm {token} — confirms the subscriptions of a link (once; 48 hours).
pub async fn confirm(
    State(app): State<AppState>,
    body: Result<Json<ConfirmInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let input = json_body(body)?;
    let now = app.intentions.clock.now();
    let mut unit = app.store.begin().await?;
    let done = store::confirm(unit.conn(), &token_hash(input.token.trim()), now).await?;
    if done.is_empty() {
        return Err(field(
            "token",
            "ce lien de confirmation a déjà servi, a expiré ou a été remplacé par un plus récent : si vous l'aviez déjà ouvert, votre abonnement est actif ; sinon, abonnez-vous de nouveau (seul le dernier lien reçu fonctionne)",
        ));
    }
    app.commit(unit).await?;
    Ok(Json(json!({ "confirmed": done.iter().map(|s| s.discipline.clone()).collect::<Vec<_>>() })).into_response())
}

/// GET /api/letter/subscriptions — the signed-in person's subscriptions, with their one-click links.
pub async fn mine(State(app): State<AppState>, user: crate::auth::CurrentUser) -> Result<Response, ApiError> {
    let all = store::all_subscriptions(&app.store).await?;
    let list: Vec<_> = all
        .iter()
        .filter(|s| s.email == user.0.email.as_str() && s.status != "unsubscribed")
        .map(|s| {
            json!({
                "discipline": s.discipline,
                "levels": s.levels,
                "status": s.status,
                "unsubscribe": format!("/api/letter/unsubscribe?s={}&k={}", s.id, s.mail_key),
            })
        })
        .collect();
    Ok(Json(json!({ "email": user.0.email.as_str(), "subscriptions": list })).into_response())
}

async fn target(app: &AppState, raw: Option<&str>) -> Result<(i64, String, store::Subscription), ApiError> {
    let p = pairs(raw)?;
    let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let id = get("s")
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| ApiError::param("s", "abonnement inconnu"))?;
    let key = get("k").ok_or_else(|| ApiError::param("k", "clé manquante"))?;
    let s = store::subscription(&app.store, id)
        .await?
        .filter(|s| s.mail_key == key)
        .ok_or_else(|| ApiError::NotFound("ce lien de désabonnement ne correspond à aucun abonnement".into()))?;
    Ok((id, key, s))
}

/// GET /api/letter/unsubscribe?s=&k= — asks before unsubscribing (link scanners change nothing).
pub async fn unsubscribe_page(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let s = match target(&app, raw.as_deref()).await {
        Ok((_, _, s)) => s,
        Err(ApiError::NotFound(_) | ApiError::InvalidParameter { .. }) => return Ok(unknown_link()),
        Err(e) => return Err(e),
    };
    let action = format!("/api/letter/unsubscribe?{}", raw.unwrap_or_default());
    Ok(page(
        "Se désabonner de la lettre",
        html! {
            p { "Ne plus recevoir la lettre des usages « " (s.discipline) " » à l'adresse " strong { (s.email) } " ?" }
            form method="post" action=(action) {
                input type="hidden" name="List-Unsubscribe" value="One-Click";
                button type="submit" style="padding:.5rem 1rem;background:#000091;color:#fff;border:0;font-size:1rem" { "Me désabonner" }
            }
        },
    ))
}

/// POST /api/letter/unsubscribe?s=&k= — unsubscribes (RFC 8058 one-click or the page's button); twice
/// is harmless.
pub async fn unsubscribe(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let (id, key, s) = match target(&app, raw.as_deref()).await {
        Ok(t) => t,
        Err(ApiError::NotFound(_) | ApiError::InvalidParameter { .. }) => return Ok(unknown_link()),
        Err(e) => return Err(e),
    };
    let mut unit = app.store.begin().await?;
    let now_done = store::unsubscribe(unit.conn(), id, &key, app.intentions.clock.now()).await? == Some(true);
    app.commit(unit).await?;
    Ok(page(
        "Désabonnement enregistré",
        html! {
            @if now_done {
                p { "Vous ne recevrez plus la lettre des usages « " (s.discipline) " »." }
            } @else {
                p { "Vous étiez déjà désabonné de la lettre « " (s.discipline) " » : rien ne vous sera envoyé." }
            }
            p { a href="/abonnement.html" { "Gérer mes abonnements" } }
        },
    ))
}

/// The page of an unsubscribe link that matches no subscription (incomplete or altered), 404.
fn unknown_link() -> Response {
    super::reading::missing(
        "Ce lien de désabonnement ne correspond à aucun abonnement : il est peut-être incomplet. Gérez vos abonnements depuis la page « S'abonner à la lettre ».",
    )
}

/// Subscribing and confirming (behind the CSRF guard, open to visitors).
pub fn routes() -> Routes {
    Routes::new()
        .post("/letter/subscriptions", subscribe)
        .get("/letter/subscriptions", mine)
        .post("/letter/confirm", confirm)
}

/// The unsubscribe links, which mail clients call without session nor token.
pub fn open_routes() -> Routes {
    Routes::new()
        .get("/letter/unsubscribe", unsubscribe_page)
        .post("/letter/unsubscribe", unsubscribe)
}
