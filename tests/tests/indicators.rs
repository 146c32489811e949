//! The target dashboard against a database whose counts are known by construction, on SQLite and
//! PostgreSQL: totals, projection, every breakdown, earlier years, the CSV exports read back, who may
//! see what, and bad parameters.

use chrono::{DateTime, TimeZone, Utc};
use repere_core::establishments::{Establishment, EstablishmentKind};
use repere_core::fixtures;
use repere_core::practices::{Practice, PracticeStatus};
use repere_core::{LonLat, SchoolYear};
use repere_tests::{Backend, Browser, TestApp, assert_problem, backends};
use serde_json::Value;

const PASSWORD: &str = "une phrase de passe longue";

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 10, 0, 0).single().unwrap()
}

fn establishment(uai: &str, kind: EstablishmentKind, dep: &str, lon: f64) -> Establishment {
    Establishment {
        name: format!("Établissement {uai}"),
        kind,
        commune_code: format!("{dep}001"),
        commune_name: "Commune".into(),
        departement: dep.into(),
        position: Some(LonLat::new(lon, 43.6).unwrap()),
        ..fixtures::establishment(uai)
    }
}

#[allow(clippy::too_many_arguments)]
fn report(
    uai: &str,
    year: &str,
    status: PracticeStatus,
    published: Option<DateTime<Utc>>,
    disciplines: &[&str],
    tools: &[&str],
) -> Practice {
    Practice {
        title: "Un usage".into(),
        disciplines: repere_core::practices::Facets::of(disciplines),
        levels: repere_core::practices::Facets::of(&["6e"]),
        tools: repere_core::practices::Facets::of(tools),
        school_year: SchoolYear::parse(year).unwrap(),
        status,
        created_at: at(2023, 9, 1),
        updated_at: at(2023, 9, 1),
        published_at: published,
        ..fixtures::practice(uai)
    }
}

/// 2024-2025: 10 counted reports (06: 6, 83: 4) plus a submitted and a rejected one; 2023-2024: 2.
async fn seeded(backend: Backend) -> TestApp {
    use PracticeStatus::*;
    let url = repere_tests::fresh_database(backend).await;
    let store = repere_store::Store::connect(&url).await.unwrap();
    let (ecole, college, lycee) = ("0060001U", "0060002V", "0830001A");
    let mut tx = store.pool().begin().await.unwrap();
    for e in [
        establishment(ecole, EstablishmentKind::Ecole, "06", 7.0),
        establishment(college, EstablishmentKind::College, "06", 7.1),
        establishment(lycee, EstablishmentKind::Lycee, "83", 6.0),
    ] {
        repere_store::establishments::upsert(&mut tx, &e, at(2023, 9, 1))
            .await
            .unwrap();
    }
    let y = "2024-2025";
    let mut reports = vec![
        report(
            ecole,
            y,
            Published,
            Some(at(2024, 10, 3)),
            &["Mathématiques"],
            &["Scratch"],
        ),
        report(
            ecole,
            y,
            Published,
            Some(at(2024, 10, 20)),
            &["Mathématiques"],
            &["Scratch"],
        ),
        report(
            ecole,
            y,
            Published,
            Some(at(2025, 1, 15)),
            &["Mathématiques"],
            &["Scratch"],
        ),
        report(
            college,
            y,
            Published,
            Some(at(2024, 11, 5)),
            &["SVT", "Technologie"],
            &["Tinkercad"],
        ),
        report(
            college,
            y,
            Published,
            Some(at(2024, 11, 6)),
            &["SVT", "Technologie"],
            &["Tinkercad"],
        ),
        report(college, y, Archived, Some(at(2024, 12, 1)), &["SVT"], &["Tinkercad"]),
        report(college, y, Submitted, None, &["SVT"], &["Tinkercad"]),
        report(college, y, Rejected, None, &["SVT"], &["Tinkercad"]),
        report(
            ecole,
            "2023-2024",
            Published,
            Some(at(2023, 11, 1)),
            &["Mathématiques"],
            &["Scratch"],
        ),
        report(
            ecole,
            "2023-2024",
            Published,
            Some(at(2024, 2, 1)),
            &["Mathématiques"],
            &["Scratch"],
        ),
    ];
    for _ in 0..4 {
        reports.push(report(
            lycee,
            y,
            Published,
            Some(at(2025, 3, 10)),
            &["Technologie"],
            &["Scratch", "Arduino"],
        ));
    }
    for p in &reports {
        repere_store::practices::insert(&mut tx, p).await.unwrap();
    }
    tx.commit().await.unwrap();
    repere_tests::add_users(
        &store,
        &[
            ("cardie@ac-nice.fr", "moderator"),
            ("admin@ac-nice.fr", "admin"),
            ("prof@ac-nice.fr", "contributor"),
            ("mairie@nice.fr", "collectivite"),
        ],
        PASSWORD,
    )
    .await;
    store.close().await;
    TestApp::on(backend, url).await
}

