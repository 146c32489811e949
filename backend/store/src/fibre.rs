//! The fibre coverage of the communes (`commune_fibre`) and their outlines (`commune_outlines`).

use std::collections::HashMap;

use repere_core::fibre::{CommuneFibre, CommuneOutline};
use sqlx::Row;

use crate::{AnyConnection, Store, StoreError, corrupt};

/// Every commune's fibre coverage, by INSEE code.
pub async fn load_coverage(store: &Store) -> Result<HashMap<String, CommuneFibre>, StoreError> {
    let rows = sqlx::query("SELECT commune_code, commune_name, premises, connectable, quarter FROM commune_fibre")
        .fetch_all(store.pool())
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        let code: String = row.try_get("commune_code")?;
        let count = |name: &str| -> Result<u64, StoreError> {
            let n: i64 = row.try_get(name)?;
            u64::try_from(n).map_err(|_| corrupt("commune_fibre", &code, format!("{name} négatif")))
        };
        let fibre = CommuneFibre::new(
            &code,
            &row.try_get::<String, _>("commune_name")?,
            count("premises")?,
            count("connectable")?,
            &row.try_get::<String, _>("quarter")?,
        )
        .map_err(|e| corrupt("commune_fibre", &code, e))?;
        out.insert(code, fibre);
    }
    Ok(out)
}

/// Records (or replaces) a commune's coverage.
pub async fn put_coverage(conn: &mut AnyConnection, c: &CommuneFibre) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO commune_fibre (commune_code, commune_name, premises, connectable, quarter) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (commune_code) DO UPDATE SET commune_name = excluded.commune_name, premises = excluded.premises,
           connectable = excluded.connectable, quarter = excluded.quarter",
    )
    .bind(&c.code)
    .bind(&c.name)
    .bind(i64::try_from(c.premises).unwrap_or(i64::MAX))
    .bind(i64::try_from(c.connectable).unwrap_or(i64::MAX))
    .bind(&c.quarter)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every commune's outline, by INSEE code.
pub async fn load_outlines(store: &Store) -> Result<HashMap<String, CommuneOutline>, StoreError> {
    let rows = sqlx::query("SELECT commune_code, commune_name, departement, geometry FROM commune_outlines")
        .fetch_all(store.pool())
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        let outline = CommuneOutline {
            code: row.try_get("commune_code")?,
            name: row.try_get("commune_name")?,
            departement: row.try_get("departement")?,
            geometry: row.try_get("geometry")?,
        };
        out.insert(outline.code.clone(), outline);
    }
    Ok(out)
}

/// Records (or replaces) a commune's outline.
pub async fn put_outline(conn: &mut AnyConnection, o: &CommuneOutline) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO commune_outlines (commune_code, commune_name, departement, geometry) VALUES ($1, $2, $3, $4)
         ON CONFLICT (commune_code) DO UPDATE SET commune_name = excluded.commune_name,
           departement = excluded.departement, geometry = excluded.geometry",
    )
    .bind(&o.code)
    .bind(&o.name)
    .bind(&o.departement)
    .bind(&o.geometry)
    .execute(conn)
    .await?;
    Ok(())
}
