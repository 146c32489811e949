//! Writing an edition: a draft of one discipline (its editors only), saved with its levels, title, the
//! inspector's message and an ordered choice of published practices with a comment each; previewed as
//! readers will see it; scheduled or published (then frozen: a correction is a visible erratum); and
//! the suggestions shown while writing.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, Utc};
use repere_core::Invalid;
use repere_core::letters::{COMMENT_MAX, EditionStatus, ITEMS_MAX, MESSAGE_MAX, TITLE_MAX, may_edit, publishable};
use repere_store::letters::{self as store, Draft, Edition, Item};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{key, my_disciplines, require_editor};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::{json_body, pairs, reject_unknown};
use crate::response::rfc3339;
use crate::routes::Routes;
use crate::state::AppState;

fn field(f: &'static str, m: impl Into<String>) -> ApiError {
    ApiError::field(Invalid::new(f, m))
}

/// An edition as its editors see it.
pub fn edition_json(app: &AppState, e: &Edition) -> Value {
    let items: Vec<Value> = match app.read_catalog() {
        Ok(c) => e
            .items
            .iter()
            .map(|i| {
                let p = c.practices.get(&i.practice_id);
                json!({
                    "practice_id": i.practice_id,
                    "comment": i.comment,
                    "title": p.map(|p| p.practice.title.to_string()),
                    "establishment": p.map(|p| p.establishment_name().to_string()),
                    "commune": p.map(|p| p.commune_name().to_string()),
                    "levels": p.map(|p| p.practice.levels.iter().map(|l| l.to_string()).collect::<Vec<_>>()),
                    "published": p.is_some_and(|p| p.practice.is_public()),
                })
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    json!({
        "id": e.id,
        "discipline": e.discipline,
        "levels": e.levels,
        "title": e.title,
        "message": e.message,
        "status": e.status.as_str(),
        "status_label": e.status.label(),
        "scheduled_for": e.scheduled_for.map(rfc3339),
        "published_at": e.published_at.map(rfc3339),
        "version": e.version,
        "items": items,
        "errata": e.errata.iter().map(|x| json!({ "at": rfc3339(x.at), "text": x.text })).collect::<Vec<_>>(),
        "url": super::edition_path(e),
    })
}

async fn edition(app: &AppState, id: i64) -> Result<Edition, ApiError> {
    store::get(&app.store, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("aucune édition {id}")))
}

/// Edition `id`, for one of its editors.
async fn editable(app: &AppState, user: &CurrentUser, id: i64) -> Result<Edition, ApiError> {
    let e = edition(app, id).await?;
    require_editor(app, user, &e.discipline).await?;
    Ok(e)
}

/// GET /api/editions — the editions of the disciplines one edits (every one for the DANE), newest
/// first, and those disciplines.
pub async fn list(State(app): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    let mine = my_disciplines(&app, &user).await?;
    if !repere_core::letters::edits_something(user.0.role, &mine) {
        return Err(ApiError::Forbidden(super::NOT_AN_EDITOR.into()));
    }
    let mut all: Vec<Edition> = store::all(&app.store)
        .await?
        .into_iter()
        .filter(|e| may_edit(user.0.role, &mine, &e.discipline))
        .collect();
    all.reverse();
    let disciplines: Vec<String> = super::disciplines(&app)?
        .into_iter()
        .filter(|d| may_edit(user.0.role, &mine, d))
        .collect();
    let plans: Vec<Value> = store::plans(&app.store)
        .await?
        .into_iter()
        .filter(|p| may_edit(user.0.role, &mine, &p.discipline))
        .map(|p| json!({ "discipline": p.discipline, "rhythm": p.rhythm.as_str(), "levels": p.levels }))
        .collect();
    Ok(Json(json!({
        "plans": plans,
        "disciplines": disciplines,
        "editions": all.iter().map(|e| edition_json(&app, e)).collect::<Vec<_>>(),
    }))
    .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEdition {
    discipline: String,
}

/// POST /api/editions {discipline} — opens a draft; 201.
pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    body: Result<Json<NewEdition>, JsonRejection>,
) -> Result<Response, ApiError> {
    let input = json_body(body)?;
    let discipline = input.discipline.trim();
    if discipline.is_empty() || discipline.chars().count() > 120 {
        return Err(field("discipline", "discipline de 1 à 120 caractères"));
    }
    require_editor(&app, &user, discipline).await?;
    let now = app.intentions.clock.now();
    let mut unit = app.store.begin().await?;
    let id = store::create(unit.conn(), discipline, &key(discipline), user.0.id, now).await?;
    app.commit(unit).await?;
    Ok((StatusCode::CREATED, Json(edition_json(&app, &edition(&app, id).await?))).into_response())
}

/// GET /api/editions/{id}
pub async fn get(State(app): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let e = editable(&app, &user, id).await?;
    Ok(Json(edition_json(&app, &e)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    practice_id: i64,
    #[serde(default)]
    comment: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftInput {
    version: i64,
    #[serde(default)]
    levels: Vec<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    items: Vec<ItemInput>,
}

/// PUT /api/editions/{id} — saves a draft (or a scheduled edition); a published one is frozen (409).
pub async fn save(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Result<Json<DraftInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let e = editable(&app, &user, id).await?;
    let input = json_body(body)?;
    if e.status == EditionStatus::Published {
        return Err(ApiError::Conflict(
            "une édition publiée est figée : ajoutez un erratum".into(),
        ));
    }
    let title = input.title.trim();
    if title.chars().count() > TITLE_MAX {
        return Err(field("title", format!("{TITLE_MAX} caractères au plus")));
    }
    if input.message.chars().count() > MESSAGE_MAX {
        return Err(field("message", format!("{MESSAGE_MAX} caractères au plus")));
    }
    let mut levels: Vec<String> = Vec::new();
    for l in &input.levels {
        let l = l.trim();
        if l.is_empty() || l.chars().count() > 60 {
            return Err(field("levels", "niveaux de 1 à 60 caractères"));
        }
        if !levels.iter().any(|x| x == l) {
            levels.push(l.to_string());
        }
    }
    if input.items.len() > ITEMS_MAX {
        return Err(field("items", format!("{ITEMS_MAX} usages au plus")));
    }
    let mut items = Vec::new();
    {
        let c = app.read_catalog()?;
        for i in &input.items {
            let Some(p) = c.practices.get(&i.practice_id).filter(|p| p.practice.is_public()) else {
                return Err(field("items", format!("l'usage {} n'est pas publié", i.practice_id)));
            };
            if !p.practice.disciplines.iter().any(|d| super::key(d) == e.discipline_key) {
                return Err(field(
                    "items",
                    format!(
                        "l'usage {} « {} » n'est pas de la discipline {}",
                        i.practice_id, p.practice.title, e.discipline
                    ),
                ));
            }
            if i.comment.chars().count() > COMMENT_MAX {
                return Err(field(
                    "items",
                    format!("commentaire de {COMMENT_MAX} caractères au plus"),
                ));
            }
            if items.iter().any(|x: &Item| x.practice_id == i.practice_id) {
                return Err(field(
                    "items",
                    format!("l'usage {} est déjà dans l'édition", i.practice_id),
                ));
            }
            items.push(Item {
                practice_id: i.practice_id,
                comment: i.comment.trim().to_string(),
            });
        }
    }
    let now = app.intentions.clock.now();
    let mut unit = app.store.begin().await?;
    let draft = Draft {
        levels: &levels,
        title,
        message: &input.message,
        items: &items,
    };
    if !store::save_draft(unit.conn(), id, input.version, &draft, now).await? {
        return Err(ApiError::Conflict(
            "l'édition a changé depuis que vous l'avez ouverte : rechargez-la".into(),
        ));
    }
    app.commit(unit).await?;
    Ok(Json(edition_json(&app, &edition(&app, id).await?)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishInput {
    /// `AAAA-MM-JJTHH:MM` (Paris time is not assumed: UTC) or RFC 3339; absent: now.
    #[serde(default)]
    at: Option<String>,
}

fn parse_at(v: &str) -> Result<DateTime<Utc>, ApiError> {
    let v = v.trim();
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M").map(|t| t.and_utc()))
        .map_err(|_| {
            field(
                "at",
                format!("« {v} » n'est pas une date et une heure AAAA-MM-JJTHH:MM"),
            )
        })
}

/// POST /api/editions/{id}/publish {at?} — publishes now (and sends it), or schedules it for `at`.
pub async fn publish(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Result<Json<PublishInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let e = editable(&app, &user, id).await?;
    let input = json_body(body)?;
    if e.status == EditionStatus::Published {
        return Err(ApiError::Conflict("cette édition est déjà publiée".into()));
    }
    publishable(&e.title, &e.message, &e.levels, e.items.len()).map_err(ApiError::field)?;
    let now = app.intentions.clock.now();
    match input
        .at
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(parse_at)
        .transpose()?
    {
        Some(at) if at <= now => {
            return Err(field(
                "at",
                "cette date est passée : choisissez une date à venir, ou laissez vide pour publier maintenant",
            ));
        }
        Some(at) => {
            let mut unit = app.store.begin().await?;
            store::schedule(unit.conn(), id, Some(at), now).await?;
            app.commit(unit).await?;
        }
        _ => {
            super::send::publish_and_send(&app, id).await?;
        }
    }
    Ok(Json(edition_json(&app, &edition(&app, id).await?)).into_response())
}

/// POST /api/editions/{id}/unschedule — a scheduled edition back to draft.
pub async fn unschedule(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let e = editable(&app, &user, id).await?;
    if e.status != EditionStatus::Scheduled {
        return Err(ApiError::Conflict("cette édition n'est pas programmée".into()));
    }
    let now = app.intentions.clock.now();
    let mut unit = app.store.begin().await?;
    store::schedule(unit.conn(), id, None, now).await?;
    app.commit(unit).await?;
    Ok(Json(edition_json(&app, &edition(&app, id).await?)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErratumInput {
    text: String,
}

/// POST /api/editions/{id}/errata {text} — a visible correction of a published edition.
pub async fn erratum(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Result<Json<ErratumInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let e = editable(&app, &user, id).await?;
    let input = json_body(body)?;
    if e.status != EditionStatus::Published {
        return Err(ApiError::Conflict(
            "un brouillon se corrige directement ; l'erratum sert aux éditions publiées".into(),
        ));
    }
    let text = repere_core::intentions::text("text", &input.text, COMMENT_MAX).map_err(ApiError::field)?;
    let now = app.intentions.clock.now();
    let mut unit = app.store.begin().await?;
    store::add_erratum(unit.conn(), id, user.0.id, &text, now).await?;
    app.commit(unit).await?;
    Ok(Json(edition_json(&app, &edition(&app, id).await?)).into_response())
}

/// GET /api/editions/{id}/preview — the edition as readers will see it (HTML).
pub async fn preview(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let e = editable(&app, &user, id).await?;
    let base = crate::request::base_url(&headers);
    Ok(Html(super::reading::page_html(&app, &e, &base, true)?).into_response())
}

/// GET /api/editions/suggestions?discipline= — practices of the discipline published since its last
/// edition, by level, with the levels no edition of this school year covered yet; and the practices
/// near establishments that have none yet.
pub async fn suggestions(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = pairs(raw.as_deref())?;
    reject_unknown(&p, &["discipline"])?;
    let discipline = p
        .iter()
        .find(|(k, _)| k == "discipline")
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::param("discipline", "discipline obligatoire"))?;
    require_editor(&app, &user, &discipline).await?;
    let today = app.intentions.clock.today();
    let s = super::planning::suggestions(&app, &discipline, today).await?;
    Ok(Json(s).into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .get("/editions", list)
        .post("/editions", create)
        .get("/editions/suggestions", suggestions)
        .get("/editions/{id}", get)
        .put("/editions/{id}", save)
        .post("/editions/{id}/publish", publish)
        .post("/editions/{id}/unschedule", unschedule)
        .post("/editions/{id}/errata", erratum)
        .get("/editions/{id}/preview", preview)
}