fn rows(body: &Value, by: &str) -> Vec<(String, String, u64)> {
    body[format!("by_{by}")]
        .as_array()
        .unwrap_or_else(|| panic!("by_{by} in {body}"))
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().into(),
                r["label"].as_str().unwrap().into(),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn counts(body: &Value, by: &str) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = rows(body, by).into_iter().map(|(k, _, n)| (k, n)).collect();
    out.sort();
    out
}

fn pairs(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = list.iter().map(|(k, n)| (k.to_string(), *n)).collect();
    out.sort();
    out
}

#[tokio::test]
async fn dashboard_figures_match_the_seeded_counts() {
    for backend in backends() {
        let app = seeded(backend).await;
        let mut cardie = Browser::signed_in(&app, "cardie@ac-nice.fr", PASSWORD).await;
        let r = cardie.get("/api/indicators/target?school_year=2024-2025").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let b = &r.body;
        assert_eq!(
            (b["published"].as_u64(), b["target"].as_u64()),
            (Some(10), Some(30)),
            "{backend:?}"
        );
        assert_eq!(b["reached"], false);
        assert!((b["progress"].as_f64().unwrap() - 10.0 / 30.0).abs() < 1e-9);
        // A finished year projects its own count.
        assert_eq!(b["projection"]["elapsed"], 1.0);
        assert_eq!(b["projection"]["expected_at_year_end"], 10.0);
        assert_eq!(b["projection"]["on_track"], false);
        assert_eq!(counts(b, "departement"), pairs(&[("06", 6), ("83", 4)]));
        assert_eq!(rows(b, "departement")[0].1, "Alpes-Maritimes");
        assert_eq!(counts(b, "degree"), pairs(&[("premier", 3), ("second", 7)]));
        assert_eq!(counts(b, "kind"), pairs(&[("ecole", 3), ("college", 3), ("lycee", 4)]));
        assert_eq!(
            counts(b, "discipline"),
            pairs(&[("Mathématiques", 3), ("SVT", 3), ("Technologie", 6)])
        );
        assert_eq!(
            counts(b, "tool"),
            pairs(&[("Scratch", 7), ("Tinkercad", 3), ("Arduino", 4)])
        );
        assert_eq!(
            rows(b, "month")
                .iter()
                .map(|(k, _, n)| (k.as_str(), *n))
                .collect::<Vec<_>>(),
            [
                ("2024-10", 2),
                ("2024-11", 2),
                ("2024-12", 1),
                ("2025-01", 1),
                ("2025-03", 4)
            ],
            "months in calendar order"
        );
        assert_eq!(rows(b, "month")[0].1, "octobre 2024");
        let years: Vec<(String, u64)> = b["years"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| {
                (
                    y["school_year"].as_str().unwrap().into(),
                    y["published"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(years, pairs(&[("2023-2024", 2), ("2024-2025", 10)]));

        // The CSV exports read back to the same figures.
        for by in ["departement", "degree", "kind", "discipline", "tool", "month"] {
            let text = cardie
                .csv(&format!(
                    "/api/indicators/target.csv?school_year=2024-2025&breakdown={by}"
                ))
                .await;
            let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
            assert_eq!(
                reader.headers().unwrap().iter().collect::<Vec<_>>(),
                ["cle", "libelle", "publiees"]
            );
            let mut back: Vec<(String, String, u64)> = reader
                .records()
                .map(|r| {
                    let r = r.unwrap();
                    (r[0].to_string(), r[1].to_string(), r[2].parse().unwrap())
                })
                .collect();
            let mut json_rows = rows(b, by);
            back.sort();
            json_rows.sort();
            assert_eq!(back, json_rows, "{backend:?} CSV {by}");
        }
    }
}

#[tokio::test]
async fn the_public_sees_the_summary_and_only_moderators_the_breakdowns() {
    let app = seeded(Backend::Sqlite).await;
    let (status, _, summary) = app.get("/api/indicators/summary?school_year=2024-2025").await;
    assert_eq!(status, 200);
    assert_eq!(summary["published"], 10);
    assert!(
        summary.as_object().unwrap().keys().all(|k| !k.starts_with("by_")),
        "{summary}"
    );
    let (status, _, current) = app.get("/api/indicators/summary").await;
    assert_eq!(status, 200, "the current school year by default: {current}");

    repere_tests::assert_readers(
        &app,
        &["/api/indicators/target", "/api/indicators/target.csv"],
        repere_tests::FOR_MODERATORS,
        PASSWORD,
    )
    .await;
}

#[tokio::test]
async fn bad_dashboard_parameters_are_named() {
    let app = seeded(Backend::Sqlite).await;
    let mut cardie = Browser::signed_in(&app, "cardie@ac-nice.fr", PASSWORD).await;
    for (path, param) in [
        ("/api/indicators/target?school_year=2025", "school_year"),
        ("/api/indicators/target?school_year=2025-2027", "school_year"),
        ("/api/indicators/target?annee=2025-2026", "annee"),
        ("/api/indicators/target.csv?breakdown=commune", "breakdown"),
        ("/api/indicators/summary?school_year=x", "school_year"),
    ] {
        let r = cardie.get(path).await;
        assert_problem(r.status, &r.ctype, &r.body, 400, Some(param), path);
    }
}
