//! GeoJSON output: geometries and features, either as JSON trees or serialised straight from the
//! catalogue (the large practices layer) with typed, borrowed properties.

use repere_core::{Bbox, LonLat};
use serde::Serialize;
use serde_json::{Value, json};

/// The only CRS served: WGS84 longitude/latitude.
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// GeoJSON Point geometry, or `null`.
pub fn point(p: Option<LonLat>) -> Value {
    match p {
        Some(p) => json!({ "type": "Point", "coordinates": [p.lon, p.lat] }),
        None => Value::Null,
    }
}

/// A GeoJSON Point geometry (or `null`), serialised without building a JSON tree.
pub struct PointGeometry(pub Option<LonLat>);

impl Serialize for PointGeometry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self.0 {
            None => s.serialize_none(),
            Some(p) => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("type", "Point")?;
                m.serialize_entry("coordinates", &[p.lon, p.lat])?;
                m.end()
            }
        }
    }
}

/// A GeoJSON Feature with typed properties, serialised without building a JSON tree.
#[derive(Serialize)]
pub struct TypedFeature<I, P> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: I,
    pub geometry: PointGeometry,
    pub properties: P,
}

impl<I, P> TypedFeature<I, P> {
    pub fn new(id: I, position: Option<LonLat>, properties: P) -> Self {
        Self {
            kind: "Feature",
            id,
            geometry: PointGeometry(position),
            properties,
        }
    }
}

/// A GeoJSON Feature.
pub fn feature(id: Value, geometry: Value, properties: Value) -> Value {
    json!({ "type": "Feature", "id": id, "geometry": geometry, "properties": properties })
}

/// Spatial and temporal extent of a collection, grown record by record.
#[derive(Debug, Default)]
pub struct Extent {
    pub bbox: Option<Bbox>,
    /// First and last instants (RFC 3339), if the collection has a time.
    pub interval: Option<(String, String)>,
}

impl Extent {
    /// Takes in a position.
    pub fn grow(&mut self, p: LonLat) {
        match self.bbox.as_mut() {
            Some(b) => b.extend(p),
            None => self.bbox = Some(Bbox::point(p)),
        }
    }

    /// Takes in an instant.
    pub fn span(&mut self, t: String) {
        self.interval = Some(match self.interval.take() {
            None => (t.clone(), t),
            Some((a, b)) => (a.min(t.clone()), b.max(t)),
        });
    }
}
