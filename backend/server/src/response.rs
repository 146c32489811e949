//! Response helpers shared by the handlers: a JSON body with its media type, a CSV download.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::error::ApiError;

/// GeoJSON media type.
pub const GEO_JSON: &str = "application/geo+json";

/// `body` as JSON, served as `media`.
pub fn with_type(body: Value, media: &'static str) -> Response {
    let mut resp = axum::Json(body).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    resp
}

/// A download of `header` and `rows` as `;`-separated CSV, UTF-8 with a BOM (for spreadsheets).
pub fn csv_download(
    filename: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Response, ApiError> {
    let err = |e: csv::Error| ApiError::Internal(e.to_string());
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    w.write_record(header).map_err(err)?;
    for row in rows {
        w.write_record(&row).map_err(err)?;
    }
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(w.into_inner().map_err(|e| ApiError::Internal(e.to_string()))?);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
