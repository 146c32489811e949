//! What the tiles keep between requests: the sorted points of recent (layer, filters) pairs, and the
//! encoded tiles themselves. Both are tied to the catalogue's generation (any change, here or through
//! another instance, makes a new one), so nothing older than the catalogue is ever served.

use std::sync::{Arc, Mutex};

use axum::http::HeaderValue;
use repere_core::tiles::TileId;

use super::points::TilePoints;
use crate::collection::PointLayer;
use crate::error::ApiError;
use crate::request::ItemsQuery;
use repere_catalog::Catalog;

/// Filtered point sets kept (the most recently used).
const CACHED: usize = 16;

struct Cached {
    layer: PointLayer,
    filters: String,
    generation: u64,
    points: Arc<dyn TilePoints>,
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

/// A tile of a layer under the filters of a raw query string.
pub type TileKey = (PointLayer, TileId, String);

/// An encoded tile, its entity tag and the catalogue generation it was drawn for.
#[derive(Clone)]
pub struct EncodedTile {
    pub generation: u64,
    pub bytes: bytes::Bytes,
    pub etag: HeaderValue,
}

impl TileIndexes {
    /// Indexes with a cache of at most `tiles` encoded tiles (0: none).
    pub fn with_tile_cache(tiles: usize) -> Self {
        Self {
            cached: Mutex::default(),
            encoded: (tiles > 0).then(|| quick_cache::sync::Cache::new(tiles)),
        }
    }

    /// The encoded tile `key` if it was drawn for `generation`.
    pub fn encoded(&self, key: &TileKey, generation: u64) -> Option<EncodedTile> {
        self.encoded
            .as_ref()
            .and_then(|c| c.get(key))
            .filter(|e| e.generation == generation)
    }

    /// Keeps an encoded tile (when the cache is on).
    pub fn keep(&self, key: TileKey, tile: EncodedTile) {
        if let Some(c) = &self.encoded {
            c.insert(key, tile);
        }
    }

    /// The sorted points of a layer for these filters, built once per catalogue generation.
    pub fn points(&self, c: &Catalog, layer: PointLayer, q: &ItemsQuery) -> Result<Arc<dyn TilePoints>, ApiError> {
        let key = filters_key(q);
        {
            let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(i) = cached
                .iter()
                .position(|e| e.layer == layer && e.filters == key && e.generation == c.generation)
            {
                let hit = cached.remove(i);
                let points = hit.points.clone();
                cached.push(hit);
                return Ok(points);
            }
        }
        let points = layer.tile_points(c, q)?;
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        cached.retain(|e| e.generation == c.generation);
        if cached.len() >= CACHED {
            cached.remove(0);
        }
        cached.push(Cached {
            layer,
            filters: key,
            generation: c.generation,
            points: points.clone(),
        });
        Ok(points)
    }
}

impl std::fmt::Debug for TileIndexes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TileIndexes")
    }
}

fn filters_key(q: &ItemsQuery) -> String {
    let mut pairs: Vec<String> = q.raw.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.sort();
    pairs.join("&")
}
