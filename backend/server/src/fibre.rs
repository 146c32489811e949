//! The fibre coverage of the communes as a map layer: `GET /api/fibre/communes` gives every imported
//! commune outline (`repere import communes`) with its coverage from ARCEP (`repere import fibre`), for
//! the choropleth under the establishments of the « Débit » view. ARCEP's figures are open data: the
//! layer is public.

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use repere_catalog::Catalog;
use serde_json::json;

use crate::error::ApiError;
use crate::request::{pairs, reject_unknown};
use crate::response::GEO_JSON;
use crate::routes::Routes;
use crate::state::AppState;

/// The properties of one commune of the layer; coverage fields are null where ARCEP's file was not
/// imported for it.
fn properties(c: &Catalog, code: &str, name: &str, departement: &str) -> serde_json::Value {
    let fibre = c.fibre.get(code);
    json!({
        "code": code,
        "nom": name,
        "departement": departement,
        "locaux": fibre.map(|f| f.premises),
        "locaux_raccordables": fibre.map(|f| f.connectable),
        "taux": fibre.and_then(|f| f.rate()).map(|r| (r * 1000.0).round() / 1000.0),
        "categorie": fibre.map(|f| f.category()),
        "trimestre": fibre.map(|f| f.quarter.as_str()),
    })
}

/// GET /api/fibre/communes?departement= — a GeoJSON FeatureCollection of the communes' outlines with
/// their fibre coverage, in INSEE code order; `demo` says the figures are the demo's invented ones.
async fn communes(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let p = pairs(raw.as_deref())?;
    reject_unknown(&p, &["departement"])?;
    let departement = p
        .iter()
        .find(|(k, _)| k == "departement")
        .map(|(_, v)| repere_core::establishments::normalise_departement(v))
        .transpose()?;
    let c = app.read_catalog()?;
    let mut outlines: Vec<_> = c
        .outlines
        .values()
        .filter(|o| departement.as_ref().is_none_or(|d| *d == o.departement))
        .collect();
    outlines.sort_by(|a, b| a.code.cmp(&b.code));
    // The geometries are stored as GeoJSON text: written into the answer as they are.
    let mut body = String::with_capacity(outlines.iter().map(|o| o.geometry.len() + 200).sum::<usize>() + 100);
    body.push_str(r#"{"type":"FeatureCollection","features":["#);
    for (i, o) in outlines.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(r#"{"type":"Feature","id":""#);
        body.push_str(&o.code);
        body.push_str(r#"","geometry":"#);
        body.push_str(&o.geometry);
        body.push_str(r#","properties":"#);
        body.push_str(&properties(&c, &o.code, &o.name, &o.departement).to_string());
        body.push('}');
    }
    body.push_str(&format!(
        r#"],"numberReturned":{},"coverage_known":{},"demo":{}}}"#,
        outlines.len(),
        !c.fibre.is_empty(),
        c.demo
    ));
    Ok(([(header::CONTENT_TYPE, GEO_JSON)], body).into_response())
}

pub fn routes() -> Routes {
    Routes::new().get("/fibre/communes", communes)
}
