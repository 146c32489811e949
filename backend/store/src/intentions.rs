//! Intentions and their dossiers (tables `intentions`, `intention_uais`, `intention_steps`,
//! `intention_events`, `intention_practices`, `intention_reminders`) and what accounts are bound to
//! (`account_scopes`). Writes take the caller's connection, so a change, its timeline event, its audit
//! trace and its e-mails commit together.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use repere_core::intentions::{Kind, Outcome, PlannedStep, Status, StepKind, TerritoryKind};
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{AnyConnection, Store, StoreError, corrupt, parse_date, parse_ts, ts};

/// Meta key of the procedure the admins configured (JSON).
pub const PROCEDURE_KEY: &str = "intention_procedure";

/// A new intention, validated.
#[derive(Debug, Clone)]
pub struct NewIntention {
    pub filer_id: i64,
    pub kind: Kind,
    pub title: String,
    pub description: String,
    pub hoped_for: Option<NaiveDate>,
    pub people: String,
    pub territory: Option<(TerritoryKind, String)>,
    /// `06`, `83` or "" (derived from the establishments or the territory).
    pub departement: String,
    pub uais: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub id: i64,
    pub position: i64,
    pub kind: StepKind,
    pub due_on: Option<NaiveDate>,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_by: Option<i64>,
    pub answer: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub kind: String,
    pub text: String,
    pub data: Value,
}

/// A dossier as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Dossier {
    pub id: i64,
    pub filer_id: i64,
    pub kind: Kind,
    pub title: String,
    pub description: String,
    pub hoped_for: Option<NaiveDate>,
    pub people: String,
    pub territory: Option<(TerritoryKind, String)>,
    pub departement: String,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub referent_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    pub uais: Vec<String>,
    pub steps: Vec<Step>,
    pub practices: Vec<i64>,
}

impl Dossier {
    /// The first step not yet completed (none once closed).
    pub fn next_step(&self) -> Option<&Step> {
        self.steps.iter().find(|s| s.completed_at.is_none())
    }
}

