//! The daily digest of moderators who chose it: the submissions held for them since their last digest,
//! in one mail, at most once every [`EVERY`]. Taking the held items and writing the mail commit
//! together, so that with several instances each item is told once.

use chrono::{Duration, Utc};
use repere_core::users::Topic;
use repere_store::{accounts, outbox};

use super::compose::{Compose, Para};
use super::notify::unsubscribe_links;
use crate::error::ApiError;
use crate::state::AppState;

/// How often a digest may leave.
pub const EVERY: Duration = Duration::hours(24);
/// How often the sender looks for digests due.
pub const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Writes the digests due to the outbox; failures are logged and tried again at the next check.
pub async fn send_due(app: &AppState) {
    let now = Utc::now();
    let due = match outbox::digests_due(&app.store, now, EVERY).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "digests not readable");
            return;
        }
    };
    for user in due {
        if let Err(e) = one(app, user).await {
            tracing::warn!(user, error = %e, "digest not written; tried again later");
        }
    }
}

async fn one(app: &AppState, user: i64) -> Result<(), ApiError> {
    let now = Utc::now();
    let mut unit = app.store.begin().await?;
    let ids = outbox::take_digest(unit.conn(), user, now).await?;
    let Some(to) = accounts::by_id_in(unit.conn(), user).await? else {
        return Ok(());
    };
    if ids.is_empty() || !to.role.moderates() {
        return Ok(());
    }
    let titles: Vec<String> = {
        let c = app.read_catalog()?;
        ids.iter()
            .map(|id| {
                c.practices
                    .get(id)
                    .map_or_else(|| format!("Remontée n° {id}"), |e| e.practice.title.to_string())
            })
            .collect()
    };
    let links = unsubscribe_links(unit.conn(), &app.mail, user, Topic::Submissions).await?;
    let n = titles.len();
    let mail = Compose {
        to: to.email.as_str(),
        kind: "digest",
        subject: if n == 1 {
            "1 remontée attend votre relecture".into()
        } else {
            format!("{n} remontées attendent votre relecture")
        },
        paras: vec![
            Para::Text("Depuis votre dernier récapitulatif, ces remontées ont été soumises :".into()),
            Para::List(titles),
        ],
        action: ("Ouvrir la modération", app.mail.link("/moderation.html")),
        unsubscribe: Some(links),
    }
    .build();
    outbox::enqueue(unit.conn(), &mail, now).await?;
    unit.commit().await?;
    app.mail.wake();
    Ok(())
}
