//! "La lettre des usages" against a database whose practices are known by construction: the practices
//! published since the date for the territory and discipline appear with working links to their fiche;
//! drafts, submitted, rejected, archived and older practices do not; no author address, no script;
//! bad parameters are named. SQLite and PostgreSQL.

use chrono::{Duration, Utc};
use repere_core::SchoolYear;
use repere_core::practices::PracticeStatus;
use repere_tests::{TestApp, add_users, assert_problem, backends, establishment};

const AUTHOR: &str = "auteur.secret@ac-nice.fr";

/// (title, uai, discipline, status, published days ago)
const PRACTICES: [(&str, &str, &str, PracticeStatus, Option<i64>); 7] = [
    (
        "Robotique récente à Nice",
        "0060001U",
        "Technologie",
        PracticeStatus::Published,
        Some(3),
    ),
    (
        "Podcast récent à Nice",
        "0060001U",
        "Français",
        PracticeStatus::Published,
        Some(10),
    ),
    (
        "Robotique récente à Toulon",
        "0830001A",
        "Technologie",
        PracticeStatus::Published,
        Some(5),
    ),
    (
        "Robotique ancienne à Nice",
        "0060001U",
        "Technologie",
        PracticeStatus::Published,
        Some(90),
    ),
    (
        "Brouillon à Nice",
        "0060001U",
        "Technologie",
        PracticeStatus::Draft,
        None,
    ),
    (
        "Soumise à Nice",
        "0060001U",
        "Technologie",
        PracticeStatus::Submitted,
        None,
    ),
    (
        "Archivée à Nice",
        "0060001U",
        "Technologie",
        PracticeStatus::Archived,
        Some(4),
    ),
];

async fn seeded(backend: repere_tests::Backend) -> (TestApp, Vec<i64>) {
    let url = repere_tests::fresh_database(backend).await;
    let store = repere_store::Store::connect(&url).await.unwrap();
    add_users(&store, &[(AUTHOR, "contributor")], "une phrase de passe longue").await;
    let email = repere_core::users::Email::parse(AUTHOR).unwrap();
    let author = repere_store::users::by_email(&store, &email)
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let now = Utc::now();
    let mut tx = store.pool().begin().await.unwrap();
    for (uai, dep, commune) in [
        ("0060001U", "06", ("06088", "Nice")),
        ("0830001A", "83", ("83137", "Toulon")),
    ] {
        repere_store::establishments::upsert(&mut tx, &establishment(uai, dep, commune), now)
            .await
            .unwrap();
    }
    let mut ids = Vec::new();
    for (title, uai, discipline, status, days) in PRACTICES {
        let mut p = repere_tests::practice(
            title,
            uai,
            discipline,
            None,
            status,
            days.map(|d| now - Duration::days(d)),
        );
        p.school_year = SchoolYear::containing(now.date_naive());
        p.author_id = Some(author);
        ids.push(repere_store::practices::insert(&mut tx, &p).await.unwrap());
    }
    tx.commit().await.unwrap();
    store.close().await;
    (TestApp::on(backend, url).await, ids)
}

async fn letter(app: &TestApp, query: &str) -> String {
    app.html(&format!("/lettre?{query}")).await
}

#[tokio::test]
async fn the_letter_lists_what_was_published_since_the_date_and_nothing_else() {
    for backend in backends() {
        let (app, ids) = seeded(backend).await;
        let since = (Utc::now() - Duration::days(30)).format("%Y-%m-%d");
        let html = letter(&app, &format!("since={since}")).await;
        for (i, (title, _, _, status, days)) in PRACTICES.iter().enumerate() {
            let expected = *status == PracticeStatus::Published && days.is_some_and(|d| d <= 30);
            assert_eq!(html.contains(title), expected, "{backend:?} {title}");
            assert_eq!(
                html.contains(&format!("/?fiche={}\"", ids[i])),
                expected,
                "{title}: link to its fiche"
            );
        }
        assert!(!html.to_lowercase().contains("<script"), "no script in an e-mail");
        assert!(!html.contains("<link"), "no external stylesheet");
        assert!(
            !html.contains(AUTHOR) && !html.contains("auteur.secret"),
            "no author address"
        );
        assert!(html.contains("pour un objectif de 30"), "the CARDIE target figure");
        // Newest first.
        let at = |t: &str| html.find(t).unwrap();
        assert!(at("Robotique récente à Nice") < at("Robotique récente à Toulon"));
        assert!(at("Robotique récente à Toulon") < at("Podcast récent à Nice"));

        // Every link of the letter leads to a public fiche.
        for id in ids.iter().take(3) {
            let (status, _, body) = app.get(&format!("/api/collections/practices/items/{id}")).await;
            assert_eq!(status, 200);
            assert!(html.contains(body["properties"]["title"].as_str().unwrap()));
        }

        // Territory and discipline narrow it (discipline without accents or capitals).
        let html = letter(&app, &format!("since={since}&departement=06&discipline=technologie")).await;
        assert!(html.contains("Robotique récente à Nice"));
        assert!(!html.contains("Robotique récente à Toulon") && !html.contains("Podcast récent à Nice"));
        assert!(html.contains("Alpes-Maritimes · technologie"));
        let old = (Utc::now() - Duration::days(120)).format("%Y-%m-%d");
        assert!(
            letter(&app, &format!("since={old}"))
                .await
                .contains("Robotique ancienne à Nice")
        );
        let html = letter(&app, &format!("since={}", Utc::now().format("%Y-%m-%d"))).await;
        assert!(html.contains("Aucun usage publié sur cette période"), "empty state");
    }
}

#[tokio::test]
async fn bad_letter_parameters_are_named() {
    let (app, _) = seeded(repere_tests::Backend::Sqlite).await;
    let future = (Utc::now() + Duration::days(2)).format("%Y-%m-%d");
    for (query, param) in [
        ("since=hier".to_string(), "since"),
        ("since=2026-13-01".to_string(), "since"),
        (format!("since={future}"), "since"),
        ("since=2025-01-01&departement=ZZ".to_string(), "departement"),
        ("since=2025-01-01&couleur=rouge".to_string(), "couleur"),
    ] {
        let (status, ctype, body) = app.get(&format!("/lettre?{query}")).await;
        assert_problem(status, &ctype, &body, 400, Some(param), &query);
    }
}
