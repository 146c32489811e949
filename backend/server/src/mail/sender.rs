//! The sender task: claims the mails that are due (a lease, so that a sender that dies leaves them to
//! another after it), delivers each over SMTP, notes the delivery or the failure and when to try again;
//! sends the daily digests.

use chrono::Utc;
use lettre::AsyncTransport;
use repere_store::outbox;

use super::{Mailer, digest};
use crate::state::AppState;

/// How long a claimed mail stays the claimer's (then another sender may take it).
const LEASE_S: i64 = 120;
/// Mails claimed at once.
const BATCH: i64 = 20;

/// Delivers what is due; returns how many mails were claimed.
async fn deliver_due(mailer: &Mailer, app: &AppState) -> usize {
    let Some(transport) = &mailer.transport else {
        return 0;
    };
    let claimed = match outbox::claim(&app.store, Utc::now(), chrono::Duration::seconds(LEASE_S), BATCH).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "outbox not readable; trying again shortly");
            return 0;
        }
    };
    let n = claimed.len();
    for queued in claimed {
        let outcome = match mailer.message(&queued) {
            Ok(message) => transport.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        let written = match outcome {
            Ok(()) => {
                tracing::info!(mail = queued.id, kind = %queued.mail.kind, "e-mail delivered");
                app.metrics.mail(true);
                outbox::delivered(&app.store, queued.id, Utc::now()).await
            }
            Err(error) => {
                let retry = Utc::now() + mailer.backoff(queued.attempts);
                tracing::warn!(mail = queued.id, attempts = queued.attempts + 1, %error, %retry, "e-mail not delivered; will try again");
                app.metrics.mail(false);
                outbox::failed(&app.store, queued.id, &error, retry).await
            }
        };
        if let Err(e) = written {
            // The lease runs out and the mail is tried again: at worst it is delivered twice.
            tracing::error!(mail = queued.id, error = %e, "delivery state not written");
        }
    }
    n
}

/// The sender task: delivers what is due, then sleeps until woken, until the next retry is due or for
/// the polling interval; sends the daily digests. Ends when `stopped` turns true.
pub async fn send_loop(app: AppState, mut stopped: tokio::sync::watch::Receiver<bool>) {
    let mailer = app.mail.clone();
    if !mailer.sends() {
        tracing::info!("no SMTP server configured (REPERE_SMTP_URL): e-mails wait in the outbox, listed for admins");
    }
    let mut last_digest: Option<std::time::Instant> = None;
    loop {
        if last_digest.is_none_or(|t| t.elapsed() >= digest::CHECK_EVERY) {
            last_digest = Some(std::time::Instant::now());
            digest::send_due(&app).await;
        }
        let claimed = deliver_due(&mailer, &app).await;
        if claimed as i64 == BATCH {
            continue;
        }
        tokio::select! {
            _ = mailer.wake.notified() => {}
            _ = tokio::time::sleep(mailer.config.poll) => {}
            _ = stopped.changed() => break,
        }
    }
}
