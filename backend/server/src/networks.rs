//! `/api/networks` and the neighbourhood of a practice: the implicit networks that links between
//! published practices draw, with their figures (size, establishments and communes spanned, box,
//! centroid, first and last link, pivots).

use std::collections::{BTreeSet, HashSet};

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use repere_core::networks::MAX_HOPS;
use repere_core::{Bbox, LonLat};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::catalog::Catalog;
use crate::error::ApiError;
use crate::ogc::{GEO_JSON, pairs, parse_count, reject_unknown, with_type};

/// One network as a GeoJSON feature: its box as geometry, its figures as properties.
fn network_feature(c: &Catalog, members: &[i64], pivots: &BTreeSet<i64>) -> Value {
    let set: HashSet<i64> = members.iter().copied().collect();
    let mut bbox: Option<Bbox> = None;
    let (mut sum_lon, mut sum_lat, mut located) = (0.0, 0.0, 0usize);
    let mut establishments = BTreeSet::new();
    let mut communes = BTreeSet::new();
    for id in members {
        if let Some(e) = c.practices.get(id) {
            establishments.insert(e.practice.uai);
            communes.insert(e.commune_code.clone());
            if let Some(p) = e.position {
                match bbox.as_mut() {
                    Some(b) => b.extend(p),
                    None => bbox = Some(Bbox::point(p)),
                }
                sum_lon += p.lon;
                sum_lat += p.lat;
                located += 1;
            }
        }
    }
    let links: Vec<_> = c
        .links
        .values()
        .filter(|l| l.public && set.contains(&l.link.from_practice))
        .collect();
    let first: Option<DateTime<Utc>> = links.iter().map(|l| l.link.created_at).min();
    let last: Option<DateTime<Utc>> = links.iter().map(|l| l.link.created_at).max();
    let centroid = (located > 0).then(|| LonLat {
        lon: sum_lon / located as f64,
        lat: sum_lat / located as f64,
    });
    let geometry = match bbox {
        Some(b) => json!({ "type": "Polygon", "coordinates": [[
            [b.min_lon, b.min_lat], [b.max_lon, b.min_lat], [b.max_lon, b.max_lat], [b.min_lon, b.max_lat], [b.min_lon, b.min_lat]
        ]] }),
        None => Value::Null,
    };
    let id = members.first().copied().unwrap_or_default();
    json!({
        "type": "Feature",
        "id": id,
        "geometry": geometry,
        "properties": {
            "id": id,
            "size": members.len(),
            "links": links.len(),
            "practices": members,
            "establishments": establishments.len(),
            "communes": communes.len(),
            "bbox": bbox.map(|b| b.to_array()),
            "centroid": centroid.map(|p| [p.lon, p.lat]),
            "first_link_at": first,
            "last_link_at": last,
            "pivots": members.iter().filter(|m| pivots.contains(m)).collect::<Vec<_>>(),
        }
    })
}

/// GET /api/networks — every network, largest first.
pub async fn list(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p = pairs(raw.as_deref())?;
    reject_unknown(&p, &["f"])?;
    let features: Vec<Value> = {
        let c = app.read_catalog()?;
        let pivots = c.network.pivots();
        c.network
            .components()
            .iter()
            .map(|m| network_feature(&c, m, &pivots))
            .collect()
    };
    Ok(with_type(
        json!({ "type": "FeatureCollection", "numberMatched": features.len(), "numberReturned": features.len(), "features": features }),
        GEO_JSON,
    ))
}

/// GET /api/practices/{id}/neighbourhood?depth=N — published practices within N links (1 to 6).
pub async fn neighbourhood(
    State(app): State<AppState>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = pairs(raw.as_deref())?;
    reject_unknown(&p, &["depth"])?;
    let depth = match p.iter().find(|(k, _)| k == "depth") {
        None => 2,
        Some((_, v)) => parse_count("depth", v)? as u32,
    };
    if depth == 0 || depth > MAX_HOPS {
        return Err(ApiError::param("depth", format!("la profondeur va de 1 à {MAX_HOPS}")));
    }
    let c = app.read_catalog()?;
    if !c.practices.get(&id).is_some_and(|e| e.practice.is_public()) {
        return Err(ApiError::NotFound(format!("aucun usage publié {id}")));
    }
    let nodes: Vec<Value> = c
        .network
        .neighbourhood(id, depth)
        .into_iter()
        .filter_map(|(pid, hops)| {
            c.practices
                .get(&pid)
                .map(|e| json!({ "id": pid, "hops": hops, "title": e.practice.title, "commune_name": e.commune_name }))
        })
        .collect();
    let ids: HashSet<i64> = nodes.iter().filter_map(|n| n["id"].as_i64()).collect();
    let links: Vec<Value> = c
        .links
        .values()
        .filter(|l| l.public && ids.contains(&l.link.from_practice) && ids.contains(&l.link.to_practice))
        .map(|l| json!({ "id": l.link.id, "from_practice": l.link.from_practice, "to_practice": l.link.to_practice, "kind": l.link.kind.as_str() }))
        .collect();
    Ok(Json(json!({ "practice": id, "depth": depth, "nodes": nodes, "links": links })).into_response())
}
