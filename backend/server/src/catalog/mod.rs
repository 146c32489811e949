//! The in-memory catalogue: every record of every layer, with the attributes queries filter on already
//! derived (effective position, département, folded search text) and one spatial index per layer.
//! Loaded from the store at start-up with `bulk_load`, and updated after every committed write, so that
//! queries never touch the database.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use repere_core::Uai;
use repere_core::establishments::{Epci, Establishment};
use repere_core::index::{PointIndex, SegmentIndex};
use repere_core::links::Link;
use repere_core::networks::LinkGraph;
use repere_core::practices::Practice;
use repere_core::sites::Site;
use repere_store::{Store, StoreError};

mod entries;

pub use entries::{EstablishmentEntry, LinkEntry, PracticeEntry, SiteEntry};
use entries::{IdSet, establishment_entry, join};

/// Everything the API serves, in memory.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Whether the database holds the generated demo dataset.
    pub demo: bool,
    /// Bumped by every change (and by a reload): caches derived from the catalogue (tile indexes)
    /// are valid for one generation.
    pub generation: u64,
    pub establishments: BTreeMap<Uai, Arc<EstablishmentEntry>>,
    pub practices: BTreeMap<i64, Arc<PracticeEntry>>,
    pub sites: BTreeMap<i64, Arc<SiteEntry>>,
    pub links: BTreeMap<i64, Arc<LinkEntry>>,
    pub establishment_index: PointIndex<Uai>,
    pub practice_index: PointIndex<i64>,
    pub site_index: PointIndex<i64>,
    pub link_index: SegmentIndex<i64>,
    /// The graph of public links (both ends published): the implicit networks.
    pub network: LinkGraph,
    /// The EPCI of each commune (by INSEE code), where the official list was imported.
    pub epci: HashMap<String, Epci>,
    practices_by_uai: HashMap<Uai, IdSet>,
    links_by_practice: HashMap<i64, IdSet>,
}

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
        tracing::debug!(
            ms = t.elapsed().as_millis() as u64,
            "catalogue: establishments, sites and EPCI read"
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
            resident_mb = crate::ops::resident_mb(),
            "catalogue read, practices derived"
        );
        let mut catalog = building.finish(sites, links);
        catalog.epci = epci;
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

    /// Derives the entries of `practices` (folded search text, inherited attributes) on every core.
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
                resident_mb = crate::ops::resident_mb(),
                "catalogue build"
            )
        };
        // Read in id order: the map is built in one pass.
        c.practices = practices.into_iter().collect();
        phase("practices");
        for s in sites {
            let entry = c.site_entry(s);
            c.sites.insert(entry.site.id, Arc::new(entry));
        }
        // Each practice's link list is built on one core while the entries are derived.
        let ends: Vec<(i64, i64, i64)> = links.iter().map(|l| (l.id, l.from_practice, l.to_practice)).collect();
        let by_practice = |capacity| {
            let mut by_practice: HashMap<i64, IdSet> = HashMap::with_capacity(capacity);
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
                let practices =
                    PointIndex::bulk_load(c.practices.values().filter_map(|p| Some((p.practice.id, p.position?))));
                let sites = PointIndex::bulk_load(c.sites.values().map(|s| (s.site.id, s.site.position)));
                let network = LinkGraph::build(
                    c.links
                        .values()
                        .filter(|l| l.public)
                        .map(|l| (l.link.id, l.link.from_practice, l.link.to_practice)),
                );
                (establishments, practices, sites, network)
            },
            || {
                SegmentIndex::bulk_load(c.links.values().filter_map(|l| {
                    let (a, b) = l.segment?;
                    Some((l.link.id, a, b))
                }))
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

impl Catalog {
    /// Every practice (whatever its status) of the establishment `uai`.
    pub fn practices_of(&self, uai: Uai) -> impl Iterator<Item = &PracticeEntry> + '_ {
        self.practices_by_uai
            .get(&uai)
            .into_iter()
            .flatten()
            .filter_map(|id| self.practices.get(id).map(|e| e.as_ref()))
    }

    /// The ids of every link (public or not) that starts or ends at `practice`, in id order.
    pub fn link_ids_of(&self, practice: i64) -> Vec<i64> {
        IdSet::ids_of(&self.links_by_practice, &practice)
    }

    /// Every link (public or not) that starts or ends at `practice`.
    pub fn links_of(&self, practice: i64) -> impl Iterator<Item = &LinkEntry> + '_ {
        self.links_by_practice
            .get(&practice)
            .into_iter()
            .flatten()
            .filter_map(|id| self.links.get(id).map(|e| e.as_ref()))
    }

    fn practice_entry(&self, p: Practice) -> PracticeEntry {
        let establishment = self.establishments.get(&p.uai).cloned();
        let position = p
            .position
            .or_else(|| establishment.as_ref().and_then(|e| e.establishment.position));
        let search = join(&[&p.title, &p.summary]).into_boxed_str();
        PracticeEntry {
            position,
            establishment,
            search,
            practice: p,
        }
    }

    fn site_entry(&self, s: Site) -> SiteEntry {
        let departement = s
            .uai
            .and_then(|u| self.establishments.get(&u))
            .map(|e| e.establishment.departement.clone());
        let search = join(&[&s.name, &s.description, &s.equipment.join(" "), &s.partners.join(" ")]);
        SiteEntry {
            site: s,
            departement,
            search,
        }
    }

    fn link_entry(&self, l: Link) -> LinkEntry {
        let a = self.practices.get(&l.from_practice);
        let b = self.practices.get(&l.to_practice);
        let segment = match (a.and_then(|p| p.position), b.and_then(|p| p.position)) {
            (Some(x), Some(y)) => Some((x, y)),
            _ => None,
        };
        let public = a.is_some_and(|p| p.practice.is_public()) && b.is_some_and(|p| p.practice.is_public());
        LinkEntry {
            link: l,
            segment,
            public,
        }
    }

    /// Inserts or replaces an establishment, and re-derives its practices (position, names) and their
    /// links.
    pub fn upsert_establishment(&mut self, e: Establishment) {
        self.generation += 1;
        let uai = e.uai;
        let old = self.establishments.get(&uai).and_then(|o| o.establishment.position);
        self.establishment_index.set(uai, old, e.position);
        self.establishments.insert(uai, Arc::new(establishment_entry(e)));
        for id in IdSet::ids_of(&self.practices_by_uai, &uai) {
            if let Some(p) = self.practices.get(&id).map(|p| p.practice.clone()) {
                self.upsert_practice(p);
            }
        }
        let site_ids: Vec<i64> = self
            .sites
            .values()
            .filter(|s| s.site.uai == Some(uai))
            .map(|s| s.site.id)
            .collect();
        for id in site_ids {
            if let Some(s) = self.sites.get(&id).map(|s| s.site.clone()) {
                self.upsert_site(s);
            }
        }
    }

    /// Inserts or replaces a practice, and re-derives the links that touch it.
    pub fn upsert_practice(&mut self, p: Practice) {
        self.generation += 1;
        let (old_uai, old_position) = match self.practices.get(&p.id) {
            Some(old) => (Some(old.practice.uai), old.position),
            None => (None, None),
        };
        if let Some(uai) = old_uai.filter(|u| *u != p.uai)
            && let Some(set) = self.practices_by_uai.get_mut(&uai)
        {
            set.remove(&p.id);
        }
        self.practices_by_uai.entry(p.uai).or_default().insert(p.id);
        let entry = self.practice_entry(p);
        let id = entry.practice.id;
        self.practice_index.set(id, old_position, entry.position);
        self.practices.insert(id, Arc::new(entry));
        self.refresh_links_of(id);
    }

    /// Removes a practice and the links that touch it.
    pub fn remove_practice(&mut self, id: i64) {
        self.generation += 1;
        if let Some(old) = self.practices.remove(&id) {
            if let Some(set) = self.practices_by_uai.get_mut(&old.practice.uai) {
                set.remove(&id);
            }
            self.practice_index.set(id, old.position, None);
        }
        for l in self.link_ids_of(id) {
            self.remove_link(l);
        }
    }

    fn refresh_links_of(&mut self, practice: i64) {
        for id in self.link_ids_of(practice) {
            if let Some(l) = self.links.get(&id).map(|l| l.link.clone()) {
                self.upsert_link(l);
            }
        }
    }

    /// Inserts or replaces a link.
    pub fn upsert_link(&mut self, l: Link) {
        self.generation += 1;
        IdSet::add_link(&mut self.links_by_practice, l.id, l.from_practice, l.to_practice);
        let entry = self.link_entry(l);
        let old = self.links.get(&entry.link.id).and_then(|o| o.segment);
        self.link_index.set(entry.link.id, old, entry.segment);
        if entry.public {
            self.network
                .add_link(entry.link.id, entry.link.from_practice, entry.link.to_practice);
        } else {
            self.network.remove_link(entry.link.id);
        }
        self.links.insert(entry.link.id, Arc::new(entry));
    }

    /// Removes a link.
    pub fn remove_link(&mut self, id: i64) {
        self.generation += 1;
        if let Some(old) = self.links.remove(&id) {
            for end in [old.link.from_practice, old.link.to_practice] {
                if let Some(set) = self.links_by_practice.get_mut(&end) {
                    set.remove(&id);
                }
            }
            self.link_index.set(id, old.segment, None);
        }
        self.network.remove_link(id);
    }

    /// Inserts or replaces a site.
    pub fn upsert_site(&mut self, s: Site) {
        self.generation += 1;
        let entry = self.site_entry(s);
        let old = self.sites.get(&entry.site.id).map(|o| o.site.position);
        self.site_index.set(entry.site.id, old, Some(entry.site.position));
        self.sites.insert(entry.site.id, Arc::new(entry));
    }
}

