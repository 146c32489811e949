//! Reading and writing one report: the view its author and the moderators get, the differences the
//! audit log keeps, and the unit of work that writes a report with its audit entry and its change-log
//! row (then brings the catalogue up to date).

use chrono::{DateTime, Utc};
use repere_core::practices::Practice;
use repere_store::changes::Subject;
use repere_store::unit::Trace;
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::state::AppState;

/// What the author and moderators see of a report (never the author's address).
pub(super) fn private_view(p: &Practice) -> Value {
    json!({
        "id": p.id,
        "title": p.title,
        "summary": p.summary,
        "description": p.description,
        "disciplines": p.disciplines,
        "levels": p.levels,
        "tools": p.tools,
        "themes": p.themes,
        "school_year": p.school_year,
        "uai": p.uai,
        "position": p.position,
        "innovatheque_url": p.innovatheque_url,
        "status": p.status.as_str(),
        "rejection_reason": p.rejection_reason,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "published_at": p.published_at,
        // What a moderator's decision must name (see moderation::same_version).
        "version": repere_store::ts(p.updated_at),
    })
}

/// Field-by-field differences, for the audit log.
pub(super) fn diff(old: &Practice, new: &Practice) -> Value {
    let (a, b) = (private_view(old), private_view(new));
    let mut out = serde_json::Map::new();
    if let (Some(a), Some(b)) = (a.as_object(), b.as_object()) {
        for (k, v) in b {
            if k != "updated_at" && k != "version" && a.get(k) != Some(v) {
                out.insert(k.clone(), json!({ "old": a.get(k), "new": v }));
            }
        }
    }
    Value::Object(out)
}

/// Commits `new` (inserted when `old` is `None`) with its audit entry and change-log row, then
/// brings the catalogue up to date.
pub(super) async fn save(
    app: &AppState,
    user: i64,
    old: Option<&Practice>,
    new: Practice,
    action: &str,
) -> Result<Practice, ApiError> {
    save_with(app, user, old, new, action, false).await
}

/// As [`save`], also dropping the practice's pending revision in the same unit of work.
pub(super) async fn save_with(
    app: &AppState,
    user: i64,
    old: Option<&Practice>,
    mut new: Practice,
    action: &str,
    discard_revision: bool,
) -> Result<Practice, ApiError> {
    let mut unit = app.store.begin().await?;
    if discard_revision {
        repere_store::revisions::discard(unit.conn(), new.id).await?;
    }
    let changes = match old {
        Some(old) => {
            repere_store::practices::update(unit.conn(), &new).await?;
            diff(old, &new)
        }
        None => {
            new.id = repere_store::practices::insert(unit.conn(), &new).await?;
            json!({ "created": private_view(&new) })
        }
    };
    unit.audit(trace(new.id, user, action, changes, new.updated_at)).await?;
    notify(app, unit.conn(), old, &new, action, user).await?;
    unit.changed(Subject::Practice(new.id), new.updated_at);
    app.commit(unit).await?;
    Ok(new)
}

/// Writes to the outbox, in the unit of the change, the mails it causes: a submission tells the
/// moderators, a decision tells the author.
async fn notify(
    app: &AppState,
    conn: &mut repere_store::AnyConnection,
    old: Option<&Practice>,
    new: &Practice,
    action: &str,
    by: i64,
) -> Result<(), ApiError> {
    use repere_core::practices::PracticeStatus::{Published, Submitted};
    let was = old.map(|o| o.status);
    let mailer = &app.mail;
    let at = new.updated_at;
    if new.status == Submitted && was != Some(Submitted) {
        crate::mail::notify::submission(conn, mailer, new, false, at).await?;
    } else if (new.status == Published && was != Some(Published)) || action == "publish_revision" {
        crate::mail::notify::decision(conn, mailer, new, true, None, by, at).await?;
    } else if action == "reject" || action == "reject_revision" {
        crate::mail::notify::decision(conn, mailer, new, false, new.rejection_reason.as_deref(), by, at).await?;
    }
    Ok(())
}

/// The audit entry of a change to practice `id` by `user`.
pub(super) fn trace(id: i64, user: i64, action: &str, changes: Value, at: DateTime<Utc>) -> Trace<'_> {
    Trace {
        entity: "practice",
        key: id.to_string(),
        user: Some(user),
        action,
        changes,
        at,
    }
}

pub(super) async fn load(app: &AppState, id: i64) -> Result<Practice, ApiError> {
    repere_store::practices::find(&app.store, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("aucune remontée {id}")))
}

/// The practice, if the user may manage it (its author, or a moderator); 404 otherwise so that
/// nobody learns what others have drafted.
pub(super) async fn load_for(app: &AppState, user: &CurrentUser, id: i64) -> Result<Practice, ApiError> {
    let p = load(app, id).await?;
    if p.author_id == Some(user.0.id) || user.0.role.moderates() {
        Ok(p)
    } else {
        Err(ApiError::NotFound(format!("aucune remontée {id}")))
    }
}
