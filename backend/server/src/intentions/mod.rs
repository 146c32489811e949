//! Suivi des intentions (roadmap action 3-4): chefs d'établissement, inspecteurs and referents signal
//! their intentions to the DANE; each becomes a dossier with planned steps and due dates in working
//! days; the DANE answers from its desk; reminders leave through the outbox. Who may do what is the
//! table in `repere_core::intentions::access`. Nothing here is public.

pub mod filing;
pub mod indicators;
pub mod procedure;
pub mod reminders;
pub mod steps;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use repere_core::intentions::access::{Action, Relation, may};
use repere_core::intentions::{Procedure, number};
use repere_store::intentions::{self as store, Dossier, Event};
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::routes::Routes;
use crate::state::AppState;

/// How `user` stands to `d`.
pub fn relations(user: &CurrentUser, d: &Dossier) -> Vec<Relation> {
    let mut r = Vec::new();
    if d.filer_id == user.0.id {
        r.push(Relation::Filer);
    }
    if d.referent_id == Some(user.0.id) {
        r.push(Relation::Referent);
    }
    r
}

/// Whether `user` may do `action` on `d`.
pub fn allowed(user: &CurrentUser, d: &Dossier, action: Action) -> bool {
    may(user.0.role, &relations(user, d), action)
}

/// 403 unless `user` may do `action` without any dossier (file, the desk, configure).
pub fn require(user: &CurrentUser, action: Action) -> Result<(), ApiError> {
    if may(user.0.role, &[], action) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(match action {
            Action::File => {
                "le dépôt d'intentions est réservé à l'encadrement, aux inspecteurs et aux référents".into()
            }
            Action::Configure => "réservé aux administrateurs".into(),
            _ => "réservé à la DANE (modérateurs et administrateurs)".into(),
        }))
    }
}

/// Dossier `id` for `action` by `user`: 404 when it does not exist, 403 (audited) when it is not theirs.
pub async fn dossier_for(app: &AppState, user: &CurrentUser, id: i64, action: Action) -> Result<Dossier, ApiError> {
    let d = store::by_id(&app.store, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("aucun dossier {id}")))?;
    if allowed(user, &d, action) {
        return Ok(d);
    }
    store::record_refusal(
        &app.store,
        id,
        user.0.id,
        &format!("{action:?}"),
        app.intentions.clock.now(),
    )
    .await?;
    Err(ApiError::Forbidden(if allowed(user, &d, Action::Read) {
        "votre rôle ne permet pas cette action sur ce dossier".into()
    } else {
        "ce dossier ne vous concerne pas".into()
    }))
}

/// The procedure in force (the default until an admin configures one).
pub async fn current_procedure(app: &AppState) -> Result<Procedure, ApiError> {
    match repere_store::meta::get(&app.store, store::PROCEDURE_KEY).await? {
        None => Ok(Procedure::default()),
        Some(s) => serde_json::from_str(&s).map_err(|e| ApiError::Internal(format!("stored procedure: {e}"))),
    }
}

/// Display names of every account (display name, or the address), for timelines and lists.
pub async fn names(app: &AppState) -> Result<HashMap<i64, String>, ApiError> {
    Ok(repere_store::accounts::list(&app.store)
        .await?
        .into_iter()
        .map(|l| (l.user.id, l.user.shown_name().to_string()))
        .collect())
}

/// The dossier's number as people quote it.
pub fn dossier_number(d: &Dossier) -> String {
    number(d.created_at.year(), d.id)
}

/// Whether a step due on `due_on` and still open is late on `today`.
pub fn is_late(due_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    due_on.is_some_and(|due| due < today)
}

/// Whether the dossier's next step is late.
pub fn dossier_late(d: &Dossier, today: NaiveDate) -> bool {
    d.next_step().is_some_and(|s| is_late(s.due_on, today))
}

fn person(names: &HashMap<i64, String>, id: Option<i64>) -> Value {
    match id {
        None => Value::Null,
        Some(id) => json!({ "id": id, "name": names.get(&id).cloned().unwrap_or_else(|| format!("compte {id}")) }),
    }
}

