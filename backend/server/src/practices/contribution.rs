//! Contribution: a signed-in teacher reports a practice (draft, then submitted), edits it while it is
//! not published (an edit of a published report waits for a moderator as a revision), and follows
//! their reports in "Mes remontées".

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use repere_core::practices::{Action, Facets, Practice, PracticeStatus, editable_by_author, facet, next_status};
use repere_core::text::fold;
use repere_core::users::Role;
use repere_core::{Invalid, LonLat, SchoolYear, Uai};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::json_body;
use crate::state::AppState;

use super::record::{diff, load_for, private_view, save, trace};

/// Longest list of facet values, and longest value, accepted in a report.
const MAX_VALUES: usize = 20;
const MAX_VALUE_CHARS: usize = 100;

/// Roles that may report practices.
pub(super) const REPORTERS: [Role; 3] = [Role::Contributor, Role::Moderator, Role::Admin];

#[derive(Debug, Deserialize)]
pub struct Position {
    lon: f64,
    lat: f64,
}

/// A report as the form sends it.
#[derive(Debug, Deserialize)]
pub struct PracticeInput {
    title: String,
    summary: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    disciplines: Vec<String>,
    #[serde(default)]
    levels: Vec<String>,
    #[serde(default)]
    tools: Vec<String>,
    #[serde(default)]
    themes: Vec<String>,
    school_year: String,
    uai: String,
    #[serde(default)]
    position: Option<Position>,
    #[serde(default)]
    innovatheque_url: Option<String>,
    #[serde(default)]
    contact_consent: bool,
    /// Send for review right away instead of keeping a draft.
    #[serde(default)]
    submit: bool,
}

fn clean_list(field: &'static str, values: &[String]) -> Result<Facets, ApiError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        if v.chars().count() > MAX_VALUE_CHARS {
            return Err(ApiError::field(Invalid::new(
                field,
                format!("une valeur dépasse {MAX_VALUE_CHARS} caractères"),
            )));
        }
        if seen.insert(fold(v)) {
            out.push(facet(v));
        }
    }
    if out.len() > MAX_VALUES {
        return Err(ApiError::field(Invalid::new(
            field,
            format!("au plus {MAX_VALUES} valeurs"),
        )));
    }
    Ok(Facets::new(out))
}

/// Validates the input into a practice (keeping identity, status and dates from `base`).
fn build(app: &AppState, input: &PracticeInput, base: Practice) -> Result<Practice, ApiError> {
    let uai = Uai::parse(&input.uai).map_err(ApiError::field)?;
    if !app.read_catalog()?.establishments.contains_key(&uai) {
        return Err(ApiError::field(Invalid::new(
            "uai",
            format!("établissement {uai} inconnu de Repère"),
        )));
    }
    let school_year = SchoolYear::parse(&input.school_year).map_err(ApiError::field)?;
    let current = SchoolYear::containing(Utc::now().date_naive());
    if school_year.start_year() > current.start_year() {
        return Err(ApiError::field(Invalid::new(
            "school_year",
            format!("l'année scolaire {school_year} n'a pas commencé ; au plus {current}"),
        )));
    }
    if school_year.start_year() + 30 < current.start_year() {
        return Err(ApiError::field(Invalid::new(
            "school_year",
            "année scolaire trop ancienne",
        )));
    }
    if !input.contact_consent {
        return Err(ApiError::field(Invalid::new(
            "contact_consent",
            "l'accord pour être contacté via Repère est requis",
        )));
    }
    let position = input
        .position
        .as_ref()
        .map(|p| LonLat::checked("position", p.lon, p.lat))
        .transpose()
        .map_err(ApiError::field)?;
    let url = input
        .innovatheque_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(Into::into);
    let p = Practice {
        title: input.title.trim().into(),
        summary: input.summary.trim().into(),
        description: input.description.trim().into(),
        disciplines: clean_list("disciplines", &input.disciplines)?,
        levels: clean_list("levels", &input.levels)?,
        tools: clean_list("tools", &input.tools)?,
        themes: clean_list("themes", &input.themes)?,
        school_year,
        uai,
        position,
        innovatheque_url: url,
        ..base
    };
    p.validate().map_err(ApiError::field)?;
    Ok(p)
}

