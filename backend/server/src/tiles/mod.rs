//! Mapbox Vector Tiles of the point layers (`practices`, `establishments`, `sites`), clustered below
//! zoom 15 (see `repere_core::tiles`), with the same filters as the items of the collection, and a
//! TileJSON per layer.
//!
//! A filtered set of points is sorted once into a [`ClusterIndex`] and kept for the catalogue's
//! generation (any change, here or through another instance, makes a new generation), so a tile costs
//! 64 binary searches plus the encoding. `ETag` is a hash of the tile's bytes: it changes exactly when
//! the tile does; `If-None-Match` answers 304.

pub mod cache;
pub mod points;

use std::hash::{DefaultHasher, Hash, Hasher};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use repere_catalog::Catalog;
use repere_core::tiles::{CLUSTER_MAX_ZOOM, TileId};
use serde_json::{Value, json};

use crate::collection::PointLayer;
use crate::error::ApiError;
use crate::request::{CollectionInfo, ItemsQuery, base_url, parse_items_query};
use crate::routes::Routes;
use crate::state::AppState;
use cache::EncodedTile;

/// Highest zoom announced in TileJSON (clients overzoom beyond it).
pub const TILEJSON_MAX_ZOOM: u8 = 16;
const MVT: &str = "application/vnd.mapbox-vector-tile";

/// The point layer named `id` (404 naming the tile layers when there is none).
pub fn layer(id: &str) -> Result<PointLayer, ApiError> {
    PointLayer::find(id).ok_or_else(|| {
        ApiError::NotFound(format!(
            "couche de tuiles inconnue « {id} » ; couches : {}",
            PointLayer::ids()
        ))
    })
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
    let layer = layer(&layer_id)?;
    let y = y.strip_suffix(".mvt").or_else(|| y.strip_suffix(".pbf")).unwrap_or(&y);
    let t = TileId::new(coordinate("z", &z)?, coordinate("x", &x)?, coordinate("y", y)?)?;
    let q = parse_filters(raw.as_deref(), layer.info())?;
    let key = (layer, t, raw.unwrap_or_default());
    let generation = app.read_catalog()?.generation;
    let tile = match app.tiles.encoded(&key, generation) {
        Some(tile) => tile,
        None => {
            let (bytes, generation) = {
                let c = app.read_catalog()?;
                let points = app.tiles.points(&c, layer, &q)?;
                let bytes = points
                    .encode(&c, &t)
                    .map_err(|e| ApiError::Internal(format!("MVT encoding: {e}")))?;
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
            app.tiles.keep(key, tile.clone());
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

/// The TileJSON 3.0 document of `layer`, its tile URL carrying `raw` (the filters).
pub fn tilejson(base: &str, layer: PointLayer, c: &Catalog, raw: Option<&str>) -> Value {
    let info = layer.info();
    let query = raw
        .filter(|r| !r.is_empty())
        .map(|r| format!("?{r}"))
        .unwrap_or_default();
    let bounds = layer
        .collection()
        .extent(c)
        .bbox
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
            "fields": layer.tile_fields(),
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
    let layer = layer(&layer_id)?;
    parse_filters(raw.as_deref(), layer.info())?;
    let c = app.read_catalog()?;
    Ok(axum::Json(tilejson(&base_url(&headers), layer, &c, raw.as_deref())).into_response())
}

/// GET /api/tiles — the tile layers and their TileJSON.
pub async fn list(headers: HeaderMap) -> Response {
    let base = base_url(&headers);
    axum::Json(json!({
        "layers": PointLayer::ALL.map(|l| json!({ "id": l.id(), "tilejson": format!("{base}/api/tiles/{}", l.id()) })),
    }))
    .into_response()
}

/// The vector tiles and their TileJSON.
pub fn routes() -> Routes {
    Routes::new()
        .get("/tiles", list)
        .get("/tiles/{layer}", tilejson_doc)
        .get("/tiles/{layer}/{z}/{x}/{y}", tile)
}
