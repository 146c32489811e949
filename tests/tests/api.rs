//! OGC API – Features behaviour over the demo dataset, on every backend: paging, bbox and property
//! filters checked against a brute-force count made by the client, nearby ranking, visibility.

use std::collections::HashSet;

use repere_tests::{Backend, TestApp, backends, haversine_m, next_link};
use serde_json::Value;

fn ids(features: &[Value]) -> Vec<String> {
    features.iter().map(|f| f["id"].to_string()).collect()
}

fn lonlat(f: &Value) -> Option<(f64, f64)> {
    let c = f["geometry"]["coordinates"].as_array()?;
    Some((c[0].as_f64()?, c[1].as_f64()?))
}

fn fold(s: &str) -> String {
    // Independent of the server's folding: enough for the accents the demo uses.
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'à' | 'â' => 'a',
            'î' | 'ï' => 'i',
            'ô' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c => c,
        })
        .collect()
}

fn list_has(f: &Value, prop: &str, wanted: &str) -> bool {
    f["properties"][prop]
        .as_array()
        .is_some_and(|a| a.iter().any(|v| v.as_str().is_some_and(|s| fold(s) == fold(wanted))))
}

#[tokio::test]
async fn paging_gives_exactly_number_matched_distinct_features() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        for collection in ["practices", "establishments", "sites", "links"] {
            let (status, ctype, first) = app.get(&format!("/api/collections/{collection}/items?limit=37")).await;
            assert_eq!(status, 200, "{backend:?} {collection}");
            assert!(ctype.starts_with("application/geo+json"), "{ctype}");
            let matched = first["numberMatched"].as_u64().unwrap() as usize;
            assert!(matched > 0, "{collection} is empty in the demo");
            let mut seen = HashSet::new();
            let mut url = format!("{}/api/collections/{collection}/items?limit=37", app.base());
            let mut pages = 0;
            loop {
                let (_, _, page) = app.get_url(&url).await;
                let features = page["features"].as_array().unwrap();
                assert_eq!(page["numberReturned"].as_u64().unwrap() as usize, features.len());
                assert_eq!(page["numberMatched"].as_u64().unwrap() as usize, matched);
                let has_prev = page["links"].as_array().unwrap().iter().any(|l| l["rel"] == "prev");
                assert_eq!(has_prev, pages > 0, "prev link only after the first page");
                for id in ids(features) {
                    assert!(seen.insert(id.clone()), "{collection}: feature {id} served twice");
                }
                pages += 1;
                match next_link(&page) {
                    Some(next) => url = next,
                    None => break,
                }
            }
            assert_eq!(
                seen.len(),
                matched,
                "{backend:?} {collection}: distinct features vs numberMatched"
            );
            assert_eq!(pages, matched.div_ceil(37));
        }
    }
}

