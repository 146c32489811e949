//! "Débit des établissements" against a database whose bandwidths are known by construction, on SQLite
//! and PostgreSQL: classes (measured and potential apart), the establishments under a threshold counted
//! by territory with their practices, establishments without a value counted, CSV exports read back,
//! roles and bad parameters.

use chrono::{NaiveDate, TimeZone, Utc};
use repere_core::SchoolYear;
use repere_core::establishments::{Bandwidth, BandwidthSource, Establishment, Technology};
use repere_core::practices::{Practice, PracticeStatus};
use repere_tests::{Backend, Browser, TestApp, add_establishments, add_users, assert_problem, backends, establishment};
use serde_json::Value;

const PASSWORD: &str = "une phrase de passe longue";

fn est(uai: &str, dep: &str, commune: (&str, &str), values: &[(f64, BandwidthSource)]) -> Establishment {
    let mut e = establishment(uai, dep, commune);
    e.bandwidth = values
        .iter()
        .enumerate()
        .map(|(i, (down, source))| {
            let date = NaiveDate::from_ymd_opt(2025, 1 + i as u32, 1).unwrap();
            Bandwidth::new(*down, 1.0, Technology::Adsl, *source, date).unwrap()
        })
        .collect();
    e
}

/// A (06, Nice): measured 5 (an older measured 50 is history); B (06, Nice): measured 50;
/// C (83, Toulon): measured 20 and potential 100; D (83, Toulon): potential 4 only; E (06, Antibes): none.
async fn seeded(backend: Backend) -> TestApp {
    use BandwidthSource::{Measured, Potential};
    let url = repere_tests::fresh_database(backend).await;
    let store = repere_store::Store::connect(&url).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap();
    let nice = ("06088", "Nice");
    let toulon = ("83137", "Toulon");
    let list = [
        est("0060001U", "06", nice, &[(50.0, Measured), (5.0, Measured)]),
        est("0060002V", "06", nice, &[(50.0, Measured)]),
        est("0830001A", "83", toulon, &[(20.0, Measured), (100.0, Potential)]),
        est("0830002B", "83", toulon, &[(4.0, Potential)]),
        est("0060003W", "06", ("06004", "Antibes"), &[]),
    ];
    let mut tx = store.pool().begin().await.unwrap();
    add_establishments(&mut tx, &list, now).await;
    for (uai, status) in [
        ("0060001U", PracticeStatus::Published),
        ("0060001U", PracticeStatus::Draft),
        ("0830001A", PracticeStatus::Published),
        ("0060002V", PracticeStatus::Published),
    ] {
        let p = Practice {
            title: format!("Usage à {uai}").into(),
            disciplines: repere_core::practices::Facets::of(&["SVT"]),
            levels: repere_core::practices::Facets::of(&["6e"]),
            tools: repere_core::practices::Facets::of(&["ENT"]),
            school_year: SchoolYear::parse("2025-2026").unwrap(),
            status,
            created_at: now,
            updated_at: now,
            published_at: (status == PracticeStatus::Published).then_some(now),
            ..repere_core::fixtures::practice(uai)
        };
        repere_store::practices::insert(&mut tx, &p).await.unwrap();
    }
    tx.commit().await.unwrap();
    // Nice and Toulon are in the EPCI fixture; Antibes is not.
    let epci = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/epci.json")).unwrap();
    repere_server::jobs::import::epci::import_bytes(&store, &epci, false)
        .await
        .unwrap();
    add_users(
        &store,
        &[
            ("mairie@nice.fr", "collectivite"),
            ("admin@ac-nice.fr", "admin"),
            ("prof@ac-nice.fr", "contributor"),
            ("cardie@ac-nice.fr", "moderator"),
        ],
        PASSWORD,
    )
    .await;
    store.close().await;
    TestApp::on(backend, url).await
}

fn classes(body: &Value, source: &str) -> Vec<(String, u64)> {
    body["classes"][source]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["key"].as_str().unwrap().to_string(), c["count"].as_u64().unwrap()))
        .collect()
}

fn keyed(rows: &Value) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap().to_string(), r["count"].as_u64().unwrap()))
        .collect();
    out.sort();
    out
}

