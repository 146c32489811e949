//! GET /api/places?q= — "Aller à…": communes (name, INSEE code) and establishments (name, commune, UAI)
//! of Repère's own data matching a few typed words, accents, case, word order and a typo ignored
//! ([`repere_core::places`]). Communes come from the establishments: their centre is the mean of their
//! establishments' positions and their extent the box around them. Nothing is asked of another service.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use repere_catalog::Catalog;
use repere_core::places::{PlaceQuery, Score};
use repere_core::text::fold_joined;
use serde::Serialize;

use crate::error::ApiError;
use crate::request::{pairs, parse_count, reject_unknown};
use crate::routes::Routes;
use crate::state::AppState;
use repere_core::establishments::departement_name;

pub const DEFAULT_LIMIT: usize = 8;
pub const MAX_LIMIT: usize = 20;

#[derive(Serialize)]
struct Place {
    kind: &'static str,
    label: String,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uai: Option<String>,
    center: [f64; 2],
    #[serde(skip_serializing_if = "Option::is_none")]
    bbox: Option<[f64; 4]>,
}

/// A commune as the establishments describe it.
struct Commune {
    name: String,
    departement: String,
    /// Sums of the establishments' coordinates.
    lon: f64,
    lat: f64,
    bbox: [f64; 4],
    count: usize,
}

impl Commune {
    /// The mean of its establishments' positions.
    fn center(&self) -> [f64; 2] {
        let n = self.count as f64;
        [self.lon / n, self.lat / n]
    }
}

/// Every commune that has a located establishment, by INSEE code.
fn communes(c: &Catalog) -> BTreeMap<&str, Commune> {
    let mut communes: BTreeMap<&str, Commune> = BTreeMap::new();
    for e in c.establishments.values() {
        let est = &e.establishment;
        let Some(p) = est.position else { continue };
        let commune = communes.entry(&est.commune_code).or_insert_with(|| Commune {
            name: est.commune_name.clone(),
            departement: est.departement.clone(),
            lon: 0.0,
            lat: 0.0,
            bbox: [p.lon, p.lat, p.lon, p.lat],
            count: 0,
        });
        commune.lon += p.lon;
        commune.lat += p.lat;
        commune.count += 1;
        commune.bbox = [
            commune.bbox[0].min(p.lon),
            commune.bbox[1].min(p.lat),
            commune.bbox[2].max(p.lon),
            commune.bbox[3].max(p.lat),
        ];
    }
    communes
}

/// Most commune labels sent for one view.
pub const MAX_LABELS: usize = 400;

/// GET /api/places/communes?bbox= — the communes whose centre is in the view, as GeoJSON points for the
/// map's place names (name, INSEE code, establishments), those with most establishments first.
pub async fn commune_labels(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let raw = pairs(raw.as_deref())?;
    reject_unknown(&raw, &["bbox"])?;
    let bbox = raw
        .iter()
        .find(|(k, _)| k == "bbox")
        .map(|(_, v)| repere_core::lonlat::Bbox::parse(v))
        .transpose()?
        .ok_or_else(|| ApiError::param("bbox", "l'emprise de la vue est obligatoire"))?;
    let c = app.read_catalog()?;
    let mut inside: Vec<(&str, Commune)> = communes(&c)
        .into_iter()
        .filter(|(_, m)| {
            let [x, y] = m.center();
            x >= bbox.min_lon && x <= bbox.max_lon && y >= bbox.min_lat && y <= bbox.max_lat
        })
        .collect();
    inside.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    let features: Vec<serde_json::Value> = inside
        .into_iter()
        .take(MAX_LABELS)
        .map(|(code, m)| {
            serde_json::json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": m.center() },
                "properties": { "code": code, "name": m.name, "establishments": m.count },
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "type": "FeatureCollection", "features": features })).into_response())
}

pub async fn places(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let raw = pairs(raw.as_deref())?;
    reject_unknown(&raw, &["q", "limit", "kind"])?;
    let mut text = None;
    let mut limit = DEFAULT_LIMIT;
    let mut kind = None;
    for (k, v) in &raw {
        match k.as_str() {
            "q" => text = Some(v.as_str()),
            "kind" => match v.as_str() {
                "commune" | "establishment" => kind = Some(v.as_str()),
                _ => return Err(ApiError::param("kind", "commune ou establishment")),
            },
            _ => limit = parse_count("limit", v)?.clamp(1, MAX_LIMIT),
        }
    }
    let text = text.ok_or_else(|| ApiError::param("q", "le lieu à chercher est obligatoire"))?;
    if text.chars().count() > 100 {
        return Err(ApiError::param("q", "100 caractères au plus"));
    }
    let Some(query) = PlaceQuery::new(text) else {
        return Err(ApiError::param("q", "tapez au moins une lettre ou un chiffre"));
    };
    let c = app.read_catalog()?;
    let communes = if kind == Some("establishment") {
        BTreeMap::new()
    } else {
        communes(&c)
    };
    let mut found: Vec<(Score, u8, Place)> = Vec::new();
    if kind != Some("commune") {
        for e in c.establishments.values() {
            let est = &e.establishment;
            let Some(p) = est.position else { continue };
            if let Some(score) = query.score(&e.place) {
                found.push((
                    score,
                    1,
                    Place {
                        kind: "establishment",
                        label: est.name.clone(),
                        detail: format!("{} · {}", est.commune_name, est.uai.as_str()),
                        code: None,
                        uai: Some(est.uai.as_str().to_string()),
                        center: [p.lon, p.lat],
                        bbox: None,
                    },
                ));
            }
        }
    }
    for (code, m) in communes {
        if let Some(score) = query.score(&fold_joined(&[m.name.as_str(), code])) {
            let center = m.center();
            found.push((
                score,
                0,
                Place {
                    kind: "commune",
                    label: m.name,
                    detail: format!(
                        "{} ({}) · {} établissement{}",
                        departement_name(&m.departement),
                        m.departement,
                        m.count,
                        if m.count > 1 { "s" } else { "" }
                    ),
                    code: Some(code.to_string()),
                    uai: None,
                    center,
                    bbox: Some(m.bbox),
                },
            ));
        }
    }
    // Fewest typos, then communes before establishments, then the shortest name.
    found.sort_by(|a, b| (a.0, a.1, a.2.label.len(), &a.2.label).cmp(&(b.0, b.1, b.2.label.len(), &b.2.label)));
    let places: Vec<Place> = found.into_iter().take(limit).map(|(_, _, p)| p).collect();
    Ok(Json(serde_json::json!({ "places": places })).into_response())
}

/// `Aller à…` and the commune names of the map.
pub fn routes() -> Routes {
    Routes::new()
        .get("/places", places)
        .get("/places/communes", commune_labels)
}
