//! The outbox: e-mails written in the same transaction as the change that causes them, then claimed
//! and delivered by a sender task. A claim is a lease: the row is the claimer's until `claimed_until`,
//! so that a sender that dies mid-delivery leaves it to another after the lease. On PostgreSQL the
//! claim skips rows another instance is claiming (`FOR UPDATE SKIP LOCKED`); on SQLite the single
//! writer makes the claiming `UPDATE` atomic.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{AnyConnection, Backend, Store, StoreError, parse_ts, ts};

/// An e-mail to write to the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// What it is (`invitation`, `reset`, `submission`, `decision`…), for the admins' page.
    pub kind: String,
    /// One-click unsubscribe address (RFC 8058), for the mails a person may stop receiving.
    pub unsubscribe_url: Option<String>,
}

/// A mail in the outbox, with its delivery state.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub id: i64,
    pub mail: Mail,
    pub created_at: DateTime<Utc>,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

fn from_row(row: &AnyRow) -> Result<Queued, StoreError> {
    let id: i64 = row.try_get("id")?;
    let opt_ts = |name: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        row.try_get::<Option<String>, _>(name)?
            .map(|t| parse_ts("outbox", &id, &t))
            .transpose()
    };
    Ok(Queued {
        id,
        mail: Mail {
            to: row.try_get("recipient")?,
            subject: row.try_get("subject")?,
            text: row.try_get("body_text")?,
            html: row.try_get("body_html")?,
            kind: row.try_get("kind")?,
            unsubscribe_url: row.try_get("unsubscribe_url")?,
        },
        created_at: parse_ts("outbox", &id, &row.try_get::<String, _>("created_at")?)?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: parse_ts("outbox", &id, &row.try_get::<String, _>("next_attempt_at")?)?,
        sent_at: opt_ts("sent_at")?,
        last_error: row.try_get("last_error")?,
    })
}

/// Writes `mail` to the outbox inside the caller's transaction; it leaves once that commits.
pub async fn enqueue(conn: &mut AnyConnection, mail: &Mail, at: DateTime<Utc>) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO outbox (recipient, subject, body_text, body_html, kind, unsubscribe_url, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(&mail.kind)
    .bind(mail.unsubscribe_url.as_deref())
    .bind(ts(at))
    // A NULL bound through `Any` carries no type; see `NULLABLE_BINDS` in lib.rs.
    .persistent(false)
    .fetch_one(conn)
    .await?)
}

/// Claims up to `limit` mails due at `now` for `lease`: they are this caller's to deliver until then.
pub async fn claim(store: &Store, now: DateTime<Utc>, lease: Duration, limit: i64) -> Result<Vec<Queued>, StoreError> {
    let sql = match store.backend() {
        Backend::Postgres => {
            "UPDATE outbox SET claimed_until = $1
             WHERE id IN (SELECT id FROM outbox
                          WHERE sent_at IS NULL AND next_attempt_at <= $2
                            AND (claimed_until IS NULL OR claimed_until <= $2)
                          ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
             RETURNING *"
        }
        Backend::Sqlite => {
            "UPDATE outbox SET claimed_until = $1
             WHERE id IN (SELECT id FROM outbox
                          WHERE sent_at IS NULL AND next_attempt_at <= $2
                            AND (claimed_until IS NULL OR claimed_until <= $2)
                          ORDER BY id LIMIT $3)
             RETURNING *"
        }
    };
    let rows = sqlx::query(sql)
        .bind(ts(now + lease))
        .bind(ts(now))
        .bind(limit)
        .fetch_all(store.pool())
        .await?;
    let mut out = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    out.sort_by_key(|q| q.id);
    Ok(out)
}

/// Notes a delivery.
pub async fn delivered(store: &Store, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query("UPDATE outbox SET sent_at = $1, attempts = attempts + 1, claimed_until = NULL, last_error = NULL WHERE id = $2")
        .bind(ts(at))
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Notes a failed attempt; the mail is tried again at `retry_at`.
pub async fn failed(store: &Store, id: i64, error: &str, retry_at: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, claimed_until = NULL, last_error = $1, next_attempt_at = $2 WHERE id = $3",
    )
    .bind(error)
    .bind(ts(retry_at))
    .bind(id)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Counts of the outbox: waiting (never tried or being retried) and delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pending: i64,
    pub failing: i64,
    pub sent: i64,
}

pub async fn counts(store: &Store) -> Result<Counts, StoreError> {
    let row = sqlx::query(
        "SELECT
           COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 1 ELSE 0 END), 0) AS pending,
           COALESCE(SUM(CASE WHEN sent_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END), 0) AS failing,
           COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS sent
         FROM outbox",
    )
    .fetch_one(store.pool())
    .await?;
    Ok(Counts {
        pending: row.try_get("pending")?,
        failing: row.try_get("failing")?,
        sent: row.try_get("sent")?,
    })
}

/// How many mails of `kind` were written to `recipient` since `since` (rate limits).
pub async fn written_to_since(
    store: &Store,
    recipient: &str,
    kind: &str,
    since: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND kind = $2 AND created_at >= $3")
            .bind(recipient)
            .bind(kind)
            .bind(crate::ts(since))
            .fetch_one(store.pool())
            .await?,
    )
}

/// The most recent mails, newest first; only those not yet delivered when `pending_only`.
pub async fn recent(store: &Store, pending_only: bool, limit: i64) -> Result<Vec<Queued>, StoreError> {
    let sql = if pending_only {
        "SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY id DESC LIMIT $1"
    } else {
        "SELECT * FROM outbox ORDER BY id DESC LIMIT $1"
    };
    let rows = sqlx::query(sql).bind(limit).fetch_all(store.pool()).await?;
    rows.iter().map(from_row).collect()
}

/// Notes that the moderator `user` has not been told of submission `practice` yet (daily digest).
pub async fn hold_for_digest(
    conn: &mut AnyConnection,
    user: i64,
    practice: i64,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO digest_items (user_id, practice_id, at) VALUES ($1, $2, $3)")
        .bind(user)
        .bind(practice)
        .bind(ts(at))
        .execute(conn)
        .await?;
    Ok(())
}

/// The moderators whose digest is due at `now`: items held, and no digest sent since `now - every`.
pub async fn digests_due(store: &Store, now: DateTime<Utc>, every: Duration) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT d.user_id FROM digest_items d
         WHERE NOT EXISTS (SELECT 1 FROM digests_sent s WHERE s.user_id = d.user_id AND s.at > $1)
         ORDER BY d.user_id",
    )
    .bind(ts(now - every))
    .fetch_all(store.pool())
    .await?)
}

/// Takes the items held for `user`'s digest (inside the transaction that writes the digest, so that
/// an item is told once): the practice ids, oldest first, and notes the digest as sent at `now`. Empty
/// when another instance took them first.
pub async fn take_digest(conn: &mut AnyConnection, user: i64, now: DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
    let mut ids: Vec<i64> = sqlx::query_scalar("DELETE FROM digest_items WHERE user_id = $1 RETURNING practice_id")
        .bind(user)
        .fetch_all(&mut *conn)
        .await?;
    ids.sort_unstable();
    ids.dedup();
    if !ids.is_empty() {
        sqlx::query(
            "INSERT INTO digests_sent (user_id, at) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET at = excluded.at",
        )
        .bind(user)
        .bind(ts(now))
        .execute(conn)
        .await?;
    }
    Ok(ids)
}
