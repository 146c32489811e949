//! The `establishments` collection: every establishment known, keyed by UAI, with its current
//! bandwidth (the full history on the single-item route). Establishments without a position in the
//! official files are served with a `null` geometry rather than hidden.

use repere_catalog::{Catalog, EstablishmentEntry};
use repere_core::establishments::{
    Bandwidth, BandwidthSource, Establishment, EstablishmentKind, Sector, Technology, normalise_departement,
};
use repere_core::opinee::{ProfileDto, current};
use repere_core::text::{Query, fold};
use repere_core::{SchoolYear, Uai};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::geojson::{Extent, feature, point};
use crate::nearest::{NearbyQuery, ranked, with_distance};
use crate::request::{CollectionInfo, ItemsQuery, candidates, paginate};
use crate::tiles::points::{Clustered, TilePoints, fields};

pub const INFO: CollectionInfo = CollectionInfo {
    id: "establishments",
    title: "Établissements",
    description: "Écoles, collèges et lycées (clé : UAI) avec leur débit actuel. Sans dimension temporelle : datetime est sans effet.",
    filters: &[
        ("departement", "Code du département (06, 83…)"),
        ("kind", "Type : ecole, college, lycee, lp, other"),
        ("sector", "Secteur : public, private"),
        ("commune_code", "Code INSEE de la commune"),
        (
            "bandwidth_class",
            "Classe de débit descendant actuel : lt8, 8-30, 30-100, gte100, unknown",
        ),
        ("label", "Niveau de label le plus récent : 1, 2, 3 ou none"),
        (
            "opinee_class",
            "Moyenne OPINEE la plus récente (7 champs, 0 à 10) : lt4, 4-7, gte7, unknown",
        ),
    ],
    temporal: None,
};

/// Bandwidth classes (download, Mbit/s) used by filters and the map legend.
pub const BANDWIDTH_CLASSES: [&str; 5] = ["lt8", "8-30", "30-100", "gte100", "unknown"];

/// Classes of the current OPINEE mean (seven fields, 0–10) used by filters and the map legend.
pub const OPINEE_CLASSES: [&str; 4] = ["lt4", "4-7", "gte7", "unknown"];

/// The class of an establishment's current OPINEE mean.
pub fn opinee_class(e: &Establishment) -> &'static str {
    match current(&e.profiles).0.map(|(_, l)| l.overall()) {
        None => "unknown",
        Some(m) if m < 4.0 => "lt4",
        Some(m) if m < 7.0 => "4-7",
        Some(_) => "gte7",
    }
}

/// The current label level as a filter value: `1`, `2`, `3` or `none`.
pub fn label_class(e: &Establishment) -> &'static str {
    match current(&e.profiles).1 {
        Some((_, 1)) => "1",
        Some((_, 2)) => "2",
        Some((_, 3)) => "3",
        _ => "none",
    }
}

fn one_of(param: &'static str, v: Option<&str>, allowed: &[&'static str]) -> Result<Option<&'static str>, ApiError> {
    v.map(|v| {
        allowed.iter().copied().find(|c| *c == v).ok_or_else(|| {
            ApiError::param(
                param,
                format!("valeur inconnue « {v} » ; valeurs : {}", allowed.join(", ")),
            )
        })
    })
    .transpose()
}

/// The class of an establishment's current download rate.
pub fn bandwidth_class(e: &Establishment) -> &'static str {
    match e.current_bandwidth().map(|b| b.down_mbps) {
        None => "unknown",
        Some(d) if d < 8.0 => "lt8",
        Some(d) if d < 30.0 => "8-30",
        Some(d) if d < 100.0 => "30-100",
        Some(_) => "gte100",
    }
}

#[derive(Debug, Default)]
pub struct Filter {
    departement: Option<String>,
    kind: Option<EstablishmentKind>,
    sector: Option<Sector>,
    commune_code: Option<String>,
    bandwidth_class: Option<&'static str>,
    label: Option<&'static str>,
    opinee_class: Option<&'static str>,
    q: Option<Query>,
}

impl Filter {
    pub fn parse(q: &ItemsQuery) -> Result<Self, ApiError> {
        let class = one_of("bandwidth_class", q.filter("bandwidth_class"), &BANDWIDTH_CLASSES)?;
        Ok(Self {
            label: one_of("label", q.filter("label"), &["1", "2", "3", "none"])?,
            opinee_class: one_of("opinee_class", q.filter("opinee_class"), &OPINEE_CLASSES)?,
            departement: q.filter("departement").map(normalise_departement).transpose()?,
            kind: q
                .filter("kind")
                .map(|k| EstablishmentKind::parse("kind", k))
                .transpose()?,
            sector: q.filter("sector").map(|s| Sector::parse("sector", s)).transpose()?,
            commune_code: q.filter("commune_code").map(|c| fold(c).to_ascii_uppercase()),
            bandwidth_class: class,
            q: q.q.clone(),
        })
    }

