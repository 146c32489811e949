//! Visit counts (table `visit_counts`): aggregated per day, page, practice and embedding site. Each
//! instance counts in memory and adds its counts here in batches; nothing identifies a visitor.

use sqlx::Row;

use crate::{Store, StoreError};

/// What a count is about; `practice_id` 0 and `site` "" mean none.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VisitKey {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub page: String,
    pub practice_id: i64,
    pub site: String,
}

/// Adds a batch of counts in one transaction (several instances may add to the same rows).
pub async fn add(store: &Store, counts: &[(VisitKey, i64)]) -> Result<(), StoreError> {
    if counts.is_empty() {
        return Ok(());
    }
    let mut tx = store.pool().begin().await?;
    for (k, n) in counts {
        sqlx::query(
            "INSERT INTO visit_counts (day, page, practice_id, site, count) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (day, page, practice_id, site) DO UPDATE SET count = visit_counts.count + excluded.count",
        )
        .bind(&k.day)
        .bind(&k.page)
        .bind(k.practice_id)
        .bind(&k.site)
        .bind(*n)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Every count of the days from `from` to `to` (inclusive, `YYYY-MM-DD`), ordered by key.
pub async fn between(store: &Store, from: &str, to: &str) -> Result<Vec<(VisitKey, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT day, page, practice_id, site, count FROM visit_counts WHERE day >= $1 AND day <= $2
         ORDER BY day, page, practice_id, site",
    )
    .bind(from)
    .bind(to)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                VisitKey {
                    day: r.try_get("day")?,
                    page: r.try_get("page")?,
                    practice_id: r.try_get("practice_id")?,
                    site: r.try_get("site")?,
                },
                r.try_get("count")?,
            ))
        })
        .collect()
}
