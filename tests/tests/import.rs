//! `repere import establishments` on small hand-written fixtures in both official formats: counts,
//! upsert idempotence, rejected lines reported with their number and reason, dry runs that write
//! nothing, and the imported establishments served by the API.

use std::path::PathBuf;

use repere_server::jobs::import::establishments::{Options, import_file};
use repere_store::Store;
use repere_tests::{TestApp, backends, fresh_database};

const DRY: Options = Options {
    dry_run: true,
    place_at_commune: false,
    progress: false,
};
const WRITE: Options = Options {
    dry_run: false,
    place_at_commune: false,
    progress: false,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

fn lines(report: &repere_server::jobs::import::Report) -> Vec<u64> {
    report.rejected.iter().map(|r| r.line).collect()
}

#[tokio::test]
async fn annuaire_export_is_imported_and_reimport_changes_nothing() {
    for backend in backends() {
        let url = fresh_database(backend).await;
        let store = Store::connect(&url).await.unwrap();
        let path = fixture("annuaire-education.csv");

        let dry = import_file(&store, &path, DRY).await.unwrap();
        assert_eq!((dry.read, dry.created), (10, 6), "{backend:?}");
        assert_eq!(
            repere_store::establishments::count(&store).await.unwrap(),
            0,
            "a dry run writes nothing"
        );

        let first = import_file(&store, &path, WRITE).await.unwrap();
        assert_eq!(first.format, "Annuaire de l'éducation");
        assert_eq!(
            (first.read, first.created, first.updated, first.unchanged),
            (10, 6, 0, 0),
            "{first}"
        );
        assert_eq!(lines(&first), vec![7, 8, 9, 10], "{first}");
        assert!(first.rejected[0].reason.contains("lettre de contrôle"), "{first}");
        assert!(first.rejected[1].reason.contains("déjà présent ligne 2"), "{first}");
        assert!(first.rejected[2].reason.contains("latitude"), "{first}");
        assert!(first.rejected[3].reason.contains("champs"), "{first}");
        assert_eq!(repere_store::establishments::count(&store).await.unwrap(), 6);

        let again = import_file(&store, &path, WRITE).await.unwrap();
        assert_eq!(
            (again.created, again.updated, again.unchanged),
            (0, 0, 6),
            "idempotent upsert: {again}"
        );
        assert_eq!(repere_store::establishments::count(&store).await.unwrap(), 6);

        // A renamed establishment is updated, not duplicated.
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("Collège Exemple", "Collège Exemple renommé");
        let dir = std::env::temp_dir().join(format!("repere-import-{}-{backend:?}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let renamed = dir.join("annuaire.csv");
        std::fs::write(&renamed, text).unwrap();
        let third = import_file(&store, &renamed, WRITE).await.unwrap();
        assert_eq!((third.created, third.updated, third.unchanged), (0, 1, 5), "{third}");

        let all = repere_store::establishments::load_all(&store).await.unwrap();
        let by = |u: &str| all.iter().find(|e| e.uai.as_str() == u).unwrap();
        let college = by("0060002V");
        assert_eq!(college.name, "Collège Exemple renommé");
        assert_eq!(college.departement, "06");
        let p = college.position.unwrap();
        assert!(
            (p.lat - 43.5808).abs() < 1e-9 && (p.lon - 7.1239).abs() < 1e-9,
            "French decimals: {p:?}"
        );
        assert_eq!(by("0060003W").kind.as_str(), "lp");
        assert_eq!(by("0060003W").sector.as_str(), "private");
        assert_eq!(by("0060009C").kind.as_str(), "other");
        let lambert = by("0830004D")
            .position
            .expect("Lambert-93 converted when lat/lon are empty");
        assert!(
            (5.8..6.1).contains(&lambert.lon) && (43.0..43.3).contains(&lambert.lat),
            "{lambert:?}"
        );
        assert!(
            by("0830005E").position.is_none(),
            "no coordinates: kept without a position"
        );
        store.close().await;
    }
}

#[tokio::test]
async fn address_export_is_recognised_and_served_by_the_api() {
    for backend in backends() {
        let url = fresh_database(backend).await;
        let store = Store::connect(&url).await.unwrap();
        let report = import_file(&store, &fixture("adresse-geolocalisation.csv"), WRITE)
            .await
            .unwrap();
        assert_eq!(report.format, "Adresse et géolocalisation des établissements");
        assert_eq!((report.read, report.created), (5, 3), "{report}");
        assert_eq!(lines(&report), vec![5, 6], "{report}");
        assert!(report.rejected[0].reason.contains("code commune"), "{report}");
        store.close().await;

        let app = TestApp::on(backend, url).await;
        let (status, _, body) = app.get("/api/collections/establishments/items?departement=83").await;
        assert_eq!(status, 200);
        assert_eq!(body["numberMatched"], 2);
        let (_, _, one) = app.get("/api/collections/establishments/items/0830102K").await;
        assert_eq!(one["properties"]["kind"], "lp");
        assert_eq!(one["geometry"]["coordinates"][0], 5.93);
        assert_eq!(one["properties"]["bandwidth_class"], "unknown");
    }
}

#[tokio::test]
async fn an_unknown_file_is_refused_before_anything_is_written() {
    let url = fresh_database(repere_tests::Backend::Sqlite).await;
    let store = Store::connect(&url).await.unwrap();
    let dir = std::env::temp_dir().join(format!("repere-import-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("autre.csv");
    std::fs::write(&bad, "nom;ville\nÉcole;Nice\n").unwrap();
    let err = import_file(&store, &bad, WRITE).await.unwrap_err();
    assert!(err.to_string().contains("en-tête non reconnu"), "{err}");
    let missing = import_file(&store, &dir.join("absent.csv"), WRITE).await.unwrap_err();
    assert!(missing.to_string().contains("impossible de lire"), "{missing}");
    assert_eq!(repere_store::establishments::count(&store).await.unwrap(), 0);
}

#[tokio::test]
async fn bandwidth_import_keeps_history_and_reports_bad_rows() {
    for backend in backends() {
        let url = fresh_database(backend).await;
        let store = Store::connect(&url).await.unwrap();
        import_file(&store, &fixture("annuaire-education.csv"), WRITE)
            .await
            .unwrap();
        let path = fixture("bandwidth.csv");
        let bw = |dry| {
            let (store, path) = (&store, &path);
            async move {
                repere_server::jobs::import::bandwidth::import_file(store, path, dry, false)
                    .await
                    .unwrap()
            }
        };

        let dry = bw(true).await;
        assert_eq!((dry.read, dry.created), (10, 4), "{dry}");
        let first = bw(false).await;
        assert_eq!(
            (first.created, first.updated, first.unchanged),
            (4, 0, 0),
            "{backend:?} {first}"
        );
        assert_eq!(lines(&first), vec![5, 6, 7, 8, 9, 10], "{first}");
        let reasons: Vec<&str> = first.rejected.iter().map(|r| r.reason.as_str()).collect();
        assert!(reasons[0].contains("down_mbps"), "{first}");
        assert!(reasons[1].contains("inconnu"), "{first}");
        assert!(reasons[2].contains("hors de"), "{first}");
        assert!(reasons[3].contains("technologie"), "{first}");
        assert!(reasons[4].contains("futur"), "{first}");
        assert!(reasons[5].contains("ligne 2"), "{first}");
        let again = bw(false).await;
        assert_eq!(
            (again.created, again.updated, again.unchanged),
            (0, 0, 4),
            "idempotent: {again}"
        );
        store.close().await;

        // The history is served, and the latest value is the current one.
        let app = TestApp::on(backend, url).await;
        let (_, _, one) = app.get("/api/collections/establishments/items/0060001U").await;
        assert_eq!(one["properties"]["bandwidth_history"].as_array().unwrap().len(), 2);
        assert_eq!(one["properties"]["bandwidth_down_mbps"], 500.5);
        assert_eq!(one["properties"]["bandwidth_technology"], "ftth");
        assert_eq!(one["properties"]["bandwidth_class"], "gte100");
        let (_, _, unknown) = app
            .get("/api/collections/establishments/items?bandwidth_class=unknown")
            .await;
        assert_eq!(
            unknown["numberMatched"], 3,
            "establishments without a measurement are counted, not hidden"
        );
    }
}

#[tokio::test]
async fn rows_without_position_are_listed_and_placed_at_their_commune_only_on_request() {
    for backend in backends() {
        let url = fresh_database(backend).await;
        let store = Store::connect(&url).await.unwrap();
        let path = fixture("adresse-sans-position.csv");
        let plain = import_file(&store, &path, WRITE).await.unwrap();
        assert_eq!(plain.created, 5, "{plain}");
        let listed: Vec<(u64, &str)> = plain.without_position.iter().map(|(l, u)| (*l, u.as_str())).collect();
        assert_eq!(listed, [(4, "0060203N"), (5, "0830204W")], "{plain}");
        assert!(
            plain.to_string().contains("sans position : 0060203N (ligne 4)"),
            "{plain}"
        );
        let all = repere_store::establishments::load_all(&store).await.unwrap();
        assert!(
            all.iter()
                .find(|e| e.uai.as_str() == "0060203N")
                .unwrap()
                .position
                .is_none(),
            "not placed unless asked"
        );

        let placing = Options {
            place_at_commune: true,
            ..WRITE
        };
        let placed = import_file(&store, &path, placing).await.unwrap();
        assert_eq!(
            (placed.placed_at_commune, placed.updated, placed.unchanged),
            (1, 1, 4),
            "{placed}"
        );
        let listed: Vec<&str> = placed.without_position.iter().map(|(_, u)| u.as_str()).collect();
        assert_eq!(
            listed,
            ["0830204W"],
            "no positioned establishment in its commune: left without position"
        );
        let again = import_file(&store, &path, placing).await.unwrap();
        assert_eq!((again.updated, again.unchanged), (0, 5), "idempotent: {again}");
        store.close().await;

        let app = TestApp::on(backend, url).await;
        let (_, _, one) = app.get("/api/collections/establishments/items/0060203N").await;
        assert_eq!(one["properties"]["placed_at_commune"], true);
        let c = &one["geometry"]["coordinates"];
        assert!(
            (c[0].as_f64().unwrap() - 7.27).abs() < 1e-9 && (c[1].as_f64().unwrap() - 43.71).abs() < 1e-9,
            "the centre of the two positioned collèges of Nice: {c}"
        );
        let (_, _, exact) = app.get("/api/collections/establishments/items/0060201L").await;
        assert_eq!(exact["properties"]["placed_at_commune"], false);
    }
}

#[tokio::test]
async fn epci_list_is_imported_with_bad_entries_reported() {
    for backend in backends() {
        let url = fresh_database(backend).await;
        let store = Store::connect(&url).await.unwrap();
        let path = fixture("epci.json");
        let dry = repere_server::jobs::import::epci::import_file(&store, &path, true)
            .await
            .unwrap();
        assert!(
            repere_store::epci::load_all(&store).await.unwrap().is_empty(),
            "dry run"
        );
        assert_eq!((dry.read, dry.created), (7, 5), "{dry}");
        let first = repere_server::jobs::import::epci::import_file(&store, &path, false)
            .await
            .unwrap();
        assert_eq!(lines(&first), [3, 4], "{first}");
        assert!(first.rejected[0].reason.contains("SIREN"), "{first}");
        assert!(
            first.rejected[1].reason.contains("déjà membre de l'EPCI 248300543"),
            "{first}"
        );
        assert!(first.to_string().contains("entrée 3 :"), "{first}");
        let map = repere_store::epci::load_all(&store).await.unwrap();
        assert_eq!(map.len(), 5);
        assert_eq!(
            map["83137"].code, "248300543",
            "the first EPCI of a commune listed twice is kept"
        );
        assert_eq!(map["83050"].name, "CA Dracénie Provence Verdon");
        assert!(!map.contains_key("06004"), "nothing of a rejected entry");
        let again = repere_server::jobs::import::epci::import_file(&store, &path, false)
            .await
            .unwrap();
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 5));
        let not_json = std::env::temp_dir().join(format!("repere-epci-{}.json", std::process::id()));
        std::fs::write(&not_json, "code;nom\n").unwrap();
        let err = repere_server::jobs::import::epci::import_file(&store, &not_json, false)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("JSON attendu"), "{err}");
        store.close().await;
    }
}
