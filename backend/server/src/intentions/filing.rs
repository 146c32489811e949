//! Filing an intention, listing dossiers (one's own and assigned ones; every one at the DANE's desk)
//! and reading one dossier with its timeline.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use repere_core::intentions::access::{Action, may, may_be_assigned};
use repere_core::intentions::{DESCRIPTION_MAX, Kind, PEOPLE_MAX, Status, TITLE_MAX, TerritoryKind, UAIS_MAX, text};
use repere_core::users::{AccountStatus, Role};
use repere_core::{Invalid, Uai};
use repere_store::intentions::{self as store, NewIntention};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{current_procedure, dossier_for, dossier_late, names, require, summary_json};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::{json_body, pairs, reject_unknown};
use crate::routes::Routes;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TerritoryInput {
    kind: String,
    value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentionInput {
    kind: String,
    title: String,
    description: String,
    #[serde(default)]
    hoped_for: Option<String>,
    #[serde(default)]
    people: Option<String>,
    #[serde(default)]
    uais: Vec<String>,
    #[serde(default)]
    territory: Option<TerritoryInput>,
}

fn field(f: &'static str, m: impl Into<String>) -> ApiError {
    ApiError::field(Invalid::new(f, m))
}

/// Parses a `YYYY-MM-DD` date of the body field `f`.
pub fn date_field(f: &'static str, v: &str) -> Result<NaiveDate, ApiError> {
    if v.trim().is_empty() {
        return Err(field(f, "indiquez une date"));
    }
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .map_err(|_| field(f, format!("« {v} » n'est pas une date AAAA-MM-JJ")))
}

/// Checks an intention against the catalogue and what the filer is bound to.
async fn validate(app: &AppState, user: &CurrentUser, input: IntentionInput) -> Result<NewIntention, ApiError> {
    let kind = Kind::parse("kind", input.kind.trim()).map_err(ApiError::field)?;
    let title = text("title", &input.title, TITLE_MAX).map_err(ApiError::field)?;
    let description = text("description", &input.description, DESCRIPTION_MAX).map_err(ApiError::field)?;
    let people = input.people.unwrap_or_default().trim().to_string();
    if people.chars().count() > PEOPLE_MAX {
        return Err(field("people", format!("{PEOPLE_MAX} caractères au plus")));
    }
    let today = app.intentions.clock.today();
    let hoped_for = match input.hoped_for.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(v) => {
            let d = date_field("hoped_for", v)?;
            if d < today {
                return Err(field("hoped_for", "la date souhaitée est passée"));
            }
            Some(d)
        }
    };
    let scopes = store::scopes_of(&app.store, user.0.id).await?;
    let bound = |kind: &str| -> Vec<&str> {
        scopes
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    if input.uais.len() > UAIS_MAX {
        return Err(field("uais", format!("{UAIS_MAX} établissements au plus")));
    }
    let mut uais = BTreeSet::new();
    let mut departement = String::new();
    {
        let c = app.read_catalog()?;
        for raw in &input.uais {
            let uai = Uai::parse(raw.trim()).map_err(|e| field("uais", e.message))?;
            let e = c
                .establishments
                .get(&uai)
                .ok_or_else(|| field("uais", format!("aucun établissement {uai} dans Repère")))?;
            if user.0.role == Role::Encadrement && !bound("uai").contains(&uai.as_str()) {
                return Err(field(
                    "uais",
                    format!(
                        "vous n'êtes pas rattaché à l'établissement {uai} ({})",
                        e.establishment.name
                    ),
                ));
            }
            if departement.is_empty() {
                departement = e.establishment.departement.clone();
            }
            uais.insert(uai.as_str().to_string());
        }
    }
    let territory = match input.territory {
        None => None,
        Some(t) => {
            let k = TerritoryKind::parse("territory", t.kind.trim()).map_err(ApiError::field)?;
            let v = t.value.trim().to_string();
            match k {
                TerritoryKind::Departement if v == "06" || v == "83" => {}
                TerritoryKind::Departement => return Err(field("territory", "département 06 ou 83")),
                TerritoryKind::Commune => {
                    let c = app.read_catalog()?;
                    if !c.establishments.values().any(|e| e.establishment.commune_code == v) {
                        return Err(field(
                            "territory",
                            format!("aucune commune de code INSEE « {v} » dans l'académie"),
                        ));
                    }
                }
                TerritoryKind::Circonscription => {
                    if v.is_empty() || v.chars().count() > 120 {
                        return Err(field("territory", "nom de circonscription de 1 à 120 caractères"));
                    }
                    let mine = bound("circonscription");
                    if user.0.role == Role::Inspecteur && !mine.is_empty() && !mine.contains(&v.as_str()) {
                        return Err(field(
                            "territory",
                            format!("vous n'êtes pas rattaché à la circonscription « {v} »"),
                        ));
                    }
                }
            }
            if departement.is_empty() {
                departement = match k {
                    TerritoryKind::Departement => v.clone(),
                    TerritoryKind::Commune => v.chars().take(2).collect(),
                    TerritoryKind::Circonscription => String::new(),
                };
            }
            Some((k, v))
        }
    };
    if user.0.role == Role::Encadrement && uais.is_empty() {
        return Err(field("uais", "nommez au moins un de vos établissements"));
    }
    if uais.is_empty() && territory.is_none() {
        return Err(field("uais", "nommez au moins un établissement ou un territoire"));
    }
    Ok(NewIntention {
        filer_id: user.0.id,
        kind,
        title,
        description,
        hoped_for,
        people,
        territory,
        departement,
        uais: uais.into_iter().collect(),
    })
}

/// POST /api/intentions — files an intention: the dossier gets its number and planned steps; 201.
pub async fn file(
    State(app): State<AppState>,
    user: CurrentUser,
    body: Result<Json<IntentionInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    require(&user, Action::File)?;
    let new = validate(&app, &user, json_body(body)?).await?;
    let procedure = current_procedure(&app).await?;
    let now = app.intentions.clock.now();
    let plan = procedure.plan(now.date_naive());
    let lead = super::reminders::lead_addresses(&app, &procedure).await?;
    let mut unit = app.store.begin().await?;
    let id = store::insert(unit.conn(), &new, &plan, now).await?;
    // The DANE hears of it at once, in the same transaction.
    let number = repere_core::intentions::number(chrono::Datelike::year(&now), id);
    let who = user.0.shown_name();
    let first_due = plan[0]
        .due_on
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default();
    for to in &lead {
        let mail = crate::mail::compose::Compose {
            to,
            kind: "intention_filed",
            subject: format!("Nouvelle intention {number} : {}", new.title),
            paras: vec![crate::mail::compose::Para::Text(format!(
                "{who} a déposé l'intention « {} » ({}). Accusé de réception attendu au plus tard le {first_due}.",
                new.title,
                new.kind.label().to_lowercase(),
            ))],
            action: ("Ouvrir le dossier", app.mail.link(&format!("/intention.html?id={id}"))),
            unsubscribe: None,
        }
        .build();
        repere_store::outbox::enqueue(unit.conn(), &mail, now).await?;
    }
    app.commit(unit).await?;
    let d = store::by_id(&app.store, id)
        .await?
        .ok_or_else(|| ApiError::Internal("dossier lost".into()))?;
    let events = store::timeline(&app.store, id).await?;
    let names = names(&app).await?;
    Ok((
        StatusCode::CREATED,
        Json(super::detail_json(&app, &user, &d, &events, &names, now.date_naive())),
    )
        .into_response())
}

/// GET /api/intentions/{id} — a dossier, its steps and its timeline, to those it concerns and the DANE.
pub async fn get(State(app): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    let d = dossier_for(&app, &user, id, Action::Read).await?;
    let events = store::timeline(&app.store, id).await?;
    let names = names(&app).await?;
    Ok(Json(super::detail_json(
        &app,
        &user,
        &d,
        &events,
        &names,
        app.intentions.clock.today(),
    ))
    .into_response())
}

/// GET /api/intentions?status=&kind=&departement=&referent=&late= — the dossiers one filed or is
/// assigned; every dossier for the DANE. Late ones first, then by next due date.
pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = pairs(raw.as_deref())?;
    reject_unknown(&p, &["status", "kind", "departement", "referent", "late"])?;
    let get = |k: &str| {
        p.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let status = get("status").map(|s| Status::parse("status", s)).transpose()?;
    let kind = get("kind").map(|s| Kind::parse("kind", s)).transpose()?;
    let departement = get("departement");
    let referent = match get("referent") {
        None => None,
        Some("aucun") => Some(None),
        Some(r) => {
            Some(Some(r.parse::<i64>().map_err(|_| {
                ApiError::param("referent", "identifiant de compte ou « aucun »")
            })?))
        }
    };
    let late = match get("late") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(ApiError::param("late", "true ou false")),
    };
    let desk = may(user.0.role, &[], Action::Desk);
    let today = app.intentions.clock.today();
    let mut dossiers: Vec<_> = store::all(&app.store)
        .await?
        .into_iter()
        .filter(|d| desk || d.filer_id == user.0.id || d.referent_id == Some(user.0.id))
        .filter(|d| status.is_none_or(|s| d.status == s))
        .filter(|d| kind.is_none_or(|k| d.kind == k))
        .filter(|d| departement.is_none_or(|x| d.departement == x))
        .filter(|d| referent.is_none_or(|r| d.referent_id == r))
        .filter(|d| late.is_none_or(|l| dossier_late(d, today) == l))
        .collect();
    // Late first, then open by next due date, then closed ones, newest first.
    dossiers.sort_by_key(|d| {
        let next = d.next_step().and_then(|s| s.due_on);
        (
            !dossier_late(d, today),
            d.status == Status::Closed,
            next.unwrap_or(NaiveDate::MAX),
            std::cmp::Reverse(d.id),
        )
    });
    let names = names(&app).await?;
    let late_count = dossiers.iter().filter(|d| dossier_late(d, today)).count();
    let open = dossiers.iter().filter(|d| d.status != Status::Closed).count();
    Ok(Json(json!({
        "total": dossiers.len(),
        "open": open,
        "late": late_count,
        "dossiers": dossiers.iter().map(|d| summary_json(&app, d, &names, today)).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// GET /api/intentions/options — what the signed-in person may do, their establishments, the kinds
/// and (for the DANE) the accounts a dossier may be assigned to.
pub async fn options(State(app): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    let scopes = store::scopes_of(&app.store, user.0.id).await?;
    let uais: Vec<Value> = {
        let c = app.read_catalog()?;
        scopes
            .iter()
            .filter(|(k, _)| k == "uai")
            .map(|(_, u)| {
                let e = Uai::parse(u).ok().and_then(|x| c.establishments.get(&x).cloned());
                json!({ "uai": u, "name": e.as_ref().map(|e| e.establishment.name.clone()), "commune": e.map(|e| e.establishment.commune_name.clone()) })
            })
            .collect()
    };
    let desk = may(user.0.role, &[], Action::Desk);
    let referents: Vec<Value> = if desk {
        repere_store::accounts::list(&app.store)
            .await?
            .into_iter()
            .filter(|l| l.user.status == AccountStatus::Active && may_be_assigned(l.user.role))
            .map(|l| json!({ "id": l.user.id, "name": l.user.shown_name(), "role_label": l.user.role.label() }))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Json(json!({
        "can_file": may(user.0.role, &[], Action::File),
        "desk": desk,
        "configure": may(user.0.role, &[], Action::Configure),
        "must_name_establishment": user.0.role == Role::Encadrement,
        "establishments": uais,
        "circonscriptions": scopes.iter().filter(|(k, _)| k == "circonscription").map(|(_, v)| v).collect::<Vec<_>>(),
        "kinds": Kind::ALL.iter().map(|k| json!({ "value": k.as_str(), "label": k.label() })).collect::<Vec<_>>(),
        "statuses": Status::ALL.iter().map(|k| json!({ "value": k.as_str(), "label": k.label() })).collect::<Vec<_>>(),
        "outcomes": repere_core::intentions::Outcome::ALL.iter().map(|k| json!({ "value": k.as_str(), "label": k.label() })).collect::<Vec<_>>(),
        "referents": referents,
        "today": app.intentions.clock.today().to_string(),
    }))
    .into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .get("/intentions", list)
        .post("/intentions", file)
        .get("/intentions/options", options)
        .get("/intentions/{id}", get)
}
