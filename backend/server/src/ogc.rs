//! OGC API – Features Part 1 handlers: the landing page, conformance, the collection documents and
//! the items and feature of any [`Collection`] (the query string is parsed by `request`, each
//! collection answers through its own type).

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use repere_catalog::Catalog;
use serde::Serialize;
use serde_json::{Value, json};

use crate::collection::{Collection, Feature};
use crate::error::ApiError;
use crate::geojson::{CRS84, Extent};
use crate::request::{ItemsQuery, base_url, check_format, pairs, parse_items_query, reject_unknown};
use crate::response::{GEO_JSON, with_type};
use crate::routes::Routes;
use crate::state::AppState;

pub(crate) fn link(href: String, rel: &str, kind: &str, title: &str) -> Value {
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
pub const CONFORMANCE: [&str; 13] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
];

/// Middleware: `/api/` and any API path with a trailing slash (or doubled slashes, as clients that
/// join a base ending in `/` write) answer a 308 to the canonical path, the query kept.
pub async fn canonical_path(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") && (path.ends_with('/') || path.contains("//")) {
        let mut canonical = String::with_capacity(path.len());
        for part in path.split('/').filter(|p| !p.is_empty()) {
            canonical.push('/');
            canonical.push_str(part);
        }
        let query = request.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
        return (
            axum::http::StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, format!("{canonical}{query}"))],
        )
            .into_response();
    }
    next.run(request).await
}

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

fn collection_doc(c: &Catalog, collection: Collection, base: &str) -> Value {
    let info = collection.info();
    let Extent { bbox, interval: times } = collection.extent(c);
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
        "crs": crate::crs::URIS,
        "storageCrs": CRS84,
        "extent": extent,
        "links": [
            link(format!("{base}/api/collections/{}", info.id), "self", "application/json", info.title),
            link(format!("{base}/api/collections/{}/items", info.id), "items", GEO_JSON, "Objets (GeoJSON)"),
            link(format!("{base}/api/collections/{}/queryables", info.id), "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json", "Propriétés interrogeables"),
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
    let list: Vec<Value> = Collection::ALL.iter().map(|k| collection_doc(&c, *k, &base)).collect();
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
    let collection = Collection::parse(&id)?;
    only_format(raw.as_deref())?;
    let c = app.read_catalog()?;
    Ok(with_type(
        collection_doc(&c, collection, &base_url(&headers)),
        "application/json",
    ))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemsBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    number_matched: usize,
    number_returned: usize,
    features: Vec<Feature<'a>>,
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

/// Whether the request comes from a signed-in person (links' notes are shown to them only).
async fn signed_in(session: &tower_sessions::Session) -> bool {
    session.get::<i64>(crate::auth::USER_KEY).await.ok().flatten().is_some()
}

/// Link notes are written by any signed-in person and published without review: visitors get the
/// links without them (`note: null`), and cannot search them.
fn hide_note(f: &mut Value) {
    if let Some(p) = f.get_mut("properties").and_then(Value::as_object_mut)
        && p.contains_key("note")
    {
        p.insert("note".into(), Value::Null);
    }
}

/// GET /api/collections/{collectionId}/items
pub async fn items(
    State(app): State<AppState>,
    headers: HeaderMap,
    session: tower_sessions::Session,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let collection = Collection::parse(&id)?;
    let info = collection.info();
    let requested = crate::crs::split(raw.as_deref())?;
    let crs = requested.crs;
    let mut q = parse_items_query(Some(&requested.rest), info)?;
    q.raw = requested.raw;
    let hide_notes = collection == Collection::Links && !signed_in(&session).await;
    if hide_notes && q.q.is_some() {
        return Err(ApiError::param(
            "q",
            "la recherche dans les notes des liens est réservée aux personnes connectées",
        ));
    }
    let base = base_url(&headers);
    let c = app.read_catalog()?;
    let asked = if q.raw.iter().any(|(k, _)| crate::filter::PARAMS.contains(&k.as_str())) {
        let hidden: &[&str] = if hide_notes { &["note"] } else { &[] };
        crate::filter::parse(&q.raw, &queryables_of(&c, collection, hidden)?)?
    } else {
        crate::filter::Asked::default()
    };
    if q.csv && collection == Collection::Practices && crs == crate::crs::Crs::Crs84 && !asked.any() {
        return collection.csv(&c, &q, &base);
    }
    let (matched, mut features) = if asked.any() {
        // Every feature the other parameters select, then the filter and the order, then the page.
        let mut all = parse_items_query(Some(&requested.rest), info)?;
        all.limit = crate::filter::MAX_EXAMINED + 1;
        all.offset = 0;
        // The box of the filter's spatial condition narrows the candidates through the R-tree.
        let (n, selected) = match crate::filter::candidates_box(all.bbox, &asked) {
            None => (0, Vec::new()),
            Some(bbox) => {
                all.bbox = bbox;
                collection.select(&c, &all)?
            }
        };
        if n > crate::filter::MAX_EXAMINED {
            return Err(ApiError::param(
                "filter",
                format!(
                    "{n} objets à examiner (au plus {}) : resserrez avec bbox, datetime ou un filtre de propriété",
                    crate::filter::MAX_EXAMINED
                ),
            ));
        }
        let values: Vec<Value> = selected
            .into_iter()
            .map(|f| {
                let mut v = f.into_value();
                if hide_notes {
                    hide_note(&mut v);
                }
                v
            })
            .collect();
        let kept = crate::filter::apply(values, &asked);
        let matched = kept.len();
        let page = kept
            .into_iter()
            .skip(q.offset)
            .take(q.limit)
            .map(Feature::Json)
            .collect();
        (matched, page)
    } else {
        collection.select(&c, &q)?
    };
    if crs != crate::crs::Crs::Crs84 || q.csv || q.fgb {
        // Positions in another CRS (and the spreadsheet of any collection) go through JSON values.
        features = features
            .into_iter()
            .map(|f| {
                let mut v = f.into_value();
                crs.reproject(&mut v);
                Feature::Json(v)
            })
            .collect();
    }
    if q.csv || q.fgb {
        if hide_notes {
            for f in &mut features {
                if let Feature::Json(v) = f {
                    hide_note(v);
                }
            }
        }
        if q.fgb {
            return crate::fgb::fgb_of(info.id, &features, crs);
        }
        return crate::collection::csv_of(info.id, &features, crs);
    }
    if hide_notes {
        for f in &mut features {
            if let Feature::Json(v) = f {
                hide_note(v);
            }
        }
    }
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
            (
                header::HeaderName::from_static("content-crs"),
                HeaderValue::from_static(crs.content_crs()),
            ),
        ],
        body,
    )
        .into_response())
}

