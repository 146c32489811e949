//! Invitations: an admin invites anyone with any role, a moderator invites contributors. The invited
//! account waits (status `invited`) until its holder follows the mailed link, valid seven days and
//! once, to set a password or to sign in through the identity provider.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use repere_core::users::{AccountStatus, Email, Role};
use repere_store::accounts::Purpose;
use repere_store::unit::Trace;
use repere_store::users::User;
use repere_store::{AnyConnection, StoreError};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use super::CurrentUser;
use super::password::{new_token, refuse, set_password_with_token};
use crate::error::ApiError;
use crate::mail::compose::{Compose, Para};
use crate::request::{json_body, pairs, reject_unknown};
use crate::routes::Routes;
use crate::state::AppState;

/// How long an invitation link works.
pub const INVITATION_VALID: Duration = Duration::days(7);
/// Longest display name.
const NAME_MAX: usize = 120;

/// Whether `inviter` may give `role`: admins any, moderators contributors only.
pub fn may_invite(inviter: Role, role: Role) -> bool {
    match inviter {
        Role::Admin => true,
        Role::Moderator => role == Role::Contributor,
        _ => false,
    }
}

/// Writes a fresh invitation token for `user` and its mail, in the caller's transaction.
pub(super) async fn write_invitation(
    conn: &mut AnyConnection,
    app: &AppState,
    user: &User,
    role: Role,
    inviter: &User,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (token, hash) = new_token();
    repere_store::accounts::create_token(
        conn,
        &hash,
        Purpose::Invitation,
        user.id,
        Some(inviter.id),
        now,
        now + INVITATION_VALID,
    )
    .await?;
    let by = if inviter.display_name.is_empty() {
        "La DANE de l'académie de Nice".to_string()
    } else {
        format!("{} (DANE, académie de Nice)", inviter.display_name)
    };
    let mut paras = vec![Para::Text(format!(
        "{by} vous invite sur Repère, la carte des usages numériques innovants de l'académie de Nice, avec le rôle « {} ».",
        role.label()
    ))];
    paras.push(Para::Text(if app.auth.oidc.is_some() {
        "Suivez le lien pour choisir un mot de passe ou vous connecter avec votre identité professionnelle. Il est valable 7 jours et ne sert qu'une fois.".into()
    } else {
        "Suivez le lien pour choisir votre mot de passe. Il est valable 7 jours et ne sert qu'une fois.".into()
    }));
    let mail = Compose {
        to: user.email.as_str(),
        kind: "invitation",
        subject: "Invitation à rejoindre Repère".into(),
        paras,
        action: (
            "Accepter l'invitation",
            app.mail.link(&format!("/invitation.html#jeton={token}")),
        ),
        unsubscribe: None,
    }
    .build();
    repere_store::outbox::enqueue(conn, &mail, now).await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invite {
    email: String,
    role: String,
    #[serde(default)]
    display_name: Option<String>,
}

/// POST /api/accounts/invitations {email, role, display_name?} — 201 with the invited account.
pub async fn invite(
    State(app): State<AppState>,
    user: CurrentUser,
    body: Result<Json<Invite>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    user.require(&[Role::Admin, Role::Moderator])?;
    let input = json_body(body)?;
    let email = Email::parse(&input.email).map_err(ApiError::field)?;
    let role = Role::parse("role", &input.role).map_err(ApiError::field)?;
    if !may_invite(user.0.role, role) {
        return Err(ApiError::Forbidden(
            "un modérateur n'invite que des contributeurs".into(),
        ));
    }
    let name = input.display_name.as_deref().map(str::trim).unwrap_or_default();
    if name.chars().count() > NAME_MAX {
        return Err(ApiError::field(repere_core::Invalid::new(
            "display_name",
            format!("au plus {NAME_MAX} caractères"),
        )));
    }
    let now = Utc::now();
    let mut unit = app.store.begin().await?;
    let id = match repere_store::accounts::insert_without_password(
        unit.conn(),
        &email,
        name,
        role,
        AccountStatus::Invited,
        now,
    )
    .await
    {
        Ok(id) => id,
        Err(StoreError::Duplicate(_)) => {
            return Err(ApiError::Conflict(
                "un compte existe déjà pour cette adresse (s'il attend encore, renvoyez l'invitation depuis la liste)"
                    .into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let invited = repere_store::accounts::by_id_in(unit.conn(), id)
        .await?
        .ok_or_else(|| ApiError::Internal("invited account not found".into()))?;
    write_invitation(unit.conn(), &app, &invited, role, &user.0, now).await?;
    unit.audit(Trace {
        entity: "user",
        key: id.to_string(),
        user: Some(user.0.id),
        action: "invite",
        changes: json!({ "email": email.as_str(), "role": role.as_str() }),
        at: now,
    })
    .await?;
    unit.commit().await?;
    app.mail.wake();
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "email": email.as_str(), "role": role.as_str(), "status": AccountStatus::Invited.as_str() })),
    )
        .into_response())
}

/// The token of `?token=`.
fn token_param(raw: Option<&str>) -> Result<String, ApiError> {
    let params = pairs(raw)?;
    reject_unknown(&params, &["token"])?;
    params
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
        .ok_or_else(|| ApiError::param("token", "jeton d'invitation manquant"))
}

/// GET /api/auth/invitation?token= — whom the invitation is for (address, role), without using it.
pub async fn show(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let token = token_param(raw.as_deref())?;
    let hash = super::token_hash(token.trim());
    match repere_store::accounts::peek_token(&app.store, &hash, Purpose::Invitation, Utc::now()).await? {
        Ok(u) => Ok(Json(json!({
            "email": u.email.as_str(),
            "display_name": u.display_name,
            "role": u.role.as_str(),
            "role_label": u.role.label(),
            "provider": app.auth.oidc.as_ref().map(|o| o.config.label.as_str()),
            "password": app.auth.password_login,
        }))
        .into_response()),
        Err(refusal) => Err(refuse(&app, Purpose::Invitation, refusal, None).await),
    }
}

#[derive(Debug, Deserialize)]
pub struct Accept {
    token: String,
    password: String,
    #[serde(default)]
    display_name: Option<String>,
}

/// POST /api/auth/invitation {token, password, display_name?} — sets the password, signs in.
pub async fn accept(
    State(app): State<AppState>,
    session: Session,
    body: Result<Json<Accept>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let input = json_body(body)?;
    if !app.auth.password_login {
        return Err(ApiError::Forbidden(
            "les mots de passe sont désactivés : acceptez l'invitation avec le fournisseur d'identité".into(),
        ));
    }
    let name = input.display_name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > NAME_MAX) {
        return Err(ApiError::field(repere_core::Invalid::new(
            "display_name",
            format!("au plus {NAME_MAX} caractères"),
        )));
    }
    let out = set_password_with_token(
        &app,
        &session,
        Purpose::Invitation,
        &input.token,
        &input.password,
        name,
        Utc::now(),
    )
    .await?;
    Ok(Json(out).into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .post("/accounts/invitations", invite)
        .get("/auth/invitation", show)
        .post("/auth/invitation", accept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_invite_anyone_moderators_contributors_only() {
        for r in Role::ALL {
            assert!(may_invite(Role::Admin, *r));
            assert_eq!(may_invite(Role::Moderator, *r), *r == Role::Contributor);
            assert!(!may_invite(Role::Contributor, *r));
            assert!(!may_invite(Role::Collectivite, *r));
        }
    }
}
