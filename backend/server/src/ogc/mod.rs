//! OGC API – Features Part 1 plumbing shared by every collection: query-string parsing (unknown or
//! repeated parameters are refused), paging with exact `numberMatched`, the landing page, conformance,
//! the collection documents and the items/feature handlers that dispatch to each domain module.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use repere_core::{Bbox, LonLat};
use serde::Serialize;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::catalog::Catalog;
use crate::error::ApiError;
use crate::{establishments, links, practices, sites};

mod geojson;
mod params;

pub use geojson::*;
pub use params::*;

/// `limit` when none is given.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page; larger `limit` values are clamped to it.
pub const MAX_LIMIT: usize = 10_000;
/// GeoJSON media type.
pub const GEO_JSON: &str = "application/geo+json";
/// The only CRS served: WGS84 longitude/latitude.
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// Static description of a collection.
#[derive(Debug)]
pub struct CollectionInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// Property filters accepted on `items` and `nearby`, with their description.
    pub filters: &'static [(&'static str, &'static str)],
    /// Property `datetime` applies to, if any.
    pub temporal: Option<&'static str>,
}

/// Every collection, in the order the API lists them.
pub const COLLECTIONS: [&CollectionInfo; 4] = [&practices::INFO, &establishments::INFO, &sites::INFO, &links::INFO];

/// Looks up a collection by id (404 when unknown).
pub fn collection(id: &str) -> Result<&'static CollectionInfo, ApiError> {
    COLLECTIONS.iter().copied().find(|c| c.id == id).ok_or_else(|| {
        ApiError::NotFound(format!(
            "collection inconnue « {id} » ; collections : {}",
            COLLECTIONS.iter().map(|c| c.id).collect::<Vec<_>>().join(", ")
        ))
    })
}

/// Absolute base URL of this server as the client reached it (`http://host:port`).
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("http");
    format!("{proto}://{host}")
}

fn link(href: String, rel: &str, kind: &str, title: &str) -> Value {
    json!({ "href": href, "rel": rel, "type": kind, "title": title })
}

/// GET /api — the landing page.
pub async fn landing(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    only_format(raw.as_deref())?;
    let base = base_url(&headers);
    let demo = app.read_catalog()?.demo;
    let mut description = "Usages numériques innovants, Fab' École et débit des établissements de l'académie de Nice (Alpes-Maritimes, Var).".to_string();
    if demo {
        description.push_str(" Données de démonstration générées : elles ne décrivent pas des établissements réels.");
    }
    Ok(with_type(
        json!({
            "title": "Repère — API",
            "description": description,
            "demo": demo,
            "links": [
                link(format!("{base}/api"), "self", "application/json", "Cette page"),
                link(format!("{base}/api/openapi.json"), "service-desc", "application/vnd.oai.openapi+json;version=3.0", "Définition OpenAPI"),
                link(format!("{base}/api/docs"), "service-doc", "text/html", "Documentation de l'API"),
                link(format!("{base}/api/conformance"), "conformance", "application/json", "Classes de conformité"),
                link(format!("{base}/api/collections"), "data", "application/json", "Collections"),
            ],
        }),
        "application/json",
    ))
}

/// GET /api/config — what the map page needs to know about this deployment.
pub async fn frontend_config(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    only_format(raw.as_deref())?;
    let demo = app.read_catalog()?.demo;
    Ok(with_type(
        json!({ "basemap_style_url": app.basemap_style_url.as_deref(), "demo": demo }),
        "application/json",
    ))
}

/// Conformance classes this server implements.
pub const CONFORMANCE: [&str; 3] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
];

/// GET /api/conformance
pub async fn conformance(RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    only_format(raw.as_deref())?;
    Ok(with_type(json!({ "conformsTo": CONFORMANCE }), "application/json"))
}

fn only_format(raw: Option<&str>) -> Result<(), ApiError> {
    let p = pairs(raw)?;
    reject_unknown(&p, &["f"])?;
    if let Some((_, v)) = p.first() {
        check_format(v)?;
    }
    Ok(())
}

