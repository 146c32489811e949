//! Account administration and the ways in: invitations and password resets (single-use tokens, of
//! which only a hash is kept), identities of the OpenID provider bound to accounts, status, role,
//! sign-in bookkeeping and preferences. Writes take the caller's connection, so that each commits with
//! its audit entry and the e-mail it causes.

use chrono::{DateTime, Utc};
use repere_core::users::{AccountStatus, Email, Preferences, Role};
use sqlx::Row;

use crate::users::{User, from_row};
use crate::{AnyConnection, Store, StoreError, ts, unique};

/// What a single-use token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Invitation,
    Reset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::Reset => "reset",
        }
    }
}

/// Why a token cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    Unknown,
    Used,
    Expired,
}

/// Creates an account without a local password: `Invited` (it waits for its holder to accept), or
/// `Active` (first sign-in through the identity provider). `Duplicate` when the address has an account.
pub async fn insert_without_password(
    conn: &mut AnyConnection,
    email: &Email,
    display_name: &str,
    role: Role,
    status: AccountStatus,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "INSERT INTO users (email, display_name, role, password_hash, created_at, status)
         VALUES ($1, $2, $3, '', $4, $5) RETURNING id",
    )
    .bind(email.as_str())
    .bind(display_name)
    .bind(role.as_str())
    .bind(ts(at))
    .bind(status.as_str())
    .fetch_one(conn)
    .await
    .map_err(unique("account"))
}

