//! Repère's read model: the in-memory catalogue (every record of every layer, tied to what queries filter on (a practice to
//! its establishment's entry, for its position, département and names; folded search text for the
//! smaller layers) and one spatial index per layer.
//! Loaded from the store at start-up with `bulk_load`, and kept in step with the database by the
//! change-log follower (`sync`), so that queries never touch the database. Depends on core and store
//! only; the server serves it over HTTP.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use repere_core::Uai;
use repere_core::establishments::{Epci, Establishment};
use repere_core::index::{PointIndex, SegmentIndex};
use repere_core::links::Link;
use repere_core::networks::LinkGraph;
use repere_core::practices::Practice;
use repere_core::sites::Site;
use repere_core::text::fold_joined;

mod entries;
mod load;
pub mod memory;
pub mod sync;

pub use entries::{EstablishmentEntry, LinkEntry, PracticeEntry, SiteEntry};
use entries::{IdSet, establishment_entry};

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
    /// The fibre coverage of each commune (by INSEE code), where ARCEP's file was imported.
    pub fibre: HashMap<String, repere_core::fibre::CommuneFibre>,
    /// The outline of each commune (by INSEE code), where the outlines were imported.
    pub outlines: HashMap<String, repere_core::fibre::CommuneOutline>,
    practices_by_uai: foldhash::HashMap<Uai, IdSet>,
    links_by_practice: foldhash::HashMap<i64, IdSet>,
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
        PracticeEntry {
            establishment: self.establishments.get(&p.uai).cloned(),
            practice: p,
        }
    }

    fn site_entry(&self, s: Site) -> SiteEntry {
        let departement = s
            .uai
            .and_then(|u| self.establishments.get(&u))
            .map(|e| e.establishment.departement.clone());
        let search = fold_joined(&[&s.name, &s.description, &s.equipment.join(" "), &s.partners.join(" ")]);
        SiteEntry {
            site: s,
            departement,
            search,
        }
    }

    fn link_entry(&self, l: Link) -> LinkEntry {
        let a = self.practices.get(&l.from_practice);
        let b = self.practices.get(&l.to_practice);
        let segment = match (a.and_then(|p| p.position()), b.and_then(|p| p.position())) {
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
            Some(old) => (Some(old.practice.uai), old.position()),
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
        self.practice_index.set(id, old_position, entry.position());
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
            self.practice_index.set(id, old.position(), None);
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use repere_core::LonLat;

    use repere_core::links::LinkKind;
    use repere_core::practices::{Facets, PracticeStatus};

    fn est(uai: &str, lon: f64) -> Establishment {
        Establishment {
            position: Some(LonLat::new(lon, 43.6).unwrap()),
            ..repere_core::fixtures::establishment(uai)
        }
    }

    fn practice(id: i64, uai: &str) -> Practice {
        Practice {
            id,
            title: format!("Pratique {id}").into(),
            disciplines: Facets::of(&["Mathématiques"]),
            tools: Facets::of(&["Scratch"]),
            ..repere_core::fixtures::practice(uai)
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
        assert_eq!(c.practices[&1].position().unwrap().lon, 7.0);
        c.upsert_establishment(est("0060842H", 7.5));
        assert_eq!(c.practices[&1].position().unwrap().lon, 7.5);
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
