//! What the admins configure: the procedure (delays in working days, reminders, zone B school
//! holidays, the DANE lead) and what each account is bound to (establishments, circonscriptions,
//! disciplines, départements). A new procedure plans the dossiers filed after it.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use repere_core::intentions::Procedure;
use repere_core::intentions::access::Action;
use repere_core::users::Email;
use repere_core::{Invalid, Uai};
use repere_store::intentions as store;
use serde::Deserialize;
use serde_json::json;

use super::{current_procedure, require};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::json_body;
use crate::routes::Routes;
use crate::state::AppState;

/// GET /api/intentions/procedure — the procedure in force (the DANE).
pub async fn get(State(app): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    require(&user, Action::Desk)?;
    Ok(Json(current_procedure(&app).await?).into_response())
}

/// PUT /api/intentions/procedure — admins set the procedure; audited.
pub async fn put(
    State(app): State<AppState>,
    user: CurrentUser,
    body: Result<Json<Procedure>, JsonRejection>,
) -> Result<Response, ApiError> {
    require(&user, Action::Configure)?;
    let p = json_body(body)?;
    p.validate().map_err(ApiError::field)?;
    if let Some(e) = p.lead_email.as_deref().filter(|e| !e.trim().is_empty()) {
        Email::parse(e).map_err(|i| ApiError::field(Invalid::new("lead_email", i.message)))?;
    }
    let old = current_procedure(&app).await?;
    let now = app.intentions.clock.now();
    let mut unit = app.store.begin().await?;
    let text = serde_json::to_string(&p).map_err(|e| ApiError::Internal(e.to_string()))?;
    repere_store::meta::set(unit.conn(), store::PROCEDURE_KEY, &text).await?;
    repere_store::audit::record(
        unit.conn(),
        "intention_procedure",
        "",
        Some(user.0.id),
        "update",
        &json!({ "old": old, "new": p }),
        now,
    )
    .await?;
    app.commit(unit).await?;
    Ok(Json(p).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopesInput {
    #[serde(default)]
    uais: Vec<String>,
    #[serde(default)]
    circonscriptions: Vec<String>,
    #[serde(default)]
    disciplines: Vec<String>,
    #[serde(default)]
    departements: Vec<String>,
}

fn scopes_json(scopes: &[(String, String)]) -> serde_json::Value {
    let of = |k: &str| {
        scopes
            .iter()
            .filter(|(x, _)| x == k)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    json!({
        "uais": of("uai"),
        "circonscriptions": of("circonscription"),
        "disciplines": of("discipline"),
        "departements": of("departement"),
    })
}

/// GET /api/accounts/{id}/scopes — what an account is bound to (admins).
pub async fn scopes(State(app): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    require(&user, Action::Configure)?;
    repere_store::users::by_id(&app.store, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("aucun compte {id}")))?;
    Ok(Json(scopes_json(&store::scopes_of(&app.store, id).await?)).into_response())
}

/// PUT /api/accounts/{id}/scopes {uais, circonscriptions, disciplines, departements} — admins bind an
/// account (a chef d'établissement to their establishments…); audited.
pub async fn set_scopes(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Result<Json<ScopesInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    require(&user, Action::Configure)?;
    let input = json_body(body)?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    {
        let c = app.read_catalog()?;
        for u in &input.uais {
            let uai = Uai::parse(u.trim()).map_err(|e| ApiError::field(Invalid::new("uais", e.message)))?;
            if !c.establishments.contains_key(&uai) {
                return Err(ApiError::field(Invalid::new(
                    "uais",
                    format!("aucun établissement {uai} dans Repère"),
                )));
            }
            pairs.push(("uai".into(), uai.as_str().to_string()));
        }
    }
    for (kind, list, f) in [
        ("circonscription", &input.circonscriptions, "circonscriptions"),
        ("discipline", &input.disciplines, "disciplines"),
    ] {
        for v in list {
            let v = v.trim();
            if v.is_empty() || v.chars().count() > 120 {
                return Err(ApiError::field(Invalid::new(f, "de 1 à 120 caractères chacun")));
            }
            pairs.push((kind.into(), v.to_string()));
        }
    }
    for d in &input.departements {
        if d.trim() != "06" && d.trim() != "83" {
            return Err(ApiError::field(Invalid::new("departements", "06 ou 83")));
        }
        pairs.push(("departement".into(), d.trim().to_string()));
    }
    if pairs.len() > 200 {
        return Err(ApiError::field(Invalid::new("uais", "200 rattachements au plus")));
    }
    pairs.sort();
    pairs.dedup();
    let now = app.intentions.clock.now();
    // Reads first, outside the unit of work (see `intentions::steps::assignee`).
    repere_store::users::by_id(&app.store, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("aucun compte {id}")))?;
    let old = store::scopes_of(&app.store, id).await?;
    let mut unit = app.store.begin().await?;
    store::set_scopes(unit.conn(), id, &pairs).await?;
    repere_store::audit::record(
        unit.conn(),
        "account_scopes",
        &id.to_string(),
        Some(user.0.id),
        "update",
        &json!({ "old": scopes_json(&old), "new": scopes_json(&pairs) }),
        now,
    )
    .await?;
    app.commit(unit).await?;
    Ok(Json(scopes_json(&pairs)).into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .get("/intentions/procedure", get)
        .put("/intentions/procedure", put)
        .get("/accounts/{id}/scopes", scopes)
        .put("/accounts/{id}/scopes", set_scopes)
}
