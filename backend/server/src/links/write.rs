//! Recording links: a signed-in user links one published practice to another with a kind and an
//! optional note; the author of a link, or a moderator, may remove it. Each change is audited and then
//! applied to the catalogue (and so to the networks).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use repere_core::Invalid;
use repere_core::links::{Link, LinkKind, NOTE_MAX};
use serde::Deserialize;
use serde_json::json;

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

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
    let Json(input) = body.map_err(|e| ApiError::param("body", format!("corps JSON invalide : {}", e.body_text())))?;
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
    let mut tx = app.store.pool().begin().await.map_err(repere_store::StoreError::from)?;
    let id = match repere_store::links::insert(&mut tx, &link).await {
        Ok(id) => id,
        // Recorded by someone else in the meantime: the unique index refuses the duplicate.
        Err(repere_store::StoreError::Database(sqlx::Error::Database(e))) if e.is_unique_violation() => {
            return Err(ApiError::Conflict("ces deux usages ont déjà un lien de ce type".into()));
        }
        Err(e) => return Err(e.into()),
    };
    let details = json!({ "from_practice": link.from_practice, "to_practice": link.to_practice, "kind": kind.as_str(), "note": link.note });
    repere_store::audit::record(
        &mut tx,
        "link",
        &id.to_string(),
        Some(user.0.id),
        "create",
        &details,
        now,
    )
    .await?;
    repere_store::changes::record(&mut tx, &repere_store::changes::Subject::Link(id), now).await?;
    tx.commit().await.map_err(repere_store::StoreError::from)?;
    app.sync.after_write().await;
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
    let mut tx = app.store.pool().begin().await.map_err(repere_store::StoreError::from)?;
    if !repere_store::links::delete(&mut tx, id).await? {
        return Err(ApiError::NotFound(format!("aucun lien {id}")));
    }
    let details =
        json!({ "from_practice": link.from_practice, "to_practice": link.to_practice, "kind": link.kind.as_str() });
    repere_store::audit::record(
        &mut tx,
        "link",
        &id.to_string(),
        Some(user.0.id),
        "delete",
        &details,
        Utc::now(),
    )
    .await?;
    repere_store::changes::record(&mut tx, &repere_store::changes::Subject::Link(id), Utc::now()).await?;
    tx.commit().await.map_err(repere_store::StoreError::from)?;
    app.sync.after_write().await;
    Ok(StatusCode::NO_CONTENT.into_response())
}
