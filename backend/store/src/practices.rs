//! Practices.

use repere_core::practices::{Practice, PracticeStatus};
use repere_core::{SchoolYear, Uai};
use sqlx::Row;

use crate::bulk::Columns;
use crate::{AnyConnection, Store, StoreError, corrupt, facets_from_json, list_to_json, parse_ts, position, ts};

const TABLE: &str = "practices";

fn from_row(row: &dyn Columns) -> Result<Practice, StoreError> {
    let id = row.int("id")?;
    let key = &id;
    let c = |e: repere_core::Invalid| corrupt(TABLE, key, e);
    Ok(Practice {
        id,
        title: row.text("title")?.into(),
        summary: row.text("summary")?.into(),
        description: row.text("description")?.into(),
        disciplines: facets_from_json(TABLE, key, row.str("disciplines")?)?,
        levels: facets_from_json(TABLE, key, row.str("levels")?)?,
        tools: facets_from_json(TABLE, key, row.str("tools")?)?,
        themes: facets_from_json(TABLE, key, row.str("themes")?)?,
        school_year: SchoolYear::parse(row.str("school_year")?).map_err(c)?,
        uai: Uai::parse(row.str("uai")?).map_err(c)?,
        position: position(TABLE, key, row.opt_float("lon")?, row.opt_float("lat")?)?,
        innovatheque_url: row.opt_text("innovatheque_url")?.map(Into::into),
        status: PracticeStatus::parse("status", row.str("status")?).map_err(c)?,
        created_at: parse_ts(TABLE, key, row.str("created_at")?)?,
        updated_at: parse_ts(TABLE, key, row.str("updated_at")?)?,
        published_at: row
            .opt_str("published_at")?
            .map(|s| parse_ts(TABLE, key, s))
            .transpose()?,
        author_id: row.opt_int("author_id")?,
        rejection_reason: row.opt_text("rejection_reason")?.map(Into::into),
    })
}

const ALL: &str = "SELECT * FROM practices ORDER BY id";

/// Every practice, whatever its status, ordered by id.
pub async fn load_all(store: &Store) -> Result<Vec<Practice>, StoreError> {
    crate::bulk::read_all(store, ALL, from_row).await
}

/// Every practice, whatever its status, sent through `out` in batches as they are read (the catalogue
/// derives its entries meanwhile): each batch in id order, the batches in no particular order, as the
/// table is read in parts side by side, one per core (at most four). Fails if `out`'s receiver goes
/// away first.
pub async fn load_batches(store: &Store, out: tokio::sync::mpsc::Sender<Vec<Practice>>) -> Result<(), StoreError> {
    let (min, max): (Option<i64>, Option<i64>) = sqlx::query_as("SELECT MIN(id), MAX(id) FROM practices")
        .fetch_one(store.pool())
        .await?;
    let (Some(min), Some(max)) = (min, max) else {
        return Ok(());
    };
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4) as i64;
    let step = (max - min) / parts + 1;
    let reads: Vec<_> = (0..parts)
        .map(|i| {
            let (store, out) = (store.clone(), out.clone());
            let (from, to) = (min + i * step, (min + (i + 1) * step).min(max + 1));
            tokio::spawn(async move {
                crate::bulk::read_range(
                    &store,
                    "SELECT * FROM practices WHERE id >= $1 AND id < $2 ORDER BY id",
                    &[from, to],
                    from_row,
                    out,
                )
                .await
            })
        })
        .collect();
    drop(out);
    for read in reads {
        read.await.map_err(crate::load_task_failed)??;
    }
    Ok(())
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds the report's content, the 13 columns insert and update share, in this order: title, summary,
/// description, disciplines, levels, tools, themes, school_year, uai, lon, lat, innovatheque_url, status.
fn bind_content<'q>(q: AnyQuery<'q>, p: &'q Practice) -> AnyQuery<'q> {
    q.bind(&*p.title)
        .bind(&*p.summary)
        .bind(&*p.description)
        .bind(list_to_json(&p.disciplines))
        .bind(list_to_json(&p.levels))
        .bind(list_to_json(&p.tools))
        .bind(list_to_json(&p.themes))
        .bind(p.school_year.to_string())
        .bind(p.uai.as_str())
        .bind(p.position.map(|x| x.lon))
        .bind(p.position.map(|x| x.lat))
        .bind(p.innovatheque_url.as_deref())
        .bind(p.status.as_str())
}

/// Inserts a practice (its `id` is ignored) and returns the id the database gave it.
pub async fn insert(conn: &mut AnyConnection, p: &Practice) -> Result<i64, StoreError> {
    let q = sqlx::query(
        "INSERT INTO practices (title, summary, description, disciplines, levels, tools, themes, school_year, uai,
           lon, lat, innovatheque_url, status, created_at, updated_at, published_at, author_id, rejection_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
    );
    let row = bind_content(q, p)
        .bind(ts(p.created_at))
        .bind(ts(p.updated_at))
        .bind(p.published_at.map(ts))
        .bind(p.author_id)
        .bind(p.rejection_reason.as_deref())
        // A NULL bound through `Any` carries no type; see `NULLABLE_BINDS` in lib.rs.
        .persistent(false)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get("id")?)
}

/// Number of practices (all statuses).
pub async fn count(store: &Store) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM practices")
        .fetch_one(store.pool())
        .await?)
}

/// One practice by id, whatever its status.
pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<Practice>, StoreError> {
    let row = sqlx::query("SELECT * FROM practices WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(|r| from_row(r)).transpose()
}

/// One practice by id, whatever its status, read on a connection of its own.
pub async fn find(store: &Store, id: i64) -> Result<Option<Practice>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    get(&mut conn, id).await
}

/// Rewrites every field of an existing practice (by `p.id`); `false` when it does not exist.
pub async fn update(conn: &mut AnyConnection, p: &Practice) -> Result<bool, StoreError> {
    let q = sqlx::query(
        "UPDATE practices SET title = $1, summary = $2, description = $3, disciplines = $4, levels = $5, tools = $6,
           themes = $7, school_year = $8, uai = $9, lon = $10, lat = $11, innovatheque_url = $12, status = $13,
           updated_at = $14, published_at = $15, rejection_reason = $16
         WHERE id = $17",
    );
    let done = bind_content(q, p)
        .bind(ts(p.updated_at))
        .bind(p.published_at.map(ts))
        .bind(p.rejection_reason.as_deref())
        .bind(p.id)
        // A NULL bound through `Any` carries no type; see `NULLABLE_BINDS` in lib.rs.
        .persistent(false)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
