//! "Comptes", for admins: every account with its role, way in, last sign-in and status; change a role,
//! deactivate (its sessions end at once, its reports stay) or reactivate, re-send an invitation. Every
//! change is audited; an admin cannot lock themselves out, nor remove the last active admin.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use repere_core::users::{AccountStatus, Role};
use repere_store::unit::Trace;
use serde::Deserialize;
use serde_json::{Value, json};

use super::CurrentUser;
use super::invitations::write_invitation;
use crate::error::ApiError;
use crate::request::json_body;
use crate::routes::Routes;
use crate::state::AppState;

fn listed_json(l: &repere_store::accounts::Listed) -> Value {
    let u = &l.user;
    let method = match (u.has_password, l.federated) {
        (true, true) => "both",
        (true, false) => "password",
        (false, true) => "provider",
        (false, false) => "none",
    };
    json!({
        "id": u.id,
        "email": u.email.as_str(),
        "display_name": u.display_name,
        "role": u.role.as_str(),
        "role_label": u.role.label(),
        "status": u.status.as_str(),
        "status_label": u.status.label(),
        "sign_in_method": method,
        "last_sign_in_at": u.last_sign_in_at,
        "created_at": u.created_at,
        "invitation_expires_at": l.invitation_expires_at,
    })
}

/// GET /api/accounts — every account (admins).
pub async fn list(State(app): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    let accounts: Vec<Value> = repere_store::accounts::list(&app.store)
        .await?
        .iter()
        .map(listed_json)
        .collect();
    Ok(Json(json!({ "accounts": accounts, "roles": Role::ALL.iter().map(|r| json!({"value": r.as_str(), "label": r.label()})).collect::<Vec<_>>() })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

/// PUT /api/accounts/{id} {role?, status?} — status `active` or `deactivated`.
pub async fn update(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Result<Json<Change>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin])?;
    let input = json_body(body)?;
    let role = input
        .role
        .as_deref()
        .map(|r| Role::parse("role", r))
        .transpose()
        .map_err(ApiError::field)?;
    let status = input
        .status
        .as_deref()
        .map(|s| AccountStatus::parse("status", s))
        .transpose()
        .map_err(ApiError::field)?;
    if status == Some(AccountStatus::Invited) {
        return Err(ApiError::field(repere_core::Invalid::new(
            "status",
            "un compte ne redevient pas « invité » : renvoyez plutôt l'invitation",
        )));
    }
    if role.is_none() && status.is_none() {
        return Err(ApiError::field(repere_core::Invalid::new(
            "role",
            "rien à changer : donnez role ou status",
        )));
    }
    let now = Utc::now();
    let mut unit = app.store.begin().await?;
    let old = repere_store::accounts::by_id_in(unit.conn(), id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("aucun compte {id}")))?;
    if id == user.0.id && (status == Some(AccountStatus::Deactivated) || role.is_some_and(|r| r != Role::Admin)) {
        return Err(ApiError::Conflict(
            "vous ne pouvez ni vous désactiver ni retirer votre propre rôle d'administrateur".into(),
        ));
    }
    let loses_admin = old.role == Role::Admin
        && old.status == AccountStatus::Active
        && (role.is_some_and(|r| r != Role::Admin) || status == Some(AccountStatus::Deactivated));
    if loses_admin && repere_store::accounts::active_admins(unit.conn()).await? <= 1 {
        return Err(ApiError::Conflict("c'est le dernier administrateur actif".into()));
    }
    let mut changes = serde_json::Map::new();
    if let Some(r) = role.filter(|r| *r != old.role) {
        repere_store::accounts::set_role(unit.conn(), id, r).await?;
        changes.insert("role".into(), json!({ "old": old.role.as_str(), "new": r.as_str() }));
    }
    if let Some(s) = status.filter(|s| *s != old.status) {
        if old.status == AccountStatus::Invited && s == AccountStatus::Active {
            return Err(ApiError::Conflict(
                "ce compte attend que son titulaire accepte l'invitation : renvoyez-la plutôt".into(),
            ));
        }
        repere_store::accounts::set_status(unit.conn(), id, s).await?;
        changes.insert(
            "status".into(),
            json!({ "old": old.status.as_str(), "new": s.as_str() }),
        );
    }
    if !changes.is_empty() {
        unit.audit(Trace {
            entity: "user",
            key: id.to_string(),
            user: Some(user.0.id),
            action: "update",
            changes: Value::Object(changes),
            at: now,
        })
        .await?;
        unit.commit().await?;
    }
    let listed = repere_store::accounts::list(&app.store).await?;
    let row = listed
        .iter()
        .find(|l| l.user.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("aucun compte {id}")))?;
    Ok(Json(listed_json(row)).into_response())
}

/// POST /api/accounts/{id}/invitation — a new invitation link for an account that has not accepted
/// (the earlier link stops working).
pub async fn resend(State(app): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    user.require(&[Role::Admin, Role::Moderator])?;
    let now = Utc::now();
    let mut unit = app.store.begin().await?;
    let invited = repere_store::accounts::by_id_in(unit.conn(), id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("aucun compte {id}")))?;
    if !super::invitations::may_invite(user.0.role, invited.role) {
        return Err(ApiError::Forbidden(
            "un modérateur n'invite que des contributeurs".into(),
        ));
    }
    if invited.status != AccountStatus::Invited {
        return Err(ApiError::Conflict("ce compte a déjà accepté son invitation".into()));
    }
    write_invitation(unit.conn(), &app, &invited, invited.role, &user.0, now).await?;
    unit.audit(Trace {
        entity: "user",
        key: id.to_string(),
        user: Some(user.0.id),
        action: "invite_again",
        changes: json!({}),
        at: now,
    })
    .await?;
    unit.commit().await?;
    app.mail.wake();
    Ok(Json(json!({ "sent": true })).into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .get("/accounts", list)
        .put("/accounts/{id}", update)
        .post("/accounts/{id}/invitation", resend)
}
