//! Loading the catalogue: the store's tables read (the practices in parts side by side, their entries
//! derived while they are read), then every index bulk-loaded once.

use std::sync::Arc;

use rayon::prelude::*;

use repere_core::establishments::Establishment;
use repere_core::index::{PointIndex, SegmentIndex};
use repere_core::links::Link;
use repere_core::networks::LinkGraph;
use repere_core::practices::Practice;
use repere_core::sites::Site;
use repere_store::{Store, StoreError};

use super::entries::{IdSet, establishment_entry};
use super::{Catalog, PracticeEntry};

impl Catalog {
    /// Loads every layer from the store and builds the indexes. The practices' entries are derived
    /// while the table is read, batch by batch.
    pub async fn load(store: &Store) -> Result<Self, StoreError> {
        let demo = repere_store::meta::get(store, repere_store::meta::DEMO_KEY)
            .await?
            .is_some();
        let t = std::time::Instant::now();
        // The two large tables are read side by side, on separate connections and worker threads.
        let for_links = store.clone();
        let links = tokio::spawn(async move { repere_store::links::load_all(&for_links).await });
        let establishments = repere_store::establishments::load_all(store).await?;
        let sites = repere_store::sites::load_all(store).await?;
        let epci = repere_store::epci::load_all(store).await?;
        let fibre = repere_store::fibre::load_coverage(store).await?;
        let outlines = repere_store::fibre::load_outlines(store).await?;
        tracing::debug!(
            ms = t.elapsed().as_millis() as u64,
            "catalogue: establishments, sites, EPCI and communes read"
        );
        let (send, mut receive) = tokio::sync::mpsc::channel(4);
        let for_practices = store.clone();
        let reading = tokio::spawn(async move { repere_store::practices::load_batches(&for_practices, send).await });
        let deriving = tokio::task::spawn_blocking(move || {
            let mut building = Building::new(demo, establishments);
            while let Some(batch) = receive.blocking_recv() {
                building.add_practices(batch);
            }
            building
        });
        let building = deriving.await.map_err(repere_store::load_task_failed)?;
        // A failed read ends the batches early: its error, not the partial catalogue, is the answer.
        reading.await.map_err(repere_store::load_task_failed)??;
        let links = links.await.map_err(repere_store::load_task_failed)??;
        let read_ms = t.elapsed().as_millis() as u64;
        tracing::debug!(
            read_ms,
            resident_mb = crate::memory::resident_mb(),
            "catalogue read, practices derived"
        );
        let mut catalog = building.finish(sites, links);
        catalog.epci = epci;
        catalog.fibre = fibre;
        catalog.outlines = outlines;
        tracing::debug!(
            read_ms,
            build_ms = t.elapsed().as_millis() as u64 - read_ms,
            "catalogue phases"
        );
        Ok(catalog)
    }

    /// Builds the catalogue from plain records, bulk-loading each index once.
    pub fn build(
        demo: bool,
        establishments: Vec<Establishment>,
        practices: Vec<Practice>,
        sites: Vec<Site>,
        links: Vec<Link>,
    ) -> Self {
        let mut building = Building::new(demo, establishments);
        building.add_practices(practices);
        building.finish(sites, links)
    }
}

/// A catalogue being built: establishments first, then practices (in batches, as they are read), then
/// sites, links and the indexes.
struct Building {
    c: Catalog,
    practices: Vec<(i64, Arc<PracticeEntry>)>,
    started: std::time::Instant,
}

impl Building {
    fn new(demo: bool, establishments: Vec<Establishment>) -> Self {
        let mut c = Catalog {
            demo,
            ..Default::default()
        };
        c.establishments = derive(establishments, |e| (e.uai, establishment_entry(e)))
            .into_iter()
            .collect();
        Self {
            c,
            practices: Vec::new(),
            started: std::time::Instant::now(),
        }
    }

