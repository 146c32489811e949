//! Moving data safely: `repere backup` under concurrent writes, `repere migrate-to` from SQLite to
//! PostgreSQL with every row kept, and the table list both rely on checked against the real schema.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use repere_store::transfer::{TABLES, TransferError};
use repere_store::{Backend as StoreBackend, Store};
use repere_tests::{Backend, Browser, TestApp, backends};
use serde_json::json;
use sqlx::Row;

const PASSWORD: &str = "une phrase de passe longue";

async fn demo_with_user(backend: Backend) -> String {
    let url = repere_tests::fresh_database(backend).await;
    let store = Store::connect(&url).await.unwrap();
    repere_server::jobs::demo::load(&store).await.unwrap();
    repere_server::cli::add_user(&store, "prof@ac-nice.fr", "contributor", "Prof", PASSWORD)
        .await
        .unwrap();
    store.close().await;
    url
}

fn draft(n: usize) -> serde_json::Value {
    json!({
        "title": format!("Brouillon concurrent n° {n}"),
        "summary": "Écrit pendant la sauvegarde.",
        "disciplines": ["SVT"], "levels": ["6e"], "tools": ["ENT"],
        "school_year": "2025-2026", "uai": "0060842H", "contact_consent": true,
    })
}

#[tokio::test]
async fn backup_under_concurrent_writes_holds_every_acknowledged_write() {
    let url = demo_with_user(Backend::Sqlite).await;
    let app = Arc::new(TestApp::on(Backend::Sqlite, url.clone()).await);
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::<i64>::new()));
    let stop = Arc::new(AtomicBool::new(false));

    // A writer that keeps reporting drafts through the API while the backup runs.
    let writer = {
        let (acknowledged, stop, app) = (acknowledged.clone(), stop.clone(), app.clone());
        tokio::spawn(async move {
            let mut b = Browser::signed_in(&app, "prof@ac-nice.fr", PASSWORD).await;
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                let r = b.post("/api/practices", draft(n)).await;
                assert_eq!(r.status, 201, "{}", r.body);
                acknowledged.lock().unwrap().push(r.body["id"].as_i64().unwrap());
                n += 1;
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 5 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before: Vec<i64> = acknowledged.lock().unwrap().clone();
    let dest = std::env::temp_dir().join(format!("repere-backup-{}-{}.db", std::process::id(), before.len()));
    let _ = std::fs::remove_file(&dest);
    let store = Store::connect(&url).await.unwrap();
    let counts = repere_store::transfer::backup_sqlite(&store, &dest).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(
        acknowledged.lock().unwrap().len() > before.len(),
        "writes went on during the backup"
    );

    // The copy opens as a Repère database, passes the integrity check and holds every write
    // acknowledged before the backup started.
    let copy = Store::connect(&format!("sqlite://{}", dest.display())).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(copy.pool())
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let ids: BTreeSet<i64> = sqlx::query("SELECT id FROM practices")
        .fetch_all(copy.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<i64, _>(0))
        .collect();
    for id in &before {
        assert!(ids.contains(id), "acknowledged practice {id} missing from the backup");
    }
    let practices = counts.iter().find(|c| c.table == "practices").unwrap().target;
    assert_eq!(practices, ids.len() as i64, "the reported count is the copy's");

    // A second backup to the same file is refused by the command line, which leaves the file alone.
    let size = std::fs::metadata(&dest).unwrap().len();
    let cli = <repere_server::cli::Cli as clap::Parser>::try_parse_from([
        "repere",
        "--database-url",
        &url,
        "backup",
        dest.to_str().unwrap(),
    ])
    .unwrap();
    let refused = repere_server::cli::run(cli).await.unwrap_err().to_string();
    assert!(refused.contains("existe déjà"), "{refused}");
    assert_eq!(std::fs::metadata(&dest).unwrap().len(), size);
}

#[tokio::test]
async fn migration_from_sqlite_to_postgresql_keeps_every_row() {
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let source_url = demo_with_user(Backend::Sqlite).await;
    // Some of everything: a session, a link by a user, a draft, an audit entry, a message.
    let source_app = TestApp::on(Backend::Sqlite, source_url.clone()).await;
    let mut prof = Browser::signed_in(&source_app, "prof@ac-nice.fr", PASSWORD).await;
    assert_eq!(prof.post("/api/practices", draft(1)).await.status, 201);
    let (_, _, before) = source_app.get("/api/collections/practices/items?limit=1").await;
    let (cookie, csrf) = (prof.cookie.clone(), prof.csrf.clone());
    drop(prof);
    source_app.stop().await;

    let source = Store::connect(&source_url).await.unwrap();
    let target_url = repere_tests::fresh_database(Backend::Postgres).await;
    let target = Store::connect(&target_url).await.unwrap();
    let counts = repere_store::transfer::copy_all(&source, &target).await.unwrap();
    assert_eq!(counts.len(), TABLES.len());
    for c in &counts {
        assert_eq!(c.source, c.target, "{}", c.table);
        let direct: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {}", c.table)))
            .fetch_one(target.pool())
            .await
            .unwrap();
        assert_eq!(direct, c.source, "{}", c.table);
    }
    for t in ["establishments", "practices", "links", "users", "sessions", "audit_log"] {
        assert!(
            counts.iter().any(|c| c.table == t && c.source > 0),
            "{t} had rows to copy"
        );
    }

    // Copying again is refused: the target is no longer empty, and nothing changes.
    match repere_store::transfer::copy_all(&source, &target).await {
        Err(TransferError::TargetNotEmpty { .. }) => {}
        other => panic!("expected a refusal, got {other:?}"),
    }

    // Repère runs on the copy: same public figures, the session still valid, and new rows get new ids.
    target.close().await;
    let on_pg = TestApp::on(Backend::Postgres, target_url).await;
    let (_, _, after) = on_pg.get("/api/collections/practices/items?limit=1").await;
    assert_eq!(after["numberMatched"], before["numberMatched"]);
    let mut same = Browser::new(&on_pg);
    same.cookie = cookie;
    same.csrf = csrf;
    assert_eq!(
        same.get("/api/auth/session").await.body["user"]["email"],
        "prof@ac-nice.fr"
    );
    let r = same.post("/api/practices", draft(2)).await;
    assert_eq!(r.status, 201, "sequences continue after the copied ids: {}", r.body);
}

/// The tables and columns `transfer` copies are exactly those the migrations create, on both backends.
#[tokio::test]
async fn the_copied_tables_are_the_whole_schema() {
    for backend in backends() {
        let url = repere_tests::fresh_database(backend).await;
        let store = Store::connect(&url).await.unwrap();
        let listed: BTreeSet<(String, String, bool)> = TABLES
            .iter()
            .flat_map(|(t, cols)| {
                cols.iter()
                    .map(move |(c, _, null)| (t.to_string(), c.to_string(), *null))
            })
            .collect();
        let actual: BTreeSet<(String, String, bool)> = match store.backend() {
            StoreBackend::Sqlite => {
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
                )
                .fetch_all(store.pool())
                .await
                .unwrap();
                let mut out = BTreeSet::new();
                for t in tables {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT name, \"notnull\", pk FROM pragma_table_info('{t}')"
                    )))
                    .fetch_all(store.pool())
                    .await
                    .unwrap();
                    for r in rows {
                        let not_null = r.get::<i64, _>(1) == 1 || r.get::<i64, _>(2) > 0;
                        out.insert((t.clone(), r.get::<String, _>(0), !not_null));
                    }
                }
                out
            }
            StoreBackend::Postgres => sqlx::query(
                "SELECT table_name::text, column_name::text, (is_nullable = 'YES') FROM information_schema.columns
                 WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1), r.get::<bool, _>(2)))
            .collect(),
        };
        assert_eq!(listed, actual, "{backend:?}");
        store.close().await;
    }
}
