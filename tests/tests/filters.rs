//! OGC API – Features Part 3 on the demo data: each CQL2 operator (comparison, LIKE, IN, BETWEEN,
//! IS NULL, AND/OR/NOT, S_INTERSECTS with a box and a polygon, T_INTERSECTS on dates), in CQL2-text and
//! CQL2-JSON, gives exactly the features a brute-force evaluation of the same predicate over every
//! feature gives; `sortby` orders them; queryables list what may be filtered; bad filters are named.

use chrono::{DateTime, Utc};
use repere_tests::{TestApp, assert_problem, backends};
use serde_json::Value;

type Pred = Box<dyn Fn(&Value) -> bool>;

fn ids_of(features: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = features.iter().map(|f| f["id"].to_string()).collect();
    v.sort();
    v
}

async fn filtered(app: &TestApp, collection: &str, params: &[(&str, &str)]) -> Value {
    let mut url = url::Url::parse(&format!("{}/api/collections/{collection}/items", app.base())).unwrap();
    url.query_pairs_mut().append_pair("limit", "10000");
    for (k, v) in params {
        url.query_pairs_mut().append_pair(k, v);
    }
    let r = app.client.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200, "{params:?}");
    r.json().await.unwrap()
}

/// Ray casting: whether (x, y) is inside the ring.
fn in_polygon(x: f64, y: f64, ring: &[(f64, f64)]) -> bool {
    let mut inside = false;
    for i in 0..ring.len() {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[(i + ring.len() - 1) % ring.len()];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
    }
    inside
}

fn point(f: &Value) -> Option<(f64, f64)> {
    let c = &f["geometry"]["coordinates"];
    Some((c[0].as_f64()?, c[1].as_f64()?))
}

fn prop<'a>(f: &'a Value, k: &str) -> &'a Value {
    &f["properties"][k]
}

