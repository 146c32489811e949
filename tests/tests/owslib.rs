//! Clients nobody here wrote: OWSLib (pinned, from PyPI) reads the API from `/api/` — the landing
//! page, the conformance, every collection with `bbox` and `limit`, and in Lambert-93 — and its counts
//! and positions equal the API's own; GDAL reads the CSV download of a collection; trailing slashes
//! lead to the canonical path; bad CRS parameters are named.

use std::process::Command;

use repere_tests::{TestApp, assert_problem, backends};
use serde_json::Value;

const L93: &str = "http://www.opengis.net/def/crs/EPSG/0/2154";

#[tokio::test]
async fn owslib_reads_every_collection_and_lambert93() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/support/owslib_check.py");
        let base = format!("{}/api/", app.base());
        let out = tokio::task::spawn_blocking(move || Command::new("python3").arg(script).arg(base).output())
            .await
            .unwrap()
            .expect("python3 runs OWSLib (pip install -r tests/support/requirements.txt)");
        assert!(
            out.status.success(),
            "OWSLib failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let read: Value = serde_json::from_slice(&out.stdout).unwrap();
        let conformance: Vec<&str> = read["conformance"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(conformance.contains(&"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"));
        let collections = read["collections"].as_object().unwrap();
        assert_eq!(collections.len(), 4, "every collection: {:?}", collections.keys());
        for (id, c) in collections {
            let (_, _, api) = app
                .get(&format!("/api/collections/{id}/items?bbox=6.9,43.5,7.3,43.8&limit=5"))
                .await;
            assert_eq!(c["matched_in_bbox"], api["numberMatched"], "{id}");
            assert_eq!(c["returned_in_bbox"], api["features"].as_array().unwrap().len(), "{id}");
            assert!(
                c["crs"].as_array().unwrap().iter().any(|x| x == L93),
                "{id} lists Lambert-93"
            );
            if id != "links" {
                let (_, _, dep) = app
                    .get(&format!(
                        "/api/collections/{id}/items?filter=departement%20%3D%20%2706%27&limit=1"
                    ))
                    .await;
                assert_eq!(c["matched_06"], dep["numberMatched"], "{id}: OWSLib's CQL2 filter");
            }
            // The same first feature, in Lambert-93: the API's CRS84 position projected by the server's
            // projection, to the millimetre.
            let (first, l93) = (&c["first"], &c["first_l93"]);
            assert_eq!(first["id"], l93["id"], "{id}");
            if first["geometry"]["type"] == "Point" {
                let p = &first["geometry"]["coordinates"];
                let (x, y) = repere_server::crs::to_lambert93(p[0].as_f64().unwrap(), p[1].as_f64().unwrap()).unwrap();
                let q = &l93["geometry"]["coordinates"];
                assert!(
                    (q[0].as_f64().unwrap() - x).abs() < 0.001 && (q[1].as_f64().unwrap() - y).abs() < 0.001,
                    "{id}: {q} vs {x},{y}"
                );
                assert!(
                    (900_000.0..1_100_000.0).contains(&x) && (6_200_000.0..6_350_000.0).contains(&y),
                    "{id}: in the académie, {x},{y}"
                );
            }
        }
        app.stop().await;
    }
}

#[test]
fn lambert93_agrees_with_proj_to_the_millimetre() {
    // PROJ, through GDAL's gdaltransform, on points across the académie.
    for (lon, lat) in [(7.2, 43.7), (6.93, 43.66), (5.93, 43.12), (7.5, 43.78), (6.4, 43.4)] {
        let out = Command::new("gdaltransform")
            .args(["-s_srs", "OGC:CRS84", "-t_srs", "EPSG:2154"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(format!("{lon} {lat}\n").as_bytes())?;
                child.wait_with_output()
            })
            .expect("gdaltransform (gdal-bin)");
        let text = String::from_utf8_lossy(&out.stdout);
        let v: Vec<f64> = text.split_whitespace().filter_map(|s| s.parse().ok()).collect();
        let (x, y) = repere_server::crs::to_lambert93(lon, lat).unwrap();
        assert!(
            (v[0] - x).abs() < 0.001 && (v[1] - y).abs() < 0.001,
            "{lon},{lat}: PROJ {text} vs {x},{y}"
        );
    }
}

