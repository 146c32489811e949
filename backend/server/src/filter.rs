//! OGC API – Features Part 3: each collection's queryables (a JSON Schema of the properties one may
//! filter and sort on, typed from the data), `filter` in CQL2-text or CQL2-JSON parsed by the `cql2`
//! crate and evaluated on the catalogue's features, and `sortby`. The other parameters (`bbox` through
//! the R-tree, `datetime`, the property filters) narrow the features first — and so does the box of a
//! spatial condition the filter cannot do without ([`spatial_bound`]), through the same R-tree; the
//! filter then looks at what is left, at most [`MAX_EXAMINED`] features.

use std::collections::BTreeMap;

use repere_core::lonlat::Bbox;
use serde_json::{Value, json};

use crate::error::ApiError;

/// Features a filter may examine (the other parameters narrow them first).
pub const MAX_EXAMINED: usize = 200_000;

/// Query parameters of this part, taken out of the items query.
pub const PARAMS: [&str; 4] = ["filter", "filter-lang", "filter-crs", "sortby"];

/// A queryable property: its JSON Schema type (and format).
#[derive(Debug, Clone, PartialEq)]
pub struct Queryable {
    pub kind: &'static str,
    pub format: Option<&'static str>,
}

fn kind_of(v: &Value) -> Option<Queryable> {
    let q = |kind, format| Some(Queryable { kind, format });
    match v {
        Value::Null => None,
        Value::Bool(_) => q("boolean", None),
        Value::Number(n) if n.is_i64() || n.is_u64() => q("integer", None),
        Value::Number(_) => q("number", None),
        Value::Array(_) => q("array", None),
        Value::Object(_) => q("object", None),
        Value::String(s) => {
            let date = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok();
            let time = chrono::DateTime::parse_from_rfc3339(s).is_ok();
            q(
                "string",
                if time {
                    Some("date-time")
                } else if date {
                    Some("date")
                } else {
                    None
                },
            )
        }
    }
}

/// The queryables of a collection, from its features: every property with the type of its first
/// non-null value, and `geometry`. `hidden` are left out (link notes for visitors).
pub fn queryables(features: &[Value], hidden: &[&str]) -> BTreeMap<String, Queryable> {
    let mut out = BTreeMap::new();
    for f in features {
        if let Some(p) = f["properties"].as_object() {
            for (k, v) in p {
                if hidden.contains(&k.as_str()) || out.contains_key(k) {
                    continue;
                }
                if let Some(q) = kind_of(v) {
                    out.insert(k.clone(), q);
                }
            }
        }
    }
    out.insert(
        "geometry".into(),
        Queryable {
            kind: "geometry",
            format: None,
        },
    );
    out
}

/// The queryables document (JSON Schema 2020-12).
pub fn schema(id: &str, title: &str, base: &str, q: &BTreeMap<String, Queryable>) -> Value {
    let properties: serde_json::Map<String, Value> = q
        .iter()
        .map(|(k, v)| {
            let s = match (v.kind, v.format) {
                ("geometry", _) => json!({ "title": "Géométrie", "format": "geometry-any" }),
                ("array", _) => json!({ "title": k, "type": "array", "items": { "type": "string" } }),
                (kind, Some(format)) => json!({ "title": k, "type": kind, "format": format }),
                (kind, None) => json!({ "title": k, "type": kind }),
            };
            (k.clone(), s)
        })
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/api/collections/{id}/queryables"),
        "type": "object",
        "title": title,
        "properties": properties,
        "additionalProperties": false,
    })
}

/// What the request asks of this part.
#[derive(Debug, Default)]
pub struct Asked {
    pub filter: Option<cql2::Expr>,
    /// (property, descending)
    pub sortby: Vec<(String, bool)>,
}

impl Asked {
    pub fn any(&self) -> bool {
        self.filter.is_some() || !self.sortby.is_empty()
    }
}

