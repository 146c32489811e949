//! Mapbox Vector Tiles of the point layers (`practices`, `establishments`, `sites`), clustered below
//! zoom 15 (see `repere_core::tiles`), with the same filters as the items of the collection, and a
//! TileJSON per layer.
//!
//! A filtered set of points is sorted once into a [`ClusterIndex`] and kept for the catalogue's
//! generation (any change, here or through another instance, makes a new generation), so a tile costs
//! 64 binary searches plus the encoding. `ETag` is a hash of the tile's bytes: it changes exactly when
//! the tile does; `If-None-Match` answers 304.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use repere_core::Uai;
use repere_core::tiles::{CLUSTER_MAX_ZOOM, ClusterIndex, EXTENT, TileFeature, TileId};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::catalog::Catalog;
use crate::error::ApiError;
use crate::ogc::{CollectionInfo, ItemsQuery, base_url, collection, parse_items_query};
use crate::{establishments, practices, sites};

/// The layers served as tiles.
pub const LAYERS: [&str; 3] = ["practices", "establishments", "sites"];
/// Highest zoom announced in TileJSON (clients overzoom beyond it).
pub const TILEJSON_MAX_ZOOM: u8 = 16;
/// Filtered indexes kept (the most recently used).
const CACHED: usize = 16;
const MVT: &str = "application/vnd.mapbox-vector-tile";

pub(crate) enum Points {
    Practices(ClusterIndex<i64>),
    Sites(ClusterIndex<i64>),
    Establishments(ClusterIndex<Uai>),
}

impl Points {
    /// The points and clusters of tile `t`, without their keys (for the static-map renderer).
    pub(crate) fn features(&self, t: &TileId) -> Vec<TileFeature<()>> {
        fn strip<K>(list: Vec<TileFeature<K>>) -> Vec<TileFeature<()>> {
            list.into_iter()
                .map(|f| match f {
                    TileFeature::Point { x, y, .. } => TileFeature::Point { key: (), x, y },
                    TileFeature::Cluster {
                        id,
                        count,
                        x,
                        y,
                        expansion_zoom,
                    } => TileFeature::Cluster {
                        id,
                        count,
                        x,
                        y,
                        expansion_zoom,
                    },
                })
                .collect()
        }
        match self {
            Self::Practices(i) | Self::Sites(i) => strip(i.tile(t)),
            Self::Establishments(i) => strip(i.tile(t)),
        }
    }
}

struct Cached {
    layer: &'static str,
    filters: String,
    generation: u64,
    points: Arc<Points>,
}

/// The sorted point sets of recent (layer, filters) pairs, and the encoded tiles.
#[derive(Default)]
pub struct TileIndexes {
    cached: Mutex<Vec<Cached>>,
    /// Encoded tiles by (layer, z, x, y, filters), each with the catalogue generation it was drawn
    /// for: a tile of an older generation is never served (every write makes a new generation).
    /// `None`: no tile cache (`REPERE_TILE_CACHE=0`).
    encoded: Option<quick_cache::sync::Cache<TileKey, EncodedTile>>,
}

type TileKey = (&'static str, TileId, String);

#[derive(Clone)]
struct EncodedTile {
    generation: u64,
    bytes: bytes::Bytes,
    etag: HeaderValue,
}

impl TileIndexes {
    /// Indexes with a cache of at most `tiles` encoded tiles (0: none).
    pub fn with_tile_cache(tiles: usize) -> Self {
        Self {
            cached: Mutex::default(),
            encoded: (tiles > 0).then(|| quick_cache::sync::Cache::new(tiles)),
        }
    }
}

impl std::fmt::Debug for TileIndexes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TileIndexes")
    }
}

fn layer(id: &str) -> Result<&'static CollectionInfo, ApiError> {
    match LAYERS.iter().find(|l| **l == id) {
        Some(_) => collection(id),
        None => Err(ApiError::NotFound(format!(
            "couche de tuiles inconnue « {id} » ; couches : {}",
            LAYERS.join(", ")
        ))),
    }
}

/// Parses the filters of a tile request: those of the collection's items, without paging or bbox.
fn parse_filters(raw: Option<&str>, info: &CollectionInfo) -> Result<ItemsQuery, ApiError> {
    let q = parse_items_query(raw, info)?;
    for name in ["bbox", "limit", "offset"] {
        if q.raw.iter().any(|(k, _)| k == name) {
            return Err(ApiError::param(
                name,
                "une tuile couvre sa propre emprise : bbox, limit et offset n'y ont pas de sens",
            ));
        }
    }
    Ok(q)
}

fn filters_key(q: &ItemsQuery) -> String {
    let mut pairs: Vec<String> = q.raw.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.sort();
    pairs.join("&")
}

