//! Several instances on one database: every committed write reaches every instance's API within a
//! second (items, nearby, links), after a restart and after a dropped notification connection too;
//! sessions work through any instance; health and metrics report the truth. On SQLite (the change log
//! is polled) and PostgreSQL (LISTEN/NOTIFY wakes the followers up).

use std::time::{Duration, Instant};

use repere_tests::{Backend, Browser, TestApp, backends};
use serde_json::{Value, json};

const PASSWORD: &str = "une phrase de passe longue";
/// Where the test reports are placed: far enough from every demo practice to come first in nearby.
const SPOT: (f64, f64) = (6.7123, 43.8456);

async fn app(backend: Backend) -> TestApp {
    let users = [("prof@ac-nice.fr", "contributor"), ("cardie@ac-nice.fr", "moderator")];
    TestApp::with_demo_and_users(backend, &users, PASSWORD).await
}

async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    Browser::signed_in(app, email, PASSWORD).await
}

/// Reports a practice as the contributor and publishes it as the moderator, both through `via`.
async fn publish_new(via: &TestApp, title: &str) -> i64 {
    let mut author = signed_in(via, "prof@ac-nice.fr").await;
    let r = author
        .post(
            "/api/practices",
            json!({
                "title": title,
                "summary": "Une remontée écrite pendant le test de plusieurs instances.",
                "disciplines": ["Technologie"], "levels": ["5e"], "tools": ["Tinkercad"],
                "school_year": "2025-2026", "uai": "0060842H", "contact_consent": true,
                "position": { "lon": SPOT.0, "lat": SPOT.1 },
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(author.act(id, "submit").await, 200);
    let mut cardie = signed_in(via, "cardie@ac-nice.fr").await;
    assert_eq!(cardie.decide(id, "publish", json!({})).await.status, 200);
    id
}

/// Polls `check` on `app` until it holds, and returns how long that took; fails after `limit`.
async fn within<F, Fut>(limit: Duration, what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if check().await {
            return start.elapsed();
        }
        assert!(start.elapsed() < limit, "{what}: not seen within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn status(app: &TestApp, path: &str) -> u16 {
    app.get(path).await.0
}

async fn nearest_id(app: &TestApp) -> Option<i64> {
    let (_, _, body) = app.get(&format!("/api/nearby?lon={}&lat={}&k=1", SPOT.0, SPOT.1)).await;
    body["features"][0]["id"].as_i64()
}

async fn first_two_unlinked(app: &TestApp) -> (i64, i64) {
    let features = app.all_features("/api/collections/practices/items?limit=1000").await;
    let links = app.all_features("/api/collections/links/items?limit=1000").await;
    let linked: std::collections::HashSet<i64> = links
        .iter()
        .flat_map(|l| [&l["properties"]["from_practice"], &l["properties"]["to_practice"]])
        .filter_map(Value::as_i64)
        .collect();
    let free: Vec<i64> = features
        .iter()
        .filter_map(|f| f["id"].as_i64())
        .filter(|id| !linked.contains(id))
        .collect();
    (free[0], free[1])
}

#[tokio::test]
async fn a_write_through_one_instance_reaches_the_other_within_a_second() {
    for backend in backends() {
        let a = app(backend).await;
        let b = a.another_instance().await;
        // B draws (and keeps in its tile cache) the tile where the practice will appear.
        let (tx, ty) = repere_tests::mvt::tile_of(SPOT.0, SPOT.1, 12);
        let tile = format!("{}/api/tiles/practices/12/{tx}/{ty}.mvt", b.base());
        let before = b.client.get(&tile).send().await.unwrap().bytes().await.unwrap();

        // A new published practice: B's items and nearby serve it.
        let id = publish_new(&a, "Écrit par A, lu par B").await;
        let item = format!("/api/collections/practices/items/{id}");
        let took = within(Duration::from_secs(1), "practice on B", || async {
            status(&b, &item).await == 200
        })
        .await;
        eprintln!("{backend:?}: a practice published through A was served by B after {took:?}");
        within(Duration::from_secs(1), "nearby on B", || async {
            nearest_id(&b).await == Some(id)
        })
        .await;
        // And B's vector tile at the practice's position, drawn again for the new catalogue.
        let ids_in_tile = |bytes: &[u8]| -> Vec<i64> {
            repere_tests::mvt::decode(bytes)
                .iter()
                .flat_map(|l| {
                    l.features
                        .iter()
                        .filter_map(|f| f.props.get("id").and_then(Value::as_i64))
                })
                .collect()
        };
        assert!(!ids_in_tile(&before).contains(&id));
        let bytes = b.client.get(&tile).send().await.unwrap().bytes().await.unwrap();
        assert!(
            ids_in_tile(&bytes).contains(&id),
            "{backend:?}: B's tile shows the new practice"
        );
        let (_, _, on_a) = a.get(&item).await;
        let (_, _, on_b) = b.get(&item).await;
        // The same record (links differ: each instance writes its own address).
        assert_eq!(
            (&on_a["properties"], &on_a["geometry"]),
            (&on_b["properties"], &on_b["geometry"]),
            "{backend:?}: both instances serve the same record"
        );

        // A link, then its removal.
        let (x, y) = first_two_unlinked(&a).await;
        let mut prof = signed_in(&a, "prof@ac-nice.fr").await;
        let r = prof
            .post(
                "/api/links",
                json!({ "from_practice": x, "to_practice": y, "kind": "inspired_by" }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let link = format!("/api/collections/links/items/{}", r.body["id"].as_i64().unwrap());
        within(Duration::from_secs(1), "link on B", || async {
            status(&b, &link).await == 200
        })
        .await;
        let path = link.replace("/collections/links/items/", "/links/");
        let r = prof.delete(&path).await;
        assert_eq!(r.status, 204);
        within(Duration::from_secs(1), "link removal on B", || async {
            status(&b, &link).await == 404
        })
        .await;

        // Archiving (a status change) takes the practice off B's public map.
        let mut cardie = signed_in(&a, "cardie@ac-nice.fr").await;
        assert_eq!(cardie.act(id, "archive").await, 200);
        within(Duration::from_secs(1), "archived on B", || async {
            nearest_id(&b).await != Some(id)
        })
        .await;
    }
}

#[tokio::test]
async fn a_stopped_instance_serves_every_write_it_missed_once_ready() {
    for backend in backends() {
        let a = app(backend).await;
        let b = a.another_instance().await;
        let (_, _, before) = b.get("/api/collections/practices/items?limit=1").await;
        b.stop().await;

        let mut written = Vec::new();
        for n in 0..3 {
            written.push(publish_new(&a, &format!("Pendant l'arrêt de B, n° {n}")).await);
        }
        let (_, _, on_a) = a.get("/api/collections/practices/items?limit=1").await;
        assert_eq!(
            on_a["numberMatched"].as_i64().unwrap(),
            before["numberMatched"].as_i64().unwrap() + 3
        );

        // TestApp waits for /health/ready: from then on, nothing is missing.
        let b = a.another_instance().await;
        let (_, _, on_b) = b.get("/api/collections/practices/items?limit=1").await;
        assert_eq!(on_b["numberMatched"], on_a["numberMatched"], "{backend:?}");
        for id in written {
            assert_eq!(status(&b, &format!("/api/collections/practices/items/{id}")).await, 200);
        }
        let (code, _, ready) = b.get("/health/ready").await;
        assert_eq!(code, 200);
        assert_eq!(ready["sync"]["lag_changes"], 0, "{ready}");
    }
}

#[tokio::test]
async fn a_dropped_notification_connection_loses_nothing() {
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let a = app(Backend::Postgres).await;
    let b = a.another_instance().await;
    within(Duration::from_secs(5), "B listens", || async {
        b.get("/health/ready").await.2["sync"]["listening"] == true
    })
    .await;

    // Kill every LISTEN connection of this database (B's and A's), then write through A.
    let db = a.database_url.rsplit('/').next().unwrap().to_string();
    let store = repere_store::Store::connect(&a.database_url).await.unwrap();
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'LISTEN%'",
    )
    .bind(&db)
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert!(
        killed.len() >= 2,
        "both instances had a listening connection: {killed:?}"
    );
    let id = publish_new(&a, "Écrit pendant la coupure").await;
    within(Duration::from_secs(1), "practice on B after the drop", || async {
        status(&b, &format!("/api/collections/practices/items/{id}")).await == 200
    })
    .await;

    // B reconnects its listener; the next write arrives by notification again.
    within(Duration::from_secs(5), "B listens again", || async {
        b.get("/health/ready").await.2["sync"]["listening"] == true
    })
    .await;
    let again = publish_new(&a, "Écrit après la reconnexion").await;
    within(Duration::from_secs(1), "practice on B after reconnecting", || async {
        status(&b, &format!("/api/collections/practices/items/{again}")).await == 200
    })
    .await;
    let (_, _, ready) = b.get("/health/ready").await;
    assert_eq!(ready["sync"]["lag_changes"], 0, "{ready}");
}

#[tokio::test]
async fn a_session_opened_through_one_instance_works_through_the_other() {
    for backend in backends() {
        let a = app(backend).await;
        let b = a.another_instance().await;
        let on_a = signed_in(&a, "prof@ac-nice.fr").await;
        let mut on_b = Browser::new(&b);
        on_b.cookie = on_a.cookie.clone();
        on_b.csrf = on_a.csrf.clone();
        let session = on_b.get("/api/auth/session").await;
        assert_eq!(session.body["user"]["email"], "prof@ac-nice.fr", "{}", session.body);
        // A write through B with A's session and CSRF token.
        let (x, y) = first_two_unlinked(&b).await;
        let r = on_b
            .post(
                "/api/links",
                json!({ "from_practice": x, "to_practice": y, "kind": "visit" }),
            )
            .await;
        assert_eq!(r.status, 201, "{backend:?}: {}", r.body);
        // Signing out through B ends the session for A too.
        let token = on_b.csrf.clone();
        assert_eq!(
            on_b.send(
                reqwest::Method::POST,
                "/api/auth/logout",
                Some(json!({})),
                token.as_deref()
            )
            .await
            .status,
            204
        );
        let mut again = Browser::new(&a);
        again.cookie = on_a.cookie.clone();
        assert!(again.get("/api/auth/session").await.body["user"].is_null());
    }
}

#[tokio::test]
async fn health_and_metrics_tell_the_truth() {
    let a = app(Backend::Sqlite).await;
    let (code, _, live) = a.get("/health/live").await;
    assert_eq!((code, live["status"].as_str()), (200, Some("live")));
    let (code, _, ready) = a.get("/health/ready").await;
    assert_eq!(code, 200, "{ready}");
    assert_eq!(ready["sync"]["loaded"], true);

    let (_, _, items) = a.get("/api/collections/practices/items?limit=5").await;
    let matched = items["numberMatched"].as_i64().unwrap();
    a.get("/api/collections/nope/items").await;
    let resp = a.client.get(format!("{}/metrics", a.base())).send().await.unwrap();
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = resp.text().await.unwrap();
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
            .to_string()
    };
    assert!(
        line(r#"repere_http_requests_total{method="GET",route="/api/collections/{collection_id}/items",status="200"}"#)
            .ends_with(" 1"),
        "one items request counted under its route template"
    );
    line(r#"repere_http_requests_total{method="GET",route="/api/collections/{collection_id}/items",status="404"}"#);
    line(r#"repere_http_request_duration_seconds_count{route="/api/collections/{collection_id}/items"}"#);
    // Every practice is indexed (the public count excludes drafts and the like, so it is a floor).
    let indexed: i64 = line(r#"repere_index_size{layer="practices"}"#)
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let store = repere_store::Store::connect(&a.database_url).await.unwrap();
    assert_eq!(indexed, repere_store::practices::count(&store).await.unwrap());
    assert!(indexed >= matched);
    assert!(line("repere_change_lag ").ends_with(" 0"));
}

#[tokio::test]
async fn a_command_line_import_reaches_a_running_server() {
    for backend in backends() {
        let a = app(backend).await;
        let store = repere_store::Store::connect(&a.database_url).await.unwrap();
        let dir = std::env::temp_dir().join(format!("repere-instances-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("bandwidth-{backend:?}.csv"));
        std::fs::write(
            &file,
            "uai;down_mbps;up_mbps;technology;source;date\n0060842H;937.5;400;fibre;measured;2026-11-01\n",
        )
        .unwrap();
        let report = repere_server::jobs::import::bandwidth::import_file(&store, &file, false, false)
            .await
            .unwrap();
        assert!(report.rejected.is_empty(), "{report}");
        within(Duration::from_secs(1), "new bandwidth served", || async {
            let (_, _, e) = a.get("/api/collections/establishments/items/0060842H").await;
            e.to_string().contains("937.5")
        })
        .await;
    }
}
