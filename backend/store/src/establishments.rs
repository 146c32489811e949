//! Establishments and their bandwidth history.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use repere_core::Uai;
use repere_core::establishments::{Bandwidth, BandwidthSource, Establishment, EstablishmentKind, Sector, Technology};
use sqlx::Row;

use crate::bulk::Columns;
use crate::{AnyConnection, Store, StoreError, corrupt, parse_date, position, ts};

const TABLE: &str = "establishments";

fn from_row(row: &dyn Columns) -> Result<Establishment, StoreError> {
    let uai = row.str("uai")?;
    let c = |e: repere_core::Invalid| corrupt(TABLE, &uai, e);
    Ok(Establishment {
        uai: Uai::parse(uai).map_err(c)?,
        name: row.text("name")?,
        kind: EstablishmentKind::parse("kind", row.str("kind")?).map_err(c)?,
        sector: Sector::parse("sector", row.str("sector")?).map_err(c)?,
        commune_code: row.text("commune_code")?,
        commune_name: row.text("commune_name")?,
        departement: row.text("departement")?,
        position: position(TABLE, &uai, row.opt_float("lon")?, row.opt_float("lat")?)?,
        placed_at_commune: row.int("placed_at_commune")? != 0,
        bandwidth: Vec::new(),
        profiles: Vec::new(),
    })
}

/// Every establishment with its bandwidth history and OPINEE profiles (oldest first), ordered by UAI.
pub async fn load_all(store: &Store) -> Result<Vec<Establishment>, StoreError> {
    let mut list = crate::bulk::read_all(
        store,
        "SELECT uai, name, kind, sector, commune_code, commune_name, departement, lon, lat, placed_at_commune FROM establishments ORDER BY uai",
        from_row,
    )
    .await?;
    let mut history = load_bandwidth(store, None).await?;
    let mut profiles = crate::opinee::load(store, None).await?;
    for e in &mut list {
        if let Some(h) = history.remove(&e.uai) {
            e.bandwidth = h;
        }
        if let Some(p) = profiles.remove(&e.uai) {
            e.profiles = p;
        }
    }
    Ok(list)
}

/// One establishment with its bandwidth history and OPINEE profiles, if it exists.
pub async fn get(store: &Store, uai: Uai) -> Result<Option<Establishment>, StoreError> {
    let row = sqlx::query(
        "SELECT uai, name, kind, sector, commune_code, commune_name, departement, lon, lat, placed_at_commune FROM establishments WHERE uai = $1",
    )
    .bind(uai.as_str())
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut e = from_row(&row as &dyn Columns)?;
    e.bandwidth = load_bandwidth(store, Some(uai)).await?.remove(&uai).unwrap_or_default();
    e.profiles = crate::opinee::load(store, Some(uai))
        .await?
        .remove(&uai)
        .unwrap_or_default();
    Ok(Some(e))
}

/// Bandwidth histories (oldest first), of one establishment or of all.
async fn load_bandwidth(store: &Store, only: Option<Uai>) -> Result<HashMap<Uai, Vec<Bandwidth>>, StoreError> {
    let rows = match only {
        Some(uai) => {
            sqlx::query(
                "SELECT uai, down_mbps, up_mbps, technology, source, measured_on FROM bandwidth
                 WHERE uai = $1 ORDER BY measured_on, id",
            )
            .bind(uai.as_str())
            .fetch_all(store.pool())
            .await?
        }
        None => {
            sqlx::query(
                "SELECT uai, down_mbps, up_mbps, technology, source, measured_on FROM bandwidth
                 ORDER BY uai, measured_on, id",
            )
            .fetch_all(store.pool())
            .await?
        }
    };
    let mut out: HashMap<Uai, Vec<Bandwidth>> = HashMap::new();
    for row in rows {
        let uai: String = row.try_get("uai")?;
        let c = |e: repere_core::Invalid| corrupt("bandwidth", &uai, e);
        let b = Bandwidth::new(
            row.try_get("down_mbps")?,
            row.try_get("up_mbps")?,
            Technology::parse("technology", &row.try_get::<String, _>("technology")?).map_err(c)?,
            BandwidthSource::parse("source", &row.try_get::<String, _>("source")?).map_err(c)?,
            parse_date("bandwidth", &uai, &row.try_get::<String, _>("measured_on")?)?,
        )
        .map_err(c)?;
        out.entry(Uai::parse(&uai).map_err(c)?).or_default().push(b);
    }
    Ok(out)
}

