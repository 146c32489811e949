//! `f=fgb`: a page of any collection as FlatGeobuf (which QGIS and GDAL stream), written by the
//! `flatgeobuf` crate with a spatial index, in the requested CRS. Columns are typed from the first
//! non-null value of each property; lists are written as text; features without a position are left
//! out (FlatGeobuf is a spatial format: the CSV keeps them).

use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::ColumnValue;
use geozero::geojson::GeoJson;
use serde_json::Value;

use crate::collection::Feature;
use crate::crs::Crs;
use crate::error::ApiError;

fn column_type(v: &Value) -> Option<ColumnType> {
    match v {
        Value::Null => None,
        Value::Bool(_) => Some(ColumnType::Bool),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(ColumnType::Long),
        Value::Number(_) => Some(ColumnType::Double),
        _ => Some(ColumnType::String),
    }
}

/// The FlatGeobuf file of `features` (already in `crs`).
pub fn fgb_of(id: &str, features: &[Feature<'_>], crs: Crs) -> Result<Response, ApiError> {
    let err = |e: flatgeobuf::Error| ApiError::Internal(format!("FlatGeobuf: {e}"));
    let values: Vec<&Value> = features
        .iter()
        .filter_map(|f| match f {
            Feature::Json(v) => Some(v),
            Feature::Practice(_) => None,
        })
        .filter(|v| v["geometry"].is_object())
        .collect();
    let mut columns: Vec<(String, ColumnType)> = vec![("id".into(), ColumnType::String)];
    for v in &values {
        if let Some(p) = v["properties"].as_object() {
            for (k, val) in p {
                if k != "id"
                    && !columns.iter().any(|(c, _)| c == k)
                    && let Some(t) = column_type(val)
                {
                    columns.push((k.clone(), t));
                }
            }
        }
    }
    let code = match crs {
        Crs::Crs84 | Crs::Epsg4326 => 4326,
        Crs::Lambert93 => 2154,
    };
    let mut fgb = FgbWriter::create_with_options(
        id,
        GeometryType::Unknown,
        FgbWriterOptions {
            crs: FgbCrs {
                code,
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .map_err(err)?;
    for (name, t) in &columns {
        fgb.add_column(name, *t, |_, _| {});
    }
    for v in &values {
        let geometry = v["geometry"].to_string();
        let mut failed = None;
        fgb.add_feature_geom(GeoJson(&geometry), |feat| {
            for (i, (name, t)) in columns.iter().enumerate() {
                let raw = if name == "id" {
                    &v["id"]
                } else {
                    &v["properties"][name.as_str()]
                };
                let text;
                let value = match (*t, raw) {
                    (_, Value::Null) => continue,
                    (ColumnType::Bool, Value::Bool(b)) => ColumnValue::Bool(*b),
                    (ColumnType::Long, Value::Number(n)) if n.as_i64().is_some() => {
                        ColumnValue::Long(n.as_i64().unwrap_or(0))
                    }
                    (ColumnType::Double | ColumnType::Long, Value::Number(n)) => {
                        ColumnValue::Double(n.as_f64().unwrap_or(0.0))
                    }
                    (_, other) => {
                        text = crate::response::cell_text(other);
                        if *t != ColumnType::String {
                            continue;
                        }
                        ColumnValue::String(&text)
                    }
                };
                if let Err(e) = geozero::PropertyProcessor::property(feat, i, name, &value) {
                    failed = Some(e);
                }
            }
        })
        .map_err(|e| ApiError::Internal(format!("FlatGeobuf: {e}")))?;
        if let Some(e) = failed {
            return Err(ApiError::Internal(format!("FlatGeobuf: {e}")));
        }
    }
    let mut out = Vec::new();
    fgb.write(&mut out).map_err(err)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/flatgeobuf")),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"repere-{id}.fgb\""))
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
            (
                HeaderName::from_static("content-crs"),
                HeaderValue::from_static(crs.content_crs()),
            ),
        ],
        out,
    )
        .into_response())
}
