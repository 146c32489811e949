//! The communes' fibre coverage, on SQLite and PostgreSQL: ARCEP's deployment file per commune and the
//! communes' outlines imported (written here in the real layouts, with bad rows), the choropleth layer
//! served with the figures worked out by hand, and the « Débit » view telling "no fibre yet in the
//! commune" from "fibre there, school not connected", in its JSON and its CSV.

use chrono::{NaiveDate, TimeZone, Utc};
use repere_core::establishments::{Bandwidth, BandwidthSource, Establishment, Technology};
use repere_server::jobs::import::{communes, fibre};
use repere_tests::{Backend, Browser, TestApp, add_establishments, add_users, assert_problem, backends, establishment};
use serde_json::Value;

const PASSWORD: &str = "une phrase de passe longue";

/// ARCEP's layout (one row per commune, one column per quarter), comma-separated as the observatory's
/// CSV export, counts with spaces and thin spaces, `-` for none. Line 4: a bad code; line 5: Nice again.
const ARCEP: &str = "\u{feff}code_commune,nom_commune,code_region,code_departement,siren_epci,logements,etablissements,zone_tres_dense,engagement_L33_13,intention_privee_hors_L33_13,commune_rurale,commune_montagne,operateurs_infrastructure_2018T1,locaux_raccordables_2017T4,locaux_raccordables_2018T1,categorie_2017T4,categorie_2018T1
06088,Nice,93,06,200030195,\"100 000\",10000,1,,,,,FRTE,50000,88\u{202f}000,25,80
83137,Toulon,93,83,248300543,90000,8000,1,,,,,,-,-,0,0
6088X,Nulle part,93,06,,10,1,,,,,,,0,0,0,0
06088,Nice,93,06,200030195,1,1,,,,,,,1,1,80,80
";

fn feature(code: &str, name: &str, geometry: &str) -> String {
    format!(r#"{{"type":"Feature","properties":{{"code":"{code}","nom":"{name}"}},"geometry":{geometry}}}"#)
}

/// Nice as a square (with many collinear points the simplification removes), Toulon as Admin Express
/// names it (`INSEE_COM`, `NOM`, a MultiPolygon); then a bad code, a point, and Lambert-93 metres.
fn outlines() -> String {
    let mut edge: Vec<String> = (0..=100)
        .map(|i| format!("[{:.4},43.65]", 7.2 + f64::from(i) * 0.001))
        .collect();
    edge.extend(["[7.3,43.75]".into(), "[7.2,43.75]".into(), "[7.2,43.65]".into()]);
    let nice = format!(r#"{{"type":"Polygon","coordinates":[[{}]]}}"#, edge.join(","));
    let toulon = r#"{"type":"Feature","properties":{"INSEE_COM":"83137","NOM":"Toulon"},"geometry":{"type":"MultiPolygon","coordinates":[[[[5.9,43.1],[6.0,43.1],[6.0,43.15],[5.9,43.15],[5.9,43.1]]]]}}"#;
    let features = [
        feature("06088", "Nice", &nice),
        toulon.to_string(),
        feature(
            "6088",
            "Erreur",
            r#"{"type":"Polygon","coordinates":[[[7,43],[7.1,43],[7.1,43.1],[7,43]]]}"#,
        ),
        feature("06004", "Antibes", r#"{"type":"Point","coordinates":[7.1,43.58]}"#),
        feature(
            "06029",
            "Cannes",
            r#"{"type":"Polygon","coordinates":[[[1020000,6280000],[1030000,6280000],[1030000,6290000],[1020000,6280000]]]}"#,
        ),
    ];
    format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
}

fn line(down: f64, technology: Technology) -> Vec<Bandwidth> {
    let date = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    vec![Bandwidth::new(down, 1.0, technology, BandwidthSource::Measured, date).unwrap()]
}

/// Under 30 Mbit/s: A in Nice (ADSL, the commune has fibre), B in Toulon (ADSL, no fibre), C in Antibes
/// (VDSL, commune not in ARCEP's file), D in Nice (FttH but slow), F in Toulon (ADSL, but eligible to
/// FttH at its address); E in Nice is above the threshold.
async fn seeded(backend: Backend) -> (TestApp, repere_store::Store) {
    let url = repere_tests::fresh_database(backend).await;
    let store = repere_store::Store::connect(&url).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap();
    let with = |uai: &str, dep: &str, commune: (&str, &str), bandwidth: Vec<Bandwidth>| Establishment {
        bandwidth,
        ..establishment(uai, dep, commune)
    };
    let list = [
        with("0060001U", "06", ("06088", "Nice"), line(5.0, Technology::Adsl)),
        with("0830002B", "83", ("83137", "Toulon"), line(4.0, Technology::Adsl)),
        with("0060003W", "06", ("06004", "Antibes"), line(12.0, Technology::Vdsl)),
        with("0060004X", "06", ("06088", "Nice"), line(20.0, Technology::Ftth)),
        with("0060002V", "06", ("06088", "Nice"), line(300.0, Technology::Ftth)),
        with("0830003C", "83", ("83137", "Toulon"), {
            let mut values = line(3.0, Technology::Adsl);
            let date = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
            values.push(Bandwidth::new(500.0, 200.0, Technology::Ftth, BandwidthSource::Potential, date).unwrap());
            values
        }),
    ];
    let mut tx = store.pool().begin().await.unwrap();
    add_establishments(&mut tx, &list, now).await;
    tx.commit().await.unwrap();
    add_users(
        &store,
        &[("mairie@nice.fr", "collectivite"), ("prof@ac-nice.fr", "contributor")],
        PASSWORD,
    )
    .await;
    let app = TestApp::on(backend, url).await;
    (app, store)
}

fn by_key(rows: &Value) -> Vec<(String, u64)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap().to_string(), r["count"].as_u64().unwrap()))
        .collect()
}

