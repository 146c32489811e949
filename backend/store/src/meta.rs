//! Facts about the database itself, such as "this is the demo dataset".

use sqlx::Row;

use crate::{AnyConnection, Store, StoreError};

/// Key set when the deterministic demo dataset has been loaded.
pub const DEMO_KEY: &str = "demo_dataset";

/// Reads a meta value.
pub async fn get(store: &Store, key: &str) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT value FROM meta WHERE key = $1")
        .bind(key)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.map(|r| r.try_get::<String, _>("value")).transpose()?)
}

/// Sets a meta value (inside the caller's transaction).
pub async fn set(conn: &mut AnyConnection, key: &str, value: &str) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(key)
        .bind(value)
        .execute(conn)
        .await?;
    Ok(())
}