/// Stores the hash of a new single-use token for `user`, dropping the unused ones of the same purpose
/// (a re-sent invitation or a second reset request makes the earlier links useless).
pub async fn create_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    purpose: Purpose,
    user: i64,
    created_by: Option<i64>,
    at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM account_tokens WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
        .bind(user)
        .bind(purpose.as_str())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, purpose, user_id, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .bind(user)
    .bind(created_by)
    .bind(ts(at))
    .bind(ts(expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The account a token of `purpose` opens, without using it (to show whom an invitation is for).
pub async fn peek_token(
    store: &Store,
    token_hash: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<Result<User, TokenRefusal>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    check_token(&mut conn, token_hash, purpose, now).await
}

async fn check_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<Result<User, TokenRefusal>, StoreError> {
    let row =
        sqlx::query("SELECT user_id, expires_at, used_at FROM account_tokens WHERE token_hash = $1 AND purpose = $2")
            .bind(token_hash)
            .bind(purpose.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    let Some(row) = row else {
        return Ok(Err(TokenRefusal::Unknown));
    };
    if row.try_get::<Option<String>, _>("used_at")?.is_some() {
        return Ok(Err(TokenRefusal::Used));
    }
    if row.try_get::<String, _>("expires_at")? <= ts(now) {
        return Ok(Err(TokenRefusal::Expired));
    }
    let user: i64 = row.try_get("user_id")?;
    let row = sqlx::query("SELECT * FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(conn)
        .await?;
    Ok(Ok(from_row(&row)?.0))
}

/// Uses a token: marks it used (only if it is still unused, so that two concurrent uses cannot both
/// succeed) and returns its account.
pub async fn use_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<Result<User, TokenRefusal>, StoreError> {
    let user = match check_token(conn, token_hash, purpose, now).await? {
        Ok(u) => u,
        Err(e) => return Ok(Err(e)),
    };
    let done = sqlx::query("UPDATE account_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
        .bind(ts(now))
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(if done.rows_affected() == 1 {
        Ok(user)
    } else {
        Err(TokenRefusal::Used)
    })
}

/// Sets the password (and activates an invited account, naming it `display_name` when given), ending
/// every open session of the account.
pub async fn set_password(
    conn: &mut AnyConnection,
    user: i64,
    hash: &str,
    display_name: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, auth_epoch = auth_epoch + 1,
           status = CASE WHEN status = 'invited' THEN 'active' ELSE status END
         WHERE id = $2",
    )
    .bind(hash)
    .bind(user)
    .execute(&mut *conn)
    .await?;
    if let Some(name) = display_name {
        sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
            .bind(name)
            .bind(user)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Activates an invited account (its holder signed in through the identity provider).
pub async fn activate(conn: &mut AnyConnection, user: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET status = 'active' WHERE id = $1 AND status = 'invited'")
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Changes the role.
pub async fn set_role(conn: &mut AnyConnection, user: i64, role: Role) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Changes the status, ending every open session of the account.
pub async fn set_status(conn: &mut AnyConnection, user: i64, status: AccountStatus) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET status = $1, auth_epoch = auth_epoch + 1 WHERE id = $2")
        .bind(status.as_str())
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every open session of the account ("se déconnecter partout").
pub async fn end_sessions(conn: &mut AnyConnection, user: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET auth_epoch = auth_epoch + 1 WHERE id = $1")
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Notes a successful sign-in.
pub async fn signed_in(store: &Store, user: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
        .bind(ts(at))
        .bind(user)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Saves an account's e-mail preferences.
pub async fn set_preferences(conn: &mut AnyConnection, user: i64, preferences: &Preferences) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET preferences = $1 WHERE id = $2")
        .bind(serde_json::to_string(preferences).unwrap_or_else(|_| "{}".into()))
        .bind(user)
        .execute(conn)
        .await?;
    Ok(())
}

/// The key of the account's unsubscribe links, created on first use.
pub async fn mail_key(conn: &mut AnyConnection, user: i64, fresh: &str) -> Result<String, StoreError> {
    sqlx::query("UPDATE users SET mail_key = $1 WHERE id = $2 AND mail_key IS NULL")
        .bind(fresh)
        .bind(user)
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query_scalar("SELECT mail_key FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(conn)
        .await?)
}

/// The account whose unsubscribe key is `key`, if `user` has it.
pub async fn by_mail_key(store: &Store, user: i64, key: &str) -> Result<Option<User>, StoreError> {
    let row = sqlx::query("SELECT * FROM users WHERE id = $1 AND mail_key = $2")
        .bind(user)
        .bind(key)
        .fetch_optional(store.pool())
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?.map(|(u, _)| u))
}

/// The account bound to the identity `(issuer, subject)`.
pub async fn by_identity(store: &Store, issuer: &str, subject: &str) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(
        "SELECT users.* FROM identities JOIN users ON users.id = identities.user_id
         WHERE identities.issuer = $1 AND identities.subject = $2",
    )
    .bind(issuer)
    .bind(subject)
    .fetch_optional(store.pool())
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?.map(|(u, _)| u))
}

/// Binds an identity of the provider to an account.
pub async fn bind_identity(
    conn: &mut AnyConnection,
    issuer: &str,
    subject: &str,
    user: i64,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(issuer)
        .bind(subject)
        .bind(user)
        .bind(ts(at))
        .execute(conn)
        .await
        .map_err(unique("identity"))?;
    Ok(())
}

/// One line of the accounts page.
#[derive(Debug, Clone)]
pub struct Listed {
    pub user: User,
    /// Whether the account signs in through the identity provider.
    pub federated: bool,
    /// When the pending invitation (if any) expires.
    pub invitation_expires_at: Option<String>,
}

/// Every account, by address.
pub async fn list(store: &Store) -> Result<Vec<Listed>, StoreError> {
    let rows = sqlx::query(
        "SELECT users.*,
           (SELECT COUNT(*) FROM identities i WHERE i.user_id = users.id) AS identities,
           (SELECT MAX(t.expires_at) FROM account_tokens t
             WHERE t.user_id = users.id AND t.purpose = 'invitation' AND t.used_at IS NULL) AS invitation_expires_at
         FROM users ORDER BY email",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Listed {
                user: from_row(row)?.0,
                federated: row.try_get::<i64, _>("identities")? > 0,
                invitation_expires_at: row.try_get("invitation_expires_at")?,
            })
        })
        .collect()
}

/// An account by id, read inside the caller's transaction.
pub async fn by_id_in(conn: &mut AnyConnection, id: i64) -> Result<Option<User>, StoreError> {
    let row = sqlx::query("SELECT * FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?.map(|(u, _)| u))
}

/// The active moderators and admins (those told of a submission), chosen by the database.
pub async fn active_moderators(conn: &mut AnyConnection) -> Result<Vec<User>, StoreError> {
    let rows =
        sqlx::query("SELECT * FROM users WHERE status = 'active' AND role IN ('moderator', 'admin') ORDER BY id")
            .fetch_all(conn)
            .await?;
    rows.iter().map(|r| Ok(from_row(r)?.0)).collect()
}

/// How many active admins there are (the last one may not be demoted or deactivated).
pub async fn active_admins(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND status = 'active'")
            .fetch_one(conn)
            .await?,
    )
}
