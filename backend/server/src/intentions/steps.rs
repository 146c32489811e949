//! Working a dossier: completing its next step with a written answer (the filer is told), re-planning
//! a step with a reason, assigning a referent (one dossier or many), writing on the timeline, linking
//! the practices reported after a realised intention. Each change and its timeline event commit
//! together; a refused attempt changes nothing.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use repere_core::Invalid;
use repere_core::intentions::access::{Action, may_be_assigned};
use repere_core::intentions::{ANSWER_MAX, Outcome, Status, StepKind, text};
use repere_core::users::AccountStatus;
use repere_store::AnyConnection;
use repere_store::intentions::{self as store, Dossier};
use repere_store::outbox;
use serde::Deserialize;
use serde_json::{Value, json};

use super::filing::date_field;
use super::{dossier_for, dossier_number, names, require};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::mail::compose::{Compose, Para};
use crate::request::json_body;
use crate::routes::Routes;
use crate::state::AppState;

fn field(f: &'static str, m: impl Into<String>) -> ApiError {
    ApiError::field(Invalid::new(f, m))
}

fn open(d: &Dossier) -> Result<(), ApiError> {
    if d.status == Status::Closed {
        Err(ApiError::Conflict(format!("le dossier {} est clos", dossier_number(d))))
    } else {
        Ok(())
    }
}

/// The dossier after a change, as its page shows it.
async fn answer(app: &AppState, user: &CurrentUser, id: i64) -> Result<Response, ApiError> {
    let d = store::by_id(&app.store, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("aucun dossier {id}")))?;
    let events = store::timeline(&app.store, id).await?;
    let names = names(app).await?;
    Ok(Json(super::detail_json(
        app,
        user,
        &d,
        &events,
        &names,
        app.intentions.clock.today(),
    ))
    .into_response())
}