fn dossier_from_row(r: &AnyRow) -> Result<Dossier, StoreError> {
    let id: i64 = r.try_get("id")?;
    let c = |e: repere_core::Invalid| corrupt("intentions", &id, e);
    let territory = match (
        r.try_get::<Option<String>, _>("territory_kind")?,
        r.try_get::<Option<String>, _>("territory_value")?,
    ) {
        (Some(k), Some(v)) => Some((TerritoryKind::parse("territory_kind", &k).map_err(c)?, v)),
        _ => None,
    };
    Ok(Dossier {
        id,
        filer_id: r.try_get("filer_id")?,
        kind: Kind::parse("kind", &r.try_get::<String, _>("kind")?).map_err(c)?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        hoped_for: r
            .try_get::<Option<String>, _>("hoped_for")?
            .map(|d| parse_date("intentions", &id, &d))
            .transpose()?,
        people: r.try_get("people")?,
        territory,
        departement: r.try_get("departement")?,
        status: Status::parse("status", &r.try_get::<String, _>("status")?).map_err(c)?,
        outcome: r
            .try_get::<Option<String>, _>("outcome")?
            .map(|o| Outcome::parse("outcome", &o).map_err(c))
            .transpose()?,
        referent_id: r.try_get("referent_id")?,
        created_at: parse_ts("intentions", &id, &r.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts("intentions", &id, &r.try_get::<String, _>("updated_at")?)?,
        version: r.try_get("version")?,
        uais: Vec::new(),
        steps: Vec::new(),
        practices: Vec::new(),
    })
}

fn step_from_row(r: &AnyRow) -> Result<(i64, Step), StoreError> {
    let id: i64 = r.try_get("id")?;
    let c = |e: repere_core::Invalid| corrupt("intention_steps", &id, e);
    Ok((
        r.try_get("intention_id")?,
        Step {
            id,
            position: r.try_get("position")?,
            kind: StepKind::parse("kind", &r.try_get::<String, _>("kind")?).map_err(c)?,
            due_on: r
                .try_get::<Option<String>, _>("due_on")?
                .map(|d| parse_date("intention_steps", &id, &d))
                .transpose()?,
            completed_at: r
                .try_get::<Option<String>, _>("completed_at")?
                .map(|t| parse_ts("intention_steps", &id, &t))
                .transpose()?,
            completed_by: r.try_get("completed_by")?,
            answer: r.try_get("answer")?,
        },
    ))
}

/// Files an intention with its planned steps and the first event of its timeline; returns its id.
pub async fn insert(
    conn: &mut AnyConnection,
    new: &NewIntention,
    plan: &[PlannedStep],
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO intentions (filer_id, kind, title, description, hoped_for, people, territory_kind,
             territory_value, departement, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(new.filer_id)
    .bind(new.kind.as_str())
    .bind(&new.title)
    .bind(&new.description)
    .bind(new.hoped_for.map(|d| d.to_string()))
    .bind(&new.people)
    .bind(new.territory.as_ref().map(|(k, _)| k.as_str()))
    .bind(new.territory.as_ref().map(|(_, v)| v.clone()))
    .bind(&new.departement)
    .bind(Status::Filed.as_str())
    .bind(ts(at))
    .persistent(false)
    .fetch_one(&mut *conn)
    .await?;
    for uai in &new.uais {
        sqlx::query("INSERT INTO intention_uais (intention_id, uai) VALUES ($1, $2)")
            .bind(id)
            .bind(uai)
            .execute(&mut *conn)
            .await?;
    }
    for (i, s) in plan.iter().enumerate() {
        sqlx::query("INSERT INTO intention_steps (intention_id, position, kind, due_on) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(i as i64 + 1)
            .bind(s.kind.as_str())
            .bind(s.due_on.map(|d| d.to_string()))
            .persistent(false)
            .execute(&mut *conn)
            .await?;
    }
    event(conn, id, at, Some(new.filer_id), "filed", "", &Value::Null).await?;
    Ok(id)
}

/// Adds an event to a dossier's timeline and marks the dossier updated.
pub async fn event(
    conn: &mut AnyConnection,
    intention: i64,
    at: DateTime<Utc>,
    user: Option<i64>,
    kind: &str,
    text: &str,
    data: &Value,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO intention_events (intention_id, at, user_id, kind, text, data) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(intention)
    .bind(ts(at))
    .bind(user)
    .bind(kind)
    .bind(text)
    .bind(if data.is_null() {
        "{}".to_string()
    } else {
        data.to_string()
    })
    .persistent(false)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE intentions SET updated_at = $1, version = version + 1 WHERE id = $2")
        .bind(ts(at))
        .bind(intention)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Every dossier (with establishments, steps and linked practices), oldest first.
pub async fn all(store: &Store) -> Result<Vec<Dossier>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    read(&mut conn, None).await
}

/// One dossier, read inside the caller's transaction (or on its own connection).
pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Option<Dossier>, StoreError> {
    Ok(read(conn, Some(id)).await?.pop())
}

async fn read(conn: &mut AnyConnection, only: Option<i64>) -> Result<Vec<Dossier>, StoreError> {
    let filter = if only.is_some() { " WHERE id = $1" } else { "" };
    let sub = if only.is_some() { " WHERE intention_id = $1" } else { "" };
    let q = |sql: String| {
        let q = sqlx::query(sqlx::AssertSqlSafe(sql));
        match only {
            Some(id) => q.bind(id),
            None => q,
        }
    };
    let rows = q(format!("SELECT * FROM intentions{filter} ORDER BY id"))
        .fetch_all(&mut *conn)
        .await?;
    let mut dossiers: Vec<Dossier> = rows.iter().map(dossier_from_row).collect::<Result<_, _>>()?;
    let at: HashMap<i64, usize> = dossiers.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
    let uais = q(format!(
        "SELECT intention_id, uai FROM intention_uais{sub} ORDER BY uai"
    ))
    .fetch_all(&mut *conn)
    .await?;
    for r in &uais {
        if let Some(i) = at.get(&r.try_get::<i64, _>("intention_id")?) {
            dossiers[*i].uais.push(r.try_get("uai")?);
        }
    }
    let steps = q(format!(
        "SELECT * FROM intention_steps{sub} ORDER BY intention_id, position"
    ))
    .fetch_all(&mut *conn)
    .await?;
    for r in &steps {
        let (intention, step) = step_from_row(r)?;
        if let Some(i) = at.get(&intention) {
            dossiers[*i].steps.push(step);
        }
    }
    let practices = q(format!(
        "SELECT intention_id, practice_id FROM intention_practices{sub} ORDER BY practice_id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    for r in &practices {
        if let Some(i) = at.get(&r.try_get::<i64, _>("intention_id")?) {
            dossiers[*i].practices.push(r.try_get("practice_id")?);
        }
    }
    Ok(dossiers)
}

fn event_from_row(r: &AnyRow) -> Result<Event, StoreError> {
    let id: i64 = r.try_get("id")?;
    Ok(Event {
        id,
        at: parse_ts("intention_events", &id, &r.try_get::<String, _>("at")?)?,
        user_id: r.try_get("user_id")?,
        kind: r.try_get("kind")?,
        text: r.try_get("text")?,
        data: serde_json::from_str(&r.try_get::<String, _>("data")?)
            .map_err(|e| corrupt("intention_events", &id, e))?,
    })
}

/// The timeline of a dossier, oldest first.
pub async fn events(conn: &mut AnyConnection, intention: i64) -> Result<Vec<Event>, StoreError> {
    let rows = sqlx::query("SELECT * FROM intention_events WHERE intention_id = $1 ORDER BY id")
        .bind(intention)
        .fetch_all(conn)
        .await?;
    rows.iter().map(event_from_row).collect()
}

/// Completes a step; `false` when someone completed it first.
pub async fn complete_step(
    conn: &mut AnyConnection,
    step: i64,
    by: i64,
    answer: &str,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE intention_steps SET completed_at = $1, completed_by = $2, answer = $3
         WHERE id = $4 AND completed_at IS NULL",
    )
    .bind(ts(at))
    .bind(by)
    .bind(answer)
    .bind(step)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets the status (and the outcome when it closes).
pub async fn set_status(
    conn: &mut AnyConnection,
    intention: i64,
    status: Status,
    outcome: Option<Outcome>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE intentions SET status = $1, outcome = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(outcome.map(|o| o.as_str()))
        .bind(intention)
        .persistent(false)
        .execute(conn)
        .await?;
    Ok(())
}

/// Assigns the dossier to a referent.
pub async fn assign(conn: &mut AnyConnection, intention: i64, referent: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE intentions SET referent_id = $1 WHERE id = $2")
        .bind(referent)
        .bind(intention)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves a step's due date.
pub async fn replan(conn: &mut AnyConnection, step: i64, due_on: NaiveDate) -> Result<(), StoreError> {
    sqlx::query("UPDATE intention_steps SET due_on = $1 WHERE id = $2")
        .bind(due_on.to_string())
        .bind(step)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the practices linked to a dossier.
pub async fn set_practices(conn: &mut AnyConnection, intention: i64, practices: &[i64]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM intention_practices WHERE intention_id = $1")
        .bind(intention)
        .execute(&mut *conn)
        .await?;
    for p in practices {
        sqlx::query("INSERT INTO intention_practices (intention_id, practice_id) VALUES ($1, $2)")
            .bind(intention)
            .bind(*p)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Records that reminder `kind` of `step` for its due date `due_on` is sent; `false` when it was
/// already (by this instance or another): the caller then sends nothing.
pub async fn claim_reminder(
    conn: &mut AnyConnection,
    step: i64,
    kind: &str,
    due_on: NaiveDate,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO intention_reminders (step_id, kind, due_on, sent_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (step_id, kind, due_on) DO NOTHING",
    )
    .bind(step)
    .bind(kind)
    .bind(due_on.to_string())
    .bind(ts(at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What an account is bound to: (kind, value) pairs (`uai`, `circonscription`, `discipline`,
/// `departement`).
pub async fn scopes(conn: &mut AnyConnection, user: i64) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sqlx::query("SELECT kind, value FROM account_scopes WHERE user_id = $1 ORDER BY kind, value")
        .bind(user)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("kind")?, r.try_get("value")?)))
        .collect()
}

/// Replaces what an account is bound to.
pub async fn set_scopes(conn: &mut AnyConnection, user: i64, scopes: &[(String, String)]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM account_scopes WHERE user_id = $1")
        .bind(user)
        .execute(&mut *conn)
        .await?;
    for (kind, value) in scopes {
        sqlx::query("INSERT INTO account_scopes (user_id, kind, value) VALUES ($1, $2, $3)")
            .bind(user)
            .bind(kind)
            .bind(value)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Dossier `id`, on a connection of its own.
pub async fn by_id(store: &Store, id: i64) -> Result<Option<Dossier>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    get(&mut conn, id).await
}

/// The timeline of dossier `id`, on a connection of its own.
pub async fn timeline(store: &Store, id: i64) -> Result<Vec<Event>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    events(&mut conn, id).await
}

/// What account `user` is bound to, on a connection of its own.
pub async fn scopes_of(store: &Store, user: i64) -> Result<Vec<(String, String)>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    scopes(&mut conn, user).await
}

/// Audits a refused attempt by `user` to do `action` on dossier `id` (nothing else is written).
pub async fn record_refusal(
    store: &Store,
    id: i64,
    user: i64,
    action: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut conn = store.pool().acquire().await?;
    crate::audit::record(
        &mut conn,
        "intention",
        &id.to_string(),
        Some(user),
        "refused",
        &serde_json::json!({ "action": action }),
        at,
    )
    .await
}
