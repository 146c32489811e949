//! Single sign-on with OpenID Connect (ProConnect, or the académie's own provider), through the
//! `openidconnect` crate: discovery, authorization code with PKCE, `state` and `nonce` kept in the
//! session, ID token checked with the issuer's keys (signature, issuer, audience, expiry, nonce).
//!
//! An account is bound to the pair (issuer, `sub`) and found by it, never by its address: a first
//! sign-in creates a contributor account for an address of an allowed domain — unless that address
//! already has an account, which must then be joined through an invitation. Every refusal sends the
//! browser back to the sign-in page with a reason code the page explains in French, creates nothing,
//! and is audited.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreUserInfoClaims};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use repere_core::users::{AccountStatus, Email, Role};
use repere_store::StoreError;
use repere_store::accounts::Purpose;
use repere_store::unit::Trace;
use repere_store::users::User;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_sessions::Session;

use super::provider::Provider;
use super::{sign_in, token_hash};
use crate::error::ApiError;
use crate::request::{pairs, reject_unknown};
use crate::routes::Routes;
use crate::state::AppState;

/// Session key of the sign-in under way.
const PENDING_KEY: &str = "oidc_pending";

/// A sign-in under way, kept in the session between the start and the callback.
#[derive(Debug, Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
    retour: String,
    invitation: Option<String>,
}

/// Why a sign-in through the provider was refused: the code the sign-in page explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No sign-in under way in this browser, or a `state` that is not its own.
    State,
    /// The provider refused, could not be reached, or the code was not accepted (replayed, foreign).
    Provider,
    /// The ID token failed verification (signature, issuer, audience, nonce, expiry).
    Token,
    /// No e-mail address was given.
    NoEmail,
    /// The address is outside the allowed domains.
    Domain,
    /// The address has an account not bound to this identity.
    Existing,
    Deactivated,
    /// The invitation link is unknown, used or expired.
    Invitation,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Self::State => "etat",
            Self::Provider => "fournisseur",
            Self::Token => "jeton",
            Self::NoEmail => "adresse",
            Self::Domain => "domaine",
            Self::Existing => "existant",
            Self::Deactivated => "desactive",
            Self::Invitation => "invitation",
        }
    }
}

/// `?retour=/page&invitation=TOKEN` of the start.
fn start_params(raw: Option<&str>) -> Result<(String, Option<String>), ApiError> {
    let params = pairs(raw)?;
    reject_unknown(&params, &["retour", "invitation"])?;
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    // Only a path of this site: never an open redirect.
    let retour = get("retour")
        .filter(|r| r.starts_with('/') && !r.starts_with("//") && !r.contains('\\'))
        .unwrap_or_else(|| "/".into());
    Ok((retour, get("invitation").filter(|t| !t.is_empty())))
}

/// GET /api/auth/oidc/start — sends the browser to the provider.
pub async fn start(
    State(app): State<AppState>,
    session: Session,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let provider = app
        .auth
        .oidc
        .as_ref()
        .ok_or_else(|| ApiError::NotFound("aucun fournisseur d'identité n'est configuré".into()))?;
    let (retour, invitation) = start_params(raw.as_deref())?;
    let metadata = match provider.metadata().await {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %e, "identity provider unreachable");
            return Ok(Redirect::to("/connexion.html?erreur=fournisseur").into_response());
        }
    };
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.config.client_id.clone()),
        Some(ClientSecret::new(provider.config.client_secret.clone())),
    )
    .set_redirect_uri(
        RedirectUrl::new(provider.redirect_url().to_string()).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for s in &provider.config.scopes {
        request = request.add_scope(Scope::new(s.clone()));
    }
    let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
    let pending = Pending {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        retour,
        invitation,
    };
    session
        .insert(PENDING_KEY, &pending)
        .await
        .map_err(|e| ApiError::Internal(format!("session: {e}")))?;
    Ok(Redirect::to(url.as_str()).into_response())
}

/// What the provider said about the person.
struct Identity {
    issuer: String,
    subject: String,
    email: Option<String>,
    name: String,
}

