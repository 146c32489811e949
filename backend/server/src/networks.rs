//! `/api/networks` and the neighbourhood of a practice: the implicit networks that links between
//! published practices draw, with their figures (size, establishments and communes spanned, box,
//! centroid, first and last link, pivots).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use repere_catalog::Catalog;
use repere_core::networks::MAX_HOPS;
use repere_core::practices::Facet;
use repere_core::text::{fold, folds_to};
use repere_core::{Bbox, LonLat};
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::request::{pairs, parse_count, reject_unknown};
use crate::response::GEO_JSON;
use crate::routes::Routes;
use crate::state::AppState;

/// One network as a GeoJSON feature: its box as geometry, its figures as properties.
/// Links of one network: how many, the first and the last recorded.
#[derive(Default, Clone, Copy)]
struct LinkStats {
    count: usize,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

/// Link figures for every network in one pass over the links (networks in `components` order).
fn link_stats(c: &Catalog, components: &[Vec<i64>]) -> Vec<LinkStats> {
    let network_of: HashMap<i64, usize> = components
        .iter()
        .enumerate()
        .flat_map(|(i, m)| m.iter().map(move |p| (*p, i)))
        .collect();
    let mut stats = vec![LinkStats::default(); components.len()];
    for l in c.links.values().filter(|l| l.public) {
        if let Some(s) = network_of.get(&l.link.from_practice).map(|i| &mut stats[*i]) {
            let t = l.link.created_at;
            s.count += 1;
            s.first = Some(s.first.map_or(t, |f| f.min(t)));
            s.last = Some(s.last.map_or(t, |x| x.max(t)));
        }
    }
    stats
}

fn network_feature(c: &Catalog, members: &[i64], links: LinkStats, pivots: &BTreeSet<i64>) -> Value {
    let mut bbox: Option<Bbox> = None;
    let (mut sum_lon, mut sum_lat, mut located) = (0.0, 0.0, 0usize);
    let mut establishments = BTreeSet::new();
    let mut communes = BTreeSet::new();
    for id in members {
        if let Some(e) = c.practices.get(id) {
            establishments.insert(e.practice.uai);
            communes.insert(e.commune_code().to_string());
            if let Some(p) = e.position() {
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
            "links": links.count,
            "practices": members,
            "establishments": establishments.len(),
            "communes": communes.len(),
            "bbox": bbox.map(|b| b.to_array()),
            "centroid": centroid.map(|p| [p.lon, p.lat]),
            "first_link_at": links.first,
            "last_link_at": links.last,
            "pivots": members.iter().filter(|m| pivots.contains(m)).collect::<Vec<_>>(),
            "central": c.network.centrality(members).into_iter().take(3).map(|x| json!({
                "id": x.practice, "degree": x.degree, "betweenness": x.betweenness.map(|b| (b * 1000.0).round() / 1000.0),
            })).collect::<Vec<_>>(),
        }
    })
}

/// GET /api/networks — every network, largest first.
pub async fn list(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p = pairs(raw.as_deref())?;
    reject_unknown(&p, &["f"])?;
    let c = app.read_catalog()?;
    // Computed once per catalogue generation (components, pivots and centrality cost seconds on a
    // national graph), then served from the cache until the next change.
    let mut cached = app.networks.lock().unwrap_or_else(|p| p.into_inner());
    let body = match cached.as_ref() {
        Some((generation, body)) if *generation == c.generation => body.clone(),
        _ => {
            let pivots = c.network.pivots();
            let components = c.network.components();
            let stats = link_stats(&c, &components);
            let features: Vec<Value> = components
                .iter()
                .zip(stats)
                .map(|(m, s)| network_feature(&c, m, s, &pivots))
                .collect();
            let body: Arc<str> = Arc::from(
                json!({ "type": "FeatureCollection", "numberMatched": features.len(), "numberReturned": features.len(), "features": features })
                    .to_string(),
            );
            *cached = Some((c.generation, body.clone()));
            body
        }
    };
    Ok(([(axum::http::header::CONTENT_TYPE, GEO_JSON)], body.to_string()).into_response())
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
            c.practices.get(&pid).map(
                |e| json!({ "id": pid, "hops": hops, "title": e.practice.title, "commune_name": e.commune_name() }),
            )
        })
        .collect();
    let ids: HashSet<i64> = nodes.iter().filter_map(|n| n["id"].as_i64()).collect();
    let links: Vec<Value> = c
        .links
        .values()
        .filter(|l| l.public && ids.contains(&l.link.from_practice) && ids.contains(&l.link.to_practice))
        .map(|l| {
            // The segment to draw it (the map highlights the network without loading every link).
            let line = l.segment.map(|(a, b)| [[a.lon, a.lat], [b.lon, b.lat]]);
            json!({ "id": l.link.id, "from_practice": l.link.from_practice, "to_practice": l.link.to_practice, "kind": l.link.kind.as_str(), "line": line })
        })
        .collect();
    Ok(Json(json!({ "practice": id, "depth": depth, "nodes": nodes, "links": links })).into_response())
}