impl TileIndexes {
    /// The sorted points of a layer for these filters, built once per catalogue generation.
    pub(crate) fn points(&self, c: &Catalog, info: &CollectionInfo, q: &ItemsQuery) -> Result<Arc<Points>, ApiError> {
        let key = filters_key(q);
        {
            let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(i) = cached
                .iter()
                .position(|e| e.layer == info.id && e.filters == key && e.generation == c.generation)
            {
                let hit = cached.remove(i);
                let points = hit.points.clone();
                cached.push(hit);
                return Ok(points);
            }
        }
        let points = Arc::new(build(c, info.id, q)?);
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        cached.retain(|e| e.generation == c.generation);
        if cached.len() >= CACHED {
            cached.remove(0);
        }
        cached.push(Cached {
            layer: info.id,
            filters: key,
            generation: c.generation,
            points: points.clone(),
        });
        Ok(points)
    }
}

fn build(c: &Catalog, layer: &str, q: &ItemsQuery) -> Result<Points, ApiError> {
    Ok(match layer {
        "practices" => {
            let f = practices::Filter::parse(q)?;
            Points::Practices(ClusterIndex::build(
                c.practices
                    .values()
                    .filter(|e| f.matches(e))
                    .filter_map(|e| Some((e.practice.id, e.position()?))),
            ))
        }
        "sites" => {
            let f = sites::Filter::parse(q)?;
            Points::Sites(ClusterIndex::build(
                c.sites
                    .values()
                    .filter(|e| f.matches(e))
                    .map(|e| (e.site.id, e.site.position)),
            ))
        }
        _ => {
            let f = establishments::Filter::parse(q)?;
            Points::Establishments(ClusterIndex::build(
                c.establishments
                    .values()
                    .filter(|e| f.matches(e))
                    .filter_map(|e| Some((e.establishment.uai, e.establishment.position?))),
            ))
        }
    })
}

fn point_geometry(x: f64, y: f64) -> Result<mvt::GeomData, mvt::Error> {
    mvt::GeomEncoder::new(mvt::GeomType::Point).point(x, y)?.encode()
}

/// Encodes one layer of tile `t`.
fn encode(c: &Catalog, name: &str, t: &TileId, points: &Points) -> Result<Vec<u8>, mvt::Error> {
    let mut tile = mvt::Tile::new(EXTENT);
    let mut layer = tile.create_layer(name);
    macro_rules! features {
        ($index:expr, $props:expr) => {
            for f in $index.tile(t) {
                layer = match f {
                    TileFeature::Point { key, x, y } => {
                        let mut feature = layer.into_feature(point_geometry(x, y)?);
                        $props(&mut feature, key);
                        feature.into_layer()
                    }
                    TileFeature::Cluster {
                        id,
                        count,
                        x,
                        y,
                        expansion_zoom,
                    } => {
                        let mut feature = layer.into_feature(point_geometry(x, y)?);
                        feature.add_tag_bool("cluster", true);
                        feature.add_tag_uint("cluster_id", id);
                        feature.add_tag_uint("point_count", count as u64);
                        feature.add_tag_uint("expansion_zoom", u64::from(expansion_zoom));
                        feature.into_layer()
                    }
                };
            }
        };
    }
    match points {
        Points::Practices(index) => features!(index, |f: &mut mvt::Feature, id: i64| {
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
        }),
        Points::Sites(index) => features!(index, |f: &mut mvt::Feature, id: i64| {
            f.set_id(id as u64);
            f.add_tag_sint("id", id);
            if let Some(e) = c.sites.get(&id) {
                f.add_tag_string("name", &e.site.name);
                f.add_tag_string("kind", e.site.kind.as_str());
            }
        }),
        Points::Establishments(index) => features!(index, |f: &mut mvt::Feature, uai: Uai| {
            f.add_tag_string("uai", uai.as_str());
            if let Some(e) = c.establishments.get(&uai) {
                let est = &e.establishment;
                f.add_tag_string("name", &est.name);
                f.add_tag_string("kind", est.kind.as_str());
                f.add_tag_string("bandwidth_class", establishments::bandwidth_class(est));
                f.add_tag_string("label_class", establishments::label_class(est));
                f.add_tag_string("opinee_class", establishments::opinee_class(est));
                if let Some(b) = est.current_bandwidth() {
                    f.add_tag_double("bandwidth_down_mbps", b.down_mbps);
                }
            }
        }),
    }
    tile.add_layer(layer)?;
    tile.to_bytes()
}

fn coordinate(name: &'static str, v: &str) -> Result<u32, ApiError> {
    v.parse::<u32>()
        .map_err(|_| ApiError::param(name, format!("« {v} » n'est pas un entier positif")))
}