/// Spatial and temporal extent of a collection's public records.
pub fn extent(c: &Catalog, id: &str) -> (Option<Bbox>, Option<(String, String)>) {
    let mut bbox: Option<Bbox> = None;
    let mut grow = |p: LonLat| match bbox.as_mut() {
        Some(b) => b.extend(p),
        None => bbox = Some(Bbox::point(p)),
    };
    let mut times: Option<(String, String)> = None;
    let mut span = |t: String| {
        times = Some(match times.take() {
            None => (t.clone(), t),
            Some((a, b)) => (a.min(t.clone()), b.max(t)),
        })
    };
    match id {
        "practices" => {
            for p in c.practices.values().filter(|p| p.practice.is_public()) {
                if let Some(pos) = p.position() {
                    grow(pos);
                }
                span(practices::timestamp(&p.practice).to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            }
        }
        "establishments" => c
            .establishments
            .values()
            .filter_map(|e| e.establishment.position)
            .for_each(&mut grow),
        "sites" => {
            for s in c.sites.values() {
                grow(s.site.position);
                if let Some(d) = s.site.opened_on {
                    span(format!("{d}T00:00:00Z"));
                }
            }
        }
        _ => {
            for l in c.links.values().filter(|l| l.public) {
                if let Some((a, b)) = l.segment {
                    grow(a);
                    grow(b);
                }
                span(l.link.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            }
        }
    }
    (bbox, times)
}

fn collection_doc(c: &Catalog, info: &CollectionInfo, base: &str) -> Value {
    let (bbox, times) = extent(c, info.id);
    let mut extent = json!({
        "spatial": { "bbox": [bbox.map(|b| b.to_array()).unwrap_or([-180.0, -90.0, 180.0, 90.0])], "crs": CRS84 },
    });
    if info.temporal.is_some() {
        let interval = times.map(|(a, b)| json!([[a, b]])).unwrap_or(json!([[null, null]]));
        extent["temporal"] =
            json!({ "interval": interval, "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian" });
    }
    let mut description = info.description.to_string();
    if c.demo {
        description.push_str(" (données de démonstration)");
    }
    json!({
        "id": info.id,
        "title": info.title,
        "description": description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": extent,
        "links": [
            link(format!("{base}/api/collections/{}", info.id), "self", "application/json", info.title),
            link(format!("{base}/api/collections/{}/items", info.id), "items", GEO_JSON, "Objets (GeoJSON)"),
        ],
    })
}

/// GET /api/collections
pub async fn collections(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    only_format(raw.as_deref())?;
    let base = base_url(&headers);
    let c = app.read_catalog()?;
    let list: Vec<Value> = COLLECTIONS.iter().map(|info| collection_doc(&c, info, &base)).collect();
    Ok(with_type(
        json!({
            "links": [link(format!("{base}/api/collections"), "self", "application/json", "Collections")],
            "collections": list,
        }),
        "application/json",
    ))
}

/// GET /api/collections/{collectionId}
pub async fn collection_one(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let info = collection(&id)?;
    only_format(raw.as_deref())?;
    let c = app.read_catalog()?;
    Ok(with_type(
        collection_doc(&c, info, &base_url(&headers)),
        "application/json",
    ))
}

/// Runs an items query against the catalogue: `(numberMatched, features)`.
pub fn select<'a>(
    c: &'a Catalog,
    info: &CollectionInfo,
    q: &ItemsQuery,
) -> Result<(usize, Vec<AnyFeature<practices::Properties<'a>>>), ApiError> {
    let json = |(n, list): (usize, Vec<Value>)| (n, list.into_iter().map(AnyFeature::Json).collect());
    Ok(match info.id {
        "practices" => practices::items(c, q)?,
        "establishments" => json(establishments::items(c, q)?),
        "sites" => json(sites::items(c, q)?),
        _ => json(links::items(c, q)?),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemsBody<P> {
    #[serde(rename = "type")]
    kind: &'static str,
    number_matched: usize,
    number_returned: usize,
    features: Vec<AnyFeature<P>>,
    links: Vec<Value>,
    /// Last, so that the entity tag can leave it out (see [`items`]).
    time_stamp: String,
}

fn page_href(base: &str, id: &str, q: &ItemsQuery, offset: usize) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in q.raw.iter().filter(|(k, _)| k != "offset" && k != "limit") {
        ser.append_pair(k, v);
    }
    ser.append_pair("limit", &q.limit.to_string());
    ser.append_pair("offset", &offset.to_string());
    format!("{base}/api/collections/{id}/items?{}", ser.finish())
}

/// GET /api/collections/{collectionId}/items
pub async fn items(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let info = collection(&id)?;
    let q = parse_items_query(raw.as_deref(), info)?;
    let base = base_url(&headers);
    let c = app.read_catalog()?;
    if q.csv {
        if info.id != "practices" {
            return Err(ApiError::param(
                "f",
                "le format csv n'est servi que pour les usages (practices)",
            ));
        }
        return practices::csv(&c, &q, &base);
    }
    let (matched, features) = select(&c, info, &q)?;
    let mut links = vec![
        link(page_href(&base, info.id, &q, q.offset), "self", GEO_JSON, "Cette page"),
        link(
            format!("{base}/api/collections/{}", info.id),
            "collection",
            "application/json",
            info.title,
        ),
    ];
    if q.offset + features.len() < matched {
        links.push(link(
            page_href(&base, info.id, &q, q.offset + q.limit),
            "next",
            GEO_JSON,
            "Page suivante",
        ));
    }
    if q.offset > 0 {
        links.push(link(
            page_href(&base, info.id, &q, q.offset.saturating_sub(q.limit)),
            "prev",
            GEO_JSON,
            "Page précédente",
        ));
    }
    let body = serde_json::to_vec(&ItemsBody {
        kind: "FeatureCollection",
        time_stamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        number_matched: matched,
        number_returned: features.len(),
        features,
        links,
    })
    .map_err(|e| ApiError::Internal(format!("JSON: {e}")))?;
    drop(c);
    // The tag covers everything but `timeStamp` (the last member), which changes every second: the
    // same items keep their tag and a repeat view answers 304.
    let marker = b",\"timeStamp\":";
    let stable = body
        .windows(marker.len())
        .rposition(|w| w == marker)
        .map_or(&body[..], |at| &body[..at]);
    let tag = crate::http_cache::tag_of(stable);
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(GEO_JSON)),
            (header::ETAG, tag),
        ],
        body,
    )
        .into_response())
}