/// Default and largest search radius of suggestions, in metres.
pub const SUGGEST_RADIUS_M: f64 = 30_000.0;
pub const SUGGEST_MAX_RADIUS_M: f64 = 200_000.0;

/// GET /api/practices/{id}/suggestions?radius_m=&k= — published practices nearby that share a tool,
/// a discipline or a theme with this one and are not linked to it yet, nearest first, each with its
/// reason ("même outil : Tinkercad, à 8 km").
pub async fn suggestions(
    State(app): State<AppState>,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = pairs(raw.as_deref())?;
    reject_unknown(&p, &["radius_m", "k"])?;
    let get = |name: &str| p.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let radius = match get("radius_m") {
        None => SUGGEST_RADIUS_M,
        Some(v) => {
            let r = crate::request::parse_number("radius_m", v)?;
            if r <= 0.0 || r > SUGGEST_MAX_RADIUS_M {
                return Err(ApiError::param(
                    "radius_m",
                    format!("le rayon va de 0 à {SUGGEST_MAX_RADIUS_M} m"),
                ));
            }
            r
        }
    };
    let k = match get("k") {
        None => 10,
        Some(v) => parse_count("k", v)?.clamp(1, 100),
    };
    let c = app.read_catalog()?;
    let me = c
        .practices
        .get(&id)
        .filter(|e| e.practice.is_public())
        .ok_or_else(|| ApiError::NotFound(format!("aucun usage publié {id}")))?;
    let Some(center) = me.position() else {
        return Ok(Json(json!({ "practice": id, "suggestions": [] })).into_response());
    };
    let linked: HashSet<i64> = c
        .links_of(id)
        .map(|l| {
            if l.link.from_practice == id {
                l.link.to_practice
            } else {
                l.link.from_practice
            }
        })
        .collect();
    let folded = |list: &[Facet]| list.iter().map(|s| fold(s.trim())).collect::<Vec<_>>();
    let (tools, disciplines, themes) = (
        folded(&me.practice.tools),
        folded(&me.practice.disciplines),
        folded(&me.practice.themes),
    );
    let shared = |other: &repere_catalog::PracticeEntry| -> Option<String> {
        let find = |mine: &[String], theirs: &[Facet]| {
            theirs
                .iter()
                .find(|t| mine.iter().any(|m| folds_to(t.trim(), m)))
                .map(|t| t.to_string())
        };
        if let Some(t) = find(&tools, &other.practice.tools) {
            return Some(format!("même outil : {t}"));
        }
        if let Some(d) = find(&disciplines, &other.practice.disciplines) {
            return Some(format!("même discipline : {d}"));
        }
        find(&themes, &other.practice.themes).map(|t| format!("même thème : {t}"))
    };
    let ranked = c.practice_index.nearest(center, k, Some(radius), |pid| {
        pid != id
            && !linked.contains(&pid)
            && c.practices
                .get(&pid)
                .is_some_and(|e| e.practice.is_public() && shared(e).is_some())
    });
    let list: Vec<Value> = ranked
        .into_iter()
        .filter_map(|r| {
            let e = c.practices.get(&r.key)?;
            let km = r.distance_m / 1000.0;
            let distance = if km < 1.0 {
                format!("à {} m", r.distance_m.round())
            } else {
                format!("à {} km", km.round())
            };
            Some(json!({
                "id": r.key,
                "title": e.practice.title,
                "commune_name": e.commune_name(),
                "distance_m": crate::nearest::metres(r.distance_m),
                "reason": format!("{}, {distance}", shared(e)?),
            }))
        })
        .collect();
    Ok(Json(json!({ "practice": id, "radius_m": radius, "suggestions": list })).into_response())
}

/// GET /api/networks/growth — links recorded and networks existing, per month and per school year.
pub async fn growth(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p = pairs(raw.as_deref())?;
    reject_unknown(&p, &[])?;
    let c = app.read_catalog()?;
    let mut links: Vec<(DateTime<Utc>, i64, i64)> = c
        .links
        .values()
        .filter(|l| l.public)
        .map(|l| (l.link.created_at, l.link.from_practice, l.link.to_practice))
        .collect();
    links.sort_by_key(|l| l.0);
    let by = |period: &dyn Fn(DateTime<Utc>) -> String| -> Vec<Value> {
        let keyed: Vec<(String, i64, i64)> = links.iter().map(|(t, a, b)| (period(*t), *a, *b)).collect();
        repere_core::networks::growth(&keyed)
            .into_iter()
            .map(|(p, links, networks)| json!({ "period": p, "links": links, "networks": networks }))
            .collect()
    };
    let by_month = by(&|t| t.format("%Y-%m").to_string());
    let by_year = by(&|t| repere_core::SchoolYear::containing(t.date_naive()).to_string());
    Ok(Json(json!({ "by_month": by_month, "by_school_year": by_year })).into_response())
}

/// Networks of linked practices, and a practice's neighbourhood and suggestions.
pub fn routes() -> Routes {
    Routes::new()
        .get("/practices/{id}/neighbourhood", neighbourhood)
        .get("/practices/{id}/suggestions", suggestions)
        .get("/networks", list)
        .get("/networks/growth", growth)
}