fn properties_of(e: &cql2::Expr, out: &mut Vec<String>) {
    use cql2::Expr;
    match e {
        Expr::Property { property } => out.push(property.clone()),
        Expr::Operation { args, .. } => args.iter().for_each(|a| properties_of(a, out)),
        Expr::Interval { interval } => interval.iter().for_each(|a| properties_of(a, out)),
        Expr::Timestamp { timestamp } => properties_of(timestamp, out),
        Expr::Date { date } => properties_of(date, out),
        Expr::Array(list) | Expr::BBox { bbox: list } => list.iter().for_each(|a| properties_of(a, out)),
        _ => {}
    }
}

/// The crate compares a geometry with a geometry only: each `BBOX(…)` literal becomes the polygon of
/// the same box, so that `S_INTERSECTS(geometry, BBOX(…))` evaluates on features.
fn boxes_as_polygons(e: cql2::Expr) -> cql2::Expr {
    use cql2::Expr;
    match e {
        Expr::BBox { ref bbox } if bbox.len() == 4 => {
            let n: Vec<f64> = bbox
                .iter()
                .filter_map(|b| f64::try_from(b.as_ref().clone()).ok())
                .collect();
            if n.len() != 4 {
                return e;
            }
            let ring = json!([[[n[0], n[1]], [n[2], n[1]], [n[2], n[3]], [n[0], n[3]], [n[0], n[1]]]]);
            serde_json::from_value(json!({ "type": "Polygon", "coordinates": ring })).unwrap_or(e)
        }
        Expr::Operation { op, args } => Expr::Operation {
            op,
            args: args.into_iter().map(|a| Box::new(boxes_as_polygons(*a))).collect(),
        },
        other => other,
    }
}

/// Reads `filter`, `filter-lang`, `filter-crs` and `sortby` against the collection's queryables.
pub fn parse(raw: &[(String, String)], q: &BTreeMap<String, Queryable>) -> Result<Asked, ApiError> {
    let get = |k: &str| raw.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim());
    let lang = get("filter-lang").unwrap_or("cql2-text");
    if let Some(crs) = get("filter-crs")
        && crate::crs::Crs::parse("filter-crs", crs)? != crate::crs::Crs::Crs84
    {
        return Err(ApiError::param(
            "filter-crs",
            "les géométries d'un filtre s'écrivent en CRS84",
        ));
    }
    let filter = match get("filter") {
        None => None,
        Some("") => return Err(ApiError::param("filter", "filtre vide")),
        Some(text) => {
            let expr = match lang {
                "cql2-text" => {
                    cql2::parse_text(text).map_err(|e| ApiError::param("filter", format!("CQL2 illisible : {e}")))?
                }
                "cql2-json" => cql2::parse_json(text)
                    .map_err(|e| ApiError::param("filter", format!("CQL2-JSON illisible : {e}")))?,
                other => {
                    return Err(ApiError::param(
                        "filter-lang",
                        format!("langage « {other} » non servi ; langages : cql2-text, cql2-json"),
                    ));
                }
            };
            let expr = boxes_as_polygons(expr);
            let mut props = Vec::new();
            properties_of(&expr, &mut props);
            if let Some(p) = props.iter().find(|p| !q.contains_key(p.as_str())) {
                return Err(ApiError::param(
                    "filter",
                    format!("la propriété « {p} » n'est pas interrogeable ; voir /queryables"),
                ));
            }
            Some(expr)
        }
    };
    let mut sortby = Vec::new();
    for part in get("sortby")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let (name, desc) = match part.as_bytes()[0] {
            b'-' => (&part[1..], true),
            b'+' => (&part[1..], false),
            _ => (part, false),
        };
        match q.get(name) {
            Some(k) if matches!(k.kind, "string" | "integer" | "number" | "boolean") => {
                sortby.push((name.to_string(), desc))
            }
            _ => {
                return Err(ApiError::param(
                    "sortby",
                    format!("on ne trie pas sur « {name} » ; voir /queryables"),
                ));
            }
        }
    }
    Ok(Asked { filter, sortby })
}

/// Where the features a filter accepts can lie, as its spatial conditions tell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// No spatial condition bounds them (none, or one under `OR`/`NOT`).
    Anywhere,
    /// Within this box.
    Within(Bbox),
    /// Nowhere: conditions that cannot all hold (boxes that do not meet).
    Nowhere,
}