fn owned(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

#[tokio::test]
async fn threshold_lists_and_territory_counts_match_the_seeded_bandwidths() {
    for backend in backends() {
        let app = seeded(backend).await;
        let mut mairie = Browser::signed_in(&app, "mairie@nice.fr", PASSWORD).await;
        let r = mairie.get("/api/indicators/bandwidth").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let b = &r.body;
        assert_eq!(b["threshold_mbps"], 30.0);
        assert_eq!(b["establishments"], 5);
        assert_eq!(
            classes(b, "measured"),
            owned(&[("lt8", 1), ("8-30", 1), ("30-100", 1), ("gte100", 0), ("unknown", 2)]),
            "{backend:?}: the latest measured value counts"
        );
        assert_eq!(
            classes(b, "potential"),
            owned(&[("lt8", 1), ("8-30", 0), ("30-100", 0), ("gte100", 1), ("unknown", 3)])
        );
        assert_eq!(
            b["without_value"], 2,
            "D and E have no measured value: counted, not hidden"
        );
        let below = &b["below"];
        assert_eq!(below["count"], 2);
        let uais: Vec<&str> = below["establishments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["uai"].as_str().unwrap())
            .collect();
        assert_eq!(uais, ["0060001U", "0830001A"], "lowest first");
        assert_eq!(keyed(&below["by_commune"]), owned(&[("06088", 1), ("83137", 1)]));
        assert_eq!(keyed(&below["by_departement"]), owned(&[("06", 1), ("83", 1)]));
        assert_eq!(
            keyed(&below["by_epci"]),
            owned(&[("200030195", 1), ("248300543", 1)]),
            "EPCI from the imported official list"
        );
        assert_eq!(
            (b["epci_known"].as_bool(), below["without_epci"].as_u64()),
            (Some(true), Some(0))
        );
        assert_eq!(below["establishments"][0]["epci"]["name"], "Métropole Nice Côte d'Azur");
        assert_eq!(below["practices"], 2, "published practices only");
        assert_eq!(below["establishments"][1]["potential_down_mbps"], 100.0);

        // A higher threshold takes B in; the potential values give another list; a département narrows.
        let r = mairie.get("/api/indicators/bandwidth?threshold=60").await;
        assert_eq!(r.body["below"]["count"], 3);
        assert_eq!(
            keyed(&r.body["below"]["by_epci"]),
            owned(&[("200030195", 2), ("248300543", 1)])
        );
        let r = mairie.get("/api/indicators/bandwidth?source=potential").await;
        assert_eq!(
            (r.body["below"]["count"].as_u64(), r.body["without_value"].as_u64()),
            (Some(1), Some(3))
        );
        let r = mairie.get("/api/indicators/bandwidth?departement=06").await;
        assert_eq!(
            (r.body["establishments"].as_u64(), r.body["below"]["count"].as_u64()),
            (Some(3), Some(1))
        );

        // A commune or an EPCI narrows the view; the choices are the département's territories.
        let r = mairie.get("/api/indicators/bandwidth?threshold=60&commune=06088").await;
        assert_eq!(
            (r.body["establishments"].as_u64(), r.body["below"]["count"].as_u64()),
            (Some(2), Some(2)),
            "{}",
            r.body
        );
        let r = mairie
            .get("/api/indicators/bandwidth?threshold=60&epci=248300543")
            .await;
        assert_eq!(
            (r.body["establishments"].as_u64(), r.body["below"]["count"].as_u64()),
            (Some(2), Some(1))
        );
        assert_eq!(r.body["below"]["establishments"][0]["uai"], "0830001A");
        let r = mairie.get("/api/indicators/bandwidth?departement=06").await;
        let names: Vec<(&str, u64)> = r.body["communes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["name"].as_str().unwrap(), t["establishments"].as_u64().unwrap()))
            .collect();
        assert_eq!(
            names,
            [("Antibes", 1), ("Nice", 2)],
            "sorted by name, within the département"
        );
        assert_eq!(r.body["epcis"][0]["code"], "200030195");
        assert_eq!(r.body["epcis"][0]["communes"], serde_json::json!(["06088"]));
        let text = mairie
            .csv("/api/indicators/bandwidth.csv?territory=establishments&epci=200030195")
            .await;
        assert_eq!(text.lines().count(), 2, "header and Nice's one school under 30: {text}");

        // The CSV exports read back to the same figures.
        for territory in ["commune", "departement", "epci"] {
            let text = mairie
                .csv(&format!("/api/indicators/bandwidth.csv?territory={territory}"))
                .await;
            let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
            let mut back: Vec<(String, u64)> = reader
                .records()
                .map(|r| {
                    let r = r.unwrap();
                    (r[0].to_string(), r[2].parse().unwrap())
                })
                .collect();
            back.sort();
            assert_eq!(
                back,
                keyed(&below[format!("by_{territory}")]),
                "{backend:?} {territory}"
            );
        }
        let text = mairie
            .csv("/api/indicators/bandwidth.csv?territory=establishments")
            .await;
        let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(text.as_bytes())
            .records()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), 2);
        assert_eq!((&rows[0][0], &rows[0][4], &rows[0][7]), ("0060001U", "5", "1"));
        // Départements by name for people, by code for programs.
        assert_eq!((&rows[0][3], &rows[0][8]), ("Alpes-Maritimes", "06"));
        let labels: Vec<&str> = below["by_departement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["label"].as_str().unwrap())
            .collect();
        assert!(
            labels.contains(&"Var") && labels.contains(&"Alpes-Maritimes"),
            "{labels:?}"
        );
    }
}

#[tokio::test]
async fn bandwidth_details_are_for_collectivites_and_admins_and_bad_parameters_are_named() {
    let app = seeded(Backend::Sqlite).await;
    repere_tests::assert_readers(
        &app,
        &["/api/indicators/bandwidth", "/api/indicators/bandwidth.csv"],
        &[
            ("prof@ac-nice.fr", 403),
            ("cardie@ac-nice.fr", 403),
            ("mairie@nice.fr", 200),
            ("admin@ac-nice.fr", 200),
        ],
        PASSWORD,
    )
    .await;
    let mut mairie = Browser::signed_in(&app, "mairie@nice.fr", PASSWORD).await;
    for (path, param) in [
        ("/api/indicators/bandwidth?threshold=-5", "threshold"),
        ("/api/indicators/bandwidth?threshold=200000", "threshold"),
        ("/api/indicators/bandwidth?threshold=vite", "threshold"),
        ("/api/indicators/bandwidth?source=estimated", "source"),
        ("/api/indicators/bandwidth?departement=abc", "departement"),
        ("/api/indicators/bandwidth?commune=Nice", "commune"),
        ("/api/indicators/bandwidth?epci=123", "epci"),
        ("/api/indicators/bandwidth?territory=commune", "territory"),
        ("/api/indicators/bandwidth.csv?territory=region", "territory"),
    ] {
        let r = mairie.get(path).await;
        assert_problem(r.status, &r.ctype, &r.body, 400, Some(param), path);
    }
}
