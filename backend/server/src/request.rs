//! What a request carries, parsed once: the query string of items and nearby requests (unknown or
//! repeated parameters refused with the parameter at fault, paging with an exact `numberMatched`),
//! the description of a collection that says which filters it takes, a JSON body, the base URL.

use std::collections::BTreeMap;
use std::sync::Arc;

use repere_core::Bbox;
use repere_core::temporal::Interval;
use repere_core::text::Query;

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, header};

use crate::error::ApiError;

/// `limit` when none is given.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page; larger `limit` values are clamped to it.
pub const MAX_LIMIT: usize = 10_000;

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

/// Parameters common to every items request.
pub const COMMON_PARAMS: [&str; 6] = ["bbox", "limit", "offset", "datetime", "q", "f"];

/// A parsed items query.
#[derive(Debug, Default)]
pub struct ItemsQuery {
    pub bbox: Option<Bbox>,
    pub datetime: Option<Interval>,
    pub q: Option<Query>,
    pub limit: usize,
    pub offset: usize,
    /// Property filters, by parameter name (values as given, trimmed).
    pub filters: BTreeMap<String, String>,
    /// Every parameter as received, to rebuild paging links.
    pub raw: Vec<(String, String)>,
    /// `f=csv`: a spreadsheet of the page instead of GeoJSON.
    pub csv: bool,
    /// `f=fgb`: the page as FlatGeobuf.
    pub fgb: bool,
}

impl ItemsQuery {
    /// The filter value of `name`, if given.
    pub fn filter(&self, name: &str) -> Option<&str> {
        self.filters.get(name).map(String::as_str)
    }
}

/// Decodes a query string into pairs, refusing a parameter given twice.
pub fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    for (i, (k, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(other, _)| other == k) {
            return Err(ApiError::param(k.clone(), "paramètre donné plusieurs fois"));
        }
    }
    Ok(pairs)
}

/// Refuses any parameter outside `allowed`, naming it and listing what is accepted.
pub fn reject_unknown(pairs: &[(String, String)], allowed: &[&str]) -> Result<(), ApiError> {
    if let Some((k, _)) = pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        return Err(ApiError::param(
            k.clone(),
            format!("paramètre inconnu ; paramètres acceptés : {}", allowed.join(", ")),
        ));
    }
    Ok(())
}

/// Parses a non-negative integer parameter.
pub fn parse_count(name: &str, v: &str) -> Result<usize, ApiError> {
    v.trim()
        .parse::<usize>()
        .map_err(|_| ApiError::param(name, format!("« {v} » n'est pas un entier positif ou nul")))
}

/// Parses a finite number parameter.
pub fn parse_number(name: &str, v: &str) -> Result<f64, ApiError> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| ApiError::param(name, format!("« {v} » n'est pas un nombre fini")))
}

/// Checks the `f` (format) parameter: only JSON is served.
pub fn check_format(v: &str) -> Result<(), ApiError> {
    match v {
        "json" | "geojson" | "application/json" | "application/geo+json" => Ok(()),
        _ => Err(ApiError::param(
            "f",
            format!("format « {v} » non servi ; formats : json, geojson (et csv, fgb pour les objets des collections)"),
        )),
    }
}

/// Parses an items query for `info`'s collection.
pub fn parse_items_query(raw: Option<&str>, info: &CollectionInfo) -> Result<ItemsQuery, ApiError> {
    let raw = pairs(raw)?;
    let allowed: Vec<&str> = COMMON_PARAMS
        .iter()
        .copied()
        .chain(info.filters.iter().map(|(n, _)| *n))
        .collect();
    reject_unknown(&raw, &allowed)?;
    let mut q = ItemsQuery {
        limit: DEFAULT_LIMIT,
        ..Default::default()
    };
    for (k, v) in &raw {
        match k.as_str() {
            "bbox" => q.bbox = Some(Bbox::parse(v)?),
            "limit" => {
                let n = parse_count("limit", v)?;
                if n == 0 {
                    return Err(ApiError::param("limit", "limit doit être au moins 1"));
                }
                q.limit = n.min(MAX_LIMIT);
            }
            "offset" => q.offset = parse_count("offset", v)?,
            "datetime" => q.datetime = Some(Interval::parse(v)?),
            "q" => q.q = Query::new(v),
            "f" if v == "csv" => q.csv = true,
            "f" if v == "fgb" || v == "flatgeobuf" => q.fgb = true,
            "f" => check_format(v)?,
            _ => {
                let v = v.trim();
                if v.is_empty() {
                    return Err(ApiError::param(k.clone(), "valeur vide"));
                }
                q.filters.insert(k.clone(), v.to_string());
            }
        }
    }
    q.raw = raw;
    Ok(q)
}

/// Counts every item and keeps the page `[offset, offset + limit)`.
pub fn paginate<T>(items: impl Iterator<Item = T>, q: &ItemsQuery) -> (usize, Vec<T>) {
    let mut matched = 0;
    let mut page = Vec::with_capacity(q.limit.min(1024));
    for item in items {
        if matched >= q.offset && page.len() < q.limit {
            page.push(item);
        }
        matched += 1;
    }
    (matched, page)
}