#[tokio::test]
async fn every_operator_gives_what_brute_force_gives() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let establishments = app
            .all_features("/api/collections/establishments/items?limit=10000")
            .await;
        let practices = app.all_features("/api/collections/practices/items?limit=10000").await;
        let triangle = [(6.8, 43.5), (7.4, 43.5), (7.4, 43.9)];
        let from: DateTime<Utc> = "2025-09-01T00:00:00Z".parse().unwrap();
        let to: DateTime<Utc> = "2026-08-31T23:59:59Z".parse().unwrap();
        let cases: Vec<(&str, &str, &str, Pred)> = vec![
            (
                "establishments",
                "cql2-text",
                "departement = '06'",
                Box::new(|f| prop(f, "departement") == "06"),
            ),
            (
                "establishments",
                "cql2-text",
                "kind IN ('college', 'lycee')",
                Box::new(|f| prop(f, "kind") == "college" || prop(f, "kind") == "lycee"),
            ),
            (
                "establishments",
                "cql2-text",
                "name LIKE 'Collège%'",
                Box::new(|f| prop(f, "name").as_str().is_some_and(|n| n.starts_with("Collège"))),
            ),
            (
                "establishments",
                "cql2-text",
                "NOT (departement = '06') AND kind = 'ecole'",
                Box::new(|f| prop(f, "departement") != "06" && prop(f, "kind") == "ecole"),
            ),
            (
                "establishments",
                "cql2-text",
                "departement = '83' OR kind = 'lycee'",
                Box::new(|f| prop(f, "departement") == "83" || prop(f, "kind") == "lycee"),
            ),
            (
                "establishments",
                "cql2-text",
                "bandwidth_down_mbps BETWEEN 8 AND 30",
                Box::new(|f| {
                    prop(f, "bandwidth_down_mbps")
                        .as_f64()
                        .is_some_and(|d| (8.0..=30.0).contains(&d))
                }),
            ),
            (
                "establishments",
                "cql2-text",
                "bandwidth_down_mbps > 100",
                Box::new(|f| prop(f, "bandwidth_down_mbps").as_f64().is_some_and(|d| d > 100.0)),
            ),
            (
                "establishments",
                "cql2-text",
                "bandwidth_down_mbps IS NULL",
                Box::new(|f| prop(f, "bandwidth_down_mbps").is_null()),
            ),
            (
                "establishments",
                "cql2-text",
                "S_INTERSECTS(geometry, BBOX(7.0, 43.6, 7.3, 43.8))",
                Box::new(|f| point(f).is_some_and(|(x, y)| (7.0..=7.3).contains(&x) && (43.6..=43.8).contains(&y))),
            ),
            (
                "establishments",
                "cql2-text",
                "S_INTERSECTS(geometry, POLYGON((6.8 43.5, 7.4 43.5, 7.4 43.9, 6.8 43.5)))",
                Box::new(move |f| point(f).is_some_and(|(x, y)| in_polygon(x, y, &triangle))),
            ),
            // Spatial conditions under AND narrow through the R-tree; under OR they cannot.
            (
                "establishments",
                "cql2-text",
                "S_INTERSECTS(geometry, BBOX(6.5, 43.0, 7.3, 43.8)) AND S_WITHIN(geometry, BBOX(7.0, 43.5, 7.6, 44.0)) AND departement = '06'",
                Box::new(|f| {
                    prop(f, "departement") == "06"
                        && point(f).is_some_and(|(x, y)| (7.0..=7.3).contains(&x) && (43.5..=43.8).contains(&y))
                }),
            ),
            (
                "establishments",
                "cql2-text",
                "S_INTERSECTS(geometry, BBOX(7.0, 43.6, 7.3, 43.8)) OR departement = '83'",
                Box::new(|f| {
                    prop(f, "departement") == "83"
                        || point(f).is_some_and(|(x, y)| (7.0..=7.3).contains(&x) && (43.6..=43.8).contains(&y))
                }),
            ),
            (
                "establishments",
                "cql2-text",
                "S_INTERSECTS(geometry, BBOX(5.0, 42.0, 5.5, 42.5)) AND S_INTERSECTS(geometry, BBOX(7.0, 43.6, 7.3, 43.8))",
                Box::new(|_| false),
            ),
            (
                "establishments",
                "cql2-json",
                r#"{"op":"and","args":[{"op":"=","args":[{"property":"departement"},"83"]},{"op":"<","args":[{"property":"bandwidth_down_mbps"},8]}]}"#,
                Box::new(|f| {
                    prop(f, "departement") == "83" && prop(f, "bandwidth_down_mbps").as_f64().is_some_and(|d| d < 8.0)
                }),
            ),
            (
                "practices",
                "cql2-text",
                "T_INTERSECTS(published_at, INTERVAL('2025-09-01T00:00:00Z', '2026-08-31T23:59:59Z'))",
                Box::new(move |f| {
                    prop(f, "published_at")
                        .as_str()
                        .and_then(|t| t.parse::<DateTime<Utc>>().ok())
                        .is_some_and(|t| t >= from && t <= to)
                }),
            ),
            (
                "practices",
                "cql2-text",
                "school_year = '2024-2025' AND departement <> '06'",
                Box::new(|f| prop(f, "school_year") == "2024-2025" && prop(f, "departement") != "06"),
            ),
        ];
        for (collection, lang, filter, pred) in &cases {
            let all = if *collection == "practices" {
                &practices
            } else {
                &establishments
            };
            let expected: Vec<Value> = all.iter().filter(|f| pred(f)).cloned().collect();
            let got = filtered(&app, collection, &[("filter", filter), ("filter-lang", lang)]).await;
            assert_eq!(got["numberMatched"], expected.len(), "{backend:?} {filter}");
            assert_eq!(
                ids_of(got["features"].as_array().unwrap()),
                ids_of(&expected),
                "{backend:?} {filter}"
            );
            assert!(
                !expected.is_empty()
                    || filter.contains("IS NULL")
                    || filter.contains("> 100")
                    || filter.contains("BBOX(5.0"),
                "{filter}: the case tests something"
            );
        }
        // bbox and a spatial filter together: what both select.
        let both = filtered(
            &app,
            "establishments",
            &[
                ("bbox", "6.5,43.0,7.1,44.0"),
                ("filter", "S_INTERSECTS(geometry, BBOX(7.0, 43.6, 7.3, 43.8))"),
            ],
        )
        .await;
        let expected: Vec<Value> = establishments
            .iter()
            .filter(|f| point(f).is_some_and(|(x, y)| (7.0..=7.1).contains(&x) && (43.6..=43.8).contains(&y)))
            .cloned()
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(
            ids_of(both["features"].as_array().unwrap()),
            ids_of(&expected),
            "{backend:?}"
        );
        let apart = filtered(
            &app,
            "establishments",
            &[
                ("bbox", "7.0,43.6,7.3,43.8"),
                ("filter", "S_INTERSECTS(geometry, BBOX(5.0, 42.0, 5.5, 42.5))"),
            ],
        )
        .await;
        assert_eq!(
            apart["numberMatched"], 0,
            "{backend:?}: a filter box away from bbox keeps nothing"
        );
        // sortby, descending then ascending, on what the filter kept.
        let got = filtered(
            &app,
            "establishments",
            &[
                ("filter", "departement = '06'"),
                ("sortby", "-bandwidth_down_mbps,+name"),
            ],
        )
        .await;
        let speeds: Vec<f64> = got["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| prop(f, "bandwidth_down_mbps").as_f64())
            .collect();
        assert!(speeds.windows(2).all(|w| w[0] >= w[1]), "{speeds:?}");
        // Paging over a filter: numberMatched is the filter's, pages are disjoint.
        let whole = filtered(
            &app,
            "establishments",
            &[("filter", "departement = '06'"), ("sortby", "name")],
        )
        .await;
        let mut url = url::Url::parse(&format!("{}/api/collections/establishments/items", app.base())).unwrap();
        url.query_pairs_mut()
            .append_pair("filter", "departement = '06'")
            .append_pair("sortby", "name")
            .append_pair("limit", "5")
            .append_pair("offset", "5");
        let second: Value = app.client.get(url).send().await.unwrap().json().await.unwrap();
        assert_eq!(second["numberMatched"], whole["numberMatched"]);
        assert_eq!(second["features"][0]["id"], whole["features"][5]["id"]);
        app.stop().await;
    }
}

