//! Contribution and moderation of practices: a signed-in teacher reports a practice (draft, then
//! submitted), edits it while it is not published, and follows it in "Mes remontées"; CARDIE/DANE
//! moderators publish or reject (with a reason), one at a time or many at once, archive and continue.
//! Every change is written with its audit entry in one transaction, then applied to the catalogue.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use repere_core::practices::{Action, Facets, Practice, PracticeStatus, editable_by_author, facet, next_status};
use repere_core::text::fold;
use repere_core::users::Role;
use repere_core::{Invalid, LonLat, SchoolYear, Uai};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

/// Longest list of facet values, and longest value, accepted in a report.
const MAX_VALUES: usize = 20;
const MAX_VALUE_CHARS: usize = 100;

/// Roles that may report practices.
const REPORTERS: [Role; 3] = [Role::Contributor, Role::Moderator, Role::Admin];

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

/// What the author and moderators see of a report (never the author's address).
fn private_view(p: &Practice) -> Value {
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
    })
}

/// Field-by-field differences, for the audit log.
fn diff(old: &Practice, new: &Practice) -> Value {
    let (a, b) = (private_view(old), private_view(new));
    let mut out = serde_json::Map::new();
    if let (Some(a), Some(b)) = (a.as_object(), b.as_object()) {
        for (k, v) in b {
            if k != "updated_at" && a.get(k) != Some(v) {
                out.insert(k.clone(), json!({ "old": a.get(k), "new": v }));
            }
        }
    }
    Value::Object(out)
}

/// Commits `new` (inserted when `old` is `None`) with its audit entry and change-log row, then
/// brings the catalogue up to date.
async fn save(
    app: &AppState,
    user: i64,
    old: Option<&Practice>,
    new: Practice,
    action: &str,
) -> Result<Practice, ApiError> {
    save_with(app, user, old, new, action, false).await
}

/// As [`save`], also dropping the practice's pending revision in the same transaction.
async fn save_with(
    app: &AppState,
    user: i64,
    old: Option<&Practice>,
    mut new: Practice,
    action: &str,
    discard_revision: bool,
) -> Result<Practice, ApiError> {
    let mut tx = app.store.pool().begin().await.map_err(repere_store::StoreError::from)?;
    if discard_revision {
        repere_store::revisions::discard(&mut tx, new.id).await?;
    }
    let changes = match old {
        Some(old) => {
            repere_store::practices::update(&mut tx, &new).await?;
            diff(old, &new)
        }
        None => {
            new.id = repere_store::practices::insert(&mut tx, &new).await?;
            json!({ "created": private_view(&new) })
        }
    };
    repere_store::audit::record(
        &mut tx,
        "practice",
        &new.id.to_string(),
        Some(user),
        action,
        &changes,
        new.updated_at,
    )
    .await?;
    repere_store::changes::record(
        &mut tx,
        &repere_store::changes::Subject::Practice(new.id),
        new.updated_at,
    )
    .await?;
    tx.commit().await.map_err(repere_store::StoreError::from)?;
    app.sync.after_write().await;
    Ok(new)
}

async fn load(app: &AppState, id: i64) -> Result<Practice, ApiError> {
    let mut conn = app
        .store
        .pool()
        .acquire()
        .await
        .map_err(repere_store::StoreError::from)?;
    repere_store::practices::get(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("aucune remontée {id}")))
}

/// The practice, if the user may manage it (its author, or a moderator); 404 otherwise so that
/// nobody learns what others have drafted.
async fn load_for(app: &AppState, user: &CurrentUser, id: i64) -> Result<Practice, ApiError> {
    let p = load(app, id).await?;
    if p.author_id == Some(user.0.id) || user.0.role.moderates() {
        Ok(p)
    } else {
        Err(ApiError::NotFound(format!("aucune remontée {id}")))
    }
}

pub(crate) fn json_body<T>(body: Result<Json<T>, axum::extract::rejection::JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(b)| b)
        .map_err(|e| ApiError::param("body", format!("corps JSON invalide : {}", e.body_text())))
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
        let mut tx = app.store.pool().begin().await.map_err(repere_store::StoreError::from)?;
        repere_store::revisions::propose(&mut tx, &proposed, user.0.id, now).await?;
        let changes = diff(&old, &proposed);
        repere_store::audit::record(
            &mut tx,
            "practice",
            &id.to_string(),
            Some(user.0.id),
            "propose_edit",
            &changes,
            now,
        )
        .await?;
        tx.commit().await.map_err(repere_store::StoreError::from)?;
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

