//! E-mail: every message is written to the outbox in the transaction of its cause (see
//! `repere_store::outbox`); the sender task here claims what is due and delivers it over SMTP with
//! `lettre`, trying again with a doubling delay after a failure. It is woken at once after a local
//! commit and looks at the outbox every few seconds for what other instances wrote. Without an SMTP
//! server, nothing is sent: the mails wait in the outbox, which admins read (`/api/outbox`).

pub mod compose;
pub mod digest;
pub mod notify;
pub mod routes;

use std::sync::Arc;

use chrono::Utc;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use repere_store::outbox::{self, Queued};
use tokio::sync::Notify;

use crate::config::MailConfig;
use crate::state::AppState;

/// How long a claimed mail stays the claimer's (then another sender may take it).
const LEASE_S: i64 = 120;
/// Mails claimed at once.
const BATCH: i64 = 20;

/// The sender: its configuration, its SMTP transport (if any) and what wakes it.
pub struct Mailer {
    pub config: MailConfig,
    /// Public address of Repère, for links.
    pub public_url: Arc<str>,
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Option<Mailbox>,
    wake: Notify,
}

impl Mailer {
    /// A mailer for `config`; a malformed SMTP URL or sender is an error at start-up.
    pub fn new(config: MailConfig, public_url: &str) -> anyhow::Result<Self> {
        let transport = match &config.smtp_url {
            None => None,
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("REPERE_SMTP_URL invalide : {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            ),
        };
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|e| anyhow::anyhow!("REPERE_SMTP_FROM invalide ({}) : {e}", config.from))?;
        Ok(Self {
            config,
            public_url: public_url.trim_end_matches('/').into(),
            transport,
            from: Some(from),
            wake: Notify::new(),
        })
    }

    /// Whether an SMTP server is configured.
    pub fn sends(&self) -> bool {
        self.transport.is_some()
    }

    /// Tells the sender that mails were committed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// An absolute link to `path` (which starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    fn message(&self, queued: &Queued) -> Result<Message, String> {
        let from = self.from.clone().ok_or("no sender")?;
        let to: Mailbox = queued
            .mail
            .to
            .parse()
            .map_err(|e| format!("adresse du destinataire invalide : {e}"))?;
        let mut message = Message::builder()
            .from(from)
            .to(to)
            .subject(queued.mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                queued.mail.text.clone(),
                queued.mail.html.clone(),
            ))
            .map_err(|e| e.to_string())?;
        let headers = message.headers_mut();
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("X-Repere-Mail-Id"),
            queued.id.to_string(),
        ));
        if let Some(url) = &queued.mail.unsubscribe_url {
            // RFC 8058: a POST to this address with `List-Unsubscribe=One-Click` unsubscribes.
            headers.insert_raw(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{url}>"),
            ));
            headers.insert_raw(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
        }
        Ok(message)
    }

    /// The delay before attempt `attempts + 1` of a mail that failed `attempts` times.
    fn backoff(&self, attempts: i64) -> chrono::Duration {
        let base = self.config.retry_base.as_secs_f64();
        let delay = (base * 2f64.powi(attempts.clamp(0, 30) as i32)).min(self.config.retry_max.as_secs_f64());
        chrono::Duration::milliseconds((delay * 1000.0) as i64)
    }

    /// Delivers what is due; returns how many mails were claimed.
    async fn deliver_due(&self, app: &AppState) -> usize {
        let Some(transport) = &self.transport else {
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
            let outcome = match self.message(&queued) {
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
                    let retry = Utc::now() + self.backoff(queued.attempts);
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
}

/// The sender task: delivers what is due, then sleeps until woken, until the next retry is due or for
/// the polling interval; sends the daily digests. Ends when `stopped` turns true.
pub async fn send_loop(app: AppState, mut stopped: tokio::sync::watch::Receiver<bool>) {
    let mailer = app.mail.clone();
    if !mailer.sends() {
        tracing::info!("no SMTP server configured (REPERE_SMTP_URL): e-mails wait in the outbox, listed for admins");
    }
    let mut last_digest = std::time::Instant::now() - digest::CHECK_EVERY;
    loop {
        if last_digest.elapsed() >= digest::CHECK_EVERY {
            last_digest = std::time::Instant::now();
            digest::send_due(&app).await;
        }
        let claimed = mailer.deliver_due(&app).await;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_the_maximum() {
        let config = MailConfig {
            retry_base: std::time::Duration::from_secs(30),
            retry_max: std::time::Duration::from_secs(3600),
            ..MailConfig::default()
        };
        let m = Mailer::new(config, "https://repere.ac-nice.fr/").unwrap();
        assert_eq!(m.backoff(0).num_seconds(), 30);
        assert_eq!(m.backoff(1).num_seconds(), 60);
        assert_eq!(m.backoff(3).num_seconds(), 240);
        assert_eq!(m.backoff(20).num_seconds(), 3600);
        assert_eq!(m.link("/connexion.html"), "https://repere.ac-nice.fr/connexion.html");
    }

    #[test]
    fn a_malformed_smtp_url_or_sender_is_refused_at_start() {
        let bad_url = MailConfig {
            smtp_url: Some("ftp://x".into()),
            ..MailConfig::default()
        };
        assert!(Mailer::new(bad_url, "http://x").is_err());
        let bad_from = MailConfig {
            from: "pas une adresse".into(),
            ..MailConfig::default()
        };
        assert!(Mailer::new(bad_from, "http://x").is_err());
    }
}
