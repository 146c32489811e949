//! The open-data package (`repere export opendata DIR`, `/api/opendata/`): the published practices, the
//! tiers-lieux and the establishments with their bandwidth class as CSV + a Data Package descriptor,
//! validated by the `frictionless` Python package (pinned); the counts are the API's; nothing personal.

use std::process::Command;

use repere_tests::{TestApp, backends};

#[tokio::test]
async fn the_package_is_valid_complete_and_impersonal() {
    for backend in backends() {
        let app = TestApp::with_demo(backend).await;
        let store = repere_store::Store::connect(&app.database_url).await.unwrap();
        let catalog = repere_catalog::Catalog::load(&store).await.unwrap();
        let dir = std::env::temp_dir().join(format!("repere-opendata-{}-{backend:?}", std::process::id()));
        let written = repere_server::jobs::opendata::write(&catalog, &dir, chrono::Utc::now()).unwrap();
        assert_eq!(
            written,
            vec![
                "usages.csv",
                "tiers_lieux.csv",
                "etablissements.csv",
                "datapackage.json"
            ]
        );
        // frictionless reads the descriptor, every file, every row against its Table Schema.
        let descriptor = dir.join("datapackage.json");
        let out = tokio::task::spawn_blocking(move || {
            Command::new("python3")
                .args(["-c", "import sys\nfrom frictionless import validate\nr = validate(sys.argv[1])\nprint('VALID' if r.valid else r.to_json())"])
                .arg(descriptor)
                .output()
        })
        .await
        .unwrap()
        .expect("python3 with frictionless (pip install -r tests/support/requirements.txt)");
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            said.trim() == "VALID",
            "frictionless: {said} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The same counts as the API, and nothing personal.
        for (file, collection) in [
            ("usages.csv", "practices"),
            ("tiers_lieux.csv", "sites"),
            ("etablissements.csv", "establishments"),
        ] {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            let rows = csv::Reader::from_reader(text.as_bytes()).records().count();
            let (_, _, api) = app.get(&format!("/api/collections/{collection}/items?limit=1")).await;
            assert_eq!(rows as u64, api["numberMatched"].as_u64().unwrap(), "{file}");
            assert!(!text.contains('@'), "{file}: no e-mail address");
            let header = text.lines().next().unwrap().to_lowercase();
            assert!(
                !["auteur", "author", "email", "contact", "note"]
                    .iter()
                    .any(|w| header.contains(w)),
                "{file}: {header}"
            );
        }
        // The same package over HTTP.
        let (status, _, index) = app.get("/api/opendata").await;
        assert_eq!(status, 200);
        assert_eq!(index["links"].as_array().unwrap().len(), 4);
        let r = app
            .client
            .get(format!("{}/api/opendata/usages.csv", app.base()))
            .send()
            .await
            .unwrap();
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let http = r.text().await.unwrap();
        assert_eq!(
            http.lines().count(),
            std::fs::read_to_string(dir.join("usages.csv")).unwrap().lines().count()
        );
        let (status, _, _) = app.get("/api/opendata/secret.csv").await;
        assert_eq!(status, 404);
        let _ = std::fs::remove_dir_all(&dir);
        store.close().await;
        app.stop().await;
    }
}
