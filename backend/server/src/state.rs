//! What every handler can reach: the store, the in-memory catalogue and the services built around it
//! (tile and static-map caches, metrics, visit counters, the change-log follower). Below the handlers:
//! it names no route and no handler module.

use std::sync::{Arc, RwLock};

use repere_catalog::Catalog;
use repere_catalog::sync::Follower;
use repere_store::Store;
use repere_store::unit::{Committed, Unit};

use crate::embed::Framing;
use crate::error::{ApiError, poisoned};
use crate::maps::StaticMaps;
use crate::ops::metrics::Metrics;
use crate::tiles::cache::TileIndexes;
use crate::visits::counts::Visits;

/// `/api/networks` as last computed: the catalogue generation it was computed for, and the body.
pub type NetworksCache = std::sync::Mutex<Option<(u64, Arc<str>)>>;

/// What every handler can reach: one shared [`Shared`], so that handing it to a request (axum clones
/// the state for every one) costs one reference count.
#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The state itself.
pub struct Shared {
    pub store: Store,
    /// The in-memory catalogue, kept in step with the database by `sync`.
    pub catalog: Arc<RwLock<Catalog>>,
    /// Follower of the change log: [`AppState::commit`] catches up with it after each committed write.
    pub sync: Arc<Follower>,
    pub metrics: Arc<Metrics>,
    /// Sorted point sets behind the vector tiles, per layer and filters.
    pub tiles: Arc<TileIndexes>,
    /// `/api/networks` as last computed, with the catalogue generation it was computed for.
    pub networks: Arc<NetworksCache>,
    /// Basemap style URL given to the frontend (`/api/config`).
    pub basemap_style_url: Option<Arc<str>>,
    /// Published reports expected per school year.
    pub target: u32,
    /// Static map images (renderer started on first use, cache).
    pub maps: Arc<StaticMaps>,
    /// Visit counters not yet written.
    pub visits: Visits,
    /// Origins allowed to frame `/embed` (and named in the visit counts).
    pub embed_origins: Vec<String>,
    /// The framing headers, built from them.
    pub framing: Framing,
    /// The e-mail sender (the outbox is in the store).
    pub mail: Arc<crate::mail::Mailer>,
    /// The ways in: passwords, the identity provider, allowed domains.
    pub auth: Arc<crate::auth::access::Access>,
    /// The intentions' clock and reminder pace.
    pub intentions: crate::config::IntentionsConfig,
}

impl AppState {
    /// Read access to the catalogue; a poisoned lock (a writer panicked) is an internal error.
    pub fn read_catalog(&self) -> Result<std::sync::RwLockReadGuard<'_, Catalog>, ApiError> {
        crate::error::read_lock(&self.catalog)
    }

    /// Commits a unit of work, then brings this instance's catalogue up to date with it (a failure to
    /// catch up at once is only logged: the follower applies the change).
    pub async fn commit(&self, unit: Unit) -> Result<Committed, ApiError> {
        let done = unit.commit().await?;
        // The unit may have written mails: the sender looks at once (cheap when there are none).
        self.mail.wake();
        // A unit that changed nothing the catalogue serves (a proposed revision) has nothing to apply.
        if !done.changes.is_empty() {
            self.sync.after_write().await;
        }
        Ok(done)
    }

    /// Write access to the catalogue, held only to swap entries in.
    pub fn write_catalog(&self) -> Result<std::sync::RwLockWriteGuard<'_, Catalog>, ApiError> {
        self.catalog.write().map_err(|_| poisoned())
    }
}
