//! Links between practices.

use repere_core::links::{Link, LinkKind};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{AnyConnection, Store, StoreError, corrupt, parse_ts, ts};

const TABLE: &str = "links";

fn from_row(row: &AnyRow) -> Result<Link, StoreError> {
    let id: i64 = row.try_get("id")?;
    let key = id.to_string();
    Ok(Link {
        id,
        from_practice: row.try_get("from_practice")?,
        to_practice: row.try_get("to_practice")?,
        kind: LinkKind::parse("kind", &row.try_get::<String, _>("kind")?).map_err(|e| corrupt(TABLE, &key, e))?,
        note: row.try_get("note")?,
        created_at: parse_ts(TABLE, &key, &row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(TABLE, &key, &row.try_get::<String, _>("updated_at")?)?,
        author_id: row.try_get("author_id")?,
    })
}

/// Every link, ordered by id.
pub async fn load_all(store: &Store) -> Result<Vec<Link>, StoreError> {
    // Streamed: a million rows are converted one by one, never all held as raw rows at once.
    use futures_util::TryStreamExt;
    let mut rows = sqlx::query("SELECT * FROM links ORDER BY id").fetch(store.pool());
    let mut out = Vec::new();
    while let Some(row) = rows.try_next().await? {
        out.push(from_row(&row)?);
    }
    Ok(out)
}

/// Inserts a link (its `id` is ignored) and returns its new id. A duplicate (same unordered pair and
/// kind) or a self-link is refused by the database's constraints.
pub async fn insert(conn: &mut AnyConnection, l: &Link) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO links (from_practice, to_practice, kind, note, created_at, updated_at, author_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(l.from_practice)
    .bind(l.to_practice)
    .bind(l.kind.as_str())
    .bind(l.note.as_deref())
    .bind(ts(l.created_at))
    .bind(ts(l.updated_at))
    .bind(l.author_id)
    // A NULL bound through `Any` carries no type; see `NULLABLE_BINDS` in lib.rs.
    .persistent(false)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Deletes a link; `false` when it did not exist.
pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM links WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// One link, if it exists.
pub async fn get(store: &Store, id: i64) -> Result<Option<Link>, StoreError> {
    sqlx::query("SELECT * FROM links WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}