    pub fn matches(&self, entry: &EstablishmentEntry) -> bool {
        let e = &entry.establishment;
        self.departement.as_ref().is_none_or(|d| *d == e.departement)
            && self.kind.is_none_or(|k| k == e.kind)
            && self.sector.is_none_or(|s| s == e.sector)
            && self.commune_code.as_ref().is_none_or(|c| *c == e.commune_code)
            && self.bandwidth_class.is_none_or(|c| c == bandwidth_class(e))
            && self.label.is_none_or(|l| l == label_class(e))
            && self.opinee_class.is_none_or(|c| c == opinee_class(e))
            && self.q.as_ref().is_none_or(|q| q.matches(&entry.search))
    }
}

/// The properties of an establishment as the API serves them; its OpenAPI schema
/// (`EstablishmentProperties`) is derived from this struct, and the site's types from that schema.
/// The histories come with one establishment only (`/items/{uai}`).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = EstablishmentProperties, description = "Propriétés d'un établissement")]
pub struct Properties<'a> {
    #[schema(value_type = String)]
    uai: Uai,
    name: &'a str,
    /// ecole, college, lycee, lp ou other.
    kind: &'static str,
    kind_label: &'static str,
    /// public ou private.
    sector: &'static str,
    commune_code: &'a str,
    commune_name: &'a str,
    departement: &'a str,
    /// Débit descendant actuel, Mbit/s.
    #[schema(required = true)]
    bandwidth_down_mbps: Option<f64>,
    #[schema(required = true)]
    bandwidth_up_mbps: Option<f64>,
    #[schema(value_type = Option<String>, required = true)]
    bandwidth_technology: Option<&'static str>,
    /// measured ou potential.
    #[schema(value_type = Option<String>, required = true)]
    bandwidth_source: Option<&'static str>,
    #[schema(value_type = Option<String>, format = Date, required = true)]
    bandwidth_date: Option<chrono::NaiveDate>,
    /// lt8, 8-30, 30-100, gte100 ou unknown.
    bandwidth_class: &'static str,
    /// Placé au centre de sa commune faute de position (position approximative).
    placed_at_commune: bool,
    /// Niveau de label le plus récent, 1 à 3.
    #[schema(required = true)]
    label: Option<u8>,
    label_class: &'static str,
    #[schema(value_type = Option<String>, required = true)]
    label_school_year: Option<SchoolYear>,
    #[schema(value_type = Option<String>, required = true)]
    opinee_school_year: Option<SchoolYear>,
    #[schema(required = true)]
    opinee_equipment: Option<f64>,
    #[schema(required = true)]
    opinee_usage: Option<f64>,
    #[schema(required = true)]
    opinee_mean: Option<f64>,
    opinee_class: &'static str,
    /// Every bandwidth measured or potential (one establishment only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline, nullable = false)]
    bandwidth_history: Option<Vec<BandwidthValue>>,
    /// OPINEE levels and label of every school year (one establishment only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline, nullable = false)]
    opinee_history: Option<Vec<OpineeProfile>>,
}

/// One value of the bandwidth history.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BandwidthValue {
    /// Débit descendant, Mbit/s.
    down_mbps: f64,
    /// Débit montant, Mbit/s.
    up_mbps: f64,
    /// Technologie d'accès.
    #[schema(value_type = String)]
    technology: Technology,
    /// measured (mesuré sur place) ou potential (ce que la ligne permettrait).
    #[schema(value_type = String)]
    source: BandwidthSource,
    /// Jour de la mesure ou de la publication.
    #[schema(value_type = String, format = Date)]
    date: chrono::NaiveDate,
}

impl From<&Bandwidth> for BandwidthValue {
    fn from(b: &Bandwidth) -> Self {
        Self {
            down_mbps: b.down_mbps,
            up_mbps: b.up_mbps,
            technology: b.technology,
            source: b.source,
            date: b.date,
        }
    }
}

/// The OPINEE profile of a school year.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OpineeProfile {
    #[schema(value_type = String)]
    school_year: SchoolYear,
    /// Les sept niveaux (0 à 10) par champ, ou null si seul le label est connu.
    #[schema(value_type = Option<std::collections::BTreeMap<String, i64>>, required = true)]
    levels: Option<std::collections::BTreeMap<repere_core::opinee::Field, i64>>,
    /// Label 1 à 3, ou null.
    #[schema(required = true)]
    label: Option<i64>,
}

impl From<ProfileDto> for OpineeProfile {
    fn from(p: ProfileDto) -> Self {
        Self {
            school_year: p.school_year,
            levels: p.levels,
            label: p.label,
        }
    }
}