/// GET /api/collections/{collectionId}/items/{featureId}
pub async fn item(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path((id, fid)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let info = collection(&id)?;
    only_format(raw.as_deref())?;
    let mut f = {
        let c = app.read_catalog()?;
        match info.id {
            "practices" => practices::one(&c, &fid),
            "establishments" => establishments::one(&c, &fid),
            "sites" => sites::one(&c, &fid),
            _ => links::one(&c, &fid),
        }
    }
    .ok_or_else(|| ApiError::NotFound(format!("aucun objet « {fid} » dans la collection {}", info.id)))?;
    let base = base_url(&headers);
    f["links"] = json!([
        link(
            format!("{base}/api/collections/{}/items/{fid}", info.id),
            "self",
            GEO_JSON,
            "Cet objet"
        ),
        link(
            format!("{base}/api/collections/{}", info.id),
            "collection",
            "application/json",
            info.title
        ),
    ]);
    Ok(with_type(f, GEO_JSON))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_repeated_parameters_are_refused() {
        let info = &practices::INFO;
        let e = parse_items_query(Some("limit=5&colour=red"), info).unwrap_err();
        assert!(matches!(e, ApiError::InvalidParameter { ref param, .. } if param == "colour"));
        let e = parse_items_query(Some("limit=5&limit=6"), info).unwrap_err();
        assert!(matches!(e, ApiError::InvalidParameter { ref param, .. } if param == "limit"));
    }

    #[test]
    fn limit_is_clamped_and_validated() {
        let info = &practices::INFO;
        assert_eq!(parse_items_query(Some("limit=999999"), info).unwrap().limit, MAX_LIMIT);
        assert_eq!(parse_items_query(None, info).unwrap().limit, DEFAULT_LIMIT);
        for bad in ["limit=-1", "limit=1.5", "limit=abc", "limit=0", "offset=-3", "offset=x"] {
            assert!(parse_items_query(Some(bad), info).is_err(), "{bad}");
        }
    }

    #[test]
    fn paginate_counts_everything_and_keeps_one_page() {
        let q = ItemsQuery {
            limit: 3,
            offset: 4,
            ..Default::default()
        };
        let (n, page) = paginate(0..10, &q);
        assert_eq!(n, 10);
        assert_eq!(page, vec![4, 5, 6]);
    }
}
