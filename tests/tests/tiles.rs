//! Vector tiles decoded by the tests' own MVT decoder: counts add up at every zoom, every practice
//! appears in exactly one tile once unclustered, filters apply as on the items, a write changes the
//! tile and its ETag, and bad requests get problem+json. On SQLite and PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};

use repere_tests::mvt::{PointFeature, decode, tile_of};
use repere_tests::{Backend, Browser, TestApp, assert_problem, backends};
use serde_json::{Value, json};

const PASSWORD: &str = "une phrase de passe longue";
/// `repere_core::tiles::CLUSTER_MAX_ZOOM`, restated: from this zoom on, no clusters.
const UNCLUSTERED: u32 = 15;

struct Fetched {
    status: u16,
    etag: Option<String>,
    ctype: String,
    body: Vec<u8>,
}

async fn fetch(app: &TestApp, path: &str, if_none_match: Option<&str>) -> Fetched {
    let mut req = app.client.get(format!("{}{path}", app.base()));
    if let Some(tag) = if_none_match {
        req = req.header("if-none-match", tag);
    }
    let resp = req.send().await.unwrap();
    let header = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (etag, ctype) = (header("etag"), header("content-type").unwrap_or_default());
    Fetched {
        status: resp.status().as_u16(),
        etag,
        ctype,
        body: resp.bytes().await.unwrap().to_vec(),
    }
}

/// The features of one tile of `layer` (asserting a 200 MVT with that single layer).
async fn features(app: &TestApp, layer: &str, (z, x, y): (u32, u32, u32), query: &str) -> Vec<PointFeature> {
    let f = fetch(app, &format!("/api/tiles/{layer}/{z}/{x}/{y}.mvt{query}"), None).await;
    assert_eq!(f.status, 200, "{}", String::from_utf8_lossy(&f.body));
    assert_eq!(f.ctype, "application/vnd.mapbox-vector-tile");
    let layers = decode(&f.body);
    match layers.as_slice() {
        [] => Vec::new(),
        [l] => {
            assert_eq!((l.name.as_str(), l.extent), (layer, 4096));
            l.features.clone()
        }
        more => panic!("one layer expected, got {}", more.len()),
    }
}

/// Walks the tile pyramid from 0/0/0 down to `to`, visiting only tiles that hold something, and
/// returns, per zoom, the sum of the weights and the features of every visited tile.
async fn walk(app: &TestApp, layer: &str, query: &str, to: u32) -> Vec<(u64, Vec<PointFeature>)> {
    let mut out = Vec::new();
    let mut level = vec![(0u32, 0u32)];
    for z in 0..=to {
        let mut sum = 0;
        let mut all = Vec::new();
        let mut next = Vec::new();
        for &(x, y) in &level {
            let fs = features(app, layer, (z, x, y), query).await;
            if fs.is_empty() {
                continue;
            }
            sum += fs.iter().map(PointFeature::weight).sum::<u64>();
            for f in &fs {
                assert!(
                    (0..=4096).contains(&f.x) && (0..=4096).contains(&f.y),
                    "{z}/{x}/{y}: {f:?}"
                );
                if f.is_cluster() {
                    // Exact as a JavaScript number, as MapLibre reads it.
                    assert!(f.props["cluster_id"].as_u64().unwrap() < 1 << 53, "{f:?}");
                    let zoom = f.props["expansion_zoom"].as_u64().unwrap();
                    assert!(zoom > u64::from(z) && zoom <= u64::from(UNCLUSTERED), "{f:?}");
                    assert!(f.weight() >= 2);
                }
            }
            all.extend(fs);
            next.extend([
                (2 * x, 2 * y),
                (2 * x + 1, 2 * y),
                (2 * x, 2 * y + 1),
                (2 * x + 1, 2 * y + 1),
            ]);
        }
        out.push((sum, all));
        level = next;
    }
    out
}

fn lonlat(f: &Value) -> Option<(f64, f64)> {
    let c = f["geometry"]["coordinates"].as_array()?;
    Some((c[0].as_f64()?, c[1].as_f64()?))
}

