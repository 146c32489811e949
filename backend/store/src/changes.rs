//! The change log (`changes` table): every write the in-memory catalogue must follow adds one row in
//! its own transaction (written by [`crate::unit::Unit::commit`]). Each instance applies rows in id
//! order from the last id it applied; see `repere_catalog::sync`. On PostgreSQL, writers serialise on an advisory lock while adding their row
//! (so a smaller id is never committed after a larger one has been read) and `NOTIFY` [`CHANNEL`] at
//! commit to wake the other instances.

use chrono::{DateTime, Utc};
use repere_core::Uai;
use sqlx::Row;

use crate::{AnyConnection, Store, StoreError, corrupt, parse_ts, ts};

/// The PostgreSQL notification channel.
pub const CHANNEL: &str = "repere_changes";
/// The advisory lock key writers hold while adding their row ("RPRE").
const LOCK_KEY: i64 = 0x5250_5245;

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    Practice(i64),
    Establishment(Uai),
    Site(i64),
    Link(i64),
    /// A bulk write (import, demo dataset): reload everything.
    All,
}

/// One row of the log.
#[derive(Debug, Clone)]
pub struct Change {
    pub id: i64,
    pub subject: Subject,
    pub at: DateTime<Utc>,
}

impl Subject {
    fn columns(&self) -> (&'static str, Option<String>) {
        match self {
            Subject::Practice(id) => ("practice", Some(id.to_string())),
            Subject::Establishment(uai) => ("establishment", Some(uai.as_str().to_string())),
            Subject::Site(id) => ("site", Some(id.to_string())),
            Subject::Link(id) => ("link", Some(id.to_string())),
            Subject::All => ("all", None),
        }
    }

    fn from_columns(entity: &str, key: Option<&str>) -> Result<Self, String> {
        let id = || {
            key.ok_or("missing entity_id")?
                .parse::<i64>()
                .map_err(|e| e.to_string())
        };
        Ok(match entity {
            "practice" => Subject::Practice(id()?),
            "site" => Subject::Site(id()?),
            "link" => Subject::Link(id()?),
            "establishment" => {
                Subject::Establishment(Uai::parse(key.ok_or("missing entity_id")?).map_err(|e| e.to_string())?)
            }
            "all" => Subject::All,
            other => return Err(format!("unknown entity {other}")),
        })
    }
}

/// Adds `subject` to the log inside the caller's transaction and returns its id.
pub async fn record(conn: &mut AnyConnection, subject: &Subject, at: DateTime<Utc>) -> Result<i64, StoreError> {
    let postgres = conn.backend_name().eq_ignore_ascii_case("postgresql");
    if postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(LOCK_KEY)
            .execute(&mut *conn)
            .await?;
    }
    let (entity, key) = subject.columns();
    let id: i64 = sqlx::query("INSERT INTO changes (entity, entity_id, at) VALUES ($1, $2, $3) RETURNING id")
        .bind(entity)
        .bind(key)
        .bind(ts(at))
        .persistent(false)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if postgres {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(id)
}

/// Up to `limit` changes after `after`, oldest first.
pub async fn since(store: &Store, after: i64, limit: i64) -> Result<Vec<Change>, StoreError> {
    let rows = sqlx::query("SELECT id, entity, entity_id, at FROM changes WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after)
        .bind(limit)
        .fetch_all(store.pool())
        .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let entity: String = row.try_get("entity")?;
            let key: Option<String> = row.try_get("entity_id")?;
            let subject =
                Subject::from_columns(&entity, key.as_deref()).map_err(|e| corrupt("changes", &id.to_string(), e))?;
            let at = parse_ts("changes", &id.to_string(), &row.try_get::<String, _>("at")?)?;
            Ok(Change { id, subject, at })
        })
        .collect()
}

/// The id of the last change (0 when the log is empty).
pub async fn last_id(store: &Store) -> Result<i64, StoreError> {
    Ok(sqlx::query("SELECT COALESCE(MAX(id), 0) FROM changes")
        .fetch_one(store.pool())
        .await?
        .try_get(0)?)
}
