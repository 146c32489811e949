//! Accounts, login failures (rate limiting) and sessions.

use chrono::{DateTime, Utc};
use repere_core::users::{AccountStatus, Email, Preferences, Role};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError, corrupt, parse_ts, ts};

/// A stored account (the password hash stays in the store module's callers only when needed).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub status: AccountStatus,
    /// Raised to end every open session of the account (a session holds the epoch it was opened at).
    pub auth_epoch: i64,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// Whether a local password is set (accounts of the identity provider and invited ones have none).
    pub has_password: bool,
    pub preferences: Preferences,
}

impl User {
    /// How other people see this account: its display name, or its address when it has none.
    pub fn shown_name(&self) -> &str {
        if self.display_name.trim().is_empty() {
            self.email.as_str()
        } else {
            &self.display_name
        }
    }
}

pub(crate) fn from_row(row: &AnyRow) -> Result<(User, String), StoreError> {
    let id: i64 = row.try_get("id")?;
    let key = id.to_string();
    let c = |e: repere_core::Invalid| corrupt("users", &key, e);
    let hash: String = row.try_get("password_hash")?;
    let last: Option<String> = row.try_get("last_sign_in_at")?;
    let preferences: String = row.try_get("preferences")?;
    Ok((
        User {
            id,
            email: Email::parse(&row.try_get::<String, _>("email")?).map_err(c)?,
            display_name: row.try_get("display_name")?,
            role: Role::parse("role", &row.try_get::<String, _>("role")?).map_err(c)?,
            created_at: parse_ts("users", &key, &row.try_get::<String, _>("created_at")?)?,
            status: AccountStatus::parse("status", &row.try_get::<String, _>("status")?).map_err(c)?,
            auth_epoch: row.try_get("auth_epoch")?,
            last_sign_in_at: last.map(|t| parse_ts("users", &key, &t)).transpose()?,
            has_password: !hash.is_empty(),
            preferences: serde_json::from_str(&preferences).map_err(|e| corrupt("users", &key, e))?,
        },
        hash,
    ))
}

/// Creates an account; `None` when the address is already taken.
pub async fn insert(
    store: &Store,
    email: &Email,
    display_name: &str,
    role: Role,
    password_hash: &str,
) -> Result<Option<i64>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO users (email, display_name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(email.as_str())
    .bind(display_name)
    .bind(role.as_str())
    .bind(password_hash)
    .bind(ts(Utc::now()))
    .fetch_optional(store.pool())
    .await?;
    Ok(id)
}

/// An account and its password hash, by address.
pub async fn by_email(store: &Store, email: &Email) -> Result<Option<(User, String)>, StoreError> {
    let row = sqlx::query("SELECT * FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(store.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// An account by id.
pub async fn by_id(store: &Store, id: i64) -> Result<Option<User>, StoreError> {
    let row = sqlx::query("SELECT * FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?.map(|(u, _)| u))
}

/// Records a failed login for `scope`.
pub async fn record_failure(store: &Store, scope: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO login_failures (scope, at) VALUES ($1, $2)")
        .bind(scope)
        .bind(ts(at))
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Failed logins for `scope` since `since`, and when the last one happened.
pub async fn failures_and_last(
    store: &Store,
    scope: &str,
    since: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n, MAX(at) AS last FROM login_failures WHERE scope = $1 AND at >= $2")
        .bind(scope)
        .bind(ts(since))
        .fetch_one(store.pool())
        .await?;
    let last: Option<String> = row.try_get("last")?;
    Ok((
        row.try_get("n")?,
        last.map(|l| parse_ts("login_failures", &scope, &l)).transpose()?,
    ))
}

/// Whether the browser whose cookie hashes to `device_hash` signed in to `user` before.
pub async fn known_device(store: &Store, user: i64, device_hash: &str) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM known_devices WHERE user_id = $1 AND device_hash = $2")
        .bind(user)
        .bind(device_hash)
        .fetch_one(store.pool())
        .await?;
    Ok(n > 0)
}

/// Notes that this browser signed in to `user`.
pub async fn remember_device(store: &Store, user: i64, device_hash: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO known_devices (user_id, device_hash, last_seen_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, device_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at",
    )
    .bind(user)
    .bind(device_hash)
    .bind(ts(at))
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Failed logins for `scope` since `since`.
pub async fn failures_since(store: &Store, scope: &str, since: DateTime<Utc>) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE scope = $1 AND at >= $2")
            .bind(scope)
            .bind(ts(since))
            .fetch_one(store.pool())
            .await?,
    )
}

/// Forgets the failures of `scope` (after a successful login).
pub async fn clear_failures(store: &Store, scope: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_failures WHERE scope = $1")
        .bind(scope)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Loads a live session's data (JSON text); expired sessions are not returned.
pub async fn session_load(store: &Store, id: &str, now: DateTime<Utc>) -> Result<Option<(String, String)>, StoreError> {
    let row = sqlx::query("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
        .bind(id)
        .bind(ts(now))
        .fetch_optional(store.pool())
        .await?;
    row.map(|r| Ok((r.try_get("data")?, r.try_get("expires_at")?)))
        .transpose()
}

/// Creates or replaces a session.
pub async fn session_save(store: &Store, id: &str, data: &str, expires_at: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
    )
    .bind(id)
    .bind(data)
    .bind(ts(expires_at))
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Creates a session only if the id is free; `false` when it is taken.
pub async fn session_create(
    store: &Store,
    id: &str,
    data: &str,
    expires_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done =
        sqlx::query("INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .bind(data)
            .bind(ts(expires_at))
            .execute(store.pool())
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes a session (logout).
pub async fn session_delete(store: &Store, id: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Deletes the sessions expired at `now` and the failed logins older than `failures_before`; returns
/// the sessions deleted.
pub async fn purge_expired(
    store: &Store,
    now: DateTime<Utc>,
    failures_before: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(ts(now))
        .execute(store.pool())
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE at < $1")
        .bind(ts(failures_before))
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected())
}
