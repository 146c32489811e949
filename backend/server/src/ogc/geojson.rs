//! GeoJSON output: geometries and features, either as JSON trees or serialised straight from the
//! catalogue (the large practices layer) with typed, borrowed properties.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use repere_core::LonLat;
use serde::Serialize;
use serde_json::{Value, json};

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

pub fn with_type(body: Value, media: &'static str) -> Response {
    let mut resp = axum::Json(body).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    resp
}

/// A feature of a response: typed (a practice, serialised straight from the catalogue: the large
/// layer) or already rendered as JSON.
#[derive(Serialize)]
#[serde(untagged)]
pub enum AnyFeature<P> {
    Typed(TypedFeature<i64, P>),
    Json(Value),
}
