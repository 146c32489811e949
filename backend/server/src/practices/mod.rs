//! The `practices` collection: published practices as GeoJSON points (the establishment's position
//! unless the practice has its own). Drafts, submissions, rejected and archived reports are never
//! served to the public.

pub mod contribution;
pub mod duplicates;
pub mod facets;
pub mod messages;
pub mod moderation;
pub mod preview;
pub mod record;
pub mod routes;

use chrono::{DateTime, Utc};
use repere_catalog::{Catalog, PracticeEntry};
use repere_core::establishments::{EstablishmentKind, normalise_departement};
use repere_core::practices::{Facet, Practice, PracticeStatus};
use repere_core::temporal::Interval;
use repere_core::text::{Query, fold};
use repere_core::{SchoolYear, Uai};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::geojson::{Extent, TypedFeature, feature, point};
use crate::nearest::{NearbyQuery, metres, ranked};
use crate::request::{CollectionInfo, ItemsQuery, candidates, has, paginate};
use crate::tiles::points::{Clustered, TilePoints, fields};

pub const INFO: CollectionInfo = CollectionInfo {
    id: "practices",
    title: "Usages numériques innovants",
    description: "Pratiques pédagogiques numériques remontées par les équipes et publiées par la CARDIE/DANE.",
    filters: &[
        ("departement", "Code du département de l'établissement (06, 83…)"),
        ("discipline", "Discipline (insensible à la casse et aux accents)"),
        ("level", "Niveau (6e, CM1, Seconde…)"),
        ("tool", "Outil numérique (Scratch, Tinkercad…)"),
        ("theme", "Thème"),
        ("school_year", "Année scolaire, ex. 2025-2026"),
        ("kind", "Type d'établissement : ecole, college, lycee, lp, other"),
        ("status", "Statut ; seul published est visible sans compte"),
        ("uai", "UAI de l'établissement"),
    ],
    temporal: Some("published_at"),
};

/// The instant `datetime` filters on: publication, else creation.
pub fn timestamp(p: &Practice) -> DateTime<Utc> {
    p.published_at.unwrap_or(p.created_at)
}

/// The filters of one request, parsed and folded once.
#[derive(Debug, Default)]
pub struct Filter {
    departement: Option<String>,
    discipline: Option<String>,
    level: Option<String>,
    tool: Option<String>,
    theme: Option<String>,
    school_year: Option<SchoolYear>,
    kind: Option<EstablishmentKind>,
    status: Option<PracticeStatus>,
    uai: Option<Uai>,
    q: Option<Query>,
    datetime: Option<Interval>,
}

impl Filter {
    pub fn parse(q: &ItemsQuery) -> Result<Self, ApiError> {
        Ok(Self {
            departement: q.filter("departement").map(normalise_departement).transpose()?,
            discipline: q.filter("discipline").map(fold),
            level: q.filter("level").map(fold),
            tool: q.filter("tool").map(fold),
            theme: q.filter("theme").map(fold),
            school_year: q.filter("school_year").map(SchoolYear::parse).transpose()?,
            kind: q
                .filter("kind")
                .map(|k| EstablishmentKind::parse("kind", k))
                .transpose()?,
            status: q
                .filter("status")
                .map(|s| PracticeStatus::parse("status", s))
                .transpose()?,
            uai: q.filter("uai").map(Uai::parse).transpose()?,
            q: q.q.clone(),
            datetime: q.datetime,
        })
    }

    /// Whether the public may see `e` and it passes every filter.
    pub fn matches(&self, e: &PracticeEntry) -> bool {
        self.facet_bits(e) == 0 && self.passes_others(e)
    }

    /// The facets `e` fails, one bit per [`facets::FACETS`] entry (0 when it passes every filter), or
    /// `None` when that cannot matter: the public may not see it, it fails a filter that is not a facet,
    /// or it fails two facets or more. The cheap facet tests run first.
    pub fn failed_facets(&self, e: &PracticeEntry) -> Option<u8> {
        let bits = self.facet_bits(e);
        (bits.count_ones() <= 1 && self.passes_others(e)).then_some(bits)
    }

    /// One bit per facet filter of [`facets::FACETS`] that `e` fails.
    fn facet_bits(&self, e: &PracticeEntry) -> u8 {
        let p = &e.practice;
        let passes = [
            self.discipline.as_ref().is_none_or(|d| has(&p.disciplines, d)),
            self.level.as_ref().is_none_or(|d| has(&p.levels, d)),
            self.tool.as_ref().is_none_or(|d| has(&p.tools, d)),
            self.school_year.is_none_or(|y| y == p.school_year),
            self.departement.as_ref().is_none_or(|d| *d == e.departement()),
        ];
        passes
            .iter()
            .enumerate()
            .fold(0u8, |bits, (i, ok)| if *ok { bits } else { bits | 1 << i })
    }

