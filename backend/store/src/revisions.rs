//! Pending revisions of published practices.

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

/// The pending revision of a practice, read on a connection of its own.
pub async fn pending_of(store: &Store, practice_id: i64) -> Result<Option<(Practice, DateTime<Utc>)>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    pending(&mut conn, practice_id).await
}

/// Every pending revision with when it was proposed, oldest first.
pub async fn pending_all(store: &Store) -> Result<Vec<(Practice, DateTime<Utc>)>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let mut out = Vec::new();
    for id in all_pending(store).await? {
        if let Some(r) = pending(&mut conn, id).await? {
            out.push(r);
        }
    }
    Ok(out)
}

/// Drops the pending revision (applied or rejected).
pub async fn discard(conn: &mut AnyConnection, practice_id: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM practice_revisions WHERE practice_id = $1")
        .bind(practice_id)
        .execute(conn)
        .await?;
    Ok(())
}