#[tokio::test]
async fn bbox_and_filters_agree_with_a_brute_force_count() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let all = app.all_features("/api/collections/practices/items?limit=10000").await;
        assert!(
            all.len() >= 250,
            "demo has at least 250 published practices, got {}",
            all.len()
        );
        let bboxes = [
            [6.9, 43.5, 7.3, 43.8],
            [5.5, 42.9, 6.2, 43.3],
            [7.0, 43.0, 7.01, 43.01],
            [-10.0, 40.0, 10.0, 50.0],
        ];
        let check = |query: String, expected: Vec<String>| {
            let app = &app;
            async move {
                let got = app
                    .all_features(&format!("/api/collections/practices/items?limit=53&{query}"))
                    .await;
                let (_, _, first) = app
                    .get(&format!("/api/collections/practices/items?limit=1&{query}"))
                    .await;
                let mut got = ids(&got);
                got.sort();
                let mut expected = expected;
                expected.sort();
                assert_eq!(
                    first["numberMatched"].as_u64().unwrap() as usize,
                    expected.len(),
                    "{backend:?} {query}"
                );
                assert_eq!(got, expected, "{backend:?} {query}");
            }
        };
        for b in bboxes {
            let inside = |f: &&Value| lonlat(f).is_some_and(|(x, y)| x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3]);
            let q = format!("bbox={},{},{},{}", b[0], b[1], b[2], b[3]);
            check(q.clone(), ids(&all.iter().filter(inside).cloned().collect::<Vec<_>>())).await;
            let with_tech = all
                .iter()
                .filter(inside)
                .filter(|f| list_has(f, "disciplines", "Technologie"))
                .cloned()
                .collect::<Vec<_>>();
            check(format!("{q}&discipline=technologie"), ids(&with_tech)).await;
        }
        let prop = |name: &'static str, value: &'static str| {
            ids(&all
                .iter()
                .filter(|f| f["properties"][name].as_str() == Some(value))
                .cloned()
                .collect::<Vec<_>>())
        };
        check("departement=06".into(), prop("departement", "06")).await;
        check("departement=083".into(), prop("departement", "83")).await;
        check("school_year=2025-2026".into(), prop("school_year", "2025-2026")).await;
        check("kind=college".into(), prop("establishment_kind", "college")).await;
        check("status=published".into(), ids(&all)).await;
        for (param, prop_name, value) in [
            ("tool", "tools", "Scratch"),
            ("level", "levels", "6e"),
            ("theme", "themes", "Robotique"),
        ] {
            let expected = ids(&all
                .iter()
                .filter(|f| list_has(f, prop_name, value))
                .cloned()
                .collect::<Vec<_>>());
            assert!(!expected.is_empty(), "demo has {value}");
            check(format!("{param}={value}"), expected).await;
        }
        // Text search: every hit mentions the term somewhere searchable, and every practice whose
        // title or tools mention it is a hit.
        let hits = app.all_features("/api/collections/practices/items?q=THYMIO").await;
        let hit_ids: HashSet<String> = ids(&hits).into_iter().collect();
        for f in &all {
            let p = &f["properties"];
            let text = fold(&format!(
                "{} {} {} {}",
                p["title"], p["summary"], p["tools"], p["themes"]
            ));
            if fold(p["title"].as_str().unwrap()).contains("thymio") || list_has(f, "tools", "Thymio") {
                assert!(
                    hit_ids.contains(&f["id"].to_string()),
                    "{} should match q=thymio",
                    f["id"]
                );
            }
            if hit_ids.contains(&f["id"].to_string()) {
                assert!(text.contains("thymio") || fold(&p.to_string()).contains("thymio"));
            }
        }
        // datetime on publication instant.
        let in_year = all
            .iter()
            .filter(|f| {
                let t = f["properties"]["published_at"].as_str().unwrap();
                ("2025-09-01T00:00:00Z"..="2026-08-31T23:59:59Z").contains(&t)
            })
            .cloned()
            .collect::<Vec<_>>();
        check("datetime=2025-09-01/2026-08-31".into(), ids(&in_year)).await;
        let before = all
            .iter()
            .filter(|f| f["properties"]["published_at"].as_str().unwrap() <= "2024-01-01T00:00:00Z")
            .cloned()
            .collect::<Vec<_>>();
        check("datetime=../2024-01-01T00:00:00Z".into(), ids(&before)).await;
    }
}

#[tokio::test]
async fn other_collections_filter_like_a_brute_force_count() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let est = app
            .all_features(
                "/api/collections/establishments?limit=10000"
                    .replace("establishments?", "establishments/items?")
                    .as_str(),
            )
            .await;
        assert!(
            est.iter().any(|f| f["geometry"].is_null()),
            "some establishments have no position and are still listed"
        );
        for (query, pred) in [
            (
                "departement=83&kind=lycee",
                Box::new(|f: &Value| f["properties"]["departement"] == "83" && f["properties"]["kind"] == "lycee")
                    as Box<dyn Fn(&Value) -> bool>,
            ),
            (
                "bbox=7.2,43.65,7.35,43.75",
                Box::new(|f: &Value| {
                    lonlat(f).is_some_and(|(x, y)| (7.2..=7.35).contains(&x) && (43.65..=43.75).contains(&y))
                }),
            ),
            (
                "bandwidth_class=lt8",
                Box::new(|f: &Value| f["properties"]["bandwidth_down_mbps"].as_f64().is_some_and(|d| d < 8.0)),
            ),
            (
                "bandwidth_class=unknown",
                Box::new(|f: &Value| f["properties"]["bandwidth_down_mbps"].is_null()),
            ),
        ] {
            let (_, _, page) = app
                .get(&format!("/api/collections/establishments/items?limit=1&{query}"))
                .await;
            let expected = est.iter().filter(|f| pred(f)).count();
            assert!(expected > 0, "{query}");
            assert_eq!(
                page["numberMatched"].as_u64().unwrap() as usize,
                expected,
                "{backend:?} {query}"
            );
        }
        let (_, _, fab) = app.get("/api/collections/sites/items?kind=fab_ecole&status=open").await;
        let names: Vec<&str> = fab["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(fab["numberMatched"], 2, "{names:?}");
        assert!(
            names.iter().any(|n| n.contains("Pierre Bertone")) && names.iter().any(|n| n.contains("Maurice Genevoix"))
        );

        // Links: LineStrings between the two practices; bbox finds every link with an end inside.
        let links = app.all_features("/api/collections/links/items?limit=10000").await;
        let practices = app.all_features("/api/collections/practices/items?limit=10000").await;
        let published: HashSet<String> = ids(&practices).into_iter().collect();
        for l in &links {
            assert_eq!(l["geometry"]["type"], "LineString");
            assert!(published.contains(&l["properties"]["from_practice"].to_string()));
            assert!(published.contains(&l["properties"]["to_practice"].to_string()));
        }
        let b = [6.9, 43.5, 7.3, 43.8];
        let (_, _, in_box) = app
            .get(&format!(
                "/api/collections/links/items?limit=10000&bbox={},{},{},{}",
                b[0], b[1], b[2], b[3]
            ))
            .await;
        let got: HashSet<String> = ids(in_box["features"].as_array().unwrap()).into_iter().collect();
        for l in &links {
            let c = l["geometry"]["coordinates"].as_array().unwrap();
            let pts: Vec<(f64, f64)> = c
                .iter()
                .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                .collect();
            let inside = |(x, y): (f64, f64)| x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3];
            let env_disjoint = pts.iter().all(|p| p.0 < b[0])
                || pts.iter().all(|p| p.0 > b[2])
                || pts.iter().all(|p| p.1 < b[1])
                || pts.iter().all(|p| p.1 > b[3]);
            if pts.iter().any(|p| inside(*p)) {
                assert!(
                    got.contains(&l["id"].to_string()),
                    "link {} has an end in the box",
                    l["id"]
                );
            }
            if env_disjoint {
                assert!(
                    !got.contains(&l["id"].to_string()),
                    "link {} is far from the box",
                    l["id"]
                );
            }
        }
        let kind = "same_tool";
        let (_, _, by_kind) = app
            .get(&format!("/api/collections/links/items?kind={kind}&limit=1"))
            .await;
        assert_eq!(
            by_kind["numberMatched"].as_u64().unwrap() as usize,
            links.iter().filter(|l| l["properties"]["kind"] == kind).count()
        );
    }
}

