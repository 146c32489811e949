//! A small Mapbox Vector Tile decoder, written for the tests from the MVT 2.1 specification (protobuf
//! messages through prost, geometry commands by hand), so that tiles are checked by code independent
//! of the encoder the server uses.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

#[derive(Clone, PartialEq, prost::Message)]
struct Tile {
    #[prost(message, repeated, tag = "3")]
    layers: Vec<Layer>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Layer {
    #[prost(uint32, optional, tag = "15")]
    version: Option<u32>,
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(message, repeated, tag = "2")]
    features: Vec<Feature>,
    #[prost(string, repeated, tag = "3")]
    keys: Vec<String>,
    #[prost(message, repeated, tag = "4")]
    values: Vec<Value>,
    #[prost(uint32, optional, tag = "5")]
    extent: Option<u32>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Value {
    #[prost(string, optional, tag = "1")]
    string: Option<String>,
    #[prost(float, optional, tag = "2")]
    float: Option<f32>,
    #[prost(double, optional, tag = "3")]
    double: Option<f64>,
    #[prost(int64, optional, tag = "4")]
    int: Option<i64>,
    #[prost(uint64, optional, tag = "5")]
    uint: Option<u64>,
    #[prost(sint64, optional, tag = "6")]
    sint: Option<i64>,
    #[prost(bool, optional, tag = "7")]
    boolean: Option<bool>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Feature {
    #[prost(uint64, optional, tag = "1")]
    id: Option<u64>,
    #[prost(uint32, repeated, packed = "true", tag = "2")]
    tags: Vec<u32>,
    #[prost(int32, optional, tag = "3")]
    kind: Option<i32>,
    #[prost(uint32, repeated, packed = "true", tag = "4")]
    geometry: Vec<u32>,
}

/// A decoded point feature: position in tile coordinates and properties.
#[derive(Debug, Clone)]
pub struct PointFeature {
    pub id: Option<u64>,
    pub x: i64,
    pub y: i64,
    pub props: BTreeMap<String, Json>,
}

impl PointFeature {
    pub fn is_cluster(&self) -> bool {
        self.props.get("cluster") == Some(&json!(true))
    }

    /// Points represented: `point_count` for a cluster, else 1.
    pub fn weight(&self) -> u64 {
        if self.is_cluster() {
            self.props["point_count"].as_u64().expect("point_count")
        } else {
            1
        }
    }
}

/// A decoded layer.
#[derive(Debug, Clone)]
pub struct DecodedLayer {
    pub name: String,
    pub extent: u32,
    pub features: Vec<PointFeature>,
}

fn zigzag(v: u32) -> i64 {
    i64::from(v >> 1) ^ -i64::from(v & 1)
}

fn value(v: &Value) -> Json {
    if let Some(s) = &v.string {
        json!(s)
    } else if let Some(f) = v.float {
        json!(f)
    } else if let Some(d) = v.double {
        json!(d)
    } else if let Some(i) = v.int.or(v.sint) {
        json!(i)
    } else if let Some(u) = v.uint {
        json!(u)
    } else {
        json!(v.boolean)
    }
}

/// Decodes every layer of a tile whose features are points (one MoveTo each).
pub fn decode(bytes: &[u8]) -> Vec<DecodedLayer> {
    let tile = <Tile as prost::Message>::decode(bytes).expect("a valid protobuf tile");
    tile.layers
        .into_iter()
        .map(|l| {
            assert_eq!(l.version, Some(2), "MVT version 2");
            let features = l
                .features
                .iter()
                .map(|f| {
                    assert_eq!(f.kind, Some(1), "a POINT feature");
                    assert_eq!(f.geometry.len(), 3, "one MoveTo with one point: {:?}", f.geometry);
                    assert_eq!(f.geometry[0], (1 << 3) | 1, "MoveTo, count 1");
                    let props = f
                        .tags
                        .chunks(2)
                        .map(|kv| (l.keys[kv[0] as usize].clone(), value(&l.values[kv[1] as usize])))
                        .collect();
                    PointFeature {
                        id: f.id,
                        x: zigzag(f.geometry[1]),
                        y: zigzag(f.geometry[2]),
                        props,
                    }
                })
                .collect();
            DecodedLayer {
                name: l.name.unwrap_or_default(),
                extent: l.extent.unwrap_or(4096),
                features,
            }
        })
        .collect()
}

/// XYZ tile coordinates of a lon/lat at zoom `z` (the usual slippy-map formulas, written independently
/// of the server's).
pub fn tile_of(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let lat = lat.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
    (x, y)
}
