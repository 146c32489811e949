//! `/api/nearby`: the features nearest to a point, ranked by great-circle distance, each carrying
//! `distance_m`. Candidates come from the layer's R-tree; ranking is Haversine metres (see `nearest`).

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::collection::{Feature, PointLayer};
use crate::error::ApiError;
use crate::nearest;
use crate::request::pairs;
use crate::response::GEO_JSON;
use crate::routes::Routes;
use crate::state::AppState;

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    center: [f64; 2],
    collection: &'static str,
    #[serde(rename = "numberReturned")]
    number_returned: usize,
    features: Vec<Feature<'a>>,
}

/// The layer `collection=` names (practices when absent); lines are not points.
fn layer(all: &[(String, String)]) -> Result<PointLayer, ApiError> {
    let Some((_, id)) = all.iter().find(|(k, _)| k == "collection") else {
        return Ok(PointLayer::Practices);
    };
    PointLayer::find(id).ok_or_else(|| {
        ApiError::param(
            "collection",
            format!("la recherche de proximité porte sur {}", PointLayer::ids()),
        )
    })
}

/// GET /api/nearby
pub async fn nearby(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let all = pairs(raw.as_deref())?;
    let layer = layer(&all)?;
    let q = nearest::parse(&all, layer.info())?;
    let c = app.read_catalog()?;
    let features = layer.nearest(&c, &q)?;
    let body = serde_json::to_vec(&Body {
        kind: "FeatureCollection",
        center: [q.center.lon, q.center.lat],
        collection: layer.id(),
        number_returned: features.len(),
        features,
    })
    .map_err(|e| ApiError::Internal(format!("JSON: {e}")))?;
    drop(c);
    Ok(([(header::CONTENT_TYPE, GEO_JSON)], body).into_response())
}

/// `/nearby`.
pub fn routes() -> Routes {
    Routes::new().get("/nearby", nearby)
}