    /// Derives the entries of `practices` (inherited position and establishment) on every core.
    fn add_practices(&mut self, practices: Vec<Practice>) {
        for p in &practices {
            self.c.practices_by_uai.entry(p.uai).or_default().insert(p.id);
        }
        let c = &self.c;
        self.practices.extend(derive(practices, |p| {
            let entry = c.practice_entry(p);
            (entry.practice.id, entry)
        }));
    }

    fn finish(self, sites: Vec<Site>, links: Vec<Link>) -> Catalog {
        let Self {
            mut c,
            practices,
            started,
        } = self;
        let phase = |name: &str| {
            tracing::debug!(
                phase = name,
                ms = started.elapsed().as_millis() as u64,
                resident_mb = crate::memory::resident_mb(),
                "catalogue build"
            )
        };
        // The batches come from several readers, each in id order: the map sorts them once, then is
        // built in one pass.
        c.practices = practices.into_iter().collect();
        phase("practices");
        for s in sites {
            let entry = c.site_entry(s);
            c.sites.insert(entry.site.id, Arc::new(entry));
        }
        // Each practice's link list is built on one core while the entries are derived.
        let ends: Vec<(i64, i64, i64)> = links.iter().map(|l| (l.id, l.from_practice, l.to_practice)).collect();
        let by_practice = |capacity| {
            let mut by_practice: foldhash::HashMap<i64, IdSet> =
                foldhash::HashMap::with_capacity_and_hasher(capacity, Default::default());
            for (id, from, to) in ends {
                IdSet::add_link(&mut by_practice, id, from, to);
            }
            by_practice
        };
        let (links_by_practice, entries) = rayon::join(
            || by_practice(c.practices.len()),
            || {
                derive(links, |l| {
                    let entry = c.link_entry(l);
                    (entry.link.id, entry)
                })
            },
        );
        c.links_by_practice = links_by_practice;
        c.links = entries.into_iter().collect();
        phase("links");
        // The indexes are independent of one another: the segment index (the slowest, two million
        // segments) is built beside the point indexes and the link graph.
        let ((establishment_index, practice_index, site_index, network), link_index) = rayon::join(
            || {
                let establishments = PointIndex::bulk_load(
                    c.establishments
                        .values()
                        .filter_map(|e| Some((e.establishment.uai, e.establishment.position?))),
                );
                let practices = timed("practice index", || {
                    PointIndex::bulk_load(
                        c.practices
                            .values()
                            .filter_map(|p| Some((p.practice.id, p.position()?))),
                    )
                });
                let sites = PointIndex::bulk_load(c.sites.values().map(|s| (s.site.id, s.site.position)));
                let network = timed("link graph", || {
                    LinkGraph::build(
                        c.links
                            .values()
                            .filter(|l| l.public)
                            .map(|l| (l.link.id, l.link.from_practice, l.link.to_practice)),
                    )
                });
                (establishments, practices, sites, network)
            },
            || {
                timed("segment index", || {
                    SegmentIndex::bulk_load(c.links.values().filter_map(|l| {
                        let (a, b) = l.segment?;
                        Some((l.link.id, a, b))
                    }))
                })
            },
        );
        c.establishment_index = establishment_index;
        c.practice_index = practice_index;
        c.site_index = site_index;
        c.network = network;
        c.link_index = link_index;
        phase("indexes and link graph");
        c
    }
}

/// `build()`, its duration logged (debug) under `name`.
fn timed<T>(name: &str, build: impl FnOnce() -> T) -> T {
    let t = std::time::Instant::now();
    let out = build();
    tracing::debug!(part = name, ms = t.elapsed().as_millis() as u64, "catalogue build");
    out
}

/// The entries of `records`, derived on every core, in the records' order.
fn derive<R: Send, K: Send, E: Send + Sync>(
    records: Vec<R>,
    entry: impl Fn(R) -> (K, E) + Sync + Send,
) -> Vec<(K, Arc<E>)> {
    records
        .into_par_iter()
        .map(|r| {
            let (key, e) = entry(r);
            (key, Arc::new(e))
        })
        .collect()
}