/// POST /api/practices — a new report (draft, or submitted when `submit` is true).
pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    body: Result<Json<PracticeInput>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    user.require(&REPORTERS)?;
    let input = json_body(body)?;
    let now = Utc::now();
    let base = Practice {
        id: 0,
        title: "".into(),
        summary: "".into(),
        description: "".into(),
        disciplines: Facets::default(),
        levels: Facets::default(),
        tools: Facets::default(),
        themes: Facets::default(),
        school_year: SchoolYear::containing(now.date_naive()),
        uai: Uai::parse("0060842H").expect("valid"),
        position: None,
        innovatheque_url: None,
        status: if input.submit {
            PracticeStatus::Submitted
        } else {
            PracticeStatus::Draft
        },
        created_at: now,
        updated_at: now,
        published_at: None,
        author_id: Some(user.0.id),
        rejection_reason: None,
    };
    let p = build(&app, &input, base)?;
    let saved = save(&app, user.0.id, None, p, "create").await?;
    Ok((StatusCode::CREATED, Json(private_view(&saved))).into_response())
}

/// GET /api/practices/{id} — the author's or a moderator's view of a report, whatever its status.
pub async fn show(State(app): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(private_view(&load_for(&app, &user, id).await?)).into_response())
}

/// PUT /api/practices/{id} — the author edits a report that is not published.
pub async fn edit(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Result<Json<PracticeInput>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let old = load_for(&app, &user, id).await?;
    if old.author_id != Some(user.0.id) {
        return Err(ApiError::Forbidden("seul l'auteur modifie sa remontée".into()));
    }
    let input = json_body(body)?;
    if old.status == PracticeStatus::Published {
        // The published version stays visible; the edit waits for a moderator.
        let now = Utc::now();
        let proposed = build(
            &app,
            &input,
            Practice {
                updated_at: now,
                ..old.clone()
            },
        )?;
        // A proposal changes nothing the catalogue serves: audited, not in the change log.
        let mut unit = app.store.begin().await?;
        repere_store::revisions::propose(unit.conn(), &proposed, user.0.id, now).await?;
        unit.audit(trace(id, user.0.id, "propose_edit", diff(&old, &proposed), now))
            .await?;
        crate::mail::notify::submission(unit.conn(), &app.mail, &proposed, true, now).await?;
        app.commit(unit).await?;
        let mut view = private_view(&old);
        view["pending_revision"] = json!(true);
        return Ok((StatusCode::ACCEPTED, Json(view)).into_response());
    }
    if !editable_by_author(old.status) {
        return Err(ApiError::Conflict(format!(
            "une remontée {} ne se modifie plus",
            old.status.as_str()
        )));
    }
    let mut new = build(
        &app,
        &input,
        Practice {
            updated_at: Utc::now(),
            ..old.clone()
        },
    )?;
    if input.submit
        && let Some(to) = next_status(new.status, Action::Submit)
    {
        new.status = to;
        new.rejection_reason = None;
    }
    let saved = save(&app, user.0.id, Some(&old), new, "edit").await?;
    Ok(Json(private_view(&saved)).into_response())
}

/// GET /api/practices/mine — "Mes remontées": the user's reports with their status and reason.
pub async fn mine(State(app): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    let pending: BTreeSet<i64> = repere_store::revisions::all_pending(&app.store)
        .await?
        .into_iter()
        .collect();
    let list: Vec<Value> = {
        let c = app.read_catalog()?;
        c.practices
            .values()
            .filter(|e| e.practice.author_id == Some(user.0.id))
            .map(|e| {
                let mut v = private_view(&e.practice);
                v["pending_revision"] = json!(pending.contains(&e.practice.id));
                v
            })
            .collect()
    };
    Ok(Json(json!({ "practices": list })).into_response())
}