#[tokio::test]
async fn counts_add_up_at_every_zoom_and_each_practice_is_in_exactly_one_tile() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let located: BTreeMap<u64, (f64, f64)> = app
            .all_features("/api/collections/practices/items?limit=1000")
            .await
            .iter()
            .filter_map(|f| Some((f["id"].as_u64()?, lonlat(f)?)))
            .collect();
        assert!(located.len() > 200);
        let levels = walk(&app, "practices", "", UNCLUSTERED).await;
        for (z, (sum, _)) in levels.iter().enumerate() {
            assert_eq!(*sum, located.len() as u64, "{backend:?}: zoom {z}");
        }
        // Unclustered: every located public practice exactly once, where it is.
        let (_, last) = &levels[UNCLUSTERED as usize];
        let mut seen: BTreeMap<u64, usize> = BTreeMap::new();
        for f in last {
            assert!(!f.is_cluster());
            let id = f.props["id"].as_u64().unwrap();
            assert_eq!(f.id, Some(id));
            *seen.entry(id).or_default() += 1;
        }
        assert_eq!(
            seen.keys().copied().collect::<BTreeSet<_>>(),
            located.keys().copied().collect()
        );
        assert!(seen.values().all(|&n| n == 1), "{backend:?}: a practice in two tiles");

        // The features of a bbox: each practice the items of that bbox list is in exactly one of
        // the tiles covering it, at the position the API gives (to the tile's resolution).
        let (w, s, e, n) = (7.0, 43.55, 7.35, 43.8);
        let z = UNCLUSTERED;
        let (x0, y0) = tile_of(w, n, z);
        let (x1, y1) = tile_of(e, s, z);
        let mut in_tiles: BTreeMap<u64, usize> = BTreeMap::new();
        for x in x0..=x1 {
            for y in y0..=y1 {
                for f in features(&app, "practices", (z, x, y), "").await {
                    let id = f.props["id"].as_u64().unwrap();
                    let (lon, lat) = located[&id];
                    let scale = f64::from(1u32 << z) * 4096.0;
                    let fx = (lon + 180.0) / 360.0 * scale - f64::from(x) * 4096.0;
                    let r = lat.to_radians();
                    let my = (1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0;
                    let fy = my * scale - f64::from(y) * 4096.0;
                    assert!((fx - f.x as f64).abs() <= 1.0, "x of {id}");
                    assert!((fy - f.y as f64).abs() <= 1.0, "y of {id}");
                    *in_tiles.entry(id).or_default() += 1;
                }
            }
        }
        let listed = app
            .all_features(&format!(
                "/api/collections/practices/items?bbox={w},{s},{e},{n}&limit=1000"
            ))
            .await;
        assert!(listed.len() > 20);
        for f in &listed {
            assert_eq!(in_tiles.get(&f["id"].as_u64().unwrap()), Some(&1), "{f}");
        }
    }
}

#[tokio::test]
async fn filters_apply_to_tiles_as_to_items() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        for (layer, query) in [
            ("practices", "discipline=Technologie"),
            ("practices", "departement=83&school_year=2025-2026"),
            ("practices", "tool=scratch"),
            ("establishments", "bandwidth_class=lt8"),
            ("establishments", "departement=06&kind=college"),
            ("sites", "kind=fab_ecole"),
            ("establishments", ""),
        ] {
            let located = app
                .all_features(&format!("/api/collections/{layer}/items?limit=1000&{query}"))
                .await
                .iter()
                .filter(|f| !f["geometry"].is_null())
                .count() as u64;
            assert!(located > 0, "{layer}?{query}");
            let q = if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            };
            for z in [0, 6, 9] {
                // Every tile at zoom z that holds something, found from the level above.
                let levels = walk(&app, layer, &q, z).await;
                assert_eq!(levels[z as usize].0, located, "{backend:?} {layer}?{query} at zoom {z}");
            }
        }
    }
}