impl Bound {
    /// Where features meeting both bounds can lie.
    pub fn and(self, other: Bound) -> Bound {
        match (self, other) {
            (Bound::Nowhere, _) | (_, Bound::Nowhere) => Bound::Nowhere,
            (Bound::Anywhere, b) | (b, Bound::Anywhere) => b,
            (Bound::Within(a), Bound::Within(b)) => a.intersection(&b).map_or(Bound::Nowhere, Bound::Within),
        }
    }
}

/// The bound of the filter's top level (under `AND`s only): `S_INTERSECTS` of the geometry with a
/// literal geometry, or `S_WITHIN` of the geometry in one, bound it to the literal's envelope; the
/// R-tree then selects the candidates before the filter examines them. `OR`, `NOT` or no spatial
/// condition leave it [`Bound::Anywhere`]: every feature the other parameters select is examined.
pub fn spatial_bound(e: &cql2::Expr) -> Bound {
    use cql2::Expr;
    let Expr::Operation { op, args } = e else {
        return Bound::Anywhere;
    };
    let is_geometry = |e: &Expr| matches!(e, Expr::Property { property } if property == "geometry");
    let literal = |e: &Expr| envelope(e).map_or(Bound::Anywhere, Bound::Within);
    match (op.to_ascii_lowercase().as_str(), args.as_slice()) {
        ("and", _) => args.iter().map(|a| spatial_bound(a)).fold(Bound::Anywhere, Bound::and),
        ("s_intersects", [a, b]) if is_geometry(a) => literal(b),
        ("s_intersects", [a, b]) if is_geometry(b) => literal(a),
        ("s_within", [a, b]) if is_geometry(a) => literal(b),
        _ => Bound::Anywhere,
    }
}

/// The box the candidates of a filtered request are selected in: `bbox` met with the filter's spatial
/// bound ([`spatial_bound`]); `None` when the two cannot meet, so that nothing is to be selected.
pub fn candidates_box(bbox: Option<Bbox>, asked: &Asked) -> Option<Option<Bbox>> {
    let bound = asked.filter.as_ref().map_or(Bound::Anywhere, spatial_bound);
    match bbox.map_or(Bound::Anywhere, Bound::Within).and(bound) {
        Bound::Anywhere => Some(None),
        Bound::Within(b) => Some(Some(b)),
        Bound::Nowhere => None,
    }
}

/// The envelope of a geometry literal (its GeoJSON coordinates, whatever the nesting).
fn envelope(e: &cql2::Expr) -> Option<Bbox> {
    fn walk(v: &Value, b: &mut Option<Bbox>) {
        match v.as_array().map(Vec::as_slice) {
            Some([x, y, ..]) if x.is_number() && y.is_number() => {
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                let e = b.get_or_insert(Bbox {
                    min_lon: x,
                    min_lat: y,
                    max_lon: x,
                    max_lat: y,
                });
                e.min_lon = e.min_lon.min(x);
                e.min_lat = e.min_lat.min(y);
                e.max_lon = e.max_lon.max(x);
                e.max_lat = e.max_lat.max(y);
            }
            Some(items) => items.iter().for_each(|i| walk(i, b)),
            None => {}
        }
    }
    let cql2::Expr::Geometry(_) = e else {
        return None;
    };
    let value = serde_json::to_value(e).ok()?;
    let mut bound = None;
    walk(&value["coordinates"], &mut bound);
    if value["type"] == "GeometryCollection" {
        for g in value["geometries"].as_array().into_iter().flatten() {
            walk(&g["coordinates"], &mut bound);
        }
    }
    bound
}

