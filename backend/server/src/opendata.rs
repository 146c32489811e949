//! `/api/opendata/`: the open-data package of `jobs::opendata`, built from the catalogue as it is when
//! asked (always current; the same files as `repere export opendata DIR`).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::ApiError;
use crate::ogc::link;
use crate::request::base_url;
use crate::response::with_type;
use crate::routes::Routes;
use crate::state::AppState;

/// GET /api/opendata — the open-data package: its files, each a link.
pub async fn opendata(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let base = base_url(&headers);
    let names: Vec<String> = {
        let c = app.read_catalog()?;
        crate::jobs::opendata::package(&c, chrono::Utc::now())?
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    };
    Ok(with_type(
        json!({
            "title": "Données ouvertes de Repère (Licence Ouverte 2.0)",
            "links": names.iter().map(|n| link(
                format!("{base}/api/opendata/{n}"),
                if n.ends_with(".json") { "describedby" } else { "enclosure" },
                if n.ends_with(".json") { "application/json" } else { "text/csv" },
                n,
            )).collect::<Vec<_>>(),
        }),
        "application/json",
    ))
}

/// GET /api/opendata/{file} — one file of the package, built from the catalogue as it is now.
pub async fn opendata_file(State(app): State<AppState>, Path(file): Path<String>) -> Result<Response, ApiError> {
    let found = {
        let c = app.read_catalog()?;
        crate::jobs::opendata::package(&c, chrono::Utc::now())?
            .into_iter()
            .find(|(n, _)| *n == file)
    };
    let Some((name, bytes)) = found else {
        return Err(ApiError::NotFound(format!(
            "aucun fichier « {file} » dans les données ouvertes"
        )));
    };
    let media = if name.ends_with(".json") {
        "application/json"
    } else {
        "text/csv; charset=utf-8"
    };
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(media))], bytes).into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .get("/opendata", opendata)
        .get("/opendata/{file}", opendata_file)
}
