//! Reminders of the procedure: before the next step of a dossier is due, its referent (the DANE lead
//! while none is assigned) is reminded; once it is late, the DANE lead is told. Each reminder is sent
//! once per step and due date, whatever the number of instances: the claim row and the mail commit in
//! one transaction, and a second claim of the same reminder writes nothing.

use chrono::NaiveDate;
use repere_core::intentions::{Procedure, Status};
use repere_core::users::{AccountStatus, Role};
use repere_store::intentions::{self as store, Dossier, Step};
use repere_store::outbox;

use super::{current_procedure, dossier_number};
use crate::error::ApiError;
use crate::mail::compose::{Compose, Para};
use crate::state::AppState;

/// Looks at the due steps every `reminders_every` until `stopped`.
pub async fn reminder_loop(app: AppState, mut stopped: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(app.intentions.reminders_every) => {}
            _ = stopped.changed() => break,
        }
        if let Err(e) = run_once(&app).await {
            tracing::warn!(error = %e, "intention reminders not written yet; tried again later");
        }
    }
}

/// What is due for one dossier on `today`: (reminder kind, step).
pub fn due_reminders<'a>(
    d: &'a Dossier,
    p: &Procedure,
    today: NaiveDate,
) -> Option<(&'static str, &'a Step, NaiveDate)> {
    if d.status == Status::Closed {
        return None;
    }
    let step = d.next_step()?;
    let due = step.due_on?;
    if today > due {
        Some(("late", step, due))
    } else if p.calendar().working_days_between(today, due) <= i64::from(p.remind_before_days) {
        Some(("soon", step, due))
    } else {
        None
    }
}

/// The DANE lead's address, when the admins configured one (otherwise every active admin is told).
fn lead(p: &Procedure) -> Option<String> {
    p.lead_email
        .as_ref()
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
}

/// Who hears for the DANE: the configured lead, else every active admin.
pub async fn lead_addresses(app: &AppState, p: &Procedure) -> Result<Vec<String>, ApiError> {
    if let Some(l) = lead(p) {
        return Ok(vec![l]);
    }
    Ok(repere_store::accounts::list(&app.store)
        .await?
        .into_iter()
        .filter(|l| l.user.status == AccountStatus::Active && l.user.role == Role::Admin)
        .map(|l| l.user.email.as_str().to_string())
        .collect())
}

/// Writes every reminder due now; returns how many mails were written.
pub async fn run_once(app: &AppState) -> Result<usize, ApiError> {
    let p = current_procedure(app).await?;
    let today = app.intentions.clock.today();
    let now = app.intentions.clock.now();
    let lead = lead_addresses(app, &p).await?;
    let mut written = 0;
    for d in store::all(&app.store).await? {
        let Some((kind, step, due)) = due_reminders(&d, &p, today) else {
            continue;
        };
        let mut unit = app.store.begin().await?;
        if !store::claim_reminder(unit.conn(), step.id, kind, due, now).await? {
            continue;
        }
        let referent = match d.referent_id {
            Some(r) => repere_store::accounts::by_id_in(unit.conn(), r)
                .await?
                .filter(|u| u.status == AccountStatus::Active)
                .map(|u| u.email.as_str().to_string()),
            None => None,
        };
        let mut to = lead.clone();
        if kind == "soon"
            && let Some(r) = referent
        {
            to = vec![r];
        }
        let (subject, what) = if kind == "late" {
            (
                format!("En retard : {} — {}", dossier_number(&d), step.kind.label()),
                format!(
                    "L'étape « {} » du dossier {} « {} » devait être faite le {} et ne l'est pas.",
                    step.kind.label(),
                    dossier_number(&d),
                    d.title,
                    due.format("%d/%m/%Y")
                ),
            )
        } else {
            (
                format!(
                    "À faire au plus tard le {} : {} — {}",
                    due.format("%d/%m/%Y"),
                    dossier_number(&d),
                    step.kind.label()
                ),
                format!(
                    "L'étape « {} » du dossier {} « {} » est attendue au plus tard le {}.",
                    step.kind.label(),
                    dossier_number(&d),
                    d.title,
                    due.format("%d/%m/%Y")
                ),
            )
        };
        for address in &to {
            let mail = Compose {
                to: address,
                kind: if kind == "late" {
                    "intention_late"
                } else {
                    "intention_reminder"
                },
                subject: subject.clone(),
                paras: vec![Para::Text(what.clone())],
                action: (
                    "Ouvrir le dossier",
                    app.mail.link(&format!("/intention.html?id={}", d.id)),
                ),
                unsubscribe: None,
            }
            .build();
            outbox::enqueue(unit.conn(), &mail, now).await?;
            written += 1;
        }
        app.commit(unit).await?;
    }
    Ok(written)
}
