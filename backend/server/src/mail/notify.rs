//! Who is told what, by e-mail, written to the outbox inside the unit of work of the change: the
//! moderators of a new submission (at once or in their daily digest, as they chose), the author of a
//! publication or a rejection (with the reason), of a colleague's message and of a link made to their
//! practice. Each of these carries a one-click unsubscribe; nobody is told of their own action.

use chrono::{DateTime, Utc};
use repere_core::practices::Practice;
use repere_core::users::{Frequency, Topic};
use repere_store::AnyConnection;
use repere_store::accounts;
use repere_store::outbox::{self, Mail};
use repere_store::users::User;

use super::Mailer;
use super::compose::{Compose, Para};
use crate::auth::random_hex;
use crate::error::ApiError;

/// The one-click unsubscribe address of `user` for `topic`, and the preferences page.
pub async fn unsubscribe_links(
    conn: &mut AnyConnection,
    mailer: &Mailer,
    user: i64,
    topic: Topic,
) -> Result<(String, String), ApiError> {
    let key = accounts::mail_key(conn, user, &random_hex(16)).await?;
    Ok((
        mailer.link(&format!("/api/mail/unsubscribe?u={user}&t={}&k={key}", topic.as_str())),
        mailer.link("/preferences.html"),
    ))
}

async fn optional(
    conn: &mut AnyConnection,
    mailer: &Mailer,
    to: &User,
    topic: Topic,
    compose: impl FnOnce((String, String)) -> Mail,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    let links = unsubscribe_links(conn, mailer, to.id, topic).await?;
    outbox::enqueue(conn, &compose(links), at).await?;
    Ok(())
}

/// Account `id`, when it is active and wants to hear of `topic`.
async fn recipient(conn: &mut AnyConnection, id: i64, topic: Topic) -> Result<Option<User>, ApiError> {
    Ok(accounts::by_id_in(conn, id)
        .await?
        .filter(|u| u.status == repere_core::users::AccountStatus::Active && u.preferences.wants(topic)))
}

fn quoted_title(p: &Practice) -> String {
    format!("« {} »", p.title)
}

/// A report was submitted (or an edit of a published one proposed): every active moderator but the
/// author is told, at once or in the digest.
pub async fn submission(
    conn: &mut AnyConnection,
    mailer: &Mailer,
    practice: &Practice,
    revision: bool,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    let moderators = accounts::active_moderators(conn).await?;
    for m in moderators.iter().filter(|m| Some(m.id) != practice.author_id) {
        match m.preferences.submissions {
            Frequency::Never => {}
            Frequency::Daily => outbox::hold_for_digest(conn, m.id, practice.id, at).await?,
            Frequency::Immediate => {
                let what = if revision {
                    "Une modification d'un usage publié attend votre relecture"
                } else {
                    "Un nouvel usage attend votre relecture"
                };
                optional(
                    conn,
                    mailer,
                    m,
                    Topic::Submissions,
                    |links| {
                        Compose {
                            to: m.email.as_str(),
                            kind: "submission",
                            subject: format!("{what} : {}", practice.title),
                            paras: vec![Para::Text(format!("{what} : {}.", quoted_title(practice)))],
                            action: ("Ouvrir la modération", mailer.link("/moderation.html")),
                            unsubscribe: Some(links),
                        }
                        .build()
                    },
                    at,
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// A moderator published or rejected a report (or an edit of it): its author is told, with the reason.
pub async fn decision(
    conn: &mut AnyConnection,
    mailer: &Mailer,
    practice: &Practice,
    published: bool,
    reason: Option<&str>,
    by: i64,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(author) = practice.author_id.filter(|a| *a != by) else {
        return Ok(());
    };
    let Some(author) = recipient(conn, author, Topic::Decisions).await? else {
        return Ok(());
    };
    let (subject, mut paras, action) = if published {
        (
            format!("Votre usage est publié : {}", practice.title),
            vec![Para::Text(format!(
                "La CARDIE a publié votre usage {} : il figure désormais sur la carte de l'académie. Merci pour ce partage !",
                quoted_title(practice)
            ))],
            ("Voir la fiche", mailer.link(&format!("/usage/{}", practice.id))),
        )
    } else {
        (
            format!("Votre remontée n'est pas publiée : {}", practice.title),
            vec![Para::Text(format!(
                "La CARDIE n'a pas publié votre remontée {} en l'état, pour la raison suivante :",
                quoted_title(practice)
            ))],
            ("Modifier ma remontée", mailer.link("/mes-remontees.html")),
        )
    };
    if let Some(r) = reason.filter(|_| !published) {
        paras.push(Para::Quote(r.to_string()));
        paras.push(Para::Text(
            "Vous pouvez la modifier puis la soumettre de nouveau.".into(),
        ));
    }
    optional(
        conn,
        mailer,
        &author,
        Topic::Decisions,
        |links| {
            Compose {
                to: author.email.as_str(),
                kind: "decision",
                subject,
                paras,
                action,
                unsubscribe: Some(links),
            }
            .build()
        },
        at,
    )
    .await
}

/// A colleague (`sender_name`) wrote to `to` about `practice_title`.
pub async fn message(
    conn: &mut AnyConnection,
    mailer: &Mailer,
    to: i64,
    sender_name: &str,
    practice_title: &str,
    body: &str,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(to) = recipient(conn, to, Topic::Messages).await? else {
        return Ok(());
    };
    optional(
        conn,
        mailer,
        &to,
        Topic::Messages,
        |links| {
            Compose {
                to: to.email.as_str(),
                kind: "message",
                subject: format!("{sender_name} vous écrit au sujet de « {practice_title} »"),
                paras: vec![
                    Para::Text(format!(
                        "{sender_name} vous a écrit via Repère au sujet de « {practice_title} » :"
                    )),
                    Para::Quote(body.to_string()),
                    Para::Text("Répondez depuis votre espace : votre adresse n'est pas communiquée.".into()),
                ],
                action: ("Lire et répondre", mailer.link("/mes-remontees.html#messages")),
                unsubscribe: Some(links),
            }
            .build()
        },
        at,
    )
    .await
}

/// Someone linked their project (`from`) to `to`, a practice of another author.
pub async fn link(
    conn: &mut AnyConnection,
    mailer: &Mailer,
    from: &Practice,
    to: &Practice,
    by: i64,
    at: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(author) = to.author_id.filter(|a| *a != by) else {
        return Ok(());
    };
    let Some(author) = recipient(conn, author, Topic::Links).await? else {
        return Ok(());
    };
    optional(
        conn,
        mailer,
        &author,
        Topic::Links,
        |links| {
            Compose {
                to: author.email.as_str(),
                kind: "link",
                subject: format!("Un projet a été relié à votre usage « {} »", to.title),
                paras: vec![Para::Text(format!(
                    "Un collègue a relié son projet {} à votre usage {} : votre réseau s'agrandit.",
                    quoted_title(from),
                    quoted_title(to)
                ))],
                action: ("Voir le projet relié", mailer.link(&format!("/usage/{}", from.id))),
                unsubscribe: Some(links),
            }
            .build()
        },
        at,
    )
    .await
}
