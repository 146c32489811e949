//! One unit of work: every write that changes what the catalogue serves goes through a [`Unit`]. The
//! domain writes (through [`Unit::conn`]), their audit entries and the change-log rows that tell every
//! instance what to reload commit together, once, or not at all. The change-log rows are written last,
//! just before the commit, so that PostgreSQL's advisory lock (see [`crate::changes`]) is held for as
//! short a time as possible.
//!
//! A unit dropped without [`Unit::commit`] rolls back: an error half-way leaves nothing behind.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::changes::Subject;
use crate::{AnyConnection, Store, StoreError};

/// Subjects noted one by one in the change log; a larger batch is announced as [`Subject::All`].
pub const ONE_BY_ONE: usize = 50;

/// A transaction carrying one change (or one batch of an import) through to the change log.
pub struct Unit {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    changed: Vec<(Subject, DateTime<Utc>)>,
}

/// What a committed unit wrote to the change log: the ids the follower applies.
#[derive(Debug, Clone, Default)]
pub struct Committed {
    pub changes: Vec<i64>,
}

/// Who made a change, what it was and what it changed, for the audit log.
#[derive(Debug, Clone)]
pub struct Trace<'a> {
    /// `practice`, `link`, `establishment`…
    pub entity: &'static str,
    pub key: String,
    pub user: Option<i64>,
    pub action: &'a str,
    /// `{"field": {"old": …, "new": …}}` or free details.
    pub changes: Value,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Begins a unit of work.
    pub async fn begin(&self) -> Result<Unit, StoreError> {
        Ok(Unit {
            tx: self.pool().begin().await?,
            changed: Vec::new(),
        })
    }
}

impl Unit {
    /// The connection the domain writes of this unit go through.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Records the audit entry of a change made in this unit.
    pub async fn audit(&mut self, trace: Trace<'_>) -> Result<(), StoreError> {
        crate::audit::record(
            &mut self.tx,
            trace.entity,
            &trace.key,
            trace.user,
            trace.action,
            &trace.changes,
            trace.at,
        )
        .await
    }

    /// Notes that `subject` changed at `at`: one change-log row, written at commit (a subject noted
    /// twice gets one row).
    pub fn changed(&mut self, subject: Subject, at: DateTime<Utc>) {
        if !self.changed.iter().any(|(s, _)| *s == subject) {
            self.changed.push((subject, at));
        }
    }

    /// Notes many subjects at once: past [`ONE_BY_ONE`] of them, one [`Subject::All`] row instead (every
    /// instance reloads everything rather than reading thousands of rows).
    pub fn changed_many(&mut self, subjects: impl ExactSizeIterator<Item = Subject>, at: DateTime<Utc>) {
        if subjects.len() > ONE_BY_ONE {
            self.changed(Subject::All, at);
        } else {
            subjects.for_each(|s| self.changed(s, at));
        }
    }

    /// Writes the change-log rows and commits.
    pub async fn commit(mut self) -> Result<Committed, StoreError> {
        let mut changes = Vec::with_capacity(self.changed.len());
        for (subject, at) in std::mem::take(&mut self.changed) {
            changes.push(crate::changes::record(&mut self.tx, &subject, at).await?);
        }
        self.tx.commit().await?;
        Ok(Committed { changes })
    }
}
