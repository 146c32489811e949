//! `/api/nearby`: the features nearest to a point, ranked by great-circle distance, each carrying
//! `distance_m`. Candidates come from the layer's R-tree; ranking is Haversine metres.

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::hash::Hash;
use std::sync::Arc;

use repere_core::LonLat;
use repere_core::index::PointIndex;
use repere_core::temporal::Interval;
use repere_core::text::Query;
use serde::Serialize;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::error::ApiError;
use crate::ogc::{
    AnyFeature, GEO_JSON, ItemsQuery, TypedFeature, collection, pairs, parse_count, parse_number, reject_unknown,
};
use crate::{establishments, practices, sites};

/// `k` when none is given.
pub const DEFAULT_K: usize = 10;
/// Largest `k`; larger values are clamped.
pub const MAX_K: usize = 1_000;
/// Half the Earth's circumference: no two points are farther apart.
pub const MAX_RADIUS_M: f64 = 20_037_509.0;

/// Parameters of a nearby request, parsed.
#[derive(Debug)]
pub struct NearbyQuery {
    pub center: LonLat,
    pub k: usize,
    pub radius_m: Option<f64>,
    pub collection: &'static str,
    pub filters: ItemsQuery,
}

/// Parses and validates the query string.
pub fn parse(raw: Option<&str>) -> Result<NearbyQuery, ApiError> {
    let all = pairs(raw)?;
    let get = |name: &str| all.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let info = collection(get("collection").unwrap_or("practices")).map_err(|_| {
        ApiError::param(
            "collection",
            "collection inconnue ; collections : practices, establishments, sites",
        )
    })?;
    if info.id == "links" {
        return Err(ApiError::param(
            "collection",
            "la recherche de proximité porte sur practices, establishments ou sites",
        ));
    }
    let mut allowed = vec!["lon", "lat", "k", "radius_m", "collection", "q", "datetime", "f"];
    allowed.extend(info.filters.iter().map(|(n, _)| *n));
    reject_unknown(&all, &allowed)?;
    let lon = parse_number(
        "lon",
        get("lon").ok_or_else(|| ApiError::param("lon", "paramètre obligatoire"))?,
    )?;
    let lat = parse_number(
        "lat",
        get("lat").ok_or_else(|| ApiError::param("lat", "paramètre obligatoire"))?,
    )?;
    LonLat::checked("lon", lon, 0.0)?;
    LonLat::checked("lat", 0.0, lat)?;
    let center = LonLat::new(lon, lat)?;
    let k = match get("k") {
        None => DEFAULT_K,
        Some(v) => match parse_count("k", v)? {
            0 => return Err(ApiError::param("k", "k doit être au moins 1")),
            n => n.min(MAX_K),
        },
    };
    let radius_m = match get("radius_m") {
        None => None,
        Some(v) => {
            let r = parse_number("radius_m", v)?;
            if r <= 0.0 || r > MAX_RADIUS_M {
                return Err(ApiError::param(
                    "radius_m",
                    format!("le rayon doit être compris entre 0 et {MAX_RADIUS_M} m"),
                ));
            }
            Some(r)
        }
    };
    let mut filters = ItemsQuery {
        limit: k,
        ..Default::default()
    };
    for (key, v) in &all {
        match key.as_str() {
            "q" => filters.q = Query::new(v),
            "datetime" => filters.datetime = Some(Interval::parse(v)?),
            name if info.filters.iter().any(|(n, _)| *n == name) => {
                if v.trim().is_empty() {
                    return Err(ApiError::param(name.to_string(), "valeur vide"));
                }
                filters.filters.insert(name.to_string(), v.trim().to_string());
            }
            _ => {}
        }
    }
    Ok(NearbyQuery {
        center,
        k,
        radius_m,
        collection: info.id,
        filters,
    })
}

/// A distance as served: metres, to the decimetre.
pub fn metres(d: f64) -> f64 {
    (d * 10.0).round() / 10.0
}

fn with_distance(mut f: Value, d: f64) -> Value {
    f["properties"]["distance_m"] = json!(metres(d));
    f
}

/// The entries of `entries` nearest to the query's centre (at most `k`, within the radius) that `matches`
/// lets through, nearest first, each made a feature by `feature` (key, entry, distance in metres).
fn ranked<'a, K, E, F>(
    index: &PointIndex<K>,
    entries: &'a BTreeMap<K, Arc<E>>,
    q: &NearbyQuery,
    matches: impl Fn(&E) -> bool,
    feature: impl Fn(K, &'a E, f64) -> F,
) -> Vec<F>
where
    K: Copy + Eq + Hash + Ord + Send,
{
    index
        .nearest(q.center, q.k, q.radius_m, |k| {
            entries.get(&k).is_some_and(|e| matches(e))
        })
        .into_iter()
        .filter_map(|r| entries.get(&r.key).map(|e| feature(r.key, e, r.distance_m)))
        .collect()
}

/// A feature's properties and its distance to the centre.
#[derive(Serialize)]
struct WithDistance<P> {
    #[serde(flatten)]
    properties: P,
    distance_m: f64,
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    center: [f64; 2],
    collection: &'static str,
    #[serde(rename = "numberReturned")]
    number_returned: usize,
    features: Vec<AnyFeature<WithDistance<practices::Properties<'a>>>>,
}

/// GET /api/nearby
pub async fn nearby(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let q = parse(raw.as_deref())?;
    let c = app.read_catalog()?;
    let features: Vec<_> = match q.collection {
        "practices" => {
            let f = practices::Filter::parse(&q.filters)?;
            ranked(
                &c.practice_index,
                &c.practices,
                &q,
                |e| f.matches(e),
                |id, e, d| {
                    let properties = WithDistance {
                        properties: practices::Properties::of(e),
                        distance_m: metres(d),
                    };
                    AnyFeature::Typed(TypedFeature::new(id, e.position(), properties))
                },
            )
        }
        "establishments" => {
            let f = establishments::Filter::parse(&q.filters)?;
            ranked(
                &c.establishment_index,
                &c.establishments,
                &q,
                |e| f.matches(e),
                |_, e, d| AnyFeature::Json(with_distance(establishments::render(e, false), d)),
            )
        }
        _ => {
            let f = sites::Filter::parse(&q.filters)?;
            ranked(
                &c.site_index,
                &c.sites,
                &q,
                |e| f.matches(e),
                |_, e, d| AnyFeature::Json(with_distance(sites::render(e), d)),
            )
        }
    };
    let body = serde_json::to_vec(&Body {
        kind: "FeatureCollection",
        center: [q.center.lon, q.center.lat],
        collection: q.collection,
        number_returned: features.len(),
        features,
    })
    .map_err(|e| ApiError::Internal(format!("JSON: {e}")))?;
    drop(c);
    Ok(([(header::CONTENT_TYPE, GEO_JSON)], body).into_response())
}
