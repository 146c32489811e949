//! Subscriptions to the lettre (double opt-in), one delivery per subscriber and edition, counted
//! clicks, each discipline's plan and its reminders.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use repere_core::letters::Rhythm;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{AnyConnection, Store, StoreError, corrupt, list_from_json, list_to_json, ts};

/// A subscription as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub id: i64,
    pub email: String,
    pub discipline: String,
    pub discipline_key: String,
    pub levels: Vec<String>,
    pub status: String,
    pub mail_key: String,
}

fn subscription_from_row(r: &AnyRow) -> Result<Subscription, StoreError> {
    let id: i64 = r.try_get("id")?;
    Ok(Subscription {
        id,
        email: r.try_get("email")?,
        discipline: r.try_get("discipline")?,
        discipline_key: r.try_get("discipline_key")?,
        levels: list_from_json("letter_subscriptions", &id, &r.try_get::<String, _>("levels")?)?,
        status: r.try_get("status")?,
        mail_key: r.try_get("mail_key")?,
    })
}

/// A request to subscribe.
pub struct NewSubscription<'a> {
    pub email: &'a str,
    pub discipline: &'a str,
    pub key: &'a str,
    pub levels: &'a [String],
    /// `confirmed` (a signed-in person's own address) or `pending` with the token's hash and expiry.
    pub confirmed: bool,
    pub token_hash: Option<&'a str>,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub mail_key: &'a str,
}

/// Subscribes (or re-subscribes) an address to a discipline. A confirmed subscription keeps its
/// status and takes the new levels; any other becomes pending with the new token (or confirmed).
pub async fn subscribe(
    conn: &mut AnyConnection,
    s: &NewSubscription<'_>,
    at: DateTime<Utc>,
) -> Result<Subscription, StoreError> {
    let status = if s.confirmed { "confirmed" } else { "pending" };
    let row = sqlx::query(
        "INSERT INTO letter_subscriptions (email, discipline, discipline_key, levels, status, token_hash,
             token_expires_at, mail_key, created_at, confirmed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $5 = 'confirmed' THEN $9 END)
         ON CONFLICT (email, discipline_key) DO UPDATE SET
             levels = excluded.levels,
             status = CASE WHEN letter_subscriptions.status = 'confirmed' THEN 'confirmed' ELSE excluded.status END,
             token_hash = CASE WHEN letter_subscriptions.status = 'confirmed' THEN NULL ELSE excluded.token_hash END,
             token_expires_at = CASE WHEN letter_subscriptions.status = 'confirmed' THEN NULL ELSE excluded.token_expires_at END,
             confirmed_at = CASE WHEN letter_subscriptions.status = 'confirmed' THEN letter_subscriptions.confirmed_at
                                 ELSE excluded.confirmed_at END,
             unsubscribed_at = NULL
         RETURNING *",
    )
    .bind(s.email)
    .bind(s.discipline)
    .bind(s.key)
    .bind(list_to_json(s.levels))
    .bind(status)
    .bind(s.token_hash)
    .bind(s.token_expires_at.map(ts))
    .bind(s.mail_key)
    .bind(ts(at))
    .persistent(false)
    .fetch_one(conn)
    .await?;
    subscription_from_row(&row)
}

/// Confirms the pending subscriptions of a token (single use, until it expires); returns them (none
/// when the token is unknown, used or expired).
pub async fn confirm(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Subscription>, StoreError> {
    let rows = sqlx::query(
        "UPDATE letter_subscriptions SET status = 'confirmed', confirmed_at = $1, token_hash = NULL, token_expires_at = NULL
         WHERE token_hash = $2 AND status = 'pending' AND token_expires_at > $1 RETURNING *",
    )
    .bind(ts(now))
    .bind(token_hash)
    .fetch_all(conn)
    .await?;
    rows.iter().map(subscription_from_row).collect()
}

/// Unsubscribes subscription `id` whose key is `key`: `None` when no such subscription, `Some(false)`
/// when it already was, `Some(true)` now.
pub async fn unsubscribe(
    conn: &mut AnyConnection,
    id: i64,
    key: &str,
    at: DateTime<Utc>,
) -> Result<Option<bool>, StoreError> {
    // The write comes first: on SQLite a transaction that reads and then writes may be refused when
    // another writer committed in between.
    let done = sqlx::query(
        "UPDATE letter_subscriptions SET status = 'unsubscribed', unsubscribed_at = $1, token_hash = NULL
         WHERE id = $2 AND mail_key = $3 AND status <> 'unsubscribed'",
    )
    .bind(ts(at))
    .bind(id)
    .bind(key)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(Some(true));
    }
    let known = sqlx::query("SELECT id FROM letter_subscriptions WHERE id = $1 AND mail_key = $2")
        .bind(id)
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(known.map(|_| false))
}