/// A dossier as lists show it.
pub fn summary_json(app: &AppState, d: &Dossier, names: &HashMap<i64, String>, today: NaiveDate) -> Value {
    let establishments: Vec<Value> = match app.read_catalog() {
        Ok(c) => d
            .uais
            .iter()
            .map(|u| {
                let e = repere_core::Uai::parse(u)
                    .ok()
                    .and_then(|uai| c.establishments.get(&uai).cloned());
                match e {
                    Some(e) => {
                        json!({ "uai": u, "name": e.establishment.name, "commune": e.establishment.commune_name })
                    }
                    None => json!({ "uai": u, "name": null, "commune": null }),
                }
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let next = d.next_step().map(|s| {
        json!({ "kind": s.kind.as_str(), "label": s.kind.label(), "due_on": s.due_on.map(|x| x.to_string()), "late": is_late(s.due_on, today) })
    });
    json!({
        "id": d.id,
        "number": dossier_number(d),
        "kind": d.kind.as_str(),
        "kind_label": d.kind.label(),
        "title": d.title,
        "status": d.status.as_str(),
        "status_label": d.status.label(),
        "outcome": d.outcome.map(|o| o.as_str()),
        "outcome_label": d.outcome.map(|o| o.label()),
        "departement": d.departement,
        "territory": d.territory.as_ref().map(|(k, v)| json!({ "kind": k.as_str(), "value": v })),
        "establishments": establishments,
        "filer": person(names, Some(d.filer_id)),
        "referent": person(names, d.referent_id),
        "created_at": crate::response::rfc3339(d.created_at),
        "updated_at": crate::response::rfc3339(d.updated_at),
        "next_step": next,
        "late": dossier_late(d, today),
    })
}

/// A dossier with its steps, practices, timeline and what `user` may do with it.
pub fn detail_json(
    app: &AppState,
    user: &CurrentUser,
    d: &Dossier,
    events: &[Event],
    names: &HashMap<i64, String>,
    today: NaiveDate,
) -> Value {
    let mut v = summary_json(app, d, names, today);
    let next = d.next_step().map(|s| s.id);
    let titles: Vec<Value> = match app.read_catalog() {
        Ok(c) => d
            .practices
            .iter()
            .map(|p| json!({ "id": p, "title": c.practices.get(p).map(|e| e.practice.title.to_string()) }))
            .collect(),
        Err(_) => Vec::new(),
    };
    let open = d.status != repere_core::intentions::Status::Closed;
    v["description"] = json!(d.description);
    v["people"] = json!(d.people);
    v["hoped_for"] = json!(d.hoped_for.map(|x| x.to_string()));
    v["version"] = json!(d.version);
    v["steps"] = d
        .steps
        .iter()
        .map(|s| {
            json!({
                "kind": s.kind.as_str(),
                "label": s.kind.label(),
                "position": s.position,
                "due_on": s.due_on.map(|x| x.to_string()),
                "completed_at": s.completed_at.map(crate::response::rfc3339),
                "completed_by": person(names, s.completed_by),
                "answer": s.answer,
                "next": Some(s.id) == next,
                "late": s.completed_at.is_none() && is_late(s.due_on, today),
                "on_time": s.completed_at.map(|c| s.due_on.is_none_or(|due| c.date_naive() <= due)),
            })
        })
        .collect();
    v["practices"] = json!(titles);
    v["timeline"] = events.iter().map(|e| event_json(e, names)).collect();
    v["can"] = json!({
        "complete": open && allowed(user, d, Action::Complete),
        "replan": open && allowed(user, d, Action::Replan),
        "assign": open && allowed(user, d, Action::Assign),
        "comment": allowed(user, d, Action::Comment),
        "link_practices": allowed(user, d, Action::LinkPractices),
    });
    v
}

/// French label of a timeline event.
fn event_label(kind: &str) -> &'static str {
    match kind {
        "filed" => "Intention déposée",
        "step_completed" => "Étape réalisée",
        "replanned" => "Échéance replanifiée",
        "assigned" => "Référent assigné",
        "message" => "Message",
        "practices_linked" => "Usages liés",
        _ => "Modification",
    }
}

fn event_json(e: &Event, names: &HashMap<i64, String>) -> Value {
    json!({
        "at": crate::response::rfc3339(e.at),
        "kind": e.kind,
        "label": event_label(&e.kind),
        "by": person(names, e.user_id),
        "text": e.text,
        "data": e.data,
    })
}

/// Every intentions route.
pub fn routes() -> Routes {
    filing::routes()
        .merge(steps::routes())
        .merge(indicators::routes())
        .merge(procedure::routes())
}
