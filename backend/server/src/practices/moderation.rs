//! Moderation: CARDIE/DANE moderators publish or reject (with a reason), one at a time or many at
//! once, archive and continue; authors submit. The inbox lists what waits, revisions included, and
//! each report's history (audit log).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use repere_core::practices::{Action, Practice, PracticeStatus, next_status};
use repere_core::{Invalid, SchoolYear};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::json_body;
use crate::state::AppState;

use super::record::{diff, load, load_for, private_view, save, save_with};

#[derive(Debug, Deserialize, Default)]
pub struct Reason {
    #[serde(default)]
    reason: Option<String>,
    /// The `version` of the report as the moderator read it (from the inbox): a report changed since
    /// answers 409 instead of publishing text nobody reviewed.
    #[serde(default)]
    version: Option<String>,
}

/// 409 unless `seen` is the version `current` of the report; a decision without the version it was
/// taken on is refused (422 `version`): what goes public is always what the moderator read.
fn same_version(seen: Option<&str>, current: chrono::DateTime<Utc>) -> Result<(), ApiError> {
    match seen {
        None => Err(ApiError::field(Invalid::new(
            "version",
            "la version lue est requise (champ version de la boîte de réception ou de la fiche)",
        ))),
        Some(v) if v != repere_store::ts(current) => Err(ApiError::Conflict(
            "cette remontée a été modifiée par son auteur depuis que vous l'avez ouverte : rechargez la liste pour relire la nouvelle version".into(),
        )),
        _ => Ok(()),
    }
}

