//! Messages between colleagues about a practice ("contacter l'auteur" and the replies that follow);
//! only display names are shown, never addresses.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, parse_ts, ts};

/// A message about a practice.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: i64,
    pub practice_id: i64,
    /// Account that wrote it; its address is never shown to the recipient.
    pub sender_id: i64,
    pub sender_name: String,
    /// Who it is for; `None` for a first message, which goes to the practice's author.
    pub recipient_id: Option<i64>,
    /// The message it answers.
    pub reply_to: Option<i64>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

fn from_row(r: &AnyRow) -> Result<Message, StoreError> {
    let id: i64 = r.try_get("id")?;
    Ok(Message {
        id,
        practice_id: r.try_get("practice_id")?,
        sender_id: r.try_get("sender_id")?,
        sender_name: r.try_get("sender_name")?,
        recipient_id: r.try_get("recipient_id")?,
        reply_to: r.try_get("reply_to")?,
        body: r.try_get("body")?,
        created_at: parse_ts("messages", &id.to_string(), &r.try_get::<String, _>("created_at")?)?,
    })
}

/// A message to be stored.
pub struct NewMessage<'a> {
    pub practice_id: i64,
    pub sender_id: i64,
    pub sender_name: &'a str,
    pub recipient_id: Option<i64>,
    pub reply_to: Option<i64>,
    pub body: &'a str,
}

/// Stores a message and returns its id.
pub async fn send(conn: &mut crate::AnyConnection, m: &NewMessage<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO messages (practice_id, sender_id, sender_name, recipient_id, reply_to, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(m.practice_id)
    .bind(m.sender_id)
    .bind(m.sender_name)
    .bind(m.recipient_id)
    .bind(m.reply_to)
    .bind(m.body)
    .bind(ts(Utc::now()))
    .persistent(false)
    .fetch_one(conn)
    .await?)
}

/// How many messages `sender` wrote since `since` (the rate limit of "contacter l'auteur").
pub async fn sent_since(store: &Store, sender: i64, since: chrono::DateTime<Utc>) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE sender_id = $1 AND created_at >= $2")
            .bind(sender)
            .bind(ts(since))
            .fetch_one(store.pool())
            .await?,
    )
}

/// The account message `id` is addressed to (the practice's author for a first message), read inside
/// the caller's transaction.
pub async fn get_in(conn: &mut crate::AnyConnection, id: i64) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(m.recipient_id, p.author_id) FROM messages m JOIN practices p ON p.id = m.practice_id WHERE m.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .flatten())
}

/// One message and the account it was addressed to (the practice's author for a first message).
pub async fn get(store: &Store, id: i64) -> Result<Option<(Message, Option<i64>)>, StoreError> {
    let row = sqlx::query(
        "SELECT m.*, COALESCE(m.recipient_id, p.author_id) AS addressee
         FROM messages m JOIN practices p ON p.id = m.practice_id WHERE m.id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.map(|r| Ok((from_row(&r)?, r.try_get("addressee")?))).transpose()
}

/// A received message, whether its recipient answered it, and the text it answers (theirs).
pub struct Received {
    pub message: Message,
    pub answered: bool,
    pub in_reply_to: Option<String>,
}

/// The messages `user_id` received (first messages about their practices and replies to them), newest
/// first.
pub async fn inbox(store: &Store, user_id: i64) -> Result<Vec<Received>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.*, EXISTS (SELECT 1 FROM messages r WHERE r.reply_to = m.id AND r.sender_id = $1) AS answered,
                (SELECT o.body FROM messages o WHERE o.id = m.reply_to) AS in_reply_to
         FROM messages m JOIN practices p ON p.id = m.practice_id
         WHERE m.recipient_id = $1 OR (m.recipient_id IS NULL AND p.author_id = $1)
         ORDER BY m.id DESC",
    )
    .bind(user_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            // SQLite answers EXISTS as an integer, PostgreSQL as a boolean.
            let answered = r
                .try_get::<bool, _>("answered")
                .or_else(|_| r.try_get::<i64, _>("answered").map(|n| n != 0))?;
            Ok(Received {
                message: from_row(r)?,
                answered,
                in_reply_to: r.try_get("in_reply_to")?,
            })
        })
        .collect()
}
