//! The audit log: every change, who made it, when, and the old and new values.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::Row;

use crate::{AnyConnection, Store, StoreError, parse_ts, ts};

/// One recorded change.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: i64,
    pub entity: String,
    pub entity_id: String,
    pub user_id: Option<i64>,
    pub action: String,
    /// `{"field": {"old": …, "new": …}}` or free details.
    pub changes: Value,
    pub at: DateTime<Utc>,
}

/// Records a change, inside the caller's transaction (so the change and its trace commit together).
pub async fn record(
    conn: &mut AnyConnection,
    entity: &str,
    entity_id: &str,
    user_id: Option<i64>,
    action: &str,
    changes: &Value,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (entity, entity_id, user_id, action, changes, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(entity)
    .bind(entity_id)
    .bind(user_id)
    .bind(action)
    .bind(changes.to_string())
    .bind(ts(at))
    // A NULL bound through `Any` carries no type; see `NULLABLE_BINDS` in lib.rs.
    .persistent(false)
    .execute(conn)
    .await?;
    Ok(())
}

/// The history of one entity, oldest first.
/// Who made the latest `action` on `entity` `entity_id`: `None` when it never happened, `Some(None)`
/// when no account made it (an import, the demo).
pub async fn last_actor(
    store: &Store,
    entity: &str,
    entity_id: &str,
    action: &str,
) -> Result<Option<Option<i64>>, StoreError> {
    let row = sqlx::query(
        "SELECT user_id FROM audit_log WHERE entity = $1 AND entity_id = $2 AND action = $3 ORDER BY id DESC LIMIT 1",
    )
    .bind(entity)
    .bind(entity_id)
    .bind(action)
    .fetch_optional(store.pool())
    .await?;
    row.map(|r| r.try_get::<Option<i64>, _>("user_id").map_err(StoreError::from))
        .transpose()
}

pub async fn for_entity(store: &Store, entity: &str, entity_id: &str) -> Result<Vec<Entry>, StoreError> {
    let rows = sqlx::query("SELECT * FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id")
        .bind(entity)
        .bind(entity_id)
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            let key = id.to_string();
            Ok(Entry {
                id,
                entity: r.try_get("entity")?,
                entity_id: r.try_get("entity_id")?,
                user_id: r.try_get("user_id")?,
                action: r.try_get("action")?,
                changes: serde_json::from_str(&r.try_get::<String, _>("changes")?).unwrap_or(Value::Null),
                at: parse_ts("audit_log", &key, &r.try_get::<String, _>("at")?)?,
            })
        })
        .collect()
}