fn order(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// Keeps the features the filter accepts (a feature on which it does not reduce to true is left out)
/// and sorts them.
pub fn apply(features: Vec<Value>, asked: &Asked) -> Vec<Value> {
    let mut kept: Vec<Value> = match &asked.filter {
        None => features,
        Some(expr) => features
            .into_iter()
            .filter(|f| expr.clone().matches(Some(f)).unwrap_or(false))
            .collect(),
    };
    if !asked.sortby.is_empty() {
        kept.sort_by(|a, b| {
            for (k, desc) in &asked.sortby {
                let o = order(&a["properties"][k], &b["properties"][k]);
                let o = if *desc { o.reverse() } else { o };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        });
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(dep: &str, n: i64, lon: f64, lat: f64) -> Value {
        json!({ "type": "Feature", "id": n, "geometry": { "type": "Point", "coordinates": [lon, lat] },
                "properties": { "departement": dep, "n": n, "name": format!("Collège {n}") } })
    }

    #[test]
    fn cql2_text_and_json_filter_and_sort() {
        let all = vec![f("06", 1, 7.2, 43.7), f("83", 2, 6.0, 43.1), f("06", 3, 7.0, 43.6)];
        let q = queryables(&all, &[]);
        let pick = |raw: &[(&str, &str)]| {
            let raw: Vec<(String, String)> = raw.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
            let asked = parse(&raw, &q).unwrap();
            apply(all.clone(), &asked)
                .iter()
                .map(|v| v["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(pick(&[("filter", "departement = '06'"), ("sortby", "-n")]), vec![3, 1]);
        assert_eq!(
            pick(&[("filter", "n BETWEEN 2 AND 3 AND name LIKE 'Coll%'")]),
            vec![2, 3]
        );
        assert_eq!(
            pick(&[("filter", "S_INTERSECTS(geometry, BBOX(6.9,43.5,7.3,43.8))")]),
            vec![1, 3]
        );
        assert_eq!(
            pick(&[
                ("filter-lang", "cql2-json"),
                ("filter", r#"{"op":"in","args":[{"property":"n"},[1,2]]}"#)
            ]),
            vec![1, 2]
        );
        // The box the R-tree narrows to: the spatial condition's, met with any other under AND.
        let bound = |text: &str| {
            let raw = vec![("filter".to_string(), text.to_string())];
            match spatial_bound(parse(&raw, &q).unwrap().filter.as_ref().unwrap()) {
                Bound::Within(b) => Some([b.min_lon, b.min_lat, b.max_lon, b.max_lat]),
                Bound::Anywhere => None,
                Bound::Nowhere => panic!("{text}: conditions that meet"),
            }
        };
        assert_eq!(
            bound("S_INTERSECTS(geometry, BBOX(6.9,43.5,7.3,43.8)) AND n > 1"),
            Some([6.9, 43.5, 7.3, 43.8])
        );
        assert_eq!(
            bound(
                "S_WITHIN(geometry, POLYGON((7 43, 8 43, 8 44.5, 7 43))) AND S_INTERSECTS(BBOX(6,43.2,7.5,44), geometry)"
            ),
            Some([7.0, 43.2, 7.5, 44.0])
        );
        assert_eq!(
            bound("S_INTERSECTS(geometry, POINT(7.1 43.6))"),
            Some([7.1, 43.6, 7.1, 43.6])
        );
        assert_eq!(bound("S_INTERSECTS(geometry, BBOX(6.9,43.5,7.3,43.8)) OR n = 2"), None);
        assert_eq!(bound("NOT S_INTERSECTS(geometry, BBOX(6.9,43.5,7.3,43.8))"), None);
        assert_eq!(bound("n = 2"), None);
        let raw = vec![(
            "filter".to_string(),
            "S_INTERSECTS(geometry, BBOX(5,42,5.5,42.5)) AND S_INTERSECTS(geometry, BBOX(7,43,7.3,43.8))".to_string(),
        )];
        assert_eq!(
            spatial_bound(parse(&raw, &q).unwrap().filter.as_ref().unwrap()),
            Bound::Nowhere
        );
        let bad: Vec<(String, String)> = vec![("filter".into(), "couleur = 'rouge'".into())];
        assert!(parse(&bad, &q).is_err());
        let bad: Vec<(String, String)> = vec![("filter".into(), "(n = 2 AND".into())];
        assert!(parse(&bad, &q).is_err());
    }
}