#[tokio::test]
async fn arcep_coverage_and_outlines_are_imported_and_drawn_with_the_figures_of_the_file() {
    for backend in backends() {
        let (app, store) = seeded(backend).await;
        let (status, _, empty) = app.get("/api/fibre/communes").await;
        assert_eq!(status, 200);
        assert_eq!(
            empty["numberReturned"], 0,
            "{backend:?}: nothing imported, an empty layer"
        );
        assert_eq!(empty["coverage_known"], false);
        assert_eq!(empty["demo"], false, "real figures are not labelled as the demo's");

        // A dry run reports and writes nothing.
        let dry = fibre::import_bytes(&store, ARCEP.as_bytes(), true, false)
            .await
            .unwrap();
        assert_eq!((dry.read, dry.created), (4, 2), "{dry}");
        assert!(repere_store::fibre::load_coverage(&store).await.unwrap().is_empty());

        let report = fibre::import_bytes(&store, ARCEP.as_bytes(), false, false)
            .await
            .unwrap();
        assert!(
            report.format.contains("2018T1"),
            "the latest quarter of the file: {report}"
        );
        assert_eq!(
            (report.read, report.created, report.updated, report.unchanged),
            (4, 2, 0, 0),
            "{report}"
        );
        let rejected: Vec<(u64, &str)> = report.rejected.iter().map(|r| (r.line, r.reason.as_str())).collect();
        assert_eq!(rejected.len(), 2, "{report}");
        assert_eq!(rejected[0].0, 4);
        assert!(rejected[0].1.contains("code commune INSEE invalide"), "{report}");
        assert_eq!(rejected[1].0, 5);
        assert!(rejected[1].1.contains("déjà lue"), "{report}");
        let again = fibre::import_bytes(&store, ARCEP.as_bytes(), false, false)
            .await
            .unwrap();
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2), "{again}");

        let shapes = communes::import_bytes(&store, outlines().as_bytes(), false)
            .await
            .unwrap();
        assert_eq!((shapes.read, shapes.created), (5, 2), "{shapes}");
        let reasons: Vec<(u64, &str)> = shapes.rejected.iter().map(|r| (r.line, r.reason.as_str())).collect();
        assert_eq!(
            reasons.iter().map(|r| r.0).collect::<Vec<_>>(),
            vec![3, 4, 5],
            "{shapes}"
        );
        assert!(reasons[1].1.contains("Polygon"), "{shapes}");
        assert!(reasons[2].1.contains("CRS84"), "{shapes}");

        // The follower picks the imports up; the layer carries ARCEP's figures.
        let layer = wait_for_layer(&app, 2).await;
        let nice = &layer["features"][0];
        assert_eq!(nice["id"], "06088");
        let p = &nice["properties"];
        assert_eq!(
            (p["nom"].as_str(), p["departement"].as_str()),
            (Some("Nice"), Some("06"))
        );
        assert_eq!(p["locaux"], 110_000, "logements + établissements");
        assert_eq!(p["locaux_raccordables"], 88_000, "2018T1, not 2017T4");
        assert_eq!(p["taux"], 0.8);
        assert_eq!(p["categorie"], 80);
        assert_eq!(p["trimestre"], "2018T1");
        let ring = nice["geometry"]["coordinates"][0][0].as_array().unwrap();
        assert_eq!(
            ring.len(),
            5,
            "the collinear points of the edge are simplified away: {ring:?}"
        );
        let toulon = &layer["features"][1]["properties"];
        assert_eq!(
            (toulon["locaux_raccordables"].as_u64(), toulon["categorie"].as_u64()),
            (Some(0), Some(0))
        );
        let (_, _, var) = app.get("/api/fibre/communes?departement=83").await;
        assert_eq!(var["numberReturned"], 1);
        for (query, param) in [("departement=999x", "departement"), ("commune=06088", "commune")] {
            let (status, ctype, body) = app.get(&format!("/api/fibre/communes?{query}")).await;
            assert_problem(status, &ctype, &body, 400, Some(param), query);
        }

        // The view: each school under the threshold with what its commune's fibre says.
        let mut mairie = Browser::signed_in(&app, "mairie@nice.fr", PASSWORD).await;
        let view = mairie.get("/api/indicators/bandwidth").await;
        assert_eq!(view.status, 200, "{}", view.body);
        assert_eq!(view.body["fibre_known"], true);
        assert_eq!(view.body["outlines_known"], true);
        let fibre_of: Vec<(String, String)> = view.body["below"]["establishments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["uai"].as_str().unwrap().to_string(),
                    e["fibre"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let expect = |uai: &str| fibre_of.iter().find(|(u, _)| u == uai).map(|(_, f)| f.as_str());
        assert_eq!(fibre_of.len(), 5, "{fibre_of:?}");
        assert_eq!(expect("0060001U"), Some("fibre_not_connected"));
        assert_eq!(expect("0830002B"), Some("no_fibre"));
        assert_eq!(expect("0060003W"), Some("unknown"));
        assert_eq!(expect("0060004X"), Some("connected"));
        assert_eq!(
            expect("0830003C"),
            Some("eligible_not_connected"),
            "eligible at its address, whatever its commune"
        );
        assert_eq!(
            by_key(&view.body["below"]["by_fibre"]),
            vec![
                ("eligible_not_connected".into(), 1),
                ("fibre_not_connected".into(), 1),
                ("no_fibre".into(), 1),
                ("connected".into(), 1),
                ("unknown".into(), 1)
            ]
        );
        let csv = mairie
            .csv("/api/indicators/bandwidth.csv?territory=establishments")
            .await;
        let nice_row = csv.lines().find(|l| l.starts_with("0060001U")).expect("row of A");
        assert!(
            nice_row.ends_with(";fibre dans la commune, établissement non raccordé;0.800"),
            "{nice_row}"
        );
        let toulon_row = csv.lines().find(|l| l.starts_with("0830002B")).expect("row of B");
        assert!(
            toulon_row.contains(";pas encore de fibre dans la commune;0.000"),
            "{toulon_row}"
        );
        store.close().await;
        app.stop().await;
    }
}

#[tokio::test]
async fn files_in_another_layout_are_refused_whole() {
    for backend in backends() {
        let url = repere_tests::fresh_database(backend).await;
        let store = repere_store::Store::connect(&url).await.unwrap();
        let no_quarter = "code_commune,nom_commune,logements\n06088,Nice,10\n";
        let err = fibre::import_bytes(&store, no_quarter.as_bytes(), false, false)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("locaux_raccordables_"), "{err}");
        let err = communes::import_bytes(&store, b"[1, 2]", false).await.unwrap_err();
        assert!(err.to_string().contains("FeatureCollection"), "{err}");
        assert!(repere_store::fibre::load_coverage(&store).await.unwrap().is_empty());
        assert!(repere_store::fibre::load_outlines(&store).await.unwrap().is_empty());
        store.close().await;
    }
}

async fn wait_for_layer(app: &TestApp, features: u64) -> Value {
    for _ in 0..100 {
        let (_, _, body) = app.get("/api/fibre/communes").await;
        if body["numberReturned"] == features && body["coverage_known"] == true {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the layer never showed the imported communes");
}
