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
