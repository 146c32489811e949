//! The `sites` collection: Fab' École and other tiers-lieux éducatifs.

use repere_catalog::{Catalog, SiteEntry};
use repere_core::Uai;
use repere_core::establishments::normalise_departement;
use repere_core::sites::{SiteKind, SiteStatus};
use repere_core::temporal::Interval;
use repere_core::text::Query;
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::geojson::{Extent, feature, point};
use crate::nearest::{NearbyQuery, ranked, with_distance};
use crate::request::{CollectionInfo, ItemsQuery, candidates, paginate};
use crate::tiles::points::{Clustered, TilePoints, fields};

pub const INFO: CollectionInfo = CollectionInfo {
    id: "sites",
    title: "Fab' École et tiers-lieux",
    description: "Tiers-lieux éducatifs : Fab' École, fablabs et autres lieux partagés.",
    filters: &[
        ("kind", "Type : fab_ecole, tiers_lieu, fablab"),
        ("status", "Statut : planned, open, closed"),
        ("departement", "Département de l'établissement d'accueil"),
        ("uai", "UAI de l'établissement d'accueil"),
    ],
    temporal: Some("opened_on"),
};

#[derive(Debug, Default)]
pub struct Filter {
    kind: Option<SiteKind>,
    status: Option<SiteStatus>,
    departement: Option<String>,
    uai: Option<Uai>,
    q: Option<Query>,
    datetime: Option<Interval>,
}

impl Filter {
    pub fn parse(q: &ItemsQuery) -> Result<Self, ApiError> {
        Ok(Self {
            kind: q.filter("kind").map(|k| SiteKind::parse("kind", k)).transpose()?,
            status: q.filter("status").map(|s| SiteStatus::parse("status", s)).transpose()?,
            departement: q.filter("departement").map(normalise_departement).transpose()?,
            uai: q.filter("uai").map(Uai::parse).transpose()?,
            q: q.q.clone(),
            datetime: q.datetime,
        })
    }

    pub fn matches(&self, e: &SiteEntry) -> bool {
        let s = &e.site;
        self.kind.is_none_or(|k| k == s.kind)
            && self.status.is_none_or(|st| st == s.status)
            && self
                .departement
                .as_ref()
                .is_none_or(|d| Some(d) == e.departement.as_ref())
            && self.uai.is_none_or(|u| Some(u) == s.uai)
            && self.q.as_ref().is_none_or(|q| q.matches(&e.search))
            && self.datetime.is_none_or(|i| {
                s.opened_on.is_some_and(|d| {
                    let start = d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
                    let end = d.and_hms_milli_opt(23, 59, 59, 999).map(|t| t.and_utc());
                    matches!((start, end), (Some(a), Some(b)) if i.overlaps(a, b))
                })
            })
    }
}

/// The properties of a site as the API serves them; its OpenAPI schema (`SiteProperties`) is derived
/// from this struct, and the site's types from that schema.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = SiteProperties, description = "Propriétés d'un Fab' École, fablab ou tiers-lieu")]
pub struct Properties<'a> {
    id: i64,
    name: &'a str,
    /// fab_ecole, tiers_lieu ou fablab.
    kind: &'static str,
    /// UAI de l'établissement d'accueil.
    #[schema(value_type = Option<String>, required = true)]
    uai: Option<Uai>,
    #[schema(value_type = Option<String>, required = true)]
    departement: Option<&'a str>,
    #[schema(value_type = Option<String>, format = Date, required = true)]
    opened_on: Option<chrono::NaiveDate>,
    /// planned, open ou closed.
    status: &'static str,
    equipment: &'a [String],
    partners: &'a [String],
    description: &'a str,
}

impl<'a> Properties<'a> {
    pub fn of(e: &'a SiteEntry) -> Self {
        let s = &e.site;
        Self {
            id: s.id,
            name: &s.name,
            kind: s.kind.as_str(),
            uai: s.uai,
            departement: e.departement.as_deref(),
            opened_on: s.opened_on,
            status: s.status.as_str(),
            equipment: &s.equipment,
            partners: &s.partners,
            description: &s.description,
        }
    }
}

pub fn render(e: &SiteEntry) -> Value {
    let s = &e.site;
    let properties = serde_json::to_value(Properties::of(e)).unwrap_or(Value::Null);
    feature(json!(s.id), point(Some(s.position)), properties)
}

pub fn items(c: &Catalog, q: &ItemsQuery) -> Result<(usize, Vec<Value>), ApiError> {
    let f = Filter::parse(q)?;
    let keys = q.bbox.map(|b| c.site_index.in_bbox(&b).collect());
    let (n, page) = paginate(candidates(&c.sites, keys).filter(|e| f.matches(e)), q);
    Ok((n, page.into_iter().map(|e| render(e)).collect()))
}

pub fn one(c: &Catalog, id: &str) -> Option<Value> {
    let id: i64 = id.parse().ok()?;
    c.sites.get(&id).map(|e| render(e))
}

/// Spatial extent of the sites, and the span of their opening dates.
pub fn extent(c: &Catalog) -> Extent {
    let mut x = Extent::default();
    for s in c.sites.values() {
        x.grow(s.site.position);
        if let Some(d) = s.site.opened_on {
            x.span(format!("{d}T00:00:00Z"));
        }
    }
    x
}

/// The sites nearest to the centre of `q` under its filters.
pub fn nearest(c: &Catalog, q: &NearbyQuery) -> Result<Vec<Value>, ApiError> {
    let f = Filter::parse(&q.filters)?;
    Ok(ranked(
        &c.site_index,
        &c.sites,
        q,
        |e| f.matches(e),
        |_, e, d| with_distance(render(e), d),
    ))
}

/// The sites under the filters `q`, sorted for tiles.
pub fn tile_points(c: &Catalog, q: &ItemsQuery) -> Result<impl TilePoints + use<>, ApiError> {
    let f = Filter::parse(q)?;
    let points = c
        .sites
        .values()
        .filter(|e| f.matches(e))
        .map(|e| (e.site.id, e.site.position));
    Ok(Clustered::build(INFO.id, points, |c, id, f| {
        f.set_id(id as u64);
        f.add_tag_sint("id", id);
        if let Some(e) = c.sites.get(&id) {
            f.add_tag_string("name", &e.site.name);
            f.add_tag_string("kind", e.site.kind.as_str());
        }
    }))
}

/// The fields of a site in the tiles.
pub fn tile_fields() -> serde_json::Map<String, Value> {
    fields(&[("id", "Number"), ("name", "String"), ("kind", "String")])
}