/// GET /api/tiles/{layer}/{z}/{x}/{y}(.mvt) — one tile, with the layer's filters.
pub async fn tile(
    State(app): State<AppState>,
    Path((layer_id, z, x, y)): Path<(String, String, String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let info = layer(&layer_id)?;
    let y = y.strip_suffix(".mvt").or_else(|| y.strip_suffix(".pbf")).unwrap_or(&y);
    let t = TileId::new(coordinate("z", &z)?, coordinate("x", &x)?, coordinate("y", y)?)?;
    let q = parse_filters(raw.as_deref(), info)?;
    let key = (info.id, t, raw.unwrap_or_default());
    let generation = app.read_catalog()?.generation;
    let hit = app
        .tiles
        .encoded
        .as_ref()
        .and_then(|c| c.get(&key))
        .filter(|e| e.generation == generation);
    let tile = match hit {
        Some(tile) => tile,
        None => {
            let (bytes, generation) = {
                let c = app.read_catalog()?;
                let points = app.tiles.points(&c, info, &q)?;
                let bytes =
                    encode(&c, info.id, &t, &points).map_err(|e| ApiError::Internal(format!("MVT encoding: {e}")))?;
                (bytes, c.generation)
            };
            let mut hasher = DefaultHasher::new();
            bytes.hash(&mut hasher);
            let etag = format!("\"{:016x}-{}\"", hasher.finish(), bytes.len());
            let tile = EncodedTile {
                generation,
                bytes: bytes::Bytes::from(bytes),
                etag: HeaderValue::from_str(&etag).map_err(|e| ApiError::Internal(e.to_string()))?,
            };
            if let Some(c) = &app.tiles.encoded {
                c.insert(key, tile.clone());
            }
            tile
        }
    };
    let etag = tile.etag.to_str().unwrap_or_default().to_string();
    let cache = [
        (header::ETAG, tile.etag.clone()),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=0, must-revalidate"),
        ),
        (header::VARY, HeaderValue::from_static("Accept-Encoding")),
    ];
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim().trim_start_matches("W/") == etag));
    if fresh {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((cache, [(header::CONTENT_TYPE, MVT)], tile.bytes).into_response())
}

fn fields(layer: &str) -> Value {
    let cluster = json!({
        "cluster": "Boolean: présent sur un regroupement",
        "cluster_id": "Number: identifiant du regroupement",
        "point_count": "Number: nombre de points regroupés",
        "expansion_zoom": "Number: niveau de zoom où le regroupement se sépare",
    });
    let mut out = match layer {
        "practices" => json!({
            "id": "Number", "title": "String", "school_year": "String", "departement": "String",
            "establishment_name": "String", "commune_name": "String",
        }),
        "sites" => json!({ "id": "Number", "name": "String", "kind": "String" }),
        _ => json!({
            "uai": "String", "name": "String", "kind": "String", "bandwidth_class": "String", "label_class": "String", "opinee_class": "String",
            "bandwidth_down_mbps": "Number",
        }),
    };
    if let (Some(out), Some(cluster)) = (out.as_object_mut(), cluster.as_object()) {
        out.extend(cluster.clone());
    }
    out
}

/// The TileJSON 3.0 document of `layer`, its tile URL carrying `raw` (the filters).
pub fn tilejson(base: &str, info: &CollectionInfo, c: &Catalog, raw: Option<&str>) -> Value {
    let query = raw
        .filter(|r| !r.is_empty())
        .map(|r| format!("?{r}"))
        .unwrap_or_default();
    let bounds = crate::ogc::extent(c, info.id)
        .0
        .map(|b| json!([b.min_lon, b.min_lat, b.max_lon, b.max_lat]))
        .unwrap_or(json!([-180.0, -85.0511, 180.0, 85.0511]));
    json!({
        "tilejson": "3.0.0",
        "name": info.title,
        "description": info.description,
        "tiles": [format!("{base}/api/tiles/{}/{{z}}/{{x}}/{{y}}.mvt{query}", info.id)],
        "minzoom": 0,
        "maxzoom": TILEJSON_MAX_ZOOM,
        "bounds": bounds,
        "attribution": "Repère — académie de Nice",
        "vector_layers": [{
            "id": info.id,
            "description": format!("Regroupés sous le zoom {CLUSTER_MAX_ZOOM}, un par un au-delà"),
            "minzoom": 0,
            "maxzoom": TILEJSON_MAX_ZOOM,
            "fields": fields(info.id),
        }],
    })
}

/// GET /api/tiles/{layer} — TileJSON; the filters given here are carried into the tile URL.
pub async fn tilejson_doc(
    State(app): State<AppState>,
    Path(layer_id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let info = layer(&layer_id)?;
    parse_filters(raw.as_deref(), info)?;
    let c = app.read_catalog()?;
    Ok(axum::Json(tilejson(&base_url(&headers), info, &c, raw.as_deref())).into_response())
}

/// GET /api/tiles — the tile layers and their TileJSON.
pub async fn list(headers: HeaderMap) -> Response {
    let base = base_url(&headers);
    axum::Json(json!({
        "layers": LAYERS.iter().map(|l| json!({ "id": l, "tilejson": format!("{base}/api/tiles/{l}") })).collect::<Vec<_>>(),
    }))
    .into_response()
}
