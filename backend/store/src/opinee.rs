//! OPINEE levels and labels per establishment and school year (table `opinee`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use repere_core::opinee::{Field, Levels, Profile, label};
use repere_core::{SchoolYear, Uai};
use sqlx::Row;

use crate::{AnyConnection, Store, StoreError, corrupt, ts};

const TABLE: &str = "opinee";

macro_rules! select {
    () => {
        "SELECT uai, school_year, equipment_devices, equipment_network, equipment_resources, usage_teaching,
         usage_pupils, usage_training, usage_communication, label FROM opinee"
    };
}

/// Profiles (oldest year first), of one establishment or of all.
pub async fn load(store: &Store, only: Option<Uai>) -> Result<HashMap<Uai, Vec<Profile>>, StoreError> {
    let rows = match only {
        Some(uai) => {
            sqlx::query(concat!(select!(), " WHERE uai = $1 ORDER BY school_year"))
                .bind(uai.as_str())
                .fetch_all(store.pool())
                .await?
        }
        None => {
            sqlx::query(concat!(select!(), " ORDER BY uai, school_year"))
                .fetch_all(store.pool())
                .await?
        }
    };
    let mut out: HashMap<Uai, Vec<Profile>> = HashMap::new();
    for row in rows {
        let uai: String = row.try_get("uai")?;
        let c = |e: repere_core::Invalid| corrupt(TABLE, &uai, e);
        let mut values = [None::<i64>; 7];
        for (slot, f) in values.iter_mut().zip(Field::ALL) {
            *slot = row.try_get(f.as_str())?;
        }
        let levels = match values {
            [Some(a), Some(b), Some(c2), Some(d), Some(e), Some(f), Some(g)] => {
                Some(Levels::new([a, b, c2, d, e, f, g]).map_err(c)?)
            }
            _ => None,
        };
        let profile = Profile {
            school_year: SchoolYear::parse(&row.try_get::<String, _>("school_year")?).map_err(c)?,
            levels,
            label: row
                .try_get::<Option<i64>, _>("label")?
                .map(label)
                .transpose()
                .map_err(c)?,
        };
        out.entry(Uai::parse(&uai).map_err(c)?).or_default().push(profile);
    }
    Ok(out)
}

/// Records the profile of an establishment for its school year, replacing what was there; an empty
/// profile removes the row.
pub async fn put(conn: &mut AnyConnection, uai: Uai, p: &Profile, now: DateTime<Utc>) -> Result<(), StoreError> {
    if p.is_empty() {
        return delete(conn, uai, p.school_year).await.map(|_| ());
    }
    let level = |f: Field| p.levels.map(|l| i64::from(l.get(f)));
    let mut q = sqlx::query(
        "INSERT INTO opinee (uai, school_year, equipment_devices, equipment_network, equipment_resources,
           usage_teaching, usage_pupils, usage_training, usage_communication, label, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (uai, school_year) DO UPDATE SET equipment_devices = excluded.equipment_devices,
           equipment_network = excluded.equipment_network, equipment_resources = excluded.equipment_resources,
           usage_teaching = excluded.usage_teaching, usage_pupils = excluded.usage_pupils,
           usage_training = excluded.usage_training, usage_communication = excluded.usage_communication,
           label = excluded.label, updated_at = excluded.updated_at",
    )
    .bind(uai.as_str())
    .bind(p.school_year.to_string());
    for &f in Field::ALL {
        q = q.bind(level(f));
    }
    q.bind(p.label.map(i64::from))
        .bind(ts(now))
        // A NULL bound through `Any` carries no type; see `NULLABLE_BINDS` in lib.rs.
        .persistent(false)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes the profile of an establishment for a school year; whether there was one.
pub async fn delete(conn: &mut AnyConnection, uai: Uai, year: SchoolYear) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM opinee WHERE uai = $1 AND school_year = $2")
        .bind(uai.as_str())
        .bind(year.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
