//! Which EPCI each commune belongs to (table `epci_communes`), from the official list.

use std::collections::HashMap;

use repere_core::establishments::Epci;
use sqlx::Row;

use crate::{AnyConnection, Store, StoreError, corrupt};

/// Every commune code with its EPCI.
pub async fn load_all(store: &Store) -> Result<HashMap<String, Epci>, StoreError> {
    let rows = sqlx::query("SELECT commune_code, epci_code, epci_name FROM epci_communes")
        .fetch_all(store.pool())
        .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        let commune: String = row.try_get("commune_code")?;
        let epci = Epci::new(
            &row.try_get::<String, _>("epci_code")?,
            &row.try_get::<String, _>("epci_name")?,
        )
        .map_err(|e| corrupt("epci_communes", &commune, e))?;
        out.insert(commune, epci);
    }
    Ok(out)
}

/// Records (or replaces) the EPCI of a commune.
pub async fn put(conn: &mut AnyConnection, commune_code: &str, epci: &Epci) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO epci_communes (commune_code, epci_code, epci_name) VALUES ($1, $2, $3)
         ON CONFLICT (commune_code) DO UPDATE SET epci_code = excluded.epci_code, epci_name = excluded.epci_name",
    )
    .bind(commune_code)
    .bind(&epci.code)
    .bind(&epci.name)
    .execute(conn)
    .await?;
    Ok(())
}
