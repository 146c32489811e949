//! The collections Repère serves, as types: the one module that names every domain layer.
//!
//! A path segment or parameter is parsed once into a [`Collection`] (or, for what only points have —
//! tiles, nearest, static maps — a [`PointLayer`]); the OGC handlers, `nearby`, the tiles and the maps
//! call their methods and never name a domain. Adding a layer is one domain module and one variant
//! here: the compiler then lists every `match` below that must handle it (none has a default arm).

use std::sync::Arc;

use axum::response::Response;
use repere_catalog::Catalog;
use serde::Serialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::geojson::{Extent, TypedFeature};
use crate::nearest::NearbyQuery;
use crate::request::{CollectionInfo, ItemsQuery};
use crate::tiles::points::TilePoints;
use crate::{establishments, links, practices, sites};

/// A collection of the OGC API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Collection {
    Practices,
    Establishments,
    Sites,
    Links,
}

/// A feature of a response: a practice serialised straight from the catalogue with borrowed, typed
/// properties (the large layer), or a feature already rendered as JSON.
#[derive(Serialize)]
#[serde(untagged)]
// Most features of a large response are practices: boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
pub enum Feature<'a> {
    Practice(TypedFeature<i64, practices::Properties<'a>>),
    Json(Value),
}

impl Feature<'_> {
    /// The feature as a JSON value (a typed practice serialised; a JSON one as it is).
    pub fn into_value(self) -> Value {
        match self {
            Feature::Json(v) => v,
            typed => serde_json::to_value(&typed).unwrap_or(Value::Null),
        }
    }
}

fn json<'a>(list: Vec<Value>) -> Vec<Feature<'a>> {
    list.into_iter().map(Feature::Json).collect()
}

impl Collection {
    /// Every collection, in the order the API lists them.
    pub const ALL: [Self; 4] = [Self::Practices, Self::Establishments, Self::Sites, Self::Links];

    /// Its static description (id, title, filters).
    pub fn info(self) -> &'static CollectionInfo {
        match self {
            Self::Practices => &practices::INFO,
            Self::Establishments => &establishments::INFO,
            Self::Sites => &sites::INFO,
            Self::Links => &links::INFO,
        }
    }

    /// Its id in paths (`practices`…).
    pub fn id(self) -> &'static str {
        self.info().id
    }

    /// The collection named `id` (404 naming the collections when there is none).
    pub fn parse(id: &str) -> Result<Self, ApiError> {
        Self::ALL.into_iter().find(|c| c.id() == id).ok_or_else(|| {
            ApiError::NotFound(format!(
                "collection inconnue « {id} » ; collections : {}",
                Self::ALL.map(Self::id).join(", ")
            ))
        })
    }

    /// The collection as a point layer, if its features are points.
    pub fn point_layer(self) -> Option<PointLayer> {
        match self {
            Self::Practices => Some(PointLayer::Practices),
            Self::Establishments => Some(PointLayer::Establishments),
            Self::Sites => Some(PointLayer::Sites),
            Self::Links => None,
        }
    }

    /// Spatial and temporal extent of its public records.
    pub fn extent(self, c: &Catalog) -> Extent {
        match self {
            Self::Practices => practices::extent(c),
            Self::Establishments => establishments::extent(c),
            Self::Sites => sites::extent(c),
            Self::Links => links::extent(c),
        }
    }

    /// Runs an items query: `(numberMatched, the page of features)`.
    pub fn select<'a>(self, c: &'a Catalog, q: &ItemsQuery) -> Result<(usize, Vec<Feature<'a>>), ApiError> {
        Ok(match self {
            Self::Practices => {
                let (n, list) = practices::items(c, q)?;
                (n, list.into_iter().map(Feature::Practice).collect())
            }
            Self::Establishments => establishments::items(c, q).map(|(n, l)| (n, json(l)))?,
            Self::Sites => sites::items(c, q).map(|(n, l)| (n, json(l)))?,
            Self::Links => links::items(c, q).map(|(n, l)| (n, json(l)))?,
        })
    }

    /// One public record by its feature id.
    pub fn one(self, c: &Catalog, fid: &str) -> Option<Value> {
        match self {
            Self::Practices => practices::one(c, fid),
            Self::Establishments => establishments::one(c, fid),
            Self::Sites => sites::one(c, fid),
            Self::Links => links::one(c, fid),
        }
    }

    /// The page `q` selects as a CSV download (`f=csv`), where the collection offers one.
    pub fn csv(self, c: &Catalog, q: &ItemsQuery, base: &str) -> Result<Response, ApiError> {
        match self {
            Self::Practices => practices::csv(c, q, base),
            Self::Establishments | Self::Sites | Self::Links => Err(ApiError::param(
                "f",
                "le format csv n'est servi que pour les usages (practices)",
            )),
        }
    }
}

/// A collection whose features are points: served as vector tiles, ranked by `/api/nearby`, drawn on
/// static maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PointLayer {
    Practices,
    Establishments,
    Sites,
}

impl PointLayer {
    /// Every point layer, in the order the tile list gives them.
    pub const ALL: [Self; 3] = [Self::Practices, Self::Establishments, Self::Sites];

    /// The collection it is.
    pub fn collection(self) -> Collection {
        match self {
            Self::Practices => Collection::Practices,
            Self::Establishments => Collection::Establishments,
            Self::Sites => Collection::Sites,
        }
    }