#[tokio::test]
async fn queryables_list_what_filters_accept_and_bad_filters_are_named() {
    let app = TestApp::with_demo(repere_tests::Backend::Sqlite).await;
    let (status, ctype, q) = app.get("/api/collections/establishments/queryables").await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("application/schema+json"), "{ctype}");
    assert_eq!(q["properties"]["bandwidth_down_mbps"]["type"], "number");
    assert_eq!(q["properties"]["departement"]["type"], "string");
    assert!(q["properties"]["geometry"].is_object());
    let (_, _, links) = app.get("/api/collections/links/queryables").await;
    assert!(
        links["properties"].get("note").is_none(),
        "visitors cannot filter on the unreviewed notes"
    );
    let (_, _, conformance) = app.get("/api/conformance").await;
    assert!(
        conformance["conformsTo"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter")
    );
    for (query, param) in [
        ("filter=couleur%20%3D%20'rouge'", "filter"),
        ("filter=(departement%20%3D%20'06'", "filter"),
        ("filter=x&filter-lang=sql", "filter-lang"),
        ("filter=departement%3D'06'&filter-crs=EPSG:2154", "filter-crs"),
        ("sortby=geometry", "sortby"),
        ("sortby=inconnu", "sortby"),
        ("filter=", "filter"),
    ] {
        let (status, ctype, body) = app.get(&format!("/api/collections/establishments/items?{query}")).await;
        assert_problem(status, &ctype, &body, 400, Some(param), query);
    }
    app.stop().await;
}
