//! The entries of the catalogue: each record with what queries need already resolved (inherited
//! attributes, folded search text), and the small id sets that tie them together.

use std::hash::Hash;
use std::sync::Arc;

use repere_core::LonLat;
use repere_core::establishments::{Establishment, EstablishmentKind};
use repere_core::links::Link;
use repere_core::practices::Practice;
use repere_core::sites::Site;
use repere_core::text::{Query, fold_joined};

/// An establishment and its folded search texts.
#[derive(Debug)]
pub struct EstablishmentEntry {
    pub establishment: Establishment,
    /// Folded name, commune and UAI.
    pub search: String,
    /// Folded name and commune: what its practices are also found by.
    pub place: String,
}

/// A practice, with what it inherits from its establishment resolved.
///
/// The establishment's attributes are shared, not copied (a million practices for sixty thousand
/// establishments), and the facets are kept once, as written: filters compare them with
/// `ogc::has`.
#[derive(Debug)]
pub struct PracticeEntry {
    pub practice: Practice,
    /// Its establishment, when the catalogue knows it.
    pub establishment: Option<Arc<EstablishmentEntry>>,
}

impl PracticeEntry {
    /// Its explicit position, else its establishment's (read through, not copied: an entry of the
    /// million is 24 bytes smaller; an establishment that moves re-derives its practices' entries).
    pub fn position(&self) -> Option<LonLat> {
        self.practice.position.or_else(|| self.establishment()?.position)
    }

    fn establishment(&self) -> Option<&Establishment> {
        self.establishment.as_ref().map(|e| &e.establishment)
    }

    /// The establishment's département, else the one its UAI suggests.
    pub fn departement(&self) -> &str {
        match self.establishment() {
            Some(e) => &e.departement,
            None => self.practice.uai.departement_hint(),
        }
    }

    pub fn establishment_name(&self) -> &str {
        self.establishment().map_or("", |e| &e.name)
    }

    pub fn establishment_kind(&self) -> EstablishmentKind {
        self.establishment().map_or(EstablishmentKind::Other, |e| e.kind)
    }

    pub fn commune_code(&self) -> &str {
        self.establishment().map_or("", |e| &e.commune_code)
    }

    pub fn commune_name(&self) -> &str {
        self.establishment().map_or("", |e| &e.commune_name)
    }

    /// Whether every term of `q` occurs in the practice's title or summary, its tools, disciplines or
    /// themes, or its establishment's name or commune.
    ///
    /// The facets' folded text is kept once per distinct list ([`repere_core::practices::Facets`]), the
    /// establishment's in [`EstablishmentEntry::place`]; the title and summary are folded only when a
    /// term is not found there (a folded copy of each would take an eighth of the catalogue's memory
    /// at a million practices).
    pub fn matches_text(&self, q: &Query) -> bool {
        let place = self.establishment.as_ref().map_or("", |e| e.place.as_str());
        let p = &self.practice;
        q.matches_raw(
            &[&p.title, &p.summary],
            &[p.tools.folded(), p.disciplines.folded(), p.themes.folded(), place],
        )
    }
}

/// A site and the département of its host establishment, when it has one.
#[derive(Debug)]
pub struct SiteEntry {
    pub site: Site,
    pub departement: Option<String>,
    pub search: String,
}

/// A link and the segment between its two practices (when both have a position).
#[derive(Debug)]
pub struct LinkEntry {
    pub link: Link,
    pub segment: Option<(LonLat, LonLat)>,
    /// Whether both ends are published (only then is the link public).
    pub public: bool,
}

/// A small set of ids, sorted: most practices have a handful of links, and a `BTreeSet` would take a
/// whole node for each.
#[derive(Debug, Default)]
pub(super) struct IdSet(Vec<i64>);

impl IdSet {
    pub(super) fn insert(&mut self, id: i64) {
        if let Err(at) = self.0.binary_search(&id) {
            self.0.insert(at, id);
        }
    }

    pub(super) fn remove(&mut self, id: &i64) {
        if let Ok(at) = self.0.binary_search(id) {
            self.0.remove(at);
        }
    }

    /// The ids of `key`'s set in `sets` (none if it has no set), copied so that the caller may change
    /// the catalogue while walking them.
    pub(super) fn ids_of<K: Hash + Eq>(sets: &foldhash::HashMap<K, IdSet>, key: &K) -> Vec<i64> {
        sets.get(key).map(|s| s.0.clone()).unwrap_or_default()
    }

    /// Records link `id` in the sets of both its ends.
    pub(super) fn add_link(sets: &mut foldhash::HashMap<i64, IdSet>, id: i64, from: i64, to: i64) {
        sets.entry(from).or_default().insert(id);
        sets.entry(to).or_default().insert(id);
    }
}

impl<'a> IntoIterator for &'a IdSet {
    type Item = &'a i64;
    type IntoIter = std::slice::Iter<'a, i64>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

pub(super) fn establishment_entry(e: Establishment) -> EstablishmentEntry {
    // A practice is found by its establishment's name, commune and UAI.
    let place = fold_joined(&[&e.name, &e.commune_name, e.uai.as_str()]);
    let search = place.clone();
    EstablishmentEntry {
        establishment: e,
        search,
        place,
    }
}
