//! E-mail: every message is written to the outbox in the transaction of its cause (see
//! `repere_store::outbox`); the sender task here claims what is due and delivers it over SMTP with
//! `lettre`, trying again with a doubling delay after a failure. It is woken at once after a local
//! commit and looks at the outbox every few seconds for what other instances wrote. Without an SMTP
//! server, nothing is sent: the mails wait in the outbox, which admins read (`/api/outbox`). The
//! [`Mailer`] (held in the state) builds messages; the task that delivers them is in [`sender`].

pub mod compose;
pub mod digest;
pub mod notify;
pub mod routes;
pub mod sender;

use std::sync::Arc;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, Message, Tokio1Executor};
use repere_store::outbox::Queued;
use tokio::sync::Notify;

use crate::config::MailConfig;

/// The sender: its configuration, its SMTP transport (if any) and what wakes it.
pub struct Mailer {
    pub config: MailConfig,
    /// Public address of Repère, for links.
    pub public_url: Arc<str>,
    pub(crate) transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Option<Mailbox>,
    pub(crate) wake: Notify,
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

    pub(crate) fn message(&self, queued: &Queued) -> Result<Message, String> {
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
    pub(crate) fn backoff(&self, attempts: i64) -> chrono::Duration {
        let base = self.config.retry_base.as_secs_f64();
        let delay = (base * 2f64.powi(attempts.clamp(0, 30) as i32)).min(self.config.retry_max.as_secs_f64());
        chrono::Duration::milliseconds((delay * 1000.0) as i64)
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