/// The queryables of `collection`, typed from a sample of its features (`hidden` left out).
fn queryables_of(
    c: &Catalog,
    collection: Collection,
    hidden: &[&str],
) -> Result<std::collections::BTreeMap<String, crate::filter::Queryable>, ApiError> {
    let mut sample = parse_items_query(None, collection.info())?;
    sample.limit = 500;
    let (_, features) = collection.select(c, &sample)?;
    let values: Vec<Value> = features.into_iter().map(Feature::into_value).collect();
    Ok(crate::filter::queryables(&values, hidden))
}

/// GET /api/collections/{collectionId}/queryables — what `filter` and `sortby` accept (JSON Schema).
pub async fn queryables(
    State(app): State<AppState>,
    headers: HeaderMap,
    session: tower_sessions::Session,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let collection = Collection::parse(&id)?;
    only_format(raw.as_deref())?;
    let hidden: &[&str] = if collection == Collection::Links && !signed_in(&session).await {
        &["note"]
    } else {
        &[]
    };
    let base = base_url(&headers);
    let schema = {
        let c = app.read_catalog()?;
        let q = queryables_of(&c, collection, hidden)?;
        crate::filter::schema(collection.info().id, collection.info().title, &base, &q)
    };
    Ok(with_type(schema, "application/schema+json"))
}

/// GET /api/collections/{collectionId}/items/{featureId}
pub async fn item(
    State(app): State<AppState>,
    headers: HeaderMap,
    session: tower_sessions::Session,
    Path((id, fid)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let collection = Collection::parse(&id)?;
    let info = collection.info();
    let p = pairs(raw.as_deref())?;
    reject_unknown(&p, &["f", "crs"])?;
    let mut crs = crate::crs::Crs::Crs84;
    for (k, v) in &p {
        match k.as_str() {
            "crs" => crs = crate::crs::Crs::parse("crs", v)?,
            _ => check_format(v)?,
        }
    }
    let mut f = collection
        .one(&*app.read_catalog()?, &fid)
        .ok_or_else(|| ApiError::NotFound(format!("aucun objet « {fid} » dans la collection {}", info.id)))?;
    if collection == Collection::Links && !signed_in(&session).await {
        hide_note(&mut f);
    }
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
    crs.reproject(&mut f);
    let mut r = with_type(f, GEO_JSON);
    r.headers_mut().insert(
        header::HeaderName::from_static("content-crs"),
        HeaderValue::from_static(crs.content_crs()),
    );
    Ok(r)
}

/// The OGC API's routes: landing page, conformance, collections and their items, the frontend's
/// configuration.
pub fn routes() -> Routes {
    Routes::new()
        .get("/", landing)
        .get("/conformance", conformance)
        .get("/collections", collections)
        .get("/collections/{collection_id}", collection_one)
        .get("/collections/{collection_id}/items", items)
        .get("/collections/{collection_id}/queryables", queryables)
        .get("/collections/{collection_id}/items/{feature_id}", item)
        .get("/config", frontend_config)
}
