//! Pending revisions of published practices, and messages to authors.

use chrono::{DateTime, Utc};
use repere_core::practices::Practice;
use sqlx::Row;

use crate::{AnyConnection, Store, StoreError, corrupt, parse_ts, ts};

/// Stores (or replaces) the pending revision of a published practice.
pub async fn propose(conn: &mut AnyConnection, p: &Practice, author: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
    let data = serde_json::to_string(p).map_err(|e| corrupt("practice_revisions", &p.id.to_string(), e))?;
    sqlx::query(
        "INSERT INTO practice_revisions (practice_id, data, author_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (practice_id) DO UPDATE SET data = excluded.data, author_id = excluded.author_id, created_at = excluded.created_at",
    )
    .bind(p.id)
    .bind(data)
    .bind(author)
    .bind(ts(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The pending revision of a practice, and when it was proposed.
pub async fn pending(
    conn: &mut AnyConnection,
    practice_id: i64,
) -> Result<Option<(Practice, DateTime<Utc>)>, StoreError> {
    let row = sqlx::query("SELECT data, created_at FROM practice_revisions WHERE practice_id = $1")
        .bind(practice_id)
        .fetch_optional(conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let key = practice_id.to_string();
    let p: Practice =
        serde_json::from_str(&row.try_get::<String, _>("data")?).map_err(|e| corrupt("practice_revisions", &key, e))?;
    Ok(Some((
        p,
        parse_ts("practice_revisions", &key, &row.try_get::<String, _>("created_at")?)?,
    )))
}

/// Practices that have a pending revision.
pub async fn all_pending(store: &Store) -> Result<Vec<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT practice_id FROM practice_revisions ORDER BY created_at")
            .fetch_all(store.pool())
            .await?,
    )
}

/// Drops the pending revision (applied or rejected).
pub async fn discard(conn: &mut AnyConnection, practice_id: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM practice_revisions WHERE practice_id = $1")
        .bind(practice_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A message left for a practice's author.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: i64,
    pub practice_id: i64,
    /// Account that wrote it; its address is never shown to the author.
    pub sender_id: i64,
    pub sender_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Stores a message for the author of `practice_id`.
pub async fn leave_message(
    store: &Store,
    practice_id: i64,
    sender_id: i64,
    sender_name: &str,
    body: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO messages (practice_id, sender_id, sender_name, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(practice_id)
    .bind(sender_id)
    .bind(sender_name)
    .bind(body)
    .bind(ts(Utc::now()))
    .fetch_one(store.pool())
    .await?)
}

/// Messages about the practices of `author_id`, newest first.
pub async fn messages_for_author(store: &Store, author_id: i64) -> Result<Vec<Message>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.* FROM messages m JOIN practices p ON p.id = m.practice_id WHERE p.author_id = $1 ORDER BY m.id DESC",
    )
    .bind(author_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            Ok(Message {
                id,
                practice_id: r.try_get("practice_id")?,
                sender_id: r.try_get("sender_id")?,
                sender_name: r.try_get("sender_name")?,
                body: r.try_get("body")?,
                created_at: parse_ts("messages", &id.to_string(), &r.try_get::<String, _>("created_at")?)?,
            })
        })
        .collect()
}