/// Exchanges the code and verifies the ID token.
async fn identity(provider: &Provider, pending: &Pending, code: String) -> Result<Identity, (Refusal, String)> {
    let metadata = provider.metadata().await.map_err(|e| (Refusal::Provider, e))?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.config.client_id.clone()),
        Some(ClientSecret::new(provider.config.client_secret.clone())),
    )
    .set_redirect_uri(
        RedirectUrl::new(provider.redirect_url().to_string()).map_err(|e| (Refusal::Provider, e.to_string()))?,
    );
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| (Refusal::Provider, e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
        .request_async(provider.http())
        .await
        .map_err(|e| (Refusal::Provider, format!("token endpoint: {e}")))?;
    let id_token = tokens.id_token().ok_or((Refusal::Token, "no ID token".to_string()))?;
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &Nonce::new(pending.nonce.clone()))
        .map_err(|e| (Refusal::Token, e.to_string()))?;
    let subject = claims.subject().clone();
    let mut email = claims.email().map(|e| e.as_str().to_string());
    let given = claims
        .given_name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_string());
    let family = claims
        .family_name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_string());
    let mut name = [given, family].into_iter().flatten().collect::<Vec<_>>().join(" ");
    if email.is_none()
        && let Ok(request) = client.user_info(tokens.access_token().clone(), Some(subject.clone()))
    {
        // ProConnect gives the address through the user-info endpoint only.
        match request.request_async(provider.http()).await {
            Ok(info) => {
                let info: CoreUserInfoClaims = info;
                email = info.email().map(|e| e.as_str().to_string());
                if name.is_empty() {
                    let g = info
                        .given_name()
                        .and_then(|n| n.get(None))
                        .map(|n| n.as_str().to_string());
                    let f = info
                        .family_name()
                        .and_then(|n| n.get(None))
                        .map(|n| n.as_str().to_string());
                    name = [g, f].into_iter().flatten().collect::<Vec<_>>().join(" ");
                }
            }
            Err(e) => tracing::warn!(error = %e, "user info not readable"),
        }
    }
    Ok(Identity {
        issuer: claims.issuer().as_str().to_string(),
        subject: subject.as_str().to_string(),
        email,
        name,
    })
}

/// Audits a refusal and sends the browser back to the sign-in page with its code.
async fn refused(app: &AppState, refusal: Refusal, detail: &str, who: Option<&Identity>) -> Response {
    tracing::warn!(
        reason = refusal.code(),
        detail,
        "sign-in through the identity provider refused"
    );
    let trace = Trace {
        entity: "sign_in",
        key: who.map_or_else(|| "?".into(), |i| i.subject.clone()),
        user: None,
        action: "oidc_refused",
        changes: json!({
            "reason": refusal.code(),
            "detail": detail,
            "issuer": who.map(|i| i.issuer.as_str()),
            "email": who.and_then(|i| i.email.as_deref()),
        }),
        at: Utc::now(),
    };
    match app.store.begin().await {
        Ok(mut unit) => {
            if unit.audit(trace).await.is_ok() {
                let _ = unit.commit().await;
            }
        }
        Err(e) => tracing::error!(error = %e, "refusal not audited"),
    }
    Redirect::to(&format!("/connexion.html?erreur={}", refusal.code())).into_response()
}

