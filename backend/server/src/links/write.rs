//! Recording links: a signed-in user links one published practice to another with a kind and an
//! optional note; the author of a link, or a moderator, may remove it. Each change is audited and then
//! applied to the catalogue (and so to the networks).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use repere_core::Invalid;
use repere_core::links::{Link, LinkKind, NOTE_MAX};
use repere_store::StoreError;
use repere_store::changes::Subject;
use repere_store::unit::Trace;
use serde::Deserialize;
use serde_json::json;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::json_body;
use crate::routes::Routes;
use crate::state::AppState;

/// The audit entry of a change to link `id` by `user`.
fn trace<'a>(id: i64, user: &CurrentUser, action: &'a str, changes: serde_json::Value, at: DateTime<Utc>) -> Trace<'a> {
    Trace {
        entity: "link",
        key: id.to_string(),
        user: Some(user.0.id),
        action,
        changes,
        at,
    }
}

#[derive(Debug, Deserialize)]
pub struct LinkInput {
    from_practice: i64,
    to_practice: i64,
    kind: String,
    #[serde(default)]
    note: Option<String>,
}

/// POST /api/links
pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    body: Result<Json<LinkInput>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let input = json_body(body)?;
    let kind = LinkKind::parse("kind", &input.kind).map_err(ApiError::field)?;
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let now = Utc::now();
    let link = Link {
        id: 0,
        from_practice: input.from_practice,
        to_practice: input.to_practice,
        kind,
        note,
        created_at: now,
        updated_at: now,
        author_id: Some(user.0.id),
    };
    link.validate().map_err(ApiError::field)?;
    if link.note.as_deref().is_some_and(|n| n.chars().count() > NOTE_MAX) {
        return Err(ApiError::field(Invalid::new(
            "note",
            format!("au plus {NOTE_MAX} caractères"),
        )));
    }
    {
        let c = app.read_catalog()?;
        for (field, id) in [("from_practice", link.from_practice), ("to_practice", link.to_practice)] {
            if !c.practices.get(&id).is_some_and(|p| p.practice.is_public()) {
                return Err(ApiError::field(Invalid::new(
                    field,
                    format!("usage {id} inconnu ou non publié"),
                )));
            }
        }
        if c.links.values().any(|l| l.link.dedup_key() == link.dedup_key()) {
            return Err(ApiError::Conflict("ces deux usages ont déjà un lien de ce type".into()));
        }
    }
    let mut unit = app.store.begin().await?;
    let id = match repere_store::links::insert(unit.conn(), &link).await {
        Ok(id) => id,
        // Recorded by someone else in the meantime: the unique index refuses the duplicate.
        Err(StoreError::Duplicate(_)) => {
            return Err(ApiError::Conflict("ces deux usages ont déjà un lien de ce type".into()));
        }
        Err(e) => return Err(e.into()),
    };
    let details = json!({ "from_practice": link.from_practice, "to_practice": link.to_practice, "kind": kind.as_str(), "note": link.note });
    unit.audit(trace(id, &user, "create", details, now)).await?;
    let ends = {
        let c = app.read_catalog()?;
        c.practices
            .get(&link.from_practice)
            .zip(c.practices.get(&link.to_practice))
            .map(|(a, b)| (a.practice.clone(), b.practice.clone()))
    };
    if let Some((from, to)) = ends {
        crate::mail::notify::link(unit.conn(), &app.mail, &from, &to, user.0.id, now).await?;
    }
    unit.changed(Subject::Link(id), now);
    app.commit(unit).await?;
    let rendered = {
        let mut c = app.write_catalog()?;
        if !c.links.contains_key(&id) {
            // The catch-up failed (logged): show the committed link anyway; the follower reloads it.
            c.upsert_link(Link { id, ..link });
        }
        c.links.get(&id).map(|e| super::render(e))
    };
    Ok((StatusCode::CREATED, Json(rendered)).into_response())
}

/// DELETE /api/links/{id} — by the link's author or a moderator.
pub async fn delete(State(app): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let link = app
        .read_catalog()?
        .links
        .get(&id)
        .map(|e| e.link.clone())
        .ok_or_else(|| ApiError::NotFound(format!("aucun lien {id}")))?;
    if link.author_id != Some(user.0.id) && !user.0.role.moderates() {
        return Err(ApiError::Forbidden(
            "seul l'auteur du lien ou un modérateur peut le retirer".into(),
        ));
    }
    let mut unit = app.store.begin().await?;
    if !repere_store::links::delete(unit.conn(), id).await? {
        return Err(ApiError::NotFound(format!("aucun lien {id}")));
    }
    let details =
        json!({ "from_practice": link.from_practice, "to_practice": link.to_practice, "kind": link.kind.as_str() });
    let now = Utc::now();
    unit.audit(trace(id, &user, "delete", details, now)).await?;
    unit.changed(Subject::Link(id), now);
    app.commit(unit).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Recording and removing links.
pub fn routes() -> Routes {
    Routes::new().post("/links", create).delete("/links/{id}", delete)
}