/// Inserts or updates the establishment's own fields (not its bandwidth history).
pub async fn upsert(conn: &mut AnyConnection, e: &Establishment, now: DateTime<Utc>) -> Result<(), StoreError> {
    let now = ts(now);
    sqlx::query(
        "INSERT INTO establishments (uai, name, kind, sector, commune_code, commune_name, departement, lon, lat,
           placed_at_commune, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $10, $10)
         ON CONFLICT (uai) DO UPDATE SET name = excluded.name, kind = excluded.kind, sector = excluded.sector,
           commune_code = excluded.commune_code, commune_name = excluded.commune_name,
           departement = excluded.departement, lon = excluded.lon, lat = excluded.lat,
           placed_at_commune = excluded.placed_at_commune, updated_at = excluded.updated_at",
    )
    .bind(e.uai.as_str())
    .bind(&e.name)
    .bind(e.kind.as_str())
    .bind(e.sector.as_str())
    .bind(&e.commune_code)
    .bind(&e.commune_name)
    .bind(&e.departement)
    .bind(e.position.map(|p| p.lon))
    .bind(e.position.map(|p| p.lat))
    .bind(now)
    .bind(i64::from(e.placed_at_commune))
    // A NULL bound through `Any` carries no type; see `NULLABLE_BINDS` in lib.rs.
    .persistent(false)
    .execute(conn)
    .await?;
    Ok(())
}

/// Rows per statement in [`upsert_many`] (12 parameters each: well under both backends' limits).
const UPSERT_ROWS: usize = 200;

/// Inserts or updates many establishments' own fields with multi-row statements (one round trip per
/// 200 rows instead of one per row); same effect as [`upsert`] on each. UAIs must be distinct.
pub async fn upsert_many(
    conn: &mut AnyConnection,
    list: &[Establishment],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    use crate::transfer::{Param, upsert_batch};
    const COLUMNS: [&str; 12] = [
        "uai",
        "name",
        "kind",
        "sector",
        "commune_code",
        "commune_name",
        "departement",
        "lon",
        "lat",
        "placed_at_commune",
        "created_at",
        "updated_at",
    ];
    let now = ts(now);
    for chunk in list.chunks(UPSERT_ROWS) {
        let rows: Vec<Vec<Param>> = chunk
            .iter()
            .map(|e| {
                let coord = |v: Option<f64>| v.map_or(Param::Null, Param::Real);
                vec![
                    Param::Text(e.uai.as_str().to_string()),
                    Param::Text(e.name.clone()),
                    Param::Text(e.kind.as_str().to_string()),
                    Param::Text(e.sector.as_str().to_string()),
                    Param::Text(e.commune_code.clone()),
                    Param::Text(e.commune_name.clone()),
                    Param::Text(e.departement.clone()),
                    coord(e.position.map(|p| p.lon)),
                    coord(e.position.map(|p| p.lat)),
                    Param::Int(i64::from(e.placed_at_commune)),
                    Param::Text(now.clone()),
                    Param::Text(now.clone()),
                ]
            })
            .collect();
        upsert_batch(
            &mut *conn,
            TABLE,
            &COLUMNS,
            &rows,
            "ON CONFLICT (uai) DO UPDATE SET name = excluded.name, kind = excluded.kind, sector = excluded.sector,
               commune_code = excluded.commune_code, commune_name = excluded.commune_name,
               departement = excluded.departement, lon = excluded.lon, lat = excluded.lat,
               placed_at_commune = excluded.placed_at_commune, updated_at = excluded.updated_at",
        )
        .await?;
    }
    Ok(())
}

/// Records one bandwidth value; the same (date, source, technology) for an establishment is replaced.
pub async fn add_bandwidth(
    conn: &mut AnyConnection,
    uai: Uai,
    b: &Bandwidth,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO bandwidth (uai, down_mbps, up_mbps, technology, source, measured_on, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (uai, measured_on, source, technology) DO UPDATE SET down_mbps = excluded.down_mbps, up_mbps = excluded.up_mbps",
    )
    .bind(uai.as_str())
    .bind(b.down_mbps)
    .bind(b.up_mbps)
    .bind(b.technology.as_str())
    .bind(b.source.as_str())
    .bind(b.date.format("%Y-%m-%d").to_string())
    .bind(ts(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Number of establishments.
pub async fn count(store: &Store) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM establishments")
        .fetch_one(store.pool())
        .await?)
}
