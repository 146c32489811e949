//! Repère store: the source of truth. sqlx over SQLite (the embedded default) or PostgreSQL, chosen by
//! the `DATABASE_URL` scheme, through sqlx's `Any` driver so that one set of queries serves both.
//! Migrations are embedded per backend and applied at start-up. One module per domain.
//!
//! Portable SQL only: `$n` placeholders, `ON CONFLICT … DO UPDATE`, `RETURNING`. Timestamps are stored
//! as fixed-width RFC 3339 UTC text and lists as JSON text, the types both backends share through `Any`.
//!
//! `NULLABLE_BINDS`: through `Any`, a bound `None` reaches PostgreSQL as an untyped (integer) NULL. If
//! that execution prepared the cached statement, a later non-NULL float for the same parameter fails
//! with "incorrect binary data format". Writes that bind optional values therefore run unprepared
//! (`persistent(false)`), so each execution declares its own parameter types.

pub mod accounts;
pub mod audit;
mod bulk;
pub mod changes;
pub mod epci;
pub mod establishments;
pub mod fibre;
pub mod intentions;
pub mod letters;
pub mod links;
pub mod messages;
pub mod meta;
pub mod opinee;
pub mod outbox;
pub mod practices;
pub mod revisions;
pub mod schema;
pub mod sites;
pub mod transfer;
pub mod unit;
pub mod users;
pub mod visits;

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use std::cell::RefCell;

use repere_core::practices::Facets;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use sqlx::AnyConnection;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a query (connection lost, constraint, …).
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A record that must be unique exists already (a unique index refused the write): what it is.
    #[error("duplicate {0}")]
    Duplicate(&'static str),
    /// A whole-table read through the native SQLite connection failed.
    #[error("database error: {0}")]
    NativeRead(#[from] rusqlite::Error),
    /// A migration could not be applied.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored row could not be read back into a domain value (the database was edited by hand?).
    #[error("corrupt row in {table} ({key}): {reason}")]
    Corrupt {
        table: &'static str,
        key: String,
        reason: String,
    },
    /// The URL names no backend Repère supports.
    #[error("unsupported DATABASE_URL scheme (expected sqlite:// or postgres://): {0}")]
    UnsupportedUrl(String),
    /// Creating the folder that holds the SQLite file failed.
    #[error("cannot create the database folder {path}: {source}")]
    Folder { path: String, source: std::io::Error },
}

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to the store, with its migrations applied.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The SQLite file, read natively for whole-table loads (`None` on PostgreSQL and in memory).
    sqlite_file: Option<String>,
}

impl Store {
    /// Connects to `url` (`sqlite://path`, created if missing, or `postgres://…`) and applies the
    /// embedded migrations of that backend.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let mut sqlite_file = None;
        let (backend, url) = if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            let (file, query) = path.split_once('?').unwrap_or((path, ""));
            if let Some(parent) = std::path::Path::new(file).parent()
                && !parent.as_os_str().is_empty()
                && file != ":memory:"
            {
                std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
                    path: parent.display().to_string(),
                    source,
                })?;
            }
            if file != ":memory:" && !query.contains("mode=memory") {
                sqlite_file = Some(file.to_string());
            }
            let query = if query.contains("mode=") {
                query.to_string()
            } else if query.is_empty() {
                "mode=rwc".into()
            } else {
                format!("{query}&mode=rwc")
            };
            (Backend::Sqlite, format!("sqlite://{file}?{query}"))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 10 })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; FULL makes every commit durable.
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 5000",
                        ] {
                            conn.execute(pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let store = Self {
            pool,
            backend,
            sqlite_file,
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    /// The pool, for queries and transactions.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// SQLite: moves what the write-ahead log holds into the database file and empties the log (a copy
    /// of the `.db` file alone then holds everything). Nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Closes every connection (waits for checked-out ones to come back).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Maps a unique-index violation to [`StoreError::Duplicate`] of `what`, any other error as it is.
pub(crate) fn unique(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate(what),
        _ => StoreError::Database(e),
    }
}

/// A URL with any password replaced, fit for logs and error messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Formats a timestamp the way the store keeps it (fixed width, so text order is time order).
pub fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub(crate) fn parse_ts(table: &'static str, key: &Key<'_>, s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(table, key, e))
}

pub(crate) fn parse_date(table: &'static str, key: &Key<'_>, s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| corrupt(table, key, e))
}

