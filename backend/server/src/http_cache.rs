//! What makes a repeat visit cheap and a first one small: entity tags on GET responses (a `304` instead
//! of the body when nothing changed), the `Cache-Control` of each kind of response, and compression of
//! dynamic responses (brotli or gzip, from `Accept-Encoding`). The built frontend is compressed at
//! build time and served as such by `ServeDir`.
//!
//! The tag of a dynamic response is a hash of its body, so it changes exactly when what the client would
//! receive changes: after a write to the catalogue, another school year begun, another role signed in.
//! The same body gives the same tag on every instance, so a repeat view answers 304 whichever instance
//! serves it.

use std::hash::Hasher;

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Body as _;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};

/// Bodies larger than this are not held in memory to be tagged (they are still compressed).
const MAX_TAGGED: u64 = 64 << 20;

/// Content-hashed assets: the name changes with the content.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Pages and API responses: kept, but checked with the server before each use.
pub const REVALIDATE: &str = "no-cache";
/// API responses, which can depend on who is signed in.
pub const PRIVATE_REVALIDATE: &str = "private, no-cache";

/// Brotli or gzip for every compressible dynamic response: not images (PNG maps), not fonts, not
/// bodies of 32 bytes or less.
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .no_deflate()
        .no_zstd()
        .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("font/")))
}

/// The weak entity tag of `bytes`: SipHash with fixed keys, so the same bytes give the same tag in
/// every process of this build (every instance).
pub fn tag_of(bytes: &[u8]) -> HeaderValue {
    #[allow(deprecated)]
    let mut hasher = std::hash::SipHasher::new();
    hasher.write(bytes);
    let tag = format!("W/\"{:016x}-{:x}\"", hasher.finish(), bytes.len());
    HeaderValue::from_str(&tag).expect("hex digits are a valid header value")
}

/// Whether the request's `If-None-Match` names `tag` (weak comparison, as RFC 9110 asks for GET).
pub fn matches(headers: &HeaderMap, tag: &str) -> bool {
    let bare = tag.trim_start_matches("W/");
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == bare)
}

/// A `304 Not Modified` for `tag`: no body, the validators and caching headers only.
pub fn not_modified(tag: HeaderValue, cache_control: Option<HeaderValue>) -> Response {
    let mut r = StatusCode::NOT_MODIFIED.into_response();
    r.headers_mut().insert(header::ETAG, tag);
    if let Some(cc) = cache_control {
        r.headers_mut().insert(header::CACHE_CONTROL, cc);
    }
    r
}

/// Tags successful GET responses (the API's, the pages') with a hash of their body and answers `304`
/// when the client already holds it; marks them `private, no-cache` unless the route says otherwise.
/// Responses that carry their own tag (tiles) or are streamed without a known length pass unchanged.
pub async fn etag(req: Request, next: Next) -> Response {
    // Content-hashed assets never change under their name: nothing to revalidate, nothing to hash.
    if !matches!(*req.method(), Method::GET | Method::HEAD) || is_hashed_asset(req.uri().path()) {
        return next.run(req).await;
    }
    // Only the If-None-Match values are needed after the handler (not a copy of every header).
    let mut request_headers = HeaderMap::new();
    for v in req.headers().get_all(header::IF_NONE_MATCH) {
        request_headers.append(header::IF_NONE_MATCH, v.clone());
    }
    let mut resp = next.run(req).await;
    if resp.status() != StatusCode::OK {
        return resp;
    }
    resp.headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(PRIVATE_REVALIDATE));
    if let Some(tag) = resp.headers().get(header::ETAG).cloned() {
        if tag.to_str().is_ok_and(|t| matches(&request_headers, t)) {
            return not_modified(tag, resp.headers().get(header::CACHE_CONTROL).cloned());
        }
        return resp;
    }
    let known = resp.body().size_hint().exact().or_else(|| {
        // Files from ServeDir stream their body but say its length.
        resp.headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse().ok())
    });
    if known.is_none_or(|n| n > MAX_TAGGED) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_TAGGED as usize).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let tag = tag_of(&bytes);
    if matches(&request_headers, tag.to_str().unwrap_or_default()) {
        return not_modified(tag, parts.headers.get(header::CACHE_CONTROL).cloned());
    }
    parts.headers.insert(header::ETAG, tag);
    Response::from_parts(parts, Body::from(bytes))
}

/// Whether `path` is a file of the build named after its content (Vite's `assets/name-hash.ext`).
fn is_hashed_asset(path: &str) -> bool {
    path.starts_with("/assets/")
}

/// `Cache-Control` of the built frontend: the content-hashed files under `/assets/` for a year, the
/// rest (pages, the basemap) revalidated, with their entity tag or the `Last-Modified` of `ServeDir`.
pub async fn static_files(req: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(req.uri().path());
    let mut resp = next.run(req).await;
    let ok = matches!(
        resp.status(),
        StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED
    );
    if ok {
        let value = if hashed { IMMUTABLE } else { REVALIDATE };
        let headers = resp.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        // The same address gives a brotli, gzip or plain body: caches on the way must keep them apart.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    resp
}
