//! La lettre des usages: editions (`editions`, `edition_items`, `edition_errata`), subscriptions with
//! double opt-in (`letter_subscriptions`), one delivery per subscriber and edition
//! (`edition_deliveries`), counted clicks (`edition_clicks`), each discipline's plan and its reminders.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use repere_core::letters::EditionStatus;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{AnyConnection, Store, StoreError, corrupt, list_from_json, list_to_json, parse_ts, ts};

mod subscriptions;
pub use subscriptions::*;

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub practice_id: i64,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Erratum {
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edition {
    pub id: i64,
    pub discipline: String,
    pub discipline_key: String,
    pub levels: Vec<String>,
    pub title: String,
    pub message: String,
    pub status: EditionStatus,
    pub scheduled_for: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub author_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    pub items: Vec<Item>,
    pub errata: Vec<Erratum>,
}

fn opt_ts(table: &'static str, id: i64, v: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    v.map(|t| parse_ts(table, &id, &t)).transpose()
}

fn edition_from_row(r: &AnyRow) -> Result<Edition, StoreError> {
    let id: i64 = r.try_get("id")?;
    Ok(Edition {
        id,
        discipline: r.try_get("discipline")?,
        discipline_key: r.try_get("discipline_key")?,
        levels: list_from_json("editions", &id, &r.try_get::<String, _>("levels")?)?,
        title: r.try_get("title")?,
        message: r.try_get("message")?,
        status: EditionStatus::parse("status", &r.try_get::<String, _>("status")?)
            .map_err(|e| corrupt("editions", &id, e))?,
        scheduled_for: opt_ts("editions", id, r.try_get("scheduled_for")?)?,
        published_at: opt_ts("editions", id, r.try_get("published_at")?)?,
        author_id: r.try_get("author_id")?,
        created_at: parse_ts("editions", &id, &r.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts("editions", &id, &r.try_get::<String, _>("updated_at")?)?,
        version: r.try_get("version")?,
        items: Vec::new(),
        errata: Vec::new(),
    })
}

/// Opens a draft edition of `discipline`; returns its id.
pub async fn create(
    conn: &mut AnyConnection,
    discipline: &str,
    key: &str,
    author: i64,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO editions (discipline, discipline_key, status, author_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(discipline)
    .bind(key)
    .bind(EditionStatus::Draft.as_str())
    .bind(author)
    .bind(ts(at))
    .fetch_one(conn)
    .await?)
}

/// What a draft holds.
pub struct Draft<'a> {
    pub levels: &'a [String],
    pub title: &'a str,
    pub message: &'a str,
    pub items: &'a [Item],
}

/// Replaces a draft's content when its version is still `version` and it is not published; `false`
/// otherwise (someone changed it meanwhile, or it was published).
pub async fn save_draft(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    d: &Draft<'_>,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE editions SET levels = $1, title = $2, message = $3, updated_at = $4, version = version + 1
         WHERE id = $5 AND version = $6 AND status <> 'publiee'",
    )
    .bind(list_to_json(d.levels))
    .bind(d.title)
    .bind(d.message)
    .bind(ts(at))
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM edition_items WHERE edition_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (i, item) in d.items.iter().enumerate() {
        sqlx::query("INSERT INTO edition_items (edition_id, position, practice_id, comment) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(i as i64 + 1)
            .bind(item.practice_id)
            .bind(&item.comment)
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}

/// Schedules an edition for `at` (or takes it back to draft with `None`), unless it is published.
pub async fn schedule(
    conn: &mut AnyConnection,
    id: i64,
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let status = if at.is_some() {
        EditionStatus::Scheduled
    } else {
        EditionStatus::Draft
    };
    let done = sqlx::query(
        "UPDATE editions SET status = $1, scheduled_for = $2, updated_at = $3, version = version + 1
         WHERE id = $4 AND status <> 'publiee'",
    )
    .bind(status.as_str())
    .bind(at.map(ts))
    .bind(ts(now))
    .bind(id)
    .persistent(false)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Publishes an edition; `false` when it already was (by another instance, or twice): the caller then
/// sends nothing.
pub async fn publish(conn: &mut AnyConnection, id: i64, at: DateTime<Utc>) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE editions SET status = 'publiee', published_at = $1, updated_at = $1, version = version + 1
         WHERE id = $2 AND status <> 'publiee'",
    )
    .bind(ts(at))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Scheduled editions whose time has come.
pub async fn due(store: &Store, now: DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query("SELECT id FROM editions WHERE status = 'programmee' AND scheduled_for <= $1 ORDER BY id")
        .bind(ts(now))
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
}

/// Adds a visible erratum to a published edition.
pub async fn add_erratum(
    conn: &mut AnyConnection,
    id: i64,
    user: i64,
    text: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO edition_errata (edition_id, at, user_id, text) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(ts(at))
        .bind(user)
        .bind(text)
        .execute(conn)
        .await?;
    Ok(())
}

async fn read(store: &Store, only: Option<i64>) -> Result<Vec<Edition>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let q = |sql: String| {
        let q = sqlx::query(sqlx::AssertSqlSafe(sql));
        match only {
            Some(id) => q.bind(id),
            None => q,
        }
    };
    let (filter, sub) = if only.is_some() {
        (" WHERE id = $1", " WHERE edition_id = $1")
    } else {
        ("", "")
    };
    let rows = q(format!("SELECT * FROM editions{filter} ORDER BY id"))
        .fetch_all(&mut *conn)
        .await?;
    let mut editions: Vec<Edition> = rows.iter().map(edition_from_row).collect::<Result<_, _>>()?;
    let at: HashMap<i64, usize> = editions.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
    for r in q(format!(
        "SELECT * FROM edition_items{sub} ORDER BY edition_id, position"
    ))
    .fetch_all(&mut *conn)
    .await?
    {
        if let Some(i) = at.get(&r.try_get::<i64, _>("edition_id")?) {
            editions[*i].items.push(Item {
                practice_id: r.try_get("practice_id")?,
                comment: r.try_get("comment")?,
            });
        }
    }
    for r in q(format!("SELECT * FROM edition_errata{sub} ORDER BY id"))
        .fetch_all(&mut *conn)
        .await?
    {
        let id: i64 = r.try_get("id")?;
        if let Some(i) = at.get(&r.try_get::<i64, _>("edition_id")?) {
            editions[*i].errata.push(Erratum {
                at: parse_ts("edition_errata", &id, &r.try_get::<String, _>("at")?)?,
                user_id: r.try_get("user_id")?,
                text: r.try_get("text")?,
            });
        }
    }
    Ok(editions)
}

/// One edition with its practices and errata.
pub async fn get(store: &Store, id: i64) -> Result<Option<Edition>, StoreError> {
    Ok(read(store, Some(id)).await?.pop())
}

/// Every edition, oldest first.
pub async fn all(store: &Store) -> Result<Vec<Edition>, StoreError> {
    read(store, None).await
}
