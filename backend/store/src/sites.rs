//! Fab' École sites and tiers-lieux.

use repere_core::sites::{Site, SiteKind, SiteStatus};
use repere_core::{LonLat, Uai};
use sqlx::Row;
use sqlx::any::AnyRow;

use chrono::{DateTime, Utc};

use crate::{AnyConnection, Store, StoreError, corrupt, list_from_json, list_to_json, parse_date, ts};

const TABLE: &str = "sites";

fn from_row(row: &AnyRow) -> Result<Site, StoreError> {
    let id: i64 = row.try_get("id")?;
    let key = id.to_string();
    let c = |e: repere_core::Invalid| corrupt(TABLE, &key, e);
    let uai: Option<String> = row.try_get("uai")?;
    let opened: Option<String> = row.try_get("opened_on")?;
    Ok(Site {
        id,
        name: row.try_get("name")?,
        kind: SiteKind::parse("kind", &row.try_get::<String, _>("kind")?).map_err(c)?,
        uai: uai.map(|u| Uai::parse(&u)).transpose().map_err(c)?,
        position: LonLat::new(row.try_get("lon")?, row.try_get("lat")?).map_err(c)?,
        opened_on: opened.map(|d| parse_date(TABLE, &key, &d)).transpose()?,
        status: SiteStatus::parse("status", &row.try_get::<String, _>("status")?).map_err(c)?,
        equipment: list_from_json(TABLE, &key, &row.try_get::<String, _>("equipment")?)?,
        partners: list_from_json(TABLE, &key, &row.try_get::<String, _>("partners")?)?,
        description: row.try_get("description")?,
    })
}

/// Every site, ordered by id.
pub async fn load_all(store: &Store) -> Result<Vec<Site>, StoreError> {
    let rows = sqlx::query("SELECT * FROM sites ORDER BY id")
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

/// Inserts a site (its `id` is ignored) and returns its new id.
pub async fn insert(conn: &mut AnyConnection, s: &Site, now: DateTime<Utc>) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sites (name, kind, uai, lon, lat, opened_on, status, equipment, partners, description, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(&s.name)
    .bind(s.kind.as_str())
    .bind(s.uai.map(|u| u.as_str().to_string()))
    .bind(s.position.lon)
    .bind(s.position.lat)
    .bind(s.opened_on.map(|d| d.format("%Y-%m-%d").to_string()))
    .bind(s.status.as_str())
    .bind(list_to_json(&s.equipment))
    .bind(list_to_json(&s.partners))
    .bind(&s.description)
    .bind(ts(now))
    // A NULL bound through `Any` carries no type; see `NULLABLE_BINDS` in lib.rs.
    .persistent(false)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// One site, if it exists.
pub async fn get(store: &Store, id: i64) -> Result<Option<Site>, StoreError> {
    sqlx::query("SELECT * FROM sites WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}