    /// Its id (that of its collection, and the name of its tile layer).
    pub fn id(self) -> &'static str {
        self.collection().id()
    }

    /// Its collection's description.
    pub fn info(self) -> &'static CollectionInfo {
        self.collection().info()
    }

    /// The point layer named `id`, if there is one.
    pub fn find(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.id() == id)
    }

    /// The ids of every point layer, joined for an error message.
    pub fn ids() -> String {
        Self::ALL.map(Self::id).join(", ")
    }

    /// The records nearest to the query's centre that its filters let through, nearest first, each
    /// with `distance_m`.
    pub fn nearest<'a>(self, c: &'a Catalog, q: &NearbyQuery) -> Result<Vec<Feature<'a>>, ApiError> {
        Ok(match self {
            Self::Practices => practices::nearest(c, q)?.into_iter().map(Feature::Practice).collect(),
            Self::Establishments => json(establishments::nearest(c, q)?),
            Self::Sites => json(sites::nearest(c, q)?),
        })
    }

    /// Its points under the filters `q`, sorted for tiles.
    pub fn tile_points(self, c: &Catalog, q: &ItemsQuery) -> Result<Arc<dyn TilePoints>, ApiError> {
        Ok(match self {
            Self::Practices => Arc::new(practices::tile_points(c, q)?),
            Self::Establishments => Arc::new(establishments::tile_points(c, q)?),
            Self::Sites => Arc::new(sites::tile_points(c, q)?),
        })
    }

    /// The fields of its tile features (TileJSON), clusters' fields included.
    pub fn tile_fields(self) -> serde_json::Map<String, Value> {
        let mut fields = match self {
            Self::Practices => practices::tile_fields(),
            Self::Establishments => establishments::tile_fields(),
            Self::Sites => sites::tile_fields(),
        };
        fields.extend(crate::tiles::points::cluster_fields());
        fields
    }

    /// How it is drawn on a static map: radius of a single marker in pixels, fill colour, and its
    /// rank from the bottom (higher ranks are drawn over lower ones).
    pub fn marker(self) -> (f64, &'static str, u8) {
        match self {
            Self::Establishments => (3.5, "#6a6a6a", 0),
            Self::Sites => (7.0, "#a94645", 1),
            Self::Practices => (6.0, "#000091", 2),
        }
    }

    /// Every point layer from the bottom of a static map to its top.
    pub fn bottom_up() -> [Self; 3] {
        let mut all = Self::ALL;
        all.sort_by_key(|l| l.marker().2);
        all
    }
}

/// A page of any collection as a spreadsheet (`f=csv`): `id`, one column per property (objects and
/// lists written as text), and the position in `crs` — `x` and `y` for a point, `geometrie_wkt` for a
/// line. UTF-8 with BOM, `;`, cells neutralised against formulas (what `csv_download` does).
pub fn csv_of(id: &str, features: &[Feature<'_>], crs: crate::crs::Crs) -> Result<Response, ApiError> {
    let values: Vec<&Value> = features
        .iter()
        .filter_map(|f| match f {
            Feature::Json(v) => Some(v),
            Feature::Practice(_) => None,
        })
        .collect();
    let mut columns: Vec<String> = Vec::new();
    for v in &values {
        if let Some(p) = v["properties"].as_object() {
            for k in p.keys() {
                if k != "id" && !columns.contains(k) {
                    columns.push(k.clone());
                }
            }
        }
    }
    let cell = crate::response::cell_text;
    let position = |g: &Value| -> (String, String, String) {
        let coords = &g["coordinates"];
        match g["type"].as_str() {
            Some("Point") => (cell(&coords[0]), cell(&coords[1]), String::new()),
            Some("LineString") => {
                let pts: Vec<String> = coords
                    .as_array()
                    .map(|a| a.iter().map(|p| format!("{} {}", p[0], p[1])).collect())
                    .unwrap_or_default();
                (String::new(), String::new(), format!("LINESTRING ({})", pts.join(", ")))
            }
            _ => (String::new(), String::new(), String::new()),
        }
    };
    let mut header: Vec<&str> = vec!["id"];
    header.extend(columns.iter().map(String::as_str));
    header.extend(["x", "y", "geometrie_wkt"]);
    let rows = values.iter().map(|v| {
        let mut row = vec![cell(&v["id"])];
        row.extend(columns.iter().map(|k| cell(&v["properties"][k])));
        let (x, y, wkt) = position(&v["geometry"]);
        row.extend([x, y, wkt]);
        row
    });
    let mut r = crate::response::csv_download(&format!("repere-{id}.csv"), &header, rows)?;
    r.headers_mut().insert(
        axum::http::HeaderName::from_static("content-crs"),
        axum::http::HeaderValue::from_static(crs.content_crs()),
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_collection_is_found_by_its_own_id_and_an_unknown_one_is_not() {
        for c in Collection::ALL {
            assert_eq!(Collection::parse(c.id()).unwrap(), c);
            if let Some(l) = c.point_layer() {
                assert_eq!(l.collection(), c);
                assert_eq!(PointLayer::find(c.id()), Some(l));
            }
        }
        assert!(
            matches!(Collection::parse("schools"), Err(ApiError::NotFound(m)) if m.contains("practices, establishments, sites, links"))
        );
        assert_eq!(PointLayer::find("links"), None);
    }

    #[test]
    fn static_maps_draw_practices_over_sites_over_establishments() {
        assert_eq!(
            PointLayer::bottom_up(),
            [PointLayer::Establishments, PointLayer::Sites, PointLayer::Practices]
        );
    }
}