/// The records of `map` to consider: all of them in key order, or those the index puts in `bbox`,
/// also in key order (so that paging is stable).
pub fn candidates<'a, K: Ord + Copy, E>(
    map: &'a BTreeMap<K, Arc<E>>,
    in_bbox: Option<Vec<K>>,
) -> Box<dyn Iterator<Item = &'a Arc<E>> + 'a> {
    match in_bbox {
        None => Box::new(map.values()),
        Some(mut keys) => {
            keys.sort_unstable();
            Box::new(keys.into_iter().filter_map(move |k| map.get(&k)))
        }
    }
}

/// Whether one of `values` (as written) folds to `wanted` (already folded): a facet filter.
pub fn has<S: AsRef<str>>(values: &[S], wanted: &str) -> bool {
    values
        .iter()
        .any(|v| repere_core::text::folds_to(v.as_ref().trim(), wanted))
}

/// Absolute base URL of this server as the client reached it (`http://host:port`). Only `http` and
/// `https` are believed of `X-Forwarded-Proto`, and only a host name or address with an optional port
/// of `Host`; anything else is replaced (`http`, `localhost`). When `REPERE_PUBLIC_URL` is set, the
/// `public_origin` middleware has already put its scheme and host there.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| is_host(h))
        .unwrap_or("localhost");
    let proto = match headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()) {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    format!("{proto}://{host}")
}

/// `name[:port]` or `[v6]:port`: letters, digits, dots and hyphens, at most 255 characters.
fn is_host(h: &str) -> bool {
    let (name, port) = match h.rsplit_once(':') {
        Some((n, p)) if !n.ends_with(':') && p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() => (n, Some(p)),
        _ => (h, None),
    };
    let bracketed = name.starts_with('[') && name.ends_with(']') && name.len() > 2;
    !name.is_empty()
        && h.len() <= 255
        && port.is_none_or(|p| p.parse::<u16>().is_ok())
        && (bracketed
            && name[1..name.len() - 1]
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
            || name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
}

/// The scheme and `Host` of `REPERE_PUBLIC_URL`, put on every request by [`public_origin`].
#[derive(Clone, Debug)]
pub struct PublicOrigin {
    pub scheme: HeaderValue,
    pub host: HeaderValue,
}

impl PublicOrigin {
    /// From a configured public URL (`https://repere.ac-nice.fr`); `None` when it has no host.
    pub fn of(url: &str) -> Option<Self> {
        let u = url::Url::parse(url).ok()?;
        let host = match u.port() {
            Some(p) => format!("{}:{p}", u.host_str()?),
            None => u.host_str()?.to_string(),
        };
        Some(Self {
            scheme: HeaderValue::from_str(u.scheme()).ok()?,
            host: HeaderValue::from_str(&host).ok()?,
        })
    }
}

/// Middleware: with a configured public URL, the links Repère writes use its scheme and host whatever
/// the request's `Host` and `X-Forwarded-Proto` say.
pub async fn public_origin(
    axum::extract::State(origin): axum::extract::State<PublicOrigin>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    request.headers_mut().insert(header::HOST, origin.host);
    request.headers_mut().insert("x-forwarded-proto", origin.scheme);
    next.run(request).await
}

/// The JSON body of a request, or a 422 naming `body`.
pub fn json_body<T>(body: Result<Json<T>, axum::extract::rejection::JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(b)| b).map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge("le corps de la requête dépasse la taille acceptée (2 Mo)".into())
        } else {
            ApiError::param("body", format!("corps JSON invalide : {}", e.body_text()))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_trust_only_a_plain_host_and_http_or_https() {
        let with = |host: &str, proto: Option<&str>| {
            let mut h = HeaderMap::new();
            h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
            if let Some(p) = proto {
                h.insert("x-forwarded-proto", HeaderValue::from_str(p).unwrap());
            }
            base_url(&h)
        };
        assert_eq!(with("repere.ac-nice.fr", Some("https")), "https://repere.ac-nice.fr");
        assert_eq!(with("127.0.0.1:8080", None), "http://127.0.0.1:8080");
        assert_eq!(with("[::1]:8080", None), "http://[::1]:8080");
        assert_eq!(
            with("repere.ac-nice.fr", Some("javascript:alert(1)//")),
            "http://repere.ac-nice.fr"
        );
        assert_eq!(with("evil\"><script>", None), "http://localhost");
        assert_eq!(with("a.fr:99999", None), "http://localhost");
        let o = PublicOrigin::of("https://repere.ac-nice.fr").unwrap();
        assert_eq!(
            (o.scheme.to_str().unwrap(), o.host.to_str().unwrap()),
            ("https", "repere.ac-nice.fr")
        );
        assert!(PublicOrigin::of("pas une adresse").is_none());
    }

    #[test]
    fn unknown_and_repeated_parameters_are_refused() {
        let info = &crate::practices::INFO;
        let e = parse_items_query(Some("limit=5&colour=red"), info).unwrap_err();
        assert!(matches!(e, ApiError::InvalidParameter { ref param, .. } if param == "colour"));
        let e = parse_items_query(Some("limit=5&limit=6"), info).unwrap_err();
        assert!(matches!(e, ApiError::InvalidParameter { ref param, .. } if param == "limit"));
    }

    #[test]
    fn limit_is_clamped_and_validated() {
        let info = &crate::practices::INFO;
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