#[derive(Debug, Deserialize, Default)]
pub struct Reason {
    #[serde(default)]
    reason: Option<String>,
}

/// Applies a workflow action to one report, checking who may do it.
async fn transition(
    app: &AppState,
    user: &CurrentUser,
    id: i64,
    action: Action,
    reason: Option<&str>,
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
    if old.status == PracticeStatus::Published && matches!(action, Action::Publish | Action::Reject) {
        return decide_revision(app, user, old, action, reason).await;
    }
    let to = next_status(old.status, action).ok_or_else(|| {
        ApiError::Conflict(format!(
            "impossible de « {} » une remontée au statut {}",
            action.as_str(),
            old.status.as_str()
        ))
    })?;
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
) -> Result<Practice, ApiError> {
    let mut conn = app
        .store
        .pool()
        .acquire()
        .await
        .map_err(repere_store::StoreError::from)?;
    let Some((revision, _)) = repere_store::revisions::pending(&mut conn, old.id).await? else {
        return Err(ApiError::Conflict(
            "cette remontée est déjà publiée et n'a pas de modification en attente".into(),
        ));
    };
    drop(conn);
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
    let reason = body.and_then(|Json(r)| r.reason);
    let saved = transition(&app, &user, id, action, reason.as_deref()).await?;
    Ok(Json(private_view(&saved)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct Decisions {
    ids: Vec<i64>,
    action: String,
    #[serde(default)]
    reason: Option<String>,
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
        match transition(&app, &user, id, action, d.reason.as_deref()).await {
            Ok(p) => results.push(json!({ "id": id, "status": p.status.as_str() })),
            Err(e @ (ApiError::Conflict(_) | ApiError::NotFound(_) | ApiError::InvalidField { .. })) => {
                results.push(json!({ "id": id, "error": e.to_string() }))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Json(json!({ "results": results })).into_response())
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
    let mut revisions = Vec::new();
    {
        let mut conn = app
            .store
            .pool()
            .acquire()
            .await
            .map_err(repere_store::StoreError::from)?;
        // The published version is in the catalogue; only the proposed one is read from the store.
        for id in repere_store::revisions::all_pending(&app.store).await? {
            if let Some((new, at)) = repere_store::revisions::pending(&mut conn, id).await? {
                revisions.push((new, at));
            }
        }
    }
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

#[derive(Debug, Deserialize)]
pub struct DuplicateQuery {
    uai: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    tool: Option<String>,
}

/// Words of a title that carry meaning (folded, 4 letters or more).
fn words(s: &str) -> BTreeSet<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_owned)
        .collect()
}

/// GET /api/practices/duplicates?uai=&title=&tool= — reports of the same establishment with a
/// similar title or the same tool, to show before submitting.
pub async fn duplicates(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DuplicateQuery>,
) -> Result<Response, ApiError> {
    user.require(&REPORTERS)?;
    let uai = Uai::parse(&q.uai)?;
    let wanted = words(&q.title);
    let tool = q.tool.as_deref().map(fold).filter(|t| !t.trim().is_empty());
    let list: Vec<Value> = {
        let c = app.read_catalog()?;
        c.practices
            .values()
            .filter(|e| e.practice.uai == uai)
            .filter(|e| e.practice.is_public() || e.practice.author_id == Some(user.0.id))
            .filter_map(|e| {
                let common = words(&e.practice.title).intersection(&wanted).count();
                let similar = !wanted.is_empty() && common * 2 >= wanted.len().max(1);
                let same_tool = tool.as_ref().is_some_and(|t| crate::ogc::has(&e.practice.tools, t));
                (similar || same_tool).then(|| {
                    json!({ "id": e.practice.id, "title": e.practice.title, "status": e.practice.status.as_str(),
                            "reason": if similar { "titre proche" } else { "même outil" } })
                })
            })
            .collect()
    };
    Ok(Json(json!({ "duplicates": list })).into_response())
}
