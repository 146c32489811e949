//! tower-sessions' `SessionStore` over Repère's store, so that sessions live in SQLite or PostgreSQL
//! beside the data (and are shared by every instance on one PostgreSQL).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use repere_store::Store;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Debug, Clone)]
pub struct DbSessionStore {
    store: Store,
}

impl DbSessionStore {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn to_chrono(t: OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()).unwrap_or_default()
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        // A fresh random id collides with probability ~2^-128; retry rather than overwrite.
        while !repere_store::users::session_create(
            &self.store,
            &record.id.to_string(),
            &data,
            to_chrono(record.expiry_date),
        )
        .await
        .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        repere_store::users::session_save(
            &self.store,
            &record.id.to_string(),
            &data,
            to_chrono(record.expiry_date),
        )
        .await
        .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some((data, expires)) = repere_store::users::session_load(&self.store, &id.to_string(), Utc::now())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expires =
            DateTime::parse_from_rfc3339(&expires).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(expires.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        repere_store::users::session_delete(&self.store, &id.to_string())
            .await
            .map_err(backend)
    }
}

/// How often expired sessions and old failed logins are deleted.
pub const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Deletes expired sessions (and failed logins older than a day) at start, then every
/// [`PURGE_EVERY`], until `stopped` turns true: the table holds live sessions only.
pub async fn purge_loop(store: Store, mut stopped: tokio::sync::watch::Receiver<bool>) {
    loop {
        let now = Utc::now();
        match repere_store::users::purge_expired(&store, now, now - chrono::Duration::days(1)).await {
            Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions deleted"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "expired sessions not deleted; tried again later"),
        }
        tokio::select! {
            _ = tokio::time::sleep(PURGE_EVERY) => {}
            _ = stopped.changed() => break,
        }
    }
}
