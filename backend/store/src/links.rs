//! Links between practices.

use repere_core::links::{Link, LinkKind};

use crate::bulk::Columns;
use crate::{AnyConnection, Store, StoreError, corrupt, parse_ts, ts, unique};

const TABLE: &str = "links";

fn from_row(row: &dyn Columns) -> Result<Link, StoreError> {
    let id = row.int("id")?;
    let key = id.to_string();
    Ok(Link {
        id,
        from_practice: row.int("from_practice")?,
        to_practice: row.int("to_practice")?,
        kind: LinkKind::parse("kind", &row.text("kind")?).map_err(|e| corrupt(TABLE, &key, e))?,
        note: row.opt_text("note")?,
        created_at: parse_ts(TABLE, &key, &row.text("created_at")?)?,
        updated_at: parse_ts(TABLE, &key, &row.text("updated_at")?)?,
        author_id: row.opt_int("author_id")?,
    })
}

/// Every link, ordered by id.
pub async fn load_all(store: &Store) -> Result<Vec<Link>, StoreError> {
    crate::bulk::read_all(store, "SELECT * FROM links ORDER BY id", from_row).await
}

/// Inserts a link (its `id` is ignored) and returns its new id. A duplicate (same unordered pair and
/// kind: [`StoreError::Duplicate`]) or a self-link is refused by the database's constraints.
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
    .await
    .map_err(unique("link"))?;
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
        .map(|r| from_row(r))
        .transpose()
}
