//! What keeps the map quick on a slow line, on every backend: compressed responses when the client
//! accepts them (plain ones otherwise), entity tags with `304` answers that carry no body, and the facet
//! counts the filter panel shows (each facet counted under the other filters), checked against a
//! brute-force count over every published practice.

use std::collections::BTreeMap;

use repere_tests::{Browser, TestApp, assert_problem, backends};
use serde_json::Value;

fn values(f: &Value, prop: &str) -> Vec<String> {
    match &f["properties"][prop] {
        Value::Array(a) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Value::String(s) => vec![s.clone()],
        _ => vec![],
    }
}

/// Counts of each value of `prop` among `features` passing `keep`.
fn brute(features: &[Value], prop: &str, keep: impl Fn(&Value) -> bool) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for f in features.iter().filter(|f| keep(f)) {
        let mut vs = values(f, prop);
        vs.sort();
        vs.dedup();
        for v in vs {
            *out.entry(v).or_default() += 1;
        }
    }
    out
}

fn served(body: &Value, facet: &str) -> BTreeMap<String, u64> {
    body["facets"][facet]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["value"].as_str().unwrap().to_string(), v["count"].as_u64().unwrap()))
        .collect()
}

#[tokio::test]
async fn facets_count_each_value_under_the_other_filters() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let all = app.all_features("/api/collections/practices/items?limit=1000").await;
        let has = |f: &Value, prop: &str, v: &str| values(f, prop).iter().any(|x| x == v);
        let (status, _, body) = app
            .get("/api/practices/facets?discipline=Technologie&departement=06")
            .await;
        assert_eq!(status, 200, "{backend:?}: {body}");
        let tech = |f: &Value| has(f, "disciplines", "Technologie");
        let alpes = |f: &Value| has(f, "departement", "06");
        assert_eq!(
            body["numberMatched"].as_u64().unwrap() as usize,
            all.iter().filter(|f| tech(f) && alpes(f)).count()
        );
        // Another facet: counted under both filters; the facet itself: under the other filter only.
        assert_eq!(served(&body, "tool"), brute(&all, "tools", |f| tech(f) && alpes(f)));
        assert_eq!(served(&body, "level"), brute(&all, "levels", |f| tech(f) && alpes(f)));
        assert_eq!(served(&body, "discipline"), brute(&all, "disciplines", alpes));
        assert_eq!(served(&body, "departement"), brute(&all, "departement", tech));
        // Narrowing is real: fewer tools than over the whole catalogue.
        let (_, _, everything) = app.get("/api/practices/facets").await;
        assert_eq!(everything["numberMatched"].as_u64().unwrap() as usize, all.len());
        assert!(served(&body, "tool").len() < served(&everything, "tool").len());
        assert_eq!(served(&everything, "school_year"), brute(&all, "school_year", |_| true));

        for (path, param) in [
            ("/api/practices/facets?color=red", "color"),
            ("/api/practices/facets?school_year=2025", "school_year"),
            ("/api/practices/facets?bbox=1,2,3", "bbox"),
        ] {
            let (status, ctype, body) = app.get(path).await;
            assert_problem(status, &ctype, &body, 400, Some(param), path);
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn responses_are_compressed_tagged_and_revalidated() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let client = reqwest::Client::new();
        let url = format!("{}/api/collections/practices/items?limit=50", app.base());
        let get = |encoding: &'static str, tag: Option<String>| {
            let mut r = client.get(&url).header("accept-encoding", encoding);
            if let Some(t) = tag {
                r = r.header("if-none-match", t);
            }
            r.send()
        };
        let plain = get("identity", None).await.unwrap();
        assert_eq!(plain.status(), 200);
        assert!(
            plain.headers().get("content-encoding").is_none(),
            "identity gets a plain body"
        );
        assert_eq!(plain.headers()["cache-control"], "private, no-cache");
        let tag = plain.headers()["etag"].to_str().unwrap().to_string();
        let plain_len = plain.bytes().await.unwrap().len();
        serde_json::from_slice::<Value>(&get("identity", None).await.unwrap().bytes().await.unwrap()).unwrap();

        for encoding in ["br", "gzip"] {
            let r = get(encoding, None).await.unwrap();
            assert_eq!(r.headers()["content-encoding"], encoding, "{backend:?}");
            let n = r.bytes().await.unwrap().len();
            assert!(n * 3 < plain_len, "{encoding}: {n} bytes for {plain_len} plain");
        }
        // The same body, whatever its encoding, answers 304 to its tag, without a body.
        for encoding in ["identity", "br"] {
            let r = get(encoding, Some(tag.clone())).await.unwrap();
            assert_eq!(r.status(), 304);
            assert_eq!(r.headers()["etag"], tag.as_str());
            assert!(r.bytes().await.unwrap().is_empty());
        }
        // The items carry the time they were generated, yet the same items keep their tag.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let later = get("identity", Some(tag.clone())).await.unwrap();
        assert_eq!(later.status(), 304, "{backend:?}: a second later, nothing changed");
        // Another answer, another tag.
        let other = client
            .get(format!("{}/api/collections/practices/items?limit=49", app.base()))
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 200);
        assert_ne!(other.headers()["etag"], tag.as_str());
        // Already-compressed images are sent as they are.
        let png = client
            .get(format!(
                "{}/api/maps/static.png?bbox=6.9,43.5,7.3,43.8&width=64&height=64",
                app.base()
            ))
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        if png.status() == 200 {
            assert!(png.headers().get("content-encoding").is_none());
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn sites_of_one_establishment_and_the_network_with_its_segments() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let sites = app.all_features("/api/collections/sites/items?limit=1000").await;
        let host = sites
            .iter()
            .find_map(|s| s["properties"]["uai"].as_str().map(str::to_string))
            .expect("a demo site has a host establishment");
        let (status, _, body) = app.get(&format!("/api/collections/sites/items?uai={host}")).await;
        assert_eq!(status, 200);
        let expected = sites.iter().filter(|s| s["properties"]["uai"] == host.as_str()).count();
        assert_eq!(body["numberMatched"].as_u64().unwrap() as usize, expected);
        let (status, ctype, body) = app.get("/api/collections/sites/items?uai=123").await;
        assert_problem(status, &ctype, &body, 400, Some("uai"), "bad uai");

        let links = app.all_features("/api/collections/links/items?limit=1000").await;
        let from = links[0]["properties"]["from_practice"].as_i64().unwrap();
        let (status, _, n) = app.get(&format!("/api/practices/{from}/neighbourhood?depth=1")).await;
        assert_eq!(status, 200);
        for l in n["links"].as_array().unwrap() {
            let line = l["line"].as_array().expect("a segment to draw");
            assert_eq!(line.len(), 2);
            let link = links.iter().find(|f| f["id"] == l["id"]).unwrap();
            assert_eq!(&link["geometry"]["coordinates"], &l["line"]);
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn places_find_communes_and_schools_despite_accents_order_and_typos() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let establishments = app
            .all_features("/api/collections/establishments/items?limit=1000")
            .await;
        let in_frejus: Vec<&Value> = establishments
            .iter()
            .filter(|e| e["properties"]["commune_name"] == "Fréjus")
            .collect();
        assert!(!in_frejus.is_empty(), "the demo has schools in Fréjus");
        for q in ["frejus", "FRÉJUS", "frjus", "83061"] {
            let (status, _, body) = app.get(&format!("/api/places?q={q}")).await;
            assert_eq!(status, 200, "{q}: {body}");
            let first = &body["places"][0];
            assert_eq!(first["kind"], "commune", "{q}: {body}");
            assert_eq!(first["label"], "Fréjus", "{q}");
            assert_eq!(first["code"], "83061");
            // The commune's extent holds every one of its schools.
            let b: Vec<f64> = first["bbox"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            for e in &in_frejus {
                let c = e["geometry"]["coordinates"].as_array().unwrap();
                let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
                assert!(x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3], "{q}");
            }
        }
        // A school by words in any order, or by its UAI.
        let school = in_frejus[0];
        let name = school["properties"]["name"].as_str().unwrap();
        let uai = school["properties"]["uai"].as_str().unwrap();
        let words: Vec<&str> = name.split_whitespace().rev().collect();
        for q in [format!("frejus {}", words.join(" ")), uai.to_lowercase()] {
            let (_, _, body) = app
                .get(&format!(
                    "/api/places?q={}",
                    url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
                ))
                .await;
            assert!(
                body["places"].as_array().unwrap().iter().any(|p| p["uai"] == uai),
                "{q}: {body}"
            );
        }
        // Codes are typed exactly; nothing found is an empty list, not an error.
        let (_, _, body) = app.get("/api/places?q=83062").await;
        assert!(body["places"].as_array().unwrap().iter().all(|p| p["code"] != "83061"));
        let (status, _, body) = app.get("/api/places?q=zzzzzz").await;
        assert_eq!((status, body["places"].as_array().unwrap().len()), (200, 0));
        let (_, _, body) = app.get("/api/places?q=frejus&kind=establishment").await;
        let found = body["places"].as_array().unwrap();
        assert!(
            !found.is_empty() && found.iter().all(|p| p["kind"] == "establishment"),
            "{body}"
        );
        let (_, _, body) = app.get("/api/places?q=frejus&kind=commune").await;
        assert_eq!(body["places"].as_array().unwrap().len(), 1);
        let (_, _, body) = app.get("/api/places?q=ni&limit=3").await;
        assert_eq!(body["places"].as_array().unwrap().len(), 3);
        for (path, param) in [
            ("/api/places", "q"),
            ("/api/places?q=%20%2C", "q"),
            ("/api/places?q=nice&limit=x", "limit"),
            ("/api/places?q=nice&zoom=3", "zoom"),
            ("/api/places?q=nice&kind=ville", "kind"),
            ("/api/places/communes", "bbox"),
            ("/api/places/communes?bbox=7,43,6", "bbox"),
            ("/api/places/communes?bbox=6,43,7,44&q=nice", "q"),
        ] {
            let (status, ctype, body) = app.get(path).await;
            assert_problem(status, &ctype, &body, 400, Some(param), path);
        }
        // The map's commune names: the communes whose centre is in the view, biggest first.
        let (status, _, body) = app.get("/api/places/communes?bbox=6.68,43.39,6.80,43.48").await;
        assert_eq!(status, 200);
        let names: Vec<&str> = body["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["name"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"Fréjus") && names.contains(&"Saint-Raphaël"),
            "{names:?}"
        );
        assert!(!names.contains(&"Nice"), "{names:?}");
        let frejus = body["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["code"] == "83061")
            .unwrap();
        assert_eq!(frejus["properties"]["establishments"], in_frejus.len());
        let (_, _, body) = app.get("/api/places/communes?bbox=-180,-90,180,90").await;
        let counts: Vec<u64> = body["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["establishments"].as_u64().unwrap())
            .collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "biggest first");
        app.stop().await;
    }
}

#[tokio::test]
async fn practices_export_as_csv_with_the_same_filters_as_the_items() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let items = app
            .all_features("/api/collections/practices/items?departement=83&limit=1000")
            .await;
        let text = Browser::new(&app)
            .csv("/api/collections/practices/items?departement=83&limit=10000&f=csv")
            .await;
        let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), items.len(), "{backend:?}");
        let header = reader.headers().unwrap().clone();
        let dept = header.iter().position(|h| h == "departement").unwrap();
        assert!(rows.iter().all(|r| &r[dept] == "83"));
        // Every collection has its spreadsheet: the sites, one row each, with their positions.
        let sites = app
            .client
            .get(format!("{}/api/collections/sites/items?f=csv", app.base()))
            .send()
            .await
            .unwrap();
        assert!(
            sites.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let text = sites.text().await.unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let header = reader.headers().unwrap().clone();
        assert_eq!(header.iter().filter(|h| *h == "id").count(), 1, "{header:?}");
        assert!(header.iter().any(|h| h == "x") && header.iter().any(|h| h == "y"));
        let (_, _, all_sites) = app.get("/api/collections/sites/items").await;
        assert_eq!(
            reader.records().count(),
            all_sites["features"].as_array().unwrap().len()
        );
        let (status, ctype, body) = app.get("/api/collections/practices/items?f=xlsx").await;
        assert_problem(status, &ctype, &body, 400, Some("f"), "unknown format");
        app.stop().await;
    }
}