/// Applies a workflow action to one report, checking who may do it.
async fn transition(
    app: &AppState,
    user: &CurrentUser,
    id: i64,
    action: Action,
    reason: Option<&str>,
    version: Option<&str>,
) -> Result<Practice, ApiError> {
    if action.needs_moderator() {
        user.require_moderator()?;
    }
    let old = load_for(app, user, id).await?;
    if !action.needs_moderator()
        && action != Action::Submit
        && !user.0.role.moderates()
        && old.author_id != Some(user.0.id)
    {
        return Err(ApiError::Forbidden(
            "seul l'auteur ou un modérateur peut le faire".into(),
        ));
    }
    if action == Action::Submit && old.author_id != Some(user.0.id) {
        return Err(ApiError::Forbidden("seul l'auteur soumet sa remontée".into()));
    }
    // A report a moderator archived stays archived unless a moderator puts it back.
    if action == Action::Continue && !user.0.role.moderates() && old.status == PracticeStatus::Archived {
        let archiver = repere_store::audit::last_actor(&app.store, "practice", &id.to_string(), "archive").await?;
        if let Some(Some(by)) = archiver
            && Some(by) != old.author_id
        {
            return Err(ApiError::Forbidden(
                "cette remontée a été archivée par la CARDIE : seul un modérateur peut la remettre en ligne".into(),
            ));
        }
    }
    if old.status == PracticeStatus::Published && matches!(action, Action::Publish | Action::Reject) {
        return decide_revision(app, user, old, action, reason, version).await;
    }
    let to = next_status(old.status, action).ok_or_else(|| {
        ApiError::Conflict(format!(
            "impossible de « {} » une remontée au statut {}",
            action.as_str(),
            old.status.as_str()
        ))
    })?;
    if matches!(action, Action::Publish | Action::Reject) {
        same_version(version, old.updated_at)?;
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if action == Action::Reject && reason.is_none() {
        return Err(ApiError::field(Invalid::new("reason", "le motif du refus est requis")));
    }
    let now = Utc::now();
    let current_year = SchoolYear::containing(now.date_naive());
    let school_year = if action == Action::Continue && old.school_year < current_year {
        current_year
    } else {
        old.school_year
    };
    let new = Practice {
        status: to,
        school_year,
        updated_at: now,
        published_at: if to == PracticeStatus::Published && old.published_at.is_none() {
            Some(now)
        } else {
            old.published_at
        },
        rejection_reason: if action == Action::Reject {
            reason.map(Into::into)
        } else if to == PracticeStatus::Submitted {
            None
        } else {
            old.rejection_reason.clone()
        },
        ..old.clone()
    };
    save(app, user.0.id, Some(&old), new, action.as_str()).await
}

/// Publishes or rejects the pending revision of a published report.
async fn decide_revision(
    app: &AppState,
    user: &CurrentUser,
    old: Practice,
    action: Action,
    reason: Option<&str>,
    version: Option<&str>,
) -> Result<Practice, ApiError> {
    let Some((revision, _)) = repere_store::revisions::pending_of(&app.store, old.id).await? else {
        return Err(ApiError::Conflict(
            "cette remontée est déjà publiée et n'a pas de modification en attente".into(),
        ));
    };
    same_version(version, revision.updated_at)?;
    let now = Utc::now();
    match action {
        Action::Publish => {
            let new = Practice {
                id: old.id,
                status: PracticeStatus::Published,
                created_at: old.created_at,
                published_at: old.published_at,
                author_id: old.author_id,
                rejection_reason: None,
                updated_at: now,
                ..revision
            };
            save_with(app, user.0.id, Some(&old), new, "publish_revision", true).await
        }
        _ => {
            let reason = reason.map(str::trim).filter(|r| !r.is_empty());
            let reason =
                reason.ok_or_else(|| ApiError::field(Invalid::new("reason", "le motif du refus est requis")))?;
            let new = Practice {
                rejection_reason: Some(reason.into()),
                updated_at: now,
                ..old.clone()
            };
            save_with(app, user.0.id, Some(&old), new, "reject_revision", true).await
        }
    }
}

fn action_of(name: &str) -> Result<Action, ApiError> {
    match name {
        "submit" => Ok(Action::Submit),
        "publish" => Ok(Action::Publish),
        "reject" => Ok(Action::Reject),
        "archive" => Ok(Action::Archive),
        "continue" => Ok(Action::Continue),
        other => Err(ApiError::NotFound(format!("action inconnue « {other} »"))),
    }
}

/// POST /api/practices/{id}/{action} — submit (author), publish, reject {reason}, archive, continue
/// (moderators). An illegal transition answers 409 and changes nothing.
pub async fn act(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((id, action)): Path<(i64, String)>,
    body: Option<Json<Reason>>,
) -> Result<Response, ApiError> {
    let action = action_of(&action)?;
    let Reason { reason, version } = body.map(|Json(r)| r).unwrap_or_default();
    let saved = transition(&app, &user, id, action, reason.as_deref(), version.as_deref()).await?;
    Ok(Json(private_view(&saved)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct Decisions {
    ids: Vec<i64>,
    action: String,
    #[serde(default)]
    reason: Option<String>,
    /// The version of each report as the moderator read it, by id (see [`Reason::version`]).
    #[serde(default)]
    versions: std::collections::HashMap<String, String>,
}

/// POST /api/moderation/decisions — publish or reject many reports at once; each one either moves
/// or is reported with why it could not.
pub async fn decide_many(
    State(app): State<AppState>,
    user: CurrentUser,
    body: Result<Json<Decisions>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    user.require_moderator()?;
    let d = json_body(body)?;
    let action = match d.action.as_str() {
        "publish" => Action::Publish,
        "reject" => Action::Reject,
        _ => return Err(ApiError::field(Invalid::new("action", "publish ou reject"))),
    };
    if d.ids.is_empty() || d.ids.len() > 500 {
        return Err(ApiError::field(Invalid::new("ids", "entre 1 et 500 remontées")));
    }
    let mut results = Vec::new();
    for id in d.ids {
        let seen = d.versions.get(&id.to_string()).map(String::as_str);
        match transition(&app, &user, id, action, d.reason.as_deref(), seen).await {
            Ok(p) => results.push(json!({ "id": id, "status": p.status.as_str() })),
            Err(e @ (ApiError::Conflict(_) | ApiError::NotFound(_) | ApiError::InvalidField { .. })) => {
                results.push(json!({ "id": id, "error": e.to_string() }))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Json(json!({ "results": results })).into_response())
}

#[derive(Debug, Deserialize)]
pub struct InboxQuery {
    departement: Option<String>,
    school_year: Option<String>,
}

/// GET /api/moderation/inbox — submitted reports, oldest first, with their age in days.
pub async fn inbox(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<InboxQuery>,
) -> Result<Response, ApiError> {
    user.require_moderator()?;
    let dept = q
        .departement
        .as_deref()
        .map(repere_core::establishments::normalise_departement)
        .transpose()?;
    let year = q.school_year.as_deref().map(SchoolYear::parse).transpose()?;
    let now = Utc::now();
    // The published version is in the catalogue; only the proposed one is read from the store.
    let revisions = repere_store::revisions::pending_all(&app.store).await?;
    let mut items: Vec<(chrono::DateTime<Utc>, Value)> = {
        let c = app.read_catalog()?;
        c.practices
            .values()
            .filter(|e| e.practice.status == PracticeStatus::Submitted)
            .filter(|e| dept.as_ref().is_none_or(|d| *d == e.departement()))
            .filter(|e| year.is_none_or(|y| y == e.practice.school_year))
            .map(|e| {
                let mut v = private_view(&e.practice);
                v["establishment_name"] = json!(e.establishment_name());
                v["commune_name"] = json!(e.commune_name());
                v["departement"] = json!(e.departement());
                v["age_days"] = json!((now - e.practice.updated_at).num_days());
                v["kind"] = json!("new");
                v["version"] = json!(repere_store::ts(e.practice.updated_at));
                // Where the map will show it: its own position, else its establishment's.
                v["map_position"] = json!(e.position());
                (e.practice.updated_at, v)
            })
            .collect()
    };
    {
        let c = app.read_catalog()?;
        for (new, at) in revisions {
            let Some(e) = c.practices.get(&new.id) else { continue };
            let old = &e.practice;
            if dept.as_ref().is_some_and(|d| *d != e.departement()) || year.is_some_and(|y| y != old.school_year) {
                continue;
            }
            let mut v = private_view(old);
            v["establishment_name"] = json!(e.establishment_name());
            v["commune_name"] = json!(e.commune_name());
            v["departement"] = json!(e.departement());
            v["age_days"] = json!((now - at).num_days());
            v["kind"] = json!("edit");
            v["version"] = json!(repere_store::ts(new.updated_at));
            v["diff"] = diff(old, &new);
            v["map_position"] = json!(new.position.or(e.position()));
            v["proposed"] = private_view(&new);
            items.push((at, v));
        }
    }
    items.sort_by_key(|(t, _)| *t);
    Ok(Json(json!({ "practices": items.into_iter().map(|(_, v)| v).collect::<Vec<_>>() })).into_response())
}

/// GET /api/practices/{id}/audit — the history of a report (moderators).
pub async fn audit(State(app): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    user.require_moderator()?;
    load(&app, id).await?;
    let entries = repere_store::audit::for_entity(&app.store, "practice", &id.to_string()).await?;
    let list: Vec<Value> = entries
        .iter()
        .map(|e| json!({ "action": e.action, "user_id": e.user_id, "at": e.at, "changes": e.changes }))
        .collect();
    Ok(Json(json!({ "entries": list })).into_response())
}