/// Writes a mail about dossier `d` to account `to` (when active), with a link to the dossier.
pub async fn tell(
    conn: &mut AnyConnection,
    app: &AppState,
    to: i64,
    d: &Dossier,
    kind: &str,
    subject: String,
    paras: Vec<Para>,
) -> Result<(), ApiError> {
    let Some(u) = repere_store::accounts::by_id_in(conn, to).await? else {
        return Ok(());
    };
    if u.status != AccountStatus::Active {
        return Ok(());
    }
    let mail = Compose {
        to: u.email.as_str(),
        kind,
        subject,
        paras,
        action: (
            "Ouvrir le dossier",
            app.mail.link(&format!("/intention.html?id={}", d.id)),
        ),
        unsubscribe: None,
    }
    .build();
    outbox::enqueue(conn, &mail, app.intentions.clock.now()).await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteInput {
    answer: String,
    #[serde(default)]
    outcome: Option<String>,
}

/// POST /api/intentions/{id}/steps/{step} {answer, outcome?} — completes the next step; the closure
/// step needs an outcome. The filer is told.
pub async fn complete(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((id, step)): Path<(i64, String)>,
    body: Result<Json<CompleteInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let kind = StepKind::parse("step", &step)?;
    let d = dossier_for(&app, &user, id, Action::Complete).await?;
    let input = json_body(body)?;
    open(&d)?;
    let next = d
        .next_step()
        .ok_or_else(|| ApiError::Conflict("toutes les étapes sont faites".into()))?;
    if next.kind != kind {
        return Err(field(
            "step",
            format!("étapes dans l'ordre : l'étape en cours est « {} »", next.kind.label()),
        ));
    }
    let text_answer = text("answer", &input.answer, ANSWER_MAX).map_err(ApiError::field)?;
    let outcome = match (kind, input.outcome.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
        (StepKind::Closure, None) => {
            return Err(field(
                "outcome",
                "choisissez l'issue : réalisée, abandonnée ou réorientée",
            ));
        }
        (StepKind::Closure, Some(o)) => Some(Outcome::parse("outcome", o).map_err(ApiError::field)?),
        (_, Some(_)) => return Err(field("outcome", "l'issue se donne à la clôture")),
        (_, None) => None,
    };
    if kind == StepKind::Analysis && d.referent_id.is_none() {
        return Err(ApiError::Conflict("assignez d'abord un référent pour l'analyse".into()));
    }
    let now = app.intentions.clock.now();
    let mut unit = app.store.begin().await?;
    if !store::complete_step(unit.conn(), next.id, user.0.id, &text_answer, now).await? {
        return Err(ApiError::Conflict(
            "cette étape vient d'être faite par quelqu'un d'autre".into(),
        ));
    }
    store::set_status(unit.conn(), id, kind.status_after(), outcome).await?;
    let on_time = next.due_on.is_none_or(|due| now.date_naive() <= due);
    store::event(
        unit.conn(),
        id,
        now,
        Some(user.0.id),
        "step_completed",
        &text_answer,
        &json!({ "step": kind.as_str(), "due_on": next.due_on.map(|x| x.to_string()), "on_time": on_time, "outcome": outcome.map(|o| o.as_str()) }),
    )
    .await?;
    if d.filer_id != user.0.id {
        let mut paras = vec![Para::Text(format!(
            "Votre intention « {} » (dossier {}) avance : étape « {} ».",
            d.title,
            dossier_number(&d),
            kind.label()
        ))];
        if let Some(o) = outcome {
            paras.push(Para::Text(format!(
                "Le dossier est clos (intention {}).",
                o.label().to_lowercase()
            )));
        }
        paras.push(Para::Quote(text_answer.clone()));
        let subject = format!("{} — {} : {}", dossier_number(&d), kind.label(), d.title);
        tell(unit.conn(), &app, d.filer_id, &d, "intention_step", subject, paras).await?;
    }
    app.commit(unit).await?;
    answer(&app, &user, id).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplanInput {
    due_on: String,
    reason: String,
}

/// POST /api/intentions/{id}/steps/{step}/replan {due_on, reason} — moves an open step's due date;
/// the reason stays on the timeline.
pub async fn replan(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((id, step)): Path<(i64, String)>,
    body: Result<Json<ReplanInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let kind = StepKind::parse("step", &step)?;
    let d = dossier_for(&app, &user, id, Action::Replan).await?;
    let input = json_body(body)?;
    open(&d)?;
    let s = d
        .steps
        .iter()
        .find(|s| s.kind == kind)
        .ok_or_else(|| ApiError::NotFound(format!("aucune étape {step}")))?;
    if s.completed_at.is_some() {
        return Err(field("step", format!("l'étape « {} » est déjà faite", kind.label())));
    }
    let due = date_field("due_on", &input.due_on)?;
    let today = app.intentions.clock.today();
    if due < today {
        return Err(field("due_on", "la nouvelle échéance est passée"));
    }
    if !super::current_procedure(&app).await?.calendar().is_working(due) {
        return Err(field(
            "due_on",
            format!(
                "le {} n'est pas un jour ouvré (week-end, jour férié ou vacances)",
                due.format("%d/%m/%Y")
            ),
        ));
    }
    let reason = text("reason", &input.reason, 1000).map_err(ApiError::field)?;
    let now = app.intentions.clock.now();
    let mut unit = app.store.begin().await?;
    store::replan(unit.conn(), s.id, due).await?;
    store::event(
        unit.conn(),
        id,
        now,
        Some(user.0.id),
        "replanned",
        &reason,
        &json!({ "step": kind.as_str(), "from": s.due_on.map(|x| x.to_string()), "to": due.to_string() }),
    )
    .await?;
    app.commit(unit).await?;
    answer(&app, &user, id).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    referent_id: i64,
    #[serde(default)]
    ids: Vec<i64>,
}

/// Checks that `referent` may be given dossiers; returns their display name.
/// Read before the unit of work begins: on SQLite a transaction that reads first and writes later may
/// be refused when another instance wrote in between.
async fn assignee(app: &AppState, referent: i64) -> Result<String, ApiError> {
    let u = repere_store::users::by_id(&app.store, referent)
        .await?
        .filter(|u| u.status == AccountStatus::Active && may_be_assigned(u.role))
        .ok_or_else(|| {
            field(
                "referent_id",
                format!("le compte {referent} n'est pas un référent actif"),
            )
        })?;
    Ok(u.shown_name().to_string())
}

async fn assign_one(
    unit: &mut repere_store::unit::Unit,
    app: &AppState,
    user: &CurrentUser,
    d: &Dossier,
    referent: i64,
    name: &str,
) -> Result<(), ApiError> {
    let now = app.intentions.clock.now();
    store::assign(unit.conn(), d.id, referent).await?;
    store::event(
        unit.conn(),
        d.id,
        now,
        Some(user.0.id),
        "assigned",
        name,
        &json!({ "referent_id": referent }),
    )
    .await?;
    if referent != user.0.id {
        let subject = format!("{} vous est confié : {}", dossier_number(d), d.title);
        let paras = vec![Para::Text(format!(
            "La DANE vous confie le dossier {} « {} » ({}).",
            dossier_number(d),
            d.title,
            d.kind.label().to_lowercase()
        ))];
        tell(unit.conn(), app, referent, d, "intention_assigned", subject, paras).await?;
    }
    Ok(())
}

/// POST /api/intentions/{id}/assign {referent_id} — the DANE assigns a referent.
pub async fn assign(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Result<Json<AssignInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let d = dossier_for(&app, &user, id, Action::Assign).await?;
    let input = json_body(body)?;
    if !input.ids.is_empty() {
        return Err(field("ids", "la liste de dossiers se donne à /api/intentions/assign"));
    }
    open(&d)?;
    let name = assignee(&app, input.referent_id).await?;
    let mut unit = app.store.begin().await?;
    assign_one(&mut unit, &app, &user, &d, input.referent_id, &name).await?;
    app.commit(unit).await?;
    answer(&app, &user, id).await
}

/// POST /api/intentions/assign {ids, referent_id} — assigns several dossiers at once: all or none.
pub async fn assign_many(
    State(app): State<AppState>,
    user: CurrentUser,
    body: Result<Json<AssignInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    require(&user, Action::Assign)?;
    let input = json_body(body)?;
    if input.ids.is_empty() || input.ids.len() > 500 {
        return Err(field("ids", "de 1 à 500 dossiers"));
    }
    let mut dossiers = Vec::new();
    for id in &input.ids {
        let d = dossier_for(&app, &user, *id, Action::Assign)
            .await
            .map_err(|e| match e {
                ApiError::NotFound(m) => field("ids", m),
                e => e,
            })?;
        if d.status == Status::Closed {
            return Err(field("ids", format!("le dossier {} est clos", dossier_number(&d))));
        }
        dossiers.push(d);
    }
    let name = assignee(&app, input.referent_id).await?;
    let mut unit = app.store.begin().await?;
    for d in &dossiers {
        assign_one(&mut unit, &app, &user, d, input.referent_id, &name).await?;
    }
    app.commit(unit).await?;
    Ok(
        Json(json!({ "assigned": dossiers.len(), "referent": { "id": input.referent_id, "name": name } }))
            .into_response(),
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    text: String,
}

/// POST /api/intentions/{id}/messages {text} — a message on the timeline; the filer is told of the
/// DANE's, the referent of the filer's.
pub async fn message(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Result<Json<MessageInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let d = dossier_for(&app, &user, id, Action::Comment).await?;
    let input = json_body(body)?;
    let t = text("text", &input.text, ANSWER_MAX).map_err(ApiError::field)?;
    let now = app.intentions.clock.now();
    let mut unit = app.store.begin().await?;
    store::event(unit.conn(), id, now, Some(user.0.id), "message", &t, &Value::Null).await?;
    let to = if user.0.id == d.filer_id {
        d.referent_id
    } else {
        Some(d.filer_id)
    };
    if let Some(to) = to.filter(|t| *t != user.0.id) {
        let subject = format!("{} — nouveau message : {}", dossier_number(&d), d.title);
        let paras = vec![
            Para::Text(format!(
                "Un message a été écrit sur le dossier {} « {} » :",
                dossier_number(&d),
                d.title
            )),
            Para::Quote(t.clone()),
        ];
        tell(unit.conn(), &app, to, &d, "intention_message", subject, paras).await?;
    }
    app.commit(unit).await?;
    answer(&app, &user, id).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PracticesInput {
    practice_ids: Vec<i64>,
}

/// PUT /api/intentions/{id}/practices {practice_ids} — the practices reported after a realised
/// intention (nothing of the dossier shows on their public fiche).
pub async fn practices(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Result<Json<PracticesInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    let d = dossier_for(&app, &user, id, Action::LinkPractices).await?;
    let input = json_body(body)?;
    if d.outcome != Some(Outcome::Realised) {
        return Err(ApiError::Conflict(
            "seule une intention close comme réalisée se lie à des usages".into(),
        ));
    }
    let mut ids = input.practice_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > 50 {
        return Err(field("practice_ids", "50 usages au plus"));
    }
    {
        let c = app.read_catalog()?;
        if let Some(missing) = ids.iter().find(|p| !c.practices.contains_key(p)) {
            return Err(field("practice_ids", format!("aucun usage {missing}")));
        }
    }
    let now = app.intentions.clock.now();
    let mut unit = app.store.begin().await?;
    store::set_practices(unit.conn(), id, &ids).await?;
    store::event(
        unit.conn(),
        id,
        now,
        Some(user.0.id),
        "practices_linked",
        "",
        &json!({ "practice_ids": ids }),
    )
    .await?;
    app.commit(unit).await?;
    answer(&app, &user, id).await
}

pub fn routes() -> Routes {
    Routes::new()
        .post("/intentions/assign", assign_many)
        .post("/intentions/{id}/assign", assign)
        .post("/intentions/{id}/messages", message)
        .put("/intentions/{id}/practices", practices)
        .post("/intentions/{id}/steps/{step}", complete)
        .post("/intentions/{id}/steps/{step}/replan", replan)
}