    /// Whether the public may see `e` and it passes the filters that are not facets (text search last).
    fn passes_others(&self, e: &PracticeEntry) -> bool {
        let p = &e.practice;
        p.is_public()
            && self.status.is_none_or(|s| s == p.status)
            && self.theme.as_ref().is_none_or(|d| has(&p.themes, d))
            && self.kind.is_none_or(|k| k == e.establishment_kind())
            && self.uai.is_none_or(|u| u == p.uai)
            && self.datetime.is_none_or(|i| i.contains(timestamp(p)))
            && self.q.as_ref().is_none_or(|q| e.matches_text(q))
    }
}

/// The public properties of a practice, borrowed from the catalogue: serialised straight into a
/// response without building a JSON tree, or into a [`Value`] by [`properties`]. Its OpenAPI schema
/// (`PracticeProperties`) is derived from this struct, and the site's types from that schema.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PracticeProperties, description = "Propriétés publiques d'un usage publié")]
pub struct Properties<'a> {
    id: i64,
    title: &'a str,
    summary: &'a str,
    description: &'a str,
    #[schema(value_type = Vec<String>)]
    disciplines: &'a [Facet],
    #[schema(value_type = Vec<String>)]
    levels: &'a [Facet],
    #[schema(value_type = Vec<String>)]
    tools: &'a [Facet],
    #[schema(value_type = Vec<String>)]
    themes: &'a [Facet],
    /// Année scolaire, ex. 2025-2026.
    #[schema(value_type = String)]
    school_year: SchoolYear,
    #[schema(value_type = String)]
    uai: Uai,
    establishment_name: &'a str,
    /// Type d'établissement : ecole, college, lycee, lp ou other.
    establishment_kind: &'static str,
    commune_code: &'a str,
    commune_name: &'a str,
    departement: &'a str,
    #[schema(value_type = Option<String>, required = true)]
    innovatheque_url: Option<&'a str>,
    status: &'static str,
    #[schema(value_type = String, format = DateTime)]
    created_at: DateTime<Utc>,
    #[schema(value_type = String, format = DateTime)]
    updated_at: DateTime<Utc>,
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    published_at: Option<DateTime<Utc>>,
    /// Distance au centre d'une recherche de proximité, en mètres (seulement là).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    distance_m: Option<f64>,
}

impl<'a> Properties<'a> {
    pub fn of(e: &'a PracticeEntry) -> Self {
        let p = &e.practice;
        Self {
            id: p.id,
            title: &p.title,
            summary: &p.summary,
            description: &p.description,
            disciplines: &p.disciplines,
            levels: &p.levels,
            tools: &p.tools,
            themes: &p.themes,
            school_year: p.school_year,
            uai: p.uai,
            establishment_name: e.establishment_name(),
            establishment_kind: e.establishment_kind().as_str(),
            commune_code: e.commune_code(),
            commune_name: e.commune_name(),
            departement: e.departement(),
            innovatheque_url: p.innovatheque_url.as_deref(),
            status: p.status.as_str(),
            created_at: p.created_at,
            updated_at: p.updated_at,
            published_at: p.published_at,
            distance_m: None,
        }
    }
}

/// The public properties of a practice, as a JSON object.
pub fn properties(e: &PracticeEntry) -> Value {
    serde_json::to_value(Properties::of(e)).unwrap_or(Value::Null)
}

/// A practice as a GeoJSON feature.
pub fn render(e: &PracticeEntry) -> Value {
    feature(json!(e.practice.id), point(e.position()), properties(e))
}

/// How many practices `q` selects, and the page of them it asks for (the items, their CSV).
fn selected<'a>(c: &'a Catalog, q: &ItemsQuery) -> Result<(usize, Vec<&'a std::sync::Arc<PracticeEntry>>), ApiError> {
    let f = Filter::parse(q)?;
    let keys = q.bbox.map(|b| c.practice_index.in_bbox(&b).collect());
    Ok(paginate(candidates(&c.practices, keys).filter(|e| f.matches(e)), q))
}

/// A practice as a feature serialised straight from the catalogue.
pub type Typed<'a> = TypedFeature<i64, Properties<'a>>;

