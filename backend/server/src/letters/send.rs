//! Publishing an edition and sending it: in one transaction the edition is marked published (only the
//! first instance to do so goes on), each confirmed subscriber of the discipline (whose levels, when
//! chosen, meet the edition's) gets one delivery row and one mail in the outbox. A loop publishes the
//! scheduled editions whose time has come and reminds the editors of a discipline when an edition is
//! due by its plan.

use chrono::Days;
use repere_core::letters::EditionStatus;
use repere_core::text::fold;
use repere_core::users::{AccountStatus, Role};
use repere_store::letters as store;
use repere_store::outbox::{self, Mail};

use crate::error::ApiError;
use crate::mail::compose::{Compose, Para};
use crate::state::AppState;

/// Publishes edition `id` and writes its mails; `false` when it was published already.
pub async fn publish_and_send(app: &AppState, id: i64) -> Result<bool, ApiError> {
    let now = app.intentions.clock.now();
    let e = store::get(&app.store, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("aucune édition {id}")))?;
    let mut unit = app.store.begin().await?;
    if !store::publish(unit.conn(), id, now).await? {
        return Ok(false);
    }
    let mut published = e.clone();
    published.status = EditionStatus::Published;
    published.published_at = Some(now);
    let levels: Vec<String> = e.levels.iter().map(|l| fold(l)).collect();
    let subscribers: Vec<_> = store::subscriptions(unit.conn())
        .await?
        .into_iter()
        .filter(|s| s.status == "confirmed" && s.discipline_key == e.discipline_key)
        .filter(|s| s.levels.is_empty() || s.levels.iter().any(|l| levels.contains(&fold(l))))
        .collect();
    let base = app.mail.link("");
    let (html, text) = super::reading::mail_bodies(app, &published, base.trim_end_matches('/'))?;
    for s in &subscribers {
        if !store::deliver(unit.conn(), id, s.id, now).await? {
            continue;
        }
        let unsubscribe = app
            .mail
            .link(&format!("/api/letter/unsubscribe?s={}&k={}", s.id, s.mail_key));
        let footer_text = format!("\n\nSe désabonner de la lettre « {} » : {unsubscribe}\n", e.discipline);
        let footer_html = format!(
            r#"<p style="max-width:600px;margin:0 auto;padding:8px 20px 24px;font-size:13px;color:#3a3a3a;font-family:Arial,sans-serif"><a href="{}" style="color:#000091">Se désabonner de la lettre « {} »</a></p></body>"#,
            maud::html! { (unsubscribe) }.into_string(),
            maud::html! { (e.discipline) }.into_string(),
        );
        let mail = Mail {
            to: s.email.clone(),
            subject: format!("La lettre des usages — {} : {}", e.discipline, e.title),
            text: format!("{text}{footer_text}"),
            html: html.replacen("</body>", &footer_html, 1),
            kind: "edition".into(),
            unsubscribe_url: Some(unsubscribe),
        };
        outbox::enqueue(unit.conn(), &mail, now).await?;
    }
    app.commit(unit).await?;
    Ok(true)
}

/// Publishes the due scheduled editions and writes the plans' reminders, every `reminders_every`.
pub async fn letter_loop(app: AppState, mut stopped: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(app.intentions.reminders_every) => {}
            _ = stopped.changed() => break,
        }
        if let Err(e) = run_once(&app).await {
            tracing::warn!(error = %e, "scheduled editions or letter reminders not done yet; tried again later");
        }
    }
}

/// One round: scheduled editions, then reminders.
pub async fn run_once(app: &AppState) -> Result<(), ApiError> {
    for id in store::due(&app.store, app.intentions.clock.now()).await? {
        publish_and_send(app, id).await?;
    }
    remind(app).await
}

/// Days before an edition is due by its plan that its editors are reminded.
pub const REMIND_BEFORE_DAYS: u64 = 7;

/// Reminds the editors (inspecteurs and referents bound to the discipline) of each plan whose next
/// edition is due within [`REMIND_BEFORE_DAYS`], once per due date.
async fn remind(app: &AppState) -> Result<(), ApiError> {
    let today = app.intentions.clock.today();
    let editions = store::all(&app.store).await?;
    let accounts = repere_store::accounts::list(&app.store).await?;
    for plan in store::plans(&app.store).await? {
        let last = editions
            .iter()
            .filter(|e| e.discipline_key == plan.discipline_key)
            .filter_map(|e| e.published_at)
            .max()
            .map(|t| t.date_naive());
        let due = plan.rhythm.next_due(last, today);
        if today + Days::new(REMIND_BEFORE_DAYS) < due {
            continue;
        }
        let mut to = Vec::new();
        for a in accounts.iter().filter(|a| {
            a.user.status == AccountStatus::Active && matches!(a.user.role, Role::Inspecteur | Role::Referent)
        }) {
            let scopes = repere_store::intentions::scopes_of(&app.store, a.user.id).await?;
            if scopes
                .iter()
                .any(|(k, v)| k == "discipline" && fold(v) == plan.discipline_key)
            {
                to.push(a.user.email.as_str().to_string());
            }
        }
        if to.is_empty() {
            continue;
        }
        let mut unit = app.store.begin().await?;
        if !store::claim_reminder(
            unit.conn(),
            &plan.discipline_key,
            &due.to_string(),
            app.intentions.clock.now(),
        )
        .await?
        {
            continue;
        }
        for address in &to {
            let mail = Compose {
                to: address,
                kind: "edition_due",
                subject: format!(
                    "Lettre des usages — {} : une édition est attendue le {}",
                    plan.discipline,
                    due.format("%d/%m/%Y")
                ),
                paras: vec![Para::Text(format!(
                    "Selon le rythme choisi ({}), la prochaine édition de la lettre « {} » est attendue le {}.",
                    plan.rhythm.label().to_lowercase(),
                    plan.discipline,
                    due.format("%d/%m/%Y")
                ))],
                action: ("Écrire l'édition", app.mail.link("/lettre-redaction.html")),
                unsubscribe: None,
            }
            .build();
            outbox::enqueue(unit.conn(), &mail, app.intentions.clock.now()).await?;
        }
        app.commit(unit).await?;
    }
    Ok(())
}