/// The account this identity signs in to, created or bound as needed.
async fn account_for(
    app: &AppState,
    id: &Identity,
    invitation: Option<&str>,
) -> Result<Result<User, Refusal>, ApiError> {
    if let Some(user) = repere_store::accounts::by_identity(&app.store, &id.issuer, &id.subject).await? {
        return Ok(if user.status == AccountStatus::Deactivated {
            Err(Refusal::Deactivated)
        } else {
            Ok(user)
        });
    }
    let Some(email) = id.email.as_deref().and_then(|e| Email::parse(e).ok()) else {
        return Ok(Err(Refusal::NoEmail));
    };
    if !email.in_domains(&app.auth.allowed_domains) {
        return Ok(Err(Refusal::Domain));
    }
    let now = Utc::now();
    let mut unit = app.store.begin().await?;
    let (user_id, action) = match invitation {
        Some(token) => {
            let invited = match repere_store::accounts::use_token(
                unit.conn(),
                &token_hash(token.trim()),
                Purpose::Invitation,
                now,
            )
            .await?
            {
                Ok(u) => u,
                Err(_) => return Ok(Err(Refusal::Invitation)),
            };
            if invited.status == AccountStatus::Deactivated {
                return Ok(Err(Refusal::Deactivated));
            }
            repere_store::accounts::activate(unit.conn(), invited.id).await?;
            (invited.id, "invitation_accepted")
        }
        None => match repere_store::accounts::insert_without_password(
            unit.conn(),
            &email,
            &id.name,
            Role::Contributor,
            AccountStatus::Active,
            now,
        )
        .await
        {
            Ok(uid) => (uid, "created_by_provider"),
            Err(StoreError::Duplicate(_)) => return Ok(Err(Refusal::Existing)),
            Err(e) => return Err(e.into()),
        },
    };
    match repere_store::accounts::bind_identity(unit.conn(), &id.issuer, &id.subject, user_id, now).await {
        Ok(()) => {}
        // The same person's other tab bound it a moment ago: use that account.
        Err(StoreError::Duplicate(_)) => {
            drop(unit);
            return Box::pin(account_for(app, id, None)).await;
        }
        Err(e) => return Err(e.into()),
    }
    unit.audit(Trace {
        entity: "user",
        key: user_id.to_string(),
        user: Some(user_id),
        action,
        changes: json!({ "issuer": id.issuer, "subject": id.subject, "email": email.as_str() }),
        at: now,
    })
    .await?;
    unit.commit().await?;
    Ok(repere_store::users::by_id(&app.store, user_id)
        .await?
        .ok_or(Refusal::Provider))
}

/// GET /api/auth/oidc/callback?code&state — back from the provider.
pub async fn callback(
    State(app): State<AppState>,
    session: Session,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let Some(provider) = app.auth.oidc.as_ref() else {
        return Err(ApiError::NotFound(
            "aucun fournisseur d'identité n'est configuré".into(),
        ));
    };
    let params = pairs(raw.as_deref()).unwrap_or_default();
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    // The sign-in under way is used once: a replayed callback finds nothing.
    let pending: Option<Pending> = session
        .remove(PENDING_KEY)
        .await
        .map_err(|e| ApiError::Internal(format!("session: {e}")))?;
    let Some(pending) = pending else {
        return Ok(refused(&app, Refusal::State, "no sign-in under way in this session", None).await);
    };
    let state_ok = get("state").is_some_and(|s| {
        s.len() == pending.state.len() && s.bytes().zip(pending.state.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0
    });
    if !state_ok {
        return Ok(refused(&app, Refusal::State, "state does not match", None).await);
    }
    if let Some(error) = get("error") {
        return Ok(refused(&app, Refusal::Provider, &format!("provider error: {error}"), None).await);
    }
    let Some(code) = get("code") else {
        return Ok(refused(&app, Refusal::Provider, "no code", None).await);
    };
    let id = match identity(provider, &pending, code).await {
        Ok(i) => i,
        Err((refusal, detail)) => return Ok(refused(&app, refusal, &detail, None).await),
    };
    let user = match account_for(&app, &id, pending.invitation.as_deref()).await? {
        Ok(u) => u,
        Err(refusal) => return Ok(refused(&app, refusal, "", Some(&id)).await),
    };
    sign_in(&app, &session, &user).await?;
    Ok(Redirect::to(&pending.retour).into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .get("/auth/oidc/start", start)
        .get("/auth/oidc/callback", callback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_path_of_this_site_is_a_destination() {
        for (raw, want) in [
            ("retour=/moderation.html", "/moderation.html"),
            ("retour=//evil.example", "/"),
            ("retour=https://evil.example", "/"),
            ("retour=/\\evil.example", "/"),
            ("", "/"),
        ] {
            assert_eq!(start_params(Some(raw)).unwrap().0, want, "{raw}");
        }
        assert!(start_params(Some("next=/")).is_err());
    }
}