/// Items of the collection for `q`.
pub fn items<'a>(c: &'a Catalog, q: &ItemsQuery) -> Result<(usize, Vec<Typed<'a>>), ApiError> {
    let (n, page) = selected(c, q)?;
    let typed =
        |e: &'a std::sync::Arc<PracticeEntry>| TypedFeature::new(e.practice.id, e.position(), Properties::of(e));
    Ok((n, page.into_iter().map(typed).collect()))
}

/// Spatial and temporal extent of the public practices.
pub fn extent(c: &Catalog) -> Extent {
    let mut x = Extent::default();
    for p in c.practices.values().filter(|p| p.practice.is_public()) {
        if let Some(pos) = p.position() {
            x.grow(pos);
        }
        x.span(timestamp(&p.practice).to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    x
}

/// The practices nearest to the centre of `q` under its filters.
pub fn nearest<'a>(c: &'a Catalog, q: &NearbyQuery) -> Result<Vec<Typed<'a>>, ApiError> {
    let f = Filter::parse(&q.filters)?;
    Ok(ranked(
        &c.practice_index,
        &c.practices,
        q,
        |e| f.matches(e),
        |id, e, d| {
            let properties = Properties {
                distance_m: Some(metres(d)),
                ..Properties::of(e)
            };
            TypedFeature::new(id, e.position(), properties)
        },
    ))
}

/// The practices under the filters `q`, sorted for tiles.
pub fn tile_points(c: &Catalog, q: &ItemsQuery) -> Result<impl TilePoints + use<>, ApiError> {
    let f = Filter::parse(q)?;
    let points = c
        .practices
        .values()
        .filter(|e| f.matches(e))
        .filter_map(|e| Some((e.practice.id, e.position()?)));
    Ok(Clustered::build(INFO.id, points, |c, id, f| {
        f.set_id(id as u64);
        f.add_tag_sint("id", id);
        if let Some(e) = c.practices.get(&id) {
            f.add_tag_string("title", &e.practice.title);
            f.add_tag_string("uai", e.practice.uai.as_str());
            f.add_tag_string("school_year", &e.practice.school_year.to_string());
            f.add_tag_string("departement", e.departement());
            f.add_tag_string("establishment_name", e.establishment_name());
            f.add_tag_string("commune_name", e.commune_name());
        }
    }))
}

/// The fields of a practice in the tiles.
pub fn tile_fields() -> serde_json::Map<String, Value> {
    fields(&[
        ("id", "Number"),
        ("title", "String"),
        ("school_year", "String"),
        ("departement", "String"),
        ("establishment_name", "String"),
        ("commune_name", "String"),
    ])
}

/// One public practice by id.
pub fn one(c: &Catalog, id: &str) -> Option<Value> {
    let id: i64 = id.parse().ok()?;
    c.practices
        .get(&id)
        .filter(|e| e.practice.is_public())
        .map(|e| render(e))
}

/// The page of practices `q` selects as CSV (`f=csv`: the map page's "Exporter" of what its list shows),
/// one row per practice, lists joined with ", ", with the address of its public fiche.
pub fn csv(c: &Catalog, q: &ItemsQuery, base: &str) -> Result<axum::response::Response, ApiError> {
    let (_, page) = selected(c, q)?;
    let join = |v: &[Facet]| v.iter().map(|x| x.as_ref()).collect::<Vec<&str>>().join(", ");
    let rows = page.into_iter().map(|e| {
        let p = &e.practice;
        let (lon, lat) = e.position().map_or((String::new(), String::new()), |l| {
            (l.lon.to_string(), l.lat.to_string())
        });
        vec![
            p.id.to_string(),
            p.title.to_string(),
            p.summary.to_string(),
            join(&p.disciplines),
            join(&p.levels),
            join(&p.tools),
            join(&p.themes),
            p.school_year.to_string(),
            p.uai.as_str().to_string(),
            e.establishment_name().to_string(),
            e.commune_name().to_string(),
            e.departement().to_string(),
            lon,
            lat,
            format!("{base}/?fiche={}", p.id),
        ]
    });
    crate::response::csv_download(
        "usages.csv",
        &[
            "id",
            "titre",
            "resume",
            "disciplines",
            "niveaux",
            "outils",
            "themes",
            "annee_scolaire",
            "uai",
            "etablissement",
            "commune",
            "departement",
            "longitude",
            "latitude",
            "fiche",
        ],
        rows,
    )
}