fn properties(e: &Establishment, history: bool) -> Value {
    let current = e.current_bandwidth();
    let (levels, label) = repere_core::opinee::current(&e.profiles);
    let round1 = |v: f64| (v * 10.0).round() / 10.0;
    let props = Properties {
        uai: e.uai,
        name: &e.name,
        kind: e.kind.as_str(),
        kind_label: e.kind.label(),
        sector: e.sector.as_str(),
        commune_code: &e.commune_code,
        commune_name: &e.commune_name,
        departement: &e.departement,
        bandwidth_down_mbps: current.map(|b| b.down_mbps),
        bandwidth_up_mbps: current.map(|b| b.up_mbps),
        bandwidth_technology: current.map(|b| b.technology.as_str()),
        bandwidth_source: current.map(|b| b.source.as_str()),
        bandwidth_date: current.map(|b| b.date),
        bandwidth_class: bandwidth_class(e),
        placed_at_commune: e.placed_at_commune,
        label: label.map(|(_, l)| l),
        label_class: label_class(e),
        label_school_year: label.map(|(y, _)| y),
        opinee_school_year: levels.map(|(y, _)| y),
        opinee_equipment: levels.map(|(_, l)| round1(l.equipment())),
        opinee_usage: levels.map(|(_, l)| round1(l.usage())),
        opinee_mean: levels.map(|(_, l)| round1(l.overall())),
        opinee_class: opinee_class(e),
        bandwidth_history: history.then(|| e.bandwidth.iter().map(BandwidthValue::from).collect()),
        opinee_history: history.then(|| {
            e.profiles
                .iter()
                .map(|p| OpineeProfile::from(ProfileDto::from(p)))
                .collect()
        }),
    };
    serde_json::to_value(props).unwrap_or(Value::Null)
}

/// An establishment as a GeoJSON feature (with its bandwidth history when `history`).
pub fn render(e: &EstablishmentEntry, history: bool) -> Value {
    let est = &e.establishment;
    feature(json!(est.uai), point(est.position), properties(est, history))
}

pub fn items(c: &Catalog, q: &ItemsQuery) -> Result<(usize, Vec<Value>), ApiError> {
    let f = Filter::parse(q)?;
    let keys = q.bbox.map(|b| c.establishment_index.in_bbox(&b).collect());
    let (n, page) = paginate(candidates(&c.establishments, keys).filter(|e| f.matches(e)), q);
    Ok((n, page.into_iter().map(|e| render(e, false)).collect()))
}

pub fn one(c: &Catalog, id: &str) -> Option<Value> {
    let uai = Uai::parse(id).ok()?;
    c.establishments.get(&uai).map(|e| render(e, true))
}

/// Spatial extent of the establishments (no temporal dimension).
pub fn extent(c: &Catalog) -> Extent {
    let mut x = Extent::default();
    c.establishments
        .values()
        .filter_map(|e| e.establishment.position)
        .for_each(|p| x.grow(p));
    x
}

/// The establishments nearest to the centre of `q` under its filters.
pub fn nearest(c: &Catalog, q: &NearbyQuery) -> Result<Vec<Value>, ApiError> {
    let f = Filter::parse(&q.filters)?;
    Ok(ranked(
        &c.establishment_index,
        &c.establishments,
        q,
        |e| f.matches(e),
        |_, e, d| with_distance(render(e, false), d),
    ))
}

/// The establishments under the filters `q`, sorted for tiles.
pub fn tile_points(c: &Catalog, q: &ItemsQuery) -> Result<impl TilePoints + use<>, ApiError> {
    let f = Filter::parse(q)?;
    let points = c
        .establishments
        .values()
        .filter(|e| f.matches(e))
        .filter_map(|e| Some((e.establishment.uai, e.establishment.position?)));
    Ok(Clustered::build(INFO.id, points, |c, uai, f| {
        f.add_tag_string("uai", uai.as_str());
        if let Some(e) = c.establishments.get(&uai) {
            let est = &e.establishment;
            f.add_tag_string("name", &est.name);
            f.add_tag_string("kind", est.kind.as_str());
            f.add_tag_string("bandwidth_class", bandwidth_class(est));
            f.add_tag_string("label_class", label_class(est));
            f.add_tag_string("opinee_class", opinee_class(est));
            if let Some(b) = est.current_bandwidth() {
                f.add_tag_double("bandwidth_down_mbps", b.down_mbps);
            }
        }
    }))
}

/// The fields of an establishment in the tiles.
pub fn tile_fields() -> serde_json::Map<String, Value> {
    fields(&[
        ("uai", "String"),
        ("name", "String"),
        ("kind", "String"),
        ("bandwidth_class", "String"),
        ("label_class", "String"),
        ("opinee_class", "String"),
        ("bandwidth_down_mbps", "Number"),
    ])
}
