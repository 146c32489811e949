//! The static-map routes: an image of a bbox with the practices' filters, and the link-preview map of
//! a published practice.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::{ATTRIBUTION, Request, image};
use crate::error::ApiError;
use crate::routes::Routes;
use crate::state::AppState;

fn png_response(png: Bytes, hit: bool) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60")),
            (
                header::HeaderName::from_static("x-repere-cache"),
                HeaderValue::from_static(if hit { "hit" } else { "miss" }),
            ),
            (
                header::HeaderName::from_static("x-attribution"),
                HeaderValue::from_str(&ATTRIBUTION.replace('—', "-").replace(['é', 'è'], "e"))
                    .unwrap_or(HeaderValue::from_static("Repere")),
            ),
        ],
        png,
    )
        .into_response()
}

/// Largest image drawn for a visitor who is not signed in, in pixels (1024 × 1024); larger ones (up
/// to 2048 × 2048) are for signed-in people, so that anonymous requests cannot fill the memory.
pub const ANONYMOUS_MAX_PIXELS: u32 = 1024 * 1024;

/// GET /api/maps/static.png?bbox=&width=&height=&layers=&… (practices' filters)
pub async fn static_png(
    State(app): State<AppState>,
    session: tower_sessions::Session,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let r = Request::parse(raw.as_deref())?;
    if r.width * r.height > ANONYMOUS_MAX_PIXELS {
        let signed_in = session.get::<i64>(crate::auth::USER_KEY).await.ok().flatten().is_some();
        if !signed_in {
            return Err(ApiError::param(
                "width",
                "au plus 1024 × 1024 pixels sans connexion ; connectez-vous pour une carte plus grande (2048 × 2048 au plus)",
            ));
        }
    }
    let (png, hit) = image(&app.maps, &app.catalog, &app.tiles, &r).await?;
    Ok(png_response(png, hit))
}

/// GET /api/collections/practices/items/{id}/map.png — a 600×315 map centred on a published practice
/// (the size link previews use).
pub async fn practice_png(State(app): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let position = {
        let c = app.read_catalog()?;
        let id: i64 = id
            .parse()
            .map_err(|_| ApiError::NotFound(format!("aucun usage « {id} »")))?;
        let e = c
            .practices
            .get(&id)
            .filter(|e| e.practice.is_public())
            .ok_or_else(|| ApiError::NotFound(format!("aucun usage publié {id}")))?;
        e.position()
            .ok_or_else(|| ApiError::NotFound(format!("l'usage {id} n'a pas de position")))?
    };
    let r = Request::around(position, 12.0, 600, 315)?;
    let (png, hit) = image(&app.maps, &app.catalog, &app.tiles, &r).await?;
    Ok(png_response(png, hit))
}

/// The static maps.
pub fn routes() -> Routes {
    Routes::new()
        .get("/maps/static.png", static_png)
        .get("/collections/practices/items/{id}/map.png", practice_png)
}