#[tokio::test]
async fn a_write_changes_the_tile_and_its_etag() {
    for backend in backends() {
        let users = [("prof@ac-nice.fr", "contributor"), ("cardie@ac-nice.fr", "moderator")];
        let app = TestApp::with_demo_and_users(backend, &users, PASSWORD).await;
        let (lon, lat) = (6.7123, 43.8456);
        let (x, y) = tile_of(lon, lat, 10);
        let path = format!("/api/tiles/practices/10/{x}/{y}.mvt");
        let before = fetch(&app, &path, None).await;
        let etag = before.etag.clone().expect("an ETag");
        assert_eq!(
            fetch(&app, &path, Some(&etag)).await.status,
            304,
            "unchanged tile revalidates"
        );
        let weight = |b: &[u8]| {
            decode(b)
                .iter()
                .flat_map(|l| l.features.iter().map(PointFeature::weight))
                .sum::<u64>()
        };
        let count_before = weight(&before.body);

        let mut prof = Browser::signed_in(&app, "prof@ac-nice.fr", PASSWORD).await;
        let r = prof
            .post(
                "/api/practices",
                json!({
                    "title": "Cartographier les sentiers", "summary": "Relevés GPS et carte partagée.",
                    "disciplines": ["Géographie"], "levels": ["4e"], "tools": ["uMap"],
                    "school_year": "2025-2026", "uai": "0060842H", "contact_consent": true,
                    "position": { "lon": lon, "lat": lat },
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.body["id"].as_i64().unwrap();
        // A draft is not public: the tile does not change.
        assert_eq!(fetch(&app, &path, Some(&etag)).await.status, 304);
        assert_eq!(prof.act(id, "submit").await, 200);
        let mut cardie = Browser::signed_in(&app, "cardie@ac-nice.fr", PASSWORD).await;
        assert_eq!(cardie.decide(id, "publish", json!({})).await.status, 200);

        let after = fetch(&app, &path, Some(&etag)).await;
        assert_eq!(after.status, 200, "{backend:?}: the old ETag no longer matches");
        assert_ne!(after.etag.as_deref(), Some(etag.as_str()));
        assert_eq!(weight(&after.body), count_before + 1);
        // A filter that excludes it leaves its count out.
        let (fx, fy) = tile_of(lon, lat, UNCLUSTERED);
        let own = features(&app, "practices", (UNCLUSTERED, fx, fy), "").await;
        assert!(own.iter().any(|f| f.props["id"] == json!(id)));
        let other = features(&app, "practices", (UNCLUSTERED, fx, fy), "?tool=Scratch").await;
        assert!(!other.iter().any(|f| f.props["id"] == json!(id)));
    }
}

#[tokio::test]
async fn bad_tile_requests_get_problem_details() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    for (path, status, param) in [
        ("/api/tiles/practices/23/0/0.mvt", 400, Some("z")),
        ("/api/tiles/practices/3/8/0.mvt", 400, Some("x")),
        ("/api/tiles/practices/3/0/8.mvt", 400, Some("y")),
        ("/api/tiles/practices/a/0/0.mvt", 400, Some("z")),
        ("/api/tiles/practices/1/-1/0.mvt", 400, Some("x")),
        ("/api/tiles/practices/1/0/1.5", 400, Some("y")),
        ("/api/tiles/practices/1/0/0.mvt?bbox=1,2,3,4", 400, Some("bbox")),
        ("/api/tiles/practices/1/0/0.mvt?limit=3", 400, Some("limit")),
        ("/api/tiles/practices/1/0/0.mvt?colour=red", 400, Some("colour")),
        (
            "/api/tiles/practices/1/0/0.mvt?school_year=2025",
            400,
            Some("school_year"),
        ),
        (
            "/api/tiles/establishments/1/0/0.mvt?bandwidth_class=fast",
            400,
            Some("bandwidth_class"),
        ),
        ("/api/tiles/links/1/0/0.mvt", 404, None),
        ("/api/tiles/nope/1/0/0.mvt", 404, None),
        ("/api/tiles/nope", 404, None),
        ("/api/tiles/practices?level=6e&level=5e", 400, Some("level")),
    ] {
        let (s, ctype, body) = app.get(path).await;
        assert_problem(s, &ctype, &body, status, param, path);
    }
}

#[tokio::test]
async fn tilejson_describes_each_layer_and_carries_the_filters() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let (status, _, list) = app.get("/api/tiles").await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = list["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    assert_eq!(ids, ["practices", "establishments", "sites"]);
    let (status, _, tj) = app.get("/api/tiles/practices?discipline=SVT").await;
    assert_eq!(status, 200, "{tj}");
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(tj["vector_layers"][0]["id"], "practices");
    let template = tj["tiles"][0].as_str().unwrap();
    assert_eq!(
        template,
        format!(
            "{}/api/tiles/practices/{{z}}/{{x}}/{{y}}.mvt?discipline=SVT",
            app.base()
        )
    );
    // The template works as a client would use it.
    let url = template.replace("{z}", "0").replace("{x}", "0").replace("{y}", "0");
    let (_, _, items) = app.get("/api/collections/practices/items?discipline=SVT&limit=1").await;
    let bytes = app.client.get(url).send().await.unwrap().bytes().await.unwrap();
    let total: u64 = decode(&bytes)
        .iter()
        .flat_map(|l| l.features.iter().map(PointFeature::weight))
        .sum();
    assert_eq!(total, items["numberMatched"].as_u64().unwrap());
    let bounds = tj["bounds"].as_array().unwrap();
    assert!(
        bounds[0].as_f64().unwrap() > 5.0 && bounds[2].as_f64().unwrap() < 8.0,
        "{tj}"
    );
}