#[tokio::test]
async fn only_published_practices_are_served() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let store = repere_store::Store::connect(&app.database_url).await.unwrap();
        let stored = repere_store::practices::load_all(&store).await.unwrap();
        let published = stored.iter().filter(|p| p.is_public()).count();
        assert!(published < stored.len(), "the demo has unpublished practices");
        let (_, _, page) = app.get("/api/collections/practices/items?limit=1").await;
        assert_eq!(
            page["numberMatched"].as_u64().unwrap() as usize,
            published,
            "{backend:?}"
        );
        let (_, _, drafts) = app.get("/api/collections/practices/items?status=draft").await;
        assert_eq!(drafts["numberMatched"], 0);
        let hidden = stored.iter().find(|p| !p.is_public()).unwrap();
        let (status, ctype, body) = app
            .get(&format!("/api/collections/practices/items/{}", hidden.id))
            .await;
        repere_tests::assert_problem(status, &ctype, &body, 404, None, "unpublished practice");
        let shown = stored.iter().find(|p| p.is_public()).unwrap();
        let (status, ctype, body) = app.get(&format!("/api/collections/practices/items/{}", shown.id)).await;
        assert_eq!(status, 200);
        assert!(ctype.starts_with("application/geo+json"));
        assert_eq!(body["properties"]["title"], &*shown.title);
        assert!(
            body["links"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["rel"] == "collection")
        );
        let (status, _, est) = app.get("/api/collections/establishments/items/0060842H").await;
        assert_eq!(status, 200);
        assert_eq!(est["properties"]["name"], "Collège Pierre Bertone");
        assert!(est["properties"]["bandwidth_history"].is_array());
        store.close().await;
    }
}

#[tokio::test]
async fn nearby_ranks_by_haversine_distance() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let all = app.all_features("/api/collections/practices/items?limit=10000").await;
        for (lon, lat) in [(7.26, 43.70), (5.93, 43.12), (6.5, 43.5), (7.6, 44.1), (2.35, 48.85)] {
            let (status, ctype, body) = app.get(&format!("/api/nearby?lon={lon}&lat={lat}&k=15")).await;
            assert_eq!(status, 200, "{body}");
            assert!(ctype.starts_with("application/geo+json"));
            let features = body["features"].as_array().unwrap();
            assert_eq!(features.len(), 15);
            let mut last = 0.0;
            for f in features {
                let d = f["properties"]["distance_m"].as_f64().unwrap();
                let (x, y) = lonlat(f).unwrap();
                assert!(
                    (d - haversine_m(lon, lat, x, y)).abs() < 1.0,
                    "{backend:?} distance_m {d} vs independent Haversine"
                );
                assert!(d >= last, "sorted by distance");
                last = d;
            }
            // The same k nearest as an exhaustive ranking made by the client.
            let mut brute: Vec<f64> = all
                .iter()
                .filter_map(lonlat)
                .map(|(x, y)| haversine_m(lon, lat, x, y))
                .collect();
            brute.sort_by(f64::total_cmp);
            for (f, want) in features.iter().zip(&brute) {
                assert!((f["properties"]["distance_m"].as_f64().unwrap() - want).abs() < 1.0);
            }
            let radius = 5_000.0;
            let (_, _, near) = app
                .get(&format!("/api/nearby?lon={lon}&lat={lat}&k=1000&radius_m={radius}"))
                .await;
            let within = brute.iter().filter(|d| **d <= radius).count();
            assert_eq!(
                near["features"].as_array().unwrap().len(),
                within,
                "{backend:?} radius count at {lon},{lat}"
            );
        }
        let (_, _, fab) = app.get("/api/nearby?lon=7.1&lat=43.59&k=1&collection=sites").await;
        assert!(
            fab["features"][0]["properties"]["name"]
                .as_str()
                .unwrap()
                .contains("Pierre Bertone")
        );
        let (_, _, filtered) = app.get("/api/nearby?lon=7.26&lat=43.7&k=5&discipline=SVT").await;
        for f in filtered["features"].as_array().unwrap() {
            assert!(list_has(f, "disciplines", "SVT"));
        }
    }
}