/// One subscription by id.
pub async fn subscription(store: &Store, id: i64) -> Result<Option<Subscription>, StoreError> {
    let row = sqlx::query("SELECT * FROM letter_subscriptions WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    row.as_ref().map(subscription_from_row).transpose()
}

/// Every subscription (for the indicators and the sending).
pub async fn subscriptions(conn: &mut AnyConnection) -> Result<Vec<Subscription>, StoreError> {
    let rows = sqlx::query("SELECT * FROM letter_subscriptions ORDER BY id")
        .fetch_all(conn)
        .await?;
    rows.iter().map(subscription_from_row).collect()
}

/// Every subscription, on a connection of its own.
pub async fn all_subscriptions(store: &Store) -> Result<Vec<Subscription>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    subscriptions(&mut conn).await
}

/// Records the delivery of `edition` to `subscription`; `false` when it was recorded already.
pub async fn deliver(
    conn: &mut AnyConnection,
    edition: i64,
    subscription: i64,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO edition_deliveries (edition_id, subscription_id, at) VALUES ($1, $2, $3)
         ON CONFLICT (edition_id, subscription_id) DO NOTHING",
    )
    .bind(edition)
    .bind(subscription)
    .bind(ts(at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many deliveries each edition had.
pub async fn deliveries(store: &Store) -> Result<HashMap<i64, i64>, StoreError> {
    let rows = sqlx::query("SELECT edition_id, COUNT(*) AS n FROM edition_deliveries GROUP BY edition_id")
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("edition_id")?, r.try_get("n")?)))
        .collect()
}

/// Counts one visit of `practice` from `edition`.
pub async fn click(store: &Store, edition: i64, practice: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO edition_clicks (edition_id, practice_id, count) VALUES ($1, $2, 1)
         ON CONFLICT (edition_id, practice_id) DO UPDATE SET count = edition_clicks.count + 1",
    )
    .bind(edition)
    .bind(practice)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Every click count: (edition, practice, count).
pub async fn clicks(store: &Store) -> Result<Vec<(i64, i64, i64)>, StoreError> {
    let rows =
        sqlx::query("SELECT edition_id, practice_id, count FROM edition_clicks ORDER BY edition_id, practice_id")
            .fetch_all(store.pool())
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("edition_id")?, r.try_get("practice_id")?, r.try_get("count")?)))
        .collect()
}

/// A discipline's plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub discipline_key: String,
    pub discipline: String,
    pub rhythm: Rhythm,
    pub levels: Vec<String>,
}

/// Sets a discipline's plan.
pub async fn set_plan(conn: &mut AnyConnection, plan: &Plan, at: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO letter_plans (discipline_key, discipline, rhythm, levels, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (discipline_key) DO UPDATE SET discipline = excluded.discipline, rhythm = excluded.rhythm,
             levels = excluded.levels, updated_at = excluded.updated_at",
    )
    .bind(&plan.discipline_key)
    .bind(&plan.discipline)
    .bind(plan.rhythm.as_str())
    .bind(list_to_json(&plan.levels))
    .bind(ts(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Every plan.
pub async fn plans(store: &Store) -> Result<Vec<Plan>, StoreError> {
    let rows = sqlx::query("SELECT * FROM letter_plans ORDER BY discipline_key")
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|r| {
            let key: String = r.try_get("discipline_key")?;
            Ok(Plan {
                rhythm: Rhythm::parse("rhythm", &r.try_get::<String, _>("rhythm")?)
                    .map_err(|e| corrupt("letter_plans", &key, e))?,
                levels: list_from_json("letter_plans", &key, &r.try_get::<String, _>("levels")?)?,
                discipline: r.try_get("discipline")?,
                discipline_key: key,
            })
        })
        .collect()
}

/// Records the "an edition is due" reminder of a discipline for `due_on`; `false` when it was sent.
pub async fn claim_reminder(
    conn: &mut AnyConnection,
    key: &str,
    due_on: &str,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO letter_reminders (discipline_key, due_on, sent_at) VALUES ($1, $2, $3)
         ON CONFLICT (discipline_key, due_on) DO NOTHING",
    )
    .bind(key)
    .bind(due_on)
    .bind(ts(at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
