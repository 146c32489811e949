//! Keeps this instance's in-memory catalogue in step with the database, whichever instance (or CLI
//! command) wrote to it.
//!
//! Every write adds a row to the change log (`repere_store::changes`) in its own unit of work
//! (`repere_store::unit`). This
//! module applies the log in id order from the last id it applied ([`Follower::catch_up`]): after each of
//! this instance's own writes (so a client reads what it just wrote), when PostgreSQL notifies the
//! `repere_changes` channel, and every [`POLL`] in any case — the safety net for a missed notification,
//! a dropped listening connection, SQLite (no notifications) and CLI imports. Start-up notes the last
//! id *before* loading the catalogue, then catches up from it, so a write made during the load is
//! applied too; applying a change reloads the record from the database, so seeing it twice is
//! harmless, and the applied id only moves forward, so none is skipped.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use repere_store::changes::{self, Change, Subject};
use repere_store::{Backend, Store, StoreError};
use sqlx::postgres::PgListener;
use tokio::sync::watch;

use crate::Catalog;

/// How often the log is read even without a notification.
pub const POLL: Duration = Duration::from_millis(500);
/// Changes read per query while catching up.
const BATCH: i64 = 1000;
/// Without a successful read of the log for this long, the instance stops reporting ready.
const STALE: Duration = Duration::from_secs(5);

/// The follower of the change log, shared by the handlers and the background task.
#[derive(Debug)]
pub struct Follower {
    store: Store,
    catalog: Arc<RwLock<Catalog>>,
    /// Serialises catch-ups, so changes are applied once and in order.
    gate: tokio::sync::Mutex<()>,
    applied: AtomicI64,
    latest: AtomicI64,
    loaded: AtomicBool,
    listening: AtomicBool,
    started: Instant,
    /// Milliseconds since `started` of the last successful read of the log.
    last_read_ms: AtomicU64,
    /// Time between the last applied change's commit and its application, in milliseconds.
    last_delay_ms: AtomicU64,
}

/// What `/health/ready` and `/metrics` report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SyncStatus {
    pub ready: bool,
    pub loaded: bool,
    pub applied_change: i64,
    pub latest_change: i64,
    pub lag_changes: i64,
    pub listening: bool,
    pub seconds_since_last_read: f64,
    pub last_apply_delay_seconds: f64,
}

impl Follower {
    pub fn new(store: Store, catalog: Arc<RwLock<Catalog>>) -> Self {
        Self {
            store,
            catalog,
            gate: tokio::sync::Mutex::new(()),
            applied: AtomicI64::new(0),
            latest: AtomicI64::new(0),
            loaded: AtomicBool::new(false),
            listening: AtomicBool::new(false),
            started: Instant::now(),
            last_read_ms: AtomicU64::new(0),
            last_delay_ms: AtomicU64::new(0),
        }
    }