pub(crate) fn list_to_json<S: AsRef<str>>(list: &[S]) -> String {
    let list: Vec<&str> = list.iter().map(AsRef::as_ref).collect();
    serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())
}

/// A JSON list of facet values, as the shared list ([`Facets`]). The lists a table holds are few and
/// written the same way each time, so each JSON text is parsed once per thread and remembered (per
/// thread: the practices table is read by several threads at once).
pub(crate) fn facets_from_json(table: &'static str, key: &Key<'_>, s: &str) -> Result<Facets, StoreError> {
    thread_local! {
        static PARSED: RefCell<foldhash::HashMap<Box<str>, Facets>> = RefCell::default();
    }
    if let Some(list) = PARSED.with_borrow(|parsed| parsed.get(s).cloned()) {
        return Ok(list);
    }
    let list = Facets::of(&list_from_json(table, key, s)?);
    PARSED.with_borrow_mut(|parsed| {
        // A bound for a table of free-text lists, each different: past it, lists are parsed every time.
        if parsed.len() < 100_000 {
            parsed.insert(s.into(), list.clone());
        }
    });
    Ok(list)
}

pub(crate) fn list_from_json(table: &'static str, key: &Key<'_>, s: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(s).map_err(|e| corrupt(table, key, e))
}

/// A row's key in an error message (an id, a UAI…): formatted only when there is an error, not for each
/// of a million rows read.
pub(crate) type Key<'a> = dyn std::fmt::Display + 'a;

pub(crate) fn corrupt(table: &'static str, key: &Key<'_>, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table,
        key: key.to_string(),
        reason: reason.to_string(),
    }
}

/// A task of the catalogue's load (a table read on its own thread) that panicked or was cancelled.
pub fn load_task_failed(e: tokio::task::JoinError) -> StoreError {
    corrupt("catalogue", &"", format!("loading task failed: {e}"))
}

pub(crate) fn position(
    table: &'static str,
    key: &Key<'_>,
    lon: Option<f64>,
    lat: Option<f64>,
) -> Result<Option<repere_core::LonLat>, StoreError> {
    match (lon, lat) {
        (Some(lon), Some(lat)) => repere_core::LonLat::new(lon, lat)
            .map(Some)
            .map_err(|e| corrupt(table, key, e)),
        _ => Ok(None),
    }
}

/// Creates (or re-creates, empty) a PostgreSQL database called `name` on the server of `server_url`
/// and returns the URL to reach it. Used by tests and benchmarks to get a fresh database each;
/// `name` must be a plain identifier (letters, digits, `_`).
pub async fn create_postgres_database(server_url: &str, name: &str) -> Result<String, StoreError> {
    use sqlx::Connection;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::UnsupportedUrl(format!("bad database name {name}")));
    }
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(server_url).await?;
    conn.execute(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .await?;
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await?;
    conn.close().await?;
    let mut url = url_without_database(server_url);
    url.push('/');
    url.push_str(name);
    Ok(url)
}

/// Drops a database made by [`create_postgres_database`]; errors are ignored by callers cleaning up.
pub async fn drop_postgres_database(server_url: &str, name: &str) -> Result<(), StoreError> {
    use sqlx::Connection;
    let mut conn = AnyConnection::connect(server_url).await?;
    conn.execute(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .await?;
    Ok(())
}

fn url_without_database(url: &str) -> String {
    let (base, _query) = url.split_once('?').unwrap_or((url, ""));
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    match base[after_scheme..].find('/') {
        Some(slash) => base[..after_scheme + slash].to_string(),
        None => base.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/repere"),
            "postgres://app:***@db:5432/repere"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
    }

    #[test]
    fn timestamps_have_a_fixed_width() {
        let a = DateTime::parse_from_rfc3339("2025-09-01T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let b = DateTime::parse_from_rfc3339("2025-09-01T08:00:00.5Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(ts(a), "2025-09-01T08:00:00.000000Z");
        assert!(ts(a) < ts(b));
        assert_eq!(parse_ts("t", &"k", &ts(b)).unwrap(), b);
    }
}