#[tokio::test]
async fn landing_conformance_collections_and_openapi_describe_the_service() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let (status, _, landing) = app.get("/api").await;
    assert_eq!(status, 200);
    assert_eq!(landing["demo"], true, "the API says it serves demo data");
    assert!(landing["description"].as_str().unwrap().contains("démonstration"));
    let rels: Vec<&str> = landing["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    for rel in ["self", "service-desc", "service-doc", "conformance", "data"] {
        assert!(rels.contains(&rel), "{rel}");
    }
    let (_, _, conf) = app.get("/api/conformance").await;
    let classes = conf["conformsTo"].as_array().unwrap();
    for c in ["core", "geojson", "oas30"] {
        assert!(
            classes
                .iter()
                .any(|x| x.as_str().unwrap().ends_with(&format!("/conf/{c}"))),
            "{c}"
        );
    }
    let (_, _, cols) = app.get("/api/collections").await;
    let listed: Vec<&str> = cols["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["practices", "establishments", "sites", "links"]);
    let (_, _, one) = app.get("/api/collections/practices").await;
    let bbox = one["extent"]["spatial"]["bbox"][0].as_array().unwrap();
    assert!(
        bbox[0].as_f64().unwrap() > 5.0 && bbox[2].as_f64().unwrap() < 8.0,
        "extent covers 06 and 83: {bbox:?}"
    );
    let (status, _, doc) = app.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.0"));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api",
        "/api/conformance",
        "/api/collections",
        "/api/nearby",
        "/api/openapi.json",
        "/api/docs",
        "/api/config",
        "/api/auth/session",
        "/api/auth/login",
        "/api/auth/logout",
        "/api/practices",
        "/api/practices/mine",
        "/api/practices/facets",
        "/api/places",
        "/api/places/communes",
        "/api/practices/duplicates",
        "/api/practices/{id}",
        "/api/practices/{id}/audit",
        "/api/practices/{id}/{action}",
        "/api/moderation/inbox",
        "/api/moderation/decisions",
        "/api/practices/{id}/messages",
        "/api/messages",
        "/api/messages/{id}/reply",
        "/api/visits",
        "/api/visits.csv",
        "/api/links",
        "/api/links/{id}",
        "/api/networks",
        "/api/networks/growth",
        "/api/practices/{id}/neighbourhood",
        "/api/practices/{id}/suggestions",
        "/api/tiles",
        "/api/tiles/practices",
        "/api/tiles/practices/{z}/{x}/{y}",
        "/api/tiles/establishments/{z}/{x}/{y}",
        "/api/tiles/sites/{z}/{x}/{y}",
        "/api/indicators/summary",
        "/api/indicators/target",
        "/api/indicators/target.csv",
        "/api/indicators/bandwidth",
        "/api/indicators/bandwidth.csv",
    ] {
        assert!(paths.contains_key(p), "{p} documented");
    }
    for c in listed {
        for p in [
            format!("/api/collections/{c}"),
            format!("/api/collections/{c}/items"),
            format!("/api/collections/{c}/items/{{featureId}}"),
        ] {
            assert!(paths.contains_key(&p), "{p} documented");
        }
    }
    // Every filter a collection accepts is documented on its items route.
    let items = &paths["/api/collections/practices/items"]["get"]["parameters"];
    let names: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for n in [
        "bbox",
        "limit",
        "offset",
        "datetime",
        "q",
        "departement",
        "discipline",
        "level",
        "tool",
        "school_year",
        "kind",
        "status",
    ] {
        assert!(names.contains(&n), "{n}");
    }
    let (status, _, config) = app.get("/api/config").await;
    assert_eq!(status, 200);
    assert_eq!(config["demo"], true);
    assert!(config["basemap_style_url"].is_null(), "offline basemap by default");
    let resp = app.client.get(format!("{}/api/docs", app.base())).send().await.unwrap();
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}
