//! Operations: `/health/live`, `/health/ready`, Prometheus metrics at `/metrics` (prometheus-client),
//! and one structured log line per request.
//!
//! Requests are counted by route template (`/api/collections/{collection_id}/items`, never the raw
//! path, so the label set stays small), method and status, with a latency histogram per route. Gauges
//! read at scrape time: the size of each in-memory index and where this instance stands in the change
//! log (see `repere_catalog::sync`).

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::problem;
use crate::state::AppState;
use metrics::{LayerLabels, RequestLabels, RouteLabels};

pub mod metrics;

/// The route template a request matched, carried on the response for [`track`].
#[derive(Clone)]
struct Route(Arc<str>);

/// Inner layer (`route_layer`): notes the matched route template on the response.
pub async fn note_route(path: Option<MatchedPath>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    if let Some(path) = path {
        resp.extensions_mut().insert(Route(Arc::from(path.as_str())));
    }
    resp
}

/// Outer layer: counts the request, times it and writes one log line (JSON with `--log-format json`).
pub async fn track(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let resp = next.run(req).await;
    let elapsed = started.elapsed();
    let route = resp
        .extensions()
        .get::<Route>()
        .map(|r| r.0.to_string())
        .unwrap_or_else(|| {
            // Unmatched: files of the site, or a 404; never the raw path (unbounded labels).
            "(other)".to_string()
        });
    let status = resp.status().as_u16();
    app.metrics
        .requests
        .get_or_create(&RequestLabels {
            method: method.clone(),
            route: route.clone(),
            status,
        })
        .inc();
    app.metrics
        .latency
        .get_or_create(&RouteLabels { route: route.clone() })
        .observe(elapsed.as_secs_f64());
    tracing::info!(
        target: "repere::request",
        method,
        route,
        status,
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    resp
}

/// GET /health/live — the process answers.
pub async fn live() -> Response {
    Json(json!({ "status": "live" })).into_response()
}

/// GET /health/ready — 200 once the catalogue is loaded and the change log was read recently; 503
/// (problem+json) before, or while the database cannot be read.
pub async fn ready(State(app): State<AppState>) -> Response {
    let status = app.sync.status();
    if status.ready {
        return Json(json!({ "status": "ready", "sync": status })).into_response();
    }
    let detail = if status.loaded {
        "le journal des modifications n'a pas pu être lu récemment (base de données injoignable ?)"
    } else {
        "chargement des index en cours"
    };
    let mut resp = problem(StatusCode::SERVICE_UNAVAILABLE, "Pas prêt", detail, None);
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    resp
}

/// GET /metrics — Prometheus text format.
pub async fn metrics(State(app): State<AppState>) -> Response {
    let m = &app.metrics;
    if let Ok(c) = app.catalog.read() {
        for (layer, n) in [
            ("practices", c.practices.len()),
            ("establishments", c.establishments.len()),
            ("sites", c.sites.len()),
            ("links", c.links.len()),
        ] {
            m.index_size.get_or_create(&LayerLabels { layer }).set(n as i64);
        }
    }
    let s = app.sync.status();
    m.applied_change.set(s.applied_change);
    m.change_lag.set(s.lag_changes);
    m.listening.set(i64::from(s.listening));
    m.apply_delay.set(s.last_apply_delay_seconds);
    let mut out = String::new();
    if prometheus_client::encoding::text::encode(&mut out, &m.registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

/// Inner layer on the API: until the catalogue is loaded, answer 503 rather than an empty map.
pub async fn wait_for_load(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if app.sync.is_loaded() {
        return next.run(req).await;
    }
    let mut resp = problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "Repère démarre",
        "Les index sont en cours de chargement ; réessayez dans un instant.",
        None,
    );
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    resp
}