/// Derives the entries of `records` on every core, then builds the map from the list (sorted by key
/// already, as the store reads it) in one pass.
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use repere_core::LonLat;
    use repere_core::SchoolYear;
    use repere_core::establishments::{EstablishmentKind, Sector};
    use repere_core::links::LinkKind;
    use repere_core::practices::{Facets, PracticeStatus};

    fn est(uai: &str, lon: f64) -> Establishment {
        Establishment {
            uai: Uai::parse(uai).unwrap(),
            name: format!("Collège {uai}"),
            kind: EstablishmentKind::College,
            sector: Sector::Public,
            commune_code: "06004".into(),
            commune_name: "Antibes".into(),
            departement: "06".into(),
            position: Some(LonLat::new(lon, 43.6).unwrap()),
            placed_at_commune: false,
            profiles: Vec::new(),
            bandwidth: vec![],
        }
    }

    fn practice(id: i64, uai: &str) -> Practice {
        let now = Utc::now();
        Practice {
            id,
            title: format!("Pratique {id}"),
            summary: "r".into(),
            description: String::new(),
            disciplines: Facets::of(&["Mathématiques"]),
            levels: Facets::of(&["6e"]),
            tools: Facets::of(&["Scratch"]),
            themes: Facets::default(),
            school_year: SchoolYear::parse("2025-2026").unwrap(),
            uai: Uai::parse(uai).unwrap(),
            position: None,
            innovatheque_url: None,
            status: PracticeStatus::Published,
            created_at: now,
            updated_at: now,
            published_at: Some(now),
            author_id: None,
            rejection_reason: None,
        }
    }

    #[test]
    fn moving_an_establishment_moves_its_practices_and_links() {
        let now = Utc::now();
        let link = Link {
            id: 1,
            from_practice: 1,
            to_practice: 2,
            kind: LinkKind::Visit,
            note: None,
            created_at: now,
            updated_at: now,
            author_id: None,
        };
        let mut c = Catalog::build(
            false,
            vec![est("0060842H", 7.0), est("0830148K", 6.0)],
            vec![practice(1, "0060842H"), practice(2, "0830148K")],
            vec![],
            vec![link],
        );
        assert_eq!(c.practices[&1].position.unwrap().lon, 7.0);
        c.upsert_establishment(est("0060842H", 7.5));
        assert_eq!(c.practices[&1].position.unwrap().lon, 7.5);
        let moved = repere_core::Bbox {
            min_lon: 7.4,
            min_lat: 43.0,
            max_lon: 7.6,
            max_lat: 44.0,
        };
        assert_eq!(c.practice_index.in_bbox(&moved).collect::<Vec<_>>(), vec![1]);
        assert_eq!(c.links[&1].segment.unwrap().0.lon, 7.5);
        assert_eq!(c.network.components(), vec![vec![1, 2]]);
        assert_eq!(c.link_index.in_bbox(&moved).collect::<Vec<_>>(), vec![1]);
        // Unpublishing one end hides the link from the public.
        let mut p = practice(2, "0830148K");
        p.status = PracticeStatus::Draft;
        c.upsert_practice(p);
        assert!(!c.links[&1].public);
        assert_eq!(
            c.network.link_count(),
            0,
            "a link to an unpublished practice leaves the networks"
        );
        c.remove_practice(1);
        assert!(c.links.is_empty());
        assert_eq!(c.link_index.len(), 0);
        assert_eq!(c.practice_index.len(), 1);
    }

    #[test]
    fn a_practice_is_found_by_its_text_its_facets_and_its_place() {
        let mut p = practice(1, "0060842H");
        p.title = "Radio scolaire".into();
        p.themes = Facets::of(&["Éducation aux médias"]);
        let c = Catalog::build(false, vec![est("0060842H", 7.0)], vec![p], vec![], vec![]);
        let e = &c.practices[&1];
        let found = |q: &str| e.matches_text(&repere_core::text::Query::new(q).unwrap());
        // Each term may come from a different text: title, discipline, theme, tool, commune.
        assert!(found("RADIO mathematiques"));
        assert!(found("education aux MÉDIAS scratch"));
        assert!(found("radio antibes"));
        assert!(!found("radio robotique"), "every term must occur somewhere");
    }
}
