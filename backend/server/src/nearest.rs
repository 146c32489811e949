//! Nearest records to a point: the parameters of a nearby request, parsed once, and the ranked walk
//! of a layer's R-tree (great-circle metres) each point layer's module runs.

use std::collections::BTreeMap;
use std::hash::Hash;
use std::sync::Arc;

use repere_core::LonLat;
use repere_core::index::PointIndex;
use repere_core::temporal::Interval;
use repere_core::text::Query;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::request::{CollectionInfo, ItemsQuery, parse_count, parse_number, reject_unknown};

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
    pub filters: ItemsQuery,
}

/// Parses and validates the parameters `all` of a request on `info`'s collection (`collection` itself
/// read by the caller).
pub fn parse(all: &[(String, String)], info: &CollectionInfo) -> Result<NearbyQuery, ApiError> {
    let get = |name: &str| all.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let mut allowed = vec!["lon", "lat", "k", "radius_m", "collection", "q", "datetime", "f"];
    allowed.extend(info.filters.iter().map(|(n, _)| *n));
    reject_unknown(all, &allowed)?;
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
    for (key, v) in all {
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
        filters,
    })
}

/// A distance as served: metres, to the decimetre.
pub fn metres(d: f64) -> f64 {
    (d * 10.0).round() / 10.0
}

/// `f` (a GeoJSON feature) with `distance_m` among its properties.
pub fn with_distance(mut f: Value, d: f64) -> Value {
    f["properties"]["distance_m"] = json!(metres(d));
    f
}

/// The entries of `entries` nearest to the query's centre (at most `k`, within the radius) that `matches`
/// lets through, nearest first, each made a feature by `feature` (key, entry, distance in metres).
pub fn ranked<'a, K, E, F>(
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
