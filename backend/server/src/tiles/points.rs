//! A point layer's points for one set of filters, sorted once into a [`ClusterIndex`] and cut into
//! tiles: encoded as one MVT layer (the tiles) or as bare positions (the static maps). Generic: each
//! domain module says how to build its points and which tags a point carries.

use repere_core::tiles::{ClusterIndex, EXTENT, TileFeature, TileId};

use repere_catalog::Catalog;

/// Sorted points of one layer and filter set, whatever the key of the layer's records.
pub trait TilePoints: Send + Sync {
    /// The points and clusters of tile `t`, without their keys (for the static-map renderer).
    fn features(&self, t: &TileId) -> Vec<TileFeature<()>>;
    /// Tile `t` as MVT: one layer named after the collection, a point's tags read from `c`.
    fn encode(&self, c: &Catalog, t: &TileId) -> Result<Vec<u8>, mvt::Error>;
}

/// The points of a layer keyed by `K`, with the layer's name and `T`, which writes the tags of the
/// record `key` (read from the catalogue) on its point (a closure, inlined into the encoder).
pub struct Clustered<K, T> {
    name: &'static str,
    index: ClusterIndex<K>,
    tags: T,
}

impl<K: Copy, T: Fn(&Catalog, K, &mut mvt::Feature)> Clustered<K, T> {
    /// Sorts `points` for layer `name`.
    pub fn build(name: &'static str, points: impl IntoIterator<Item = (K, repere_core::LonLat)>, tags: T) -> Self {
        Self {
            name,
            index: ClusterIndex::build(points),
            tags,
        }
    }
}

fn point_geometry(x: f64, y: f64) -> Result<mvt::GeomData, mvt::Error> {
    mvt::GeomEncoder::new(mvt::GeomType::Point).point(x, y)?.encode()
}

impl<K, T> TilePoints for Clustered<K, T>
where
    K: Copy + Send + Sync,
    T: Fn(&Catalog, K, &mut mvt::Feature) + Send + Sync,
{
    fn features(&self, t: &TileId) -> Vec<TileFeature<()>> {
        self.index
            .tile(t)
            .into_iter()
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

    fn encode(&self, c: &Catalog, t: &TileId) -> Result<Vec<u8>, mvt::Error> {
        let mut tile = mvt::Tile::new(EXTENT);
        let mut layer = tile.create_layer(self.name);
        for f in self.index.tile(t) {
            layer = match f {
                TileFeature::Point { key, x, y } => {
                    let mut feature = layer.into_feature(point_geometry(x, y)?);
                    (self.tags)(c, key, &mut feature);
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
        tile.add_layer(layer)?;
        tile.to_bytes()
    }
}

/// TileJSON `fields` from (name, description) pairs.
pub fn fields(list: &[(&str, &str)]) -> serde_json::Map<String, serde_json::Value> {
    list.iter().map(|(k, v)| ((*k).to_string(), (*v).into())).collect()
}

/// The fields every point layer's features may carry when they stand for a cluster (TileJSON).
pub fn cluster_fields() -> serde_json::Map<String, serde_json::Value> {
    fields(&[
        ("cluster", "Boolean: présent sur un regroupement"),
        ("cluster_id", "Number: identifiant du regroupement"),
        ("point_count", "Number: nombre de points regroupés"),
        ("expansion_zoom", "Number: niveau de zoom où le regroupement se sépare"),
    ])
}