    /// Loads the whole catalogue and catches up with what was written meanwhile; the instance is ready
    /// afterwards.
    pub async fn load(&self) -> Result<(), StoreError> {
        let _gate = self.gate.lock().await;
        let from = changes::last_id(&self.store).await?;
        let started = Instant::now();
        let catalog = Catalog::load(&self.store).await?;
        tracing::info!(
            practices = catalog.practices.len(),
            establishments = catalog.establishments.len(),
            sites = catalog.sites.len(),
            links = catalog.links.len(),
            demo = catalog.demo,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "catalogue loaded"
        );
        self.swap(catalog);
        self.applied.store(from, Ordering::SeqCst);
        self.catch_up_locked().await?;
        self.loaded.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Applies every change committed after the last applied one; returns how many were read.
    pub async fn catch_up(&self) -> Result<usize, StoreError> {
        let _gate = self.gate.lock().await;
        self.catch_up_locked().await
    }

    /// After one of this instance's own writes: catch up so that the writer reads what it wrote. A
    /// failure is only logged (the write is committed; the background task will apply it).
    pub async fn after_write(&self) {
        if let Err(e) = self.catch_up().await {
            tracing::warn!(error = %e, "could not apply a committed write at once; the change log follower will");
        }
    }

    async fn catch_up_locked(&self) -> Result<usize, StoreError> {
        let mut read = 0;
        loop {
            let batch = changes::since(&self.store, self.applied.load(Ordering::SeqCst), BATCH).await?;
            self.last_read_ms
                .store(self.started.elapsed().as_millis() as u64, Ordering::SeqCst);
            let Some(last) = batch.last().map(|c| (c.id, c.at)) else {
                self.latest
                    .fetch_max(self.applied.load(Ordering::SeqCst), Ordering::SeqCst);
                return Ok(read);
            };
            read += batch.len();
            let full = batch.len() as i64 == BATCH;
            self.apply(&batch).await?;
            self.applied.store(last.0, Ordering::SeqCst);
            self.latest.fetch_max(last.0, Ordering::SeqCst);
            let delay = (chrono::Utc::now() - last.1).num_milliseconds().max(0) as u64;
            self.last_delay_ms.store(delay, Ordering::SeqCst);
            if !full {
                return Ok(read);
            }
        }
    }

    /// Reloads what `batch` names from the database (the current state, so the order of loads does
    /// not matter), then swaps it into the catalogue under one short write lock.
    async fn apply(&self, batch: &[Change]) -> Result<(), StoreError> {
        if batch.iter().any(|c| c.subject == Subject::All) {
            let catalog = Catalog::load(&self.store).await?;
            tracing::info!(
                practices = catalog.practices.len(),
                "catalogue reloaded after a bulk write"
            );
            self.swap(catalog);
            return Ok(());
        }
        let mut seen = HashSet::new();
        let mut loaded = Vec::new();
        for change in batch {
            if !seen.insert(&change.subject) {
                continue;
            }
            loaded.push(match &change.subject {
                Subject::Practice(id) => Loaded::Practice(*id, repere_store::practices::find(&self.store, *id).await?),
                Subject::Establishment(uai) => {
                    Loaded::Establishment(repere_store::establishments::get(&self.store, *uai).await?)
                }
                Subject::Site(id) => Loaded::Site(repere_store::sites::get(&self.store, *id).await?),
                Subject::Link(id) => Loaded::Link(*id, repere_store::links::get(&self.store, *id).await?),
                Subject::All => unreachable!("handled above"),
            });
        }
        let mut catalog = self.catalog.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        for item in loaded {
            match item {
                Loaded::Practice(_, Some(p)) => catalog.upsert_practice(p),
                Loaded::Practice(id, None) => catalog.remove_practice(id),
                Loaded::Establishment(Some(e)) => catalog.upsert_establishment(e),
                Loaded::Site(Some(s)) => catalog.upsert_site(s),
                // Establishments and sites are never deleted: nothing to remove.
                Loaded::Establishment(None) | Loaded::Site(None) => {}
                Loaded::Link(_, Some(l)) => catalog.upsert_link(l),
                Loaded::Link(id, None) => catalog.remove_link(id),
            }
        }
        Ok(())
    }

    fn swap(&self, mut catalog: Catalog) {
        let mut current = self.catalog.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        catalog.generation = current.generation + 1;
        *current = catalog;
    }

    /// Ready: loaded, and the log was read successfully within [`STALE`].
    pub fn status(&self) -> SyncStatus {
        let since_read =
            (self.started.elapsed().as_millis() as u64).saturating_sub(self.last_read_ms.load(Ordering::SeqCst));
        let loaded = self.loaded.load(Ordering::SeqCst);
        let applied = self.applied.load(Ordering::SeqCst);
        let latest = self.latest.load(Ordering::SeqCst).max(applied);
        SyncStatus {
            ready: loaded && Duration::from_millis(since_read) < STALE,
            loaded,
            applied_change: applied,
            latest_change: latest,
            lag_changes: latest - applied,
            listening: self.listening.load(Ordering::SeqCst),
            seconds_since_last_read: since_read as f64 / 1000.0,
            last_apply_delay_seconds: self.last_delay_ms.load(Ordering::SeqCst) as f64 / 1000.0,
        }
    }

    /// Whether the catalogue has been loaded (API requests wait for it).
    pub fn is_loaded(&self) -> bool {
        self.loaded.load(Ordering::SeqCst)
    }

    /// Follows the log until `stop` turns true: waits for a notification (PostgreSQL) or [`POLL`],
    /// then catches up. A lost listening connection is re-opened, and the log read, at once.
    pub async fn follow(self: Arc<Self>, database_url: String, mut stop: watch::Receiver<bool>) {
        let postgres = self.store.backend() == Backend::Postgres;
        let mut listener: Option<PgListener> = None;
        loop {
            if postgres && listener.is_none() {
                listener = listen(&database_url).await;
                self.listening.store(listener.is_some(), Ordering::SeqCst);
            }
            let wait = async {
                match listener.as_mut() {
                    Some(l) => match tokio::time::timeout(POLL, l.try_recv()).await {
                        Ok(Ok(Some(_))) | Err(_) => true,
                        Ok(Ok(None)) | Ok(Err(_)) => false,
                    },
                    None => {
                        tokio::time::sleep(POLL).await;
                        true
                    }
                }
            };
            let healthy = tokio::select! {
                _ = stop.changed() => break,
                healthy = wait => healthy,
            };
            if !healthy {
                tracing::warn!("lost the change notification connection; reconnecting and reading the change log");
                listener = None;
                self.listening.store(false, Ordering::SeqCst);
            }
            if let Err(e) = self.catch_up().await {
                tracing::warn!(error = %e, "cannot read the change log; retrying");
            }
        }
    }
}

enum Loaded {
    Practice(i64, Option<repere_core::practices::Practice>),
    Establishment(Option<repere_core::establishments::Establishment>),
    Site(Option<repere_core::sites::Site>),
    Link(i64, Option<repere_core::links::Link>),
}

async fn listen(database_url: &str) -> Option<PgListener> {
    let mut listener = match PgListener::connect(database_url).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "cannot open the change notification connection; polling meanwhile");
            return None;
        }
    };
    match listener.listen(changes::CHANNEL).await {
        Ok(()) => Some(listener),
        Err(e) => {
            tracing::warn!(error = %e, "cannot LISTEN for changes; polling meanwhile");
            None
        }
    }
}