#[tokio::test]
async fn trailing_slashes_crs_parameters_and_the_csv_of_any_collection() {
    let app = TestApp::with_demo(repere_tests::Backend::Sqlite).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (path, to) in [
        ("/api/", "/api"),
        ("/api/collections/", "/api/collections"),
        (
            "/api/collections/sites/items/?limit=2",
            "/api/collections/sites/items?limit=2",
        ),
        ("/api//conformance", "/api/conformance"),
    ] {
        let r = client.get(format!("{}{path}", app.base())).send().await.unwrap();
        assert_eq!(r.status(), 308, "{path}");
        assert_eq!(r.headers()["location"], to, "{path}");
    }
    // Lambert-93 in and out: a box given in Lambert-93 finds what its CRS84 equivalent finds.
    let (_, _, wgs) = app
        .get("/api/collections/establishments/items?bbox=7.2,43.65,7.3,43.75&limit=1000")
        .await;
    let (lo_x, lo_y) = repere_server::crs::to_lambert93(7.2, 43.65).unwrap();
    let (hi_x, hi_y) = repere_server::crs::to_lambert93(7.3, 43.75).unwrap();
    let r = client
        .get(format!(
            "{}/api/collections/establishments/items?bbox={lo_x},{lo_y},{hi_x},{hi_y}&bbox-crs={L93}&crs={L93}&limit=1000",
            app.base()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-crs"], format!("<{L93}>"));
    let l93: Value = r.json().await.unwrap();
    let ids = |v: &Value| {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].to_string())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert!(
        ids(&l93).is_superset(&ids(&wgs)),
        "the Lambert box covers the CRS84 one"
    );
    // EPSG:4326 says latitude first.
    let (_, _, one) = app.get("/api/collections/sites/items?limit=1").await;
    let (_, _, lat_first) = app.get("/api/collections/sites/items?limit=1&crs=EPSG:4326").await;
    let (a, b) = (
        &one["features"][0]["geometry"]["coordinates"],
        &lat_first["features"][0]["geometry"]["coordinates"],
    );
    assert_eq!((a[0].clone(), a[1].clone()), (b[1].clone(), b[0].clone()));
    // Bad CRS parameters are named.
    for (query, param) in [
        ("crs=EPSG:3857", "crs"),
        ("bbox-crs=EPSG:2154", "bbox-crs"),
        ("bbox=1,2,3&bbox-crs=EPSG:2154", "bbox"),
        ("f=xlsx", "f"),
    ] {
        let (status, ctype, body) = app.get(&format!("/api/collections/sites/items?{query}")).await;
        assert_problem(status, &ctype, &body, 400, Some(param), query);
    }
    // Any collection as CSV, read by GDAL with the API's count.
    let csv = client
        .get(format!(
            "{}/api/collections/establishments/items?f=csv&limit=10000&crs={L93}",
            app.base()
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (_, _, all) = app.get("/api/collections/establishments/items?limit=10000").await;
    let dir = std::env::temp_dir().join(format!("repere-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("etablissements.csv");
    std::fs::write(&file, csv.trim_start_matches('\u{feff}')).unwrap();
    let out = Command::new("ogrinfo")
        .args([
            "-ro",
            "-so",
            "-al",
            "-oo",
            "SEPARATOR=SEMICOLON",
            "-oo",
            "X_POSSIBLE_NAMES=x",
            "-oo",
            "Y_POSSIBLE_NAMES=y",
        ])
        .arg(&file)
        .output()
        .expect("ogrinfo (gdal-bin)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("Feature Count: {}", all["numberMatched"])),
        "GDAL counts the API's establishments: {text}"
    );
    // The same collection as FlatGeobuf in Lambert-93: GDAL reads the positioned establishments and
    // the CRS.
    let fgb = client
        .get(format!(
            "{}/api/collections/establishments/items?f=fgb&limit=10000&crs={L93}",
            app.base()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(fgb.headers()["content-type"], "application/flatgeobuf");
    let bytes = fgb.bytes().await.unwrap();
    let file = dir.join("etablissements.fgb");
    std::fs::write(&file, &bytes).unwrap();
    let out = Command::new("ogrinfo")
        .args(["-ro", "-so", "-al"])
        .arg(&file)
        .output()
        .expect("ogrinfo");
    let text = String::from_utf8_lossy(&out.stdout);
    let positioned = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["geometry"].is_object())
        .count();
    assert!(
        text.contains(&format!("Feature Count: {positioned}")),
        "GDAL reads the FlatGeobuf: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("2154") || text.contains("Lambert"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
    app.stop().await;
}
