//! Interoperability: GDAL's OGC API Features client (`ogr2ogr` with the `OAPIF:` driver, from Debian's
//! gdal-bin) reads every collection and gets exactly `numberMatched` features.

use repere_tests::{TestApp, backends};

#[tokio::test]
async fn ogr2ogr_reads_every_collection_completely() {
    let version = std::process::Command::new("ogr2ogr").arg("--version").output();
    assert!(
        version.as_ref().is_ok_and(|o| o.status.success()),
        "ogr2ogr is required for this test: apt-get install -y gdal-bin (the README's test command does it)"
    );
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let dir = std::env::temp_dir().join(format!("repere-gdal-{}-{backend:?}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for collection in ["practices", "establishments", "sites", "links"] {
            let (_, _, first) = app.get(&format!("/api/collections/{collection}/items?limit=1")).await;
            let matched = first["numberMatched"].as_u64().unwrap();
            let out = dir.join(format!("{collection}.geojson"));
            let _ = std::fs::remove_file(&out);
            let source = format!("OAPIF:{}/api", app.base());
            let run = tokio::process::Command::new("ogr2ogr")
                .args(["-f", "GeoJSON"])
                .arg(&out)
                .arg(&source)
                .arg(collection)
                .env("GDAL_HTTP_TIMEOUT", "30")
                .output()
                .await
                .expect("run ogr2ogr");
            assert!(
                run.status.success(),
                "{backend:?} {collection}: {}",
                String::from_utf8_lossy(&run.stderr)
            );
            let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
            let features = written["features"].as_array().unwrap();
            assert_eq!(
                features.len() as u64,
                matched,
                "{backend:?} {collection}: GDAL read vs numberMatched"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// GDAL (3.6 here evaluates `-where` itself; `-spat` goes to the server as `bbox`) writes the same
/// features as the server's own CQL2 `filter` with the same box.
#[tokio::test]
async fn ogr2ogr_filters_with_cql2_and_a_box() {
    let app = TestApp::with_demo(repere_tests::Backend::Sqlite).await;
    let dir = std::env::temp_dir().join(format!("repere-gdal-cql2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("filtered.geojson");
    let run = tokio::process::Command::new("ogr2ogr")
        .args(["-f", "GeoJSON"])
        .arg(&out)
        .arg(format!("OAPIF:{}/api", app.base()))
        .arg("establishments")
        .args(["-where", "departement = '06'", "-spat", "6.9", "43.5", "7.3", "43.8"])
        .env("GDAL_HTTP_TIMEOUT", "30")
        .output()
        .await
        .expect("run ogr2ogr");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let (_, _, api) = app
        .get("/api/collections/establishments/items?filter=departement%20%3D%20%2706%27&bbox=6.9,43.5,7.3,43.8&limit=10000")
        .await;
    assert_eq!(
        written["features"].as_array().unwrap().len() as u64,
        api["numberMatched"].as_u64().unwrap()
    );
    assert!(api["numberMatched"].as_u64().unwrap() > 0);
    let _ = std::fs::remove_dir_all(&dir);
    app.stop().await;
}
