//! Regression tests of the hardening issue (#21), each failing before its fix: CSV formula injection,
//! account existence shown by response time, a moderator's archive undone by the author, a flood of
//! messages, "se déconnecter partout", guessable passwords, links built from hostile headers, the demo
//! left in the write-ahead log, and a file whose every row is rejected.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use repere_tests::{Backend, Browser, TestApp, assert_problem, backends};
use serde_json::{Value, json};

const PASSWORD: &str = "une phrase de passe longue";
const AUTHOR: &str = "auteure@ac-nice.fr";
const MODERATOR: &str = "cardie@ac-nice.fr";

async fn app(backend: Backend) -> TestApp {
    TestApp::with_demo_and_users(
        backend,
        &[
            (AUTHOR, "contributor"),
            ("collegue@ac-nice.fr", "contributor"),
            (MODERATOR, "moderator"),
            ("admin@ac-nice.fr", "admin"),
        ],
        PASSWORD,
    )
    .await
}

fn report(title: &str, tools: &[&str]) -> Value {
    repere_tests::report_form(title, json!({ "tools": tools, "submit": true }))
}

/// A report by the author, published by the moderator; its id.
async fn published(app: &TestApp, title: &str, tools: &[&str]) -> i64 {
    let mut author = Browser::signed_in(app, AUTHOR, PASSWORD).await;
    let r = author.post("/api/practices", report(title, tools)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let mut moderator = Browser::signed_in(app, MODERATOR, PASSWORD).await;
    assert_eq!(moderator.decide(id, "publish", json!({})).await.status, 200);
    id
}

#[tokio::test]
async fn csv_cells_that_spreadsheets_would_run_are_text() {
    let app = app(Backend::Sqlite).await;
    let formulas = [
        "=HYPERLINK(\"http://x.example\",\"ici\")",
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
    ];
    published(&app, "-2+3 robots en classe", &formulas).await;
    let moderator = Browser::signed_in(&app, MODERATOR, PASSWORD).await;
    for path in [
        "/api/indicators/target.csv?breakdown=tool&school_year=2025-2026".to_string(),
        "/api/collections/practices/items?f=csv&limit=10000".to_string(),
    ] {
        let text = moderator.csv(&path).await;
        let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
        let cells: Vec<String> = reader
            .records()
            .flat_map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
            .collect();
        for f in formulas {
            let shown = cells.iter().any(|c| c.contains(&f[1..]));
            assert!(shown, "{path}: {f} is listed");
        }
        for cell in &cells {
            let risky = cell.starts_with(['=', '+', '@', '\t', '\r'])
                || (cell.starts_with('-') && cell.parse::<f64>().is_err());
            assert!(!risky, "{path}: a cell a spreadsheet would run: {cell:?}");
        }
    }
}

#[tokio::test]
async fn an_unknown_address_takes_as_long_as_a_wrong_password() {
    let app = app(Backend::Sqlite).await;
    let mut b = Browser::new(&app);
    b.session().await;
    // Four of each: under the per-account and per-address limits.
    let timed = |samples: &mut Vec<Duration>, d: Duration| samples.push(d);
    let (mut unknown, mut wrong) = (Vec::new(), Vec::new());
    for i in 0..4 {
        let t = Instant::now();
        assert_eq!(
            b.login(&format!("personne{i}@ac-nice.fr"), "une phrase fausse")
                .await
                .status,
            401
        );
        timed(&mut unknown, t.elapsed());
        let t = Instant::now();
        assert_eq!(b.login(AUTHOR, "une phrase fausse").await.status, 401);
        timed(&mut wrong, t.elapsed());
    }
    unknown.sort();
    wrong.sort();
    // Without a dummy hash the unknown address answers some twenty times faster.
    assert!(
        unknown[2] * 2 >= wrong[2],
        "unknown address {:?} against wrong password {:?}",
        unknown,
        wrong
    );
}

#[tokio::test]
async fn what_a_moderator_archived_only_a_moderator_puts_back() {
    for backend in backends() {
        let app = app(backend).await;
        let id = published(&app, "Un projet archivé par la CARDIE", &["Thymio"]).await;
        let mut moderator = Browser::signed_in(&app, MODERATOR, PASSWORD).await;
        let mut author = Browser::signed_in(&app, AUTHOR, PASSWORD).await;
        assert_eq!(moderator.act(id, "archive").await, 200);
        let r = author.post(&format!("/api/practices/{id}/continue"), json!({})).await;
        assert_eq!(r.status, 403, "{backend:?}: {}", r.body);
        assert!(r.body["detail"].as_str().unwrap().contains("archivée par la CARDIE"));
        assert_eq!(
            app.get(&format!("/api/collections/practices/items/{id}")).await.0,
            404,
            "still off the map"
        );
        assert_eq!(moderator.act(id, "continue").await, 200);
        // What the author archived, the author may put back.
        assert_eq!(author.act(id, "archive").await, 200);
        assert_eq!(author.act(id, "continue").await, 200);
    }
}

#[tokio::test]
async fn a_flood_of_messages_to_an_author_is_stopped() {
    let app = app(Backend::Sqlite).await;
    let id = published(&app, "Un projet très demandé", &["Thymio"]).await;
    let mut colleague = Browser::signed_in(&app, "collegue@ac-nice.fr", PASSWORD).await;
    let limit = repere_server::practices::messages::MESSAGES_PER_WINDOW;
    for i in 0..limit {
        let r = colleague
            .post(
                &format!("/api/practices/{id}/messages"),
                json!({ "body": format!("Message {i}") }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = colleague
        .post(&format!("/api/practices/{id}/messages"), json!({ "body": "Encore un" }))
        .await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.retry_after.is_some());
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_and_guessable_passwords_are_refused() {
    for backend in backends() {
        let app = app(backend).await;
        let mut phone = Browser::signed_in(&app, AUTHOR, PASSWORD).await;
        let mut desk = Browser::signed_in(&app, AUTHOR, PASSWORD).await;
        assert_eq!(phone.get("/api/practices/mine").await.status, 200);
        assert_eq!(desk.post("/api/auth/logout/everywhere", json!({})).await.status, 204);
        assert_eq!(phone.get("/api/practices/mine").await.status, 401, "{backend:?}");
        assert_eq!(desk.get("/api/practices/mine").await.status, 401);
        let mut anon = Browser::new(&app);
        anon.session().await;
        assert_eq!(anon.post("/api/auth/logout/everywhere", json!({})).await.status, 401);

        let mut admin = Browser::signed_in(&app, "admin@ac-nice.fr", PASSWORD).await;
        assert_eq!(
            admin
                .post(
                    "/api/accounts/invitations",
                    json!({ "email": "faible@ac-nice.fr", "role": "contributor" })
                )
                .await
                .status,
            201
        );
        let store = repere_store::Store::connect(&app.database_url).await.unwrap();
        let (token, hash) = ("a".repeat(64), repere_server::auth::token_hash(&"a".repeat(64)));
        let mut unit = store.begin().await.unwrap();
        let user =
            repere_store::users::by_email(&store, &repere_core::users::Email::parse("faible@ac-nice.fr").unwrap())
                .await
                .unwrap()
                .unwrap()
                .0;
        let now = chrono::Utc::now();
        repere_store::accounts::create_token(
            unit.conn(),
            &hash,
            repere_store::accounts::Purpose::Invitation,
            user.id,
            None,
            now,
            now + chrono::Duration::days(1),
        )
        .await
        .unwrap();
        unit.commit().await.unwrap();
        store.close().await;
        let weak = anon
            .post(
                "/api/auth/invitation",
                json!({ "token": token, "password": "aaaaaaaaaaaa" }),
            )
            .await;
        assert_eq!(weak.status, 422, "{}", weak.body);
        assert_eq!(weak.body["invalid_params"][0]["name"], "password");
        let strong = anon
            .post("/api/auth/invitation", json!({ "token": token, "password": PASSWORD }))
            .await;
        assert_eq!(
            strong.status, 200,
            "a refused password leaves the link usable: {}",
            strong.body
        );
    }
}

#[tokio::test]
async fn links_never_carry_a_hostile_scheme_or_host() {
    let app = app(Backend::Sqlite).await;
    let landing = |proto: &'static str, host: &'static str| {
        let client = app.client.clone();
        let url = format!("{}/api", app.base());
        async move {
            let r = client
                .get(url)
                .header("x-forwarded-proto", proto)
                .header("host", host)
                .send()
                .await
                .unwrap();
            r.text().await.unwrap()
        }
    };
    let body = landing("javascript:alert(1)//", "repere.ac-nice.fr").await;
    assert!(!body.contains("javascript:"), "{body}");
    assert!(body.contains("http://repere.ac-nice.fr/api"), "{body}");
    // A configured public address wins over any header.
    let url = repere_tests::fresh_database(Backend::Sqlite).await;
    let configured = TestApp::configured(Backend::Sqlite, url, |c| {
        c.public_url = Some("https://repere.ac-nice.fr".into())
    })
    .await;
    let r = configured
        .client
        .get(format!("{}/api", configured.base()))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    let body = r.text().await.unwrap();
    assert!(body.contains("https://repere.ac-nice.fr/api/conformance"), "{body}");
    assert!(!body.contains("evil.example"), "{body}");
}

#[tokio::test]
async fn the_demo_is_in_the_database_file_itself() {
    let url = repere_tests::fresh_database(Backend::Sqlite).await;
    let store = repere_store::Store::connect(&url).await.unwrap();
    repere_server::jobs::demo::load(&store).await.unwrap();
    let file = url.trim_start_matches("sqlite://").to_string();
    // Copied while the store is still open: only the .db file, not its -wal.
    let copy = format!("{file}.copie.db");
    std::fs::copy(&file, &copy).unwrap();
    store.close().await;
    let copied = repere_store::Store::connect(&format!("sqlite://{copy}")).await.unwrap();
    assert!(
        repere_store::practices::count(&copied).await.unwrap() > 0,
        "the copied .db holds the demo practices"
    );
    copied.close().await;
}

#[tokio::test]
async fn a_file_whose_every_row_is_rejected_is_refused() {
    let url = repere_tests::fresh_database(Backend::Sqlite).await;
    let dir = std::env::temp_dir().join(format!("repere-refused-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let all_bad = dir.join("debits.csv");
    std::fs::write(&all_bad, "uai;down_mbps;up_mbps;technology;source;date\nPASUNUAI;10;2;fibre;mesure;2025-01-01\n0000000Z;x;2;fibre;mesure;2025-01-01\n").unwrap();
    let run = |file: &std::path::Path| {
        let cli = repere_server::cli::Cli::parse_from([
            "repere",
            "--database-url",
            &url,
            "import",
            "bandwidth",
            file.to_str().unwrap(),
        ]);
        repere_server::cli::run(cli)
    };
    assert_eq!(run(&all_bad).await.unwrap(), ExitCode::FAILURE);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A raw response's status, content type and JSON body.
async fn answer(r: reqwest::Response) -> (u16, String, Value) {
    let status = r.status().as_u16();
    let ctype = r.headers()["content-type"].to_str().unwrap().to_string();
    (status, ctype, r.json().await.unwrap())
}

#[tokio::test]
async fn every_error_under_the_api_is_problem_json() {
    let app = app(Backend::Sqlite).await;
    let check = |what: &str, status: u16, ctype: &str, body: &Value, want: u16, param: Option<&str>| {
        assert_eq!(status, want, "{what}: {body}");
        assert!(ctype.starts_with("application/problem+json"), "{what}: {ctype}");
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{what}: {body}");
        if let Some(p) = param {
            assert_eq!(body["invalid_params"][0]["name"], p, "{what}: {body}");
        }
    };
    let (s, c, b) = app.get("/api/practices/abc/neighbourhood").await;
    check("a path id that is not a number", s, &c, &b, 400, Some("id"));
    let (s, c, b) = app.get("/api/collections/%FF/items").await;
    assert!(c.starts_with("application/problem+json"), "{s} {c} {b}");
    let mut browser = Browser::new(&app);
    browser.session().await;
    let r = app
        .client
        .delete(format!("{}/api/collections", app.base()))
        .header("x-csrf-token", browser.csrf.clone().unwrap())
        .header("cookie", browser.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    let (s, allow) = (
        r.status().as_u16(),
        r.headers().get("allow").map(|v| v.to_str().unwrap().to_string()),
    );
    let c = r.headers()["content-type"].to_str().unwrap().to_string();
    let b: Value = r.json().await.unwrap();
    check("a method the route does not take", s, &c, &b, 405, None);
    assert!(allow.is_some_and(|a| a.contains("GET")), "Allow is kept");
    let r = app
        .client
        .post(format!("{}/api/visits", app.base()))
        .header("content-type", "application/json")
        .body(vec![b' '; 3 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    let (s, c, b) = answer(r).await;
    check("a body too large", s, &c, &b, 413, None);
    let r = app
        .client
        .post(format!("{}/api/visits", app.base()))
        .header("content-type", "text/plain")
        .body("page=carte")
        .send()
        .await
        .unwrap();
    let (s, c, b) = answer(r).await;
    assert!(s >= 400 && c.starts_with("application/problem+json"), "{s} {c} {b}");
}

#[tokio::test]
async fn large_static_maps_are_for_signed_in_people() {
    let app = app(Backend::Sqlite).await;
    let path = "/api/maps/static.png?bbox=6.9,43.5,7.1,43.7&width=1100&height=1100";
    let (status, ctype, body) = app.get(path).await;
    repere_tests::assert_problem(status, &ctype, &body, 400, Some("width"), "a visitor's large map");
    let mut author = Browser::signed_in(&app, AUTHOR, PASSWORD).await;
    let r = author.send(reqwest::Method::GET, path, None, None).await;
    assert_eq!(r.status, 200, "a signed-in person's large map");
}

#[tokio::test]
async fn static_maps_refuse_work_beyond_their_bound() {
    let app = app(Backend::Sqlite).await;
    let mut calls = Vec::new();
    for i in 0..12 {
        let client = app.client.clone();
        let west = 6.9 + f64::from(i) * 0.01;
        let url = format!(
            "{}/api/maps/static.png?bbox={west},43.5,{},43.8&width=1024&height=1024",
            app.base(),
            west + 0.2
        );
        calls.push(tokio::spawn(async move {
            let r = client.get(url).send().await.unwrap();
            (r.status().as_u16(), r.headers().get("retry-after").is_some())
        }));
    }
    let mut drawn = 0;
    let mut busy = 0;
    for c in calls {
        match c.await.unwrap() {
            (200, _) => drawn += 1,
            (503, true) => busy += 1,
            other => panic!("a static map answered {other:?}"),
        }
    }
    let admitted = repere_server::maps::DRAWN_AT_ONCE + repere_server::maps::WAITING_AT_MOST;
    assert!(drawn >= 1 && drawn <= admitted, "drawn {drawn}, busy {busy}");
    assert!(busy >= 12 - admitted, "drawn {drawn}, busy {busy}");
}

#[tokio::test]
async fn a_report_changed_after_the_moderator_read_it_is_not_published_blind() {
    for backend in backends() {
        let app = app(backend).await;
        let mut author = Browser::signed_in(&app, AUTHOR, PASSWORD).await;
        let r = author
            .post("/api/practices", report("Version relue par la CARDIE", &["Thymio"]))
            .await;
        let id = r.body["id"].as_i64().unwrap();
        let mut moderator = Browser::signed_in(&app, MODERATOR, PASSWORD).await;
        let version_of = |inbox: &Value| {
            inbox["practices"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == id)
                .unwrap()["version"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let read = version_of(&moderator.get("/api/moderation/inbox").await.body);
        // The author changes the text meanwhile.
        let edited = author
            .put(
                &format!("/api/practices/{id}"),
                report("Version que personne n'a relue", &["Thymio"]),
            )
            .await;
        assert_eq!(edited.status, 200, "{}", edited.body);
        let stale = moderator
            .post(&format!("/api/practices/{id}/publish"), json!({ "version": read }))
            .await;
        assert_eq!(stale.status, 409, "{backend:?}: {}", stale.body);
        // A decision that does not say which version it was taken on cannot slip through either.
        let blind = moderator.post(&format!("/api/practices/{id}/publish"), json!({})).await;
        assert_problem(
            blind.status,
            &blind.ctype,
            &blind.body,
            422,
            Some("version"),
            "publish without version",
        );
        assert_eq!(
            app.get(&format!("/api/collections/practices/items/{id}")).await.0,
            404,
            "nothing went public"
        );
        let bulk = moderator
            .post(
                "/api/moderation/decisions",
                json!({ "ids": [id], "action": "publish", "versions": { id.to_string(): read } }),
            )
            .await;
        assert!(bulk.body["results"][0]["error"].is_string(), "{}", bulk.body);
        // Read again: the new version, which publishes.
        let fresh = version_of(&moderator.get("/api/moderation/inbox").await.body);
        assert_ne!(fresh, read);
        assert_eq!(
            moderator
                .post(&format!("/api/practices/{id}/publish"), json!({ "version": fresh }))
                .await
                .status,
            200
        );
        let (_, _, public) = app.get(&format!("/api/collections/practices/items/{id}")).await;
        assert_eq!(public["properties"]["title"], "Version que personne n'a relue");
    }
}

#[tokio::test]
async fn pages_and_the_api_carry_security_headers_and_personal_answers_are_never_stored() {
    let app = app(Backend::Sqlite).await;
    let id = published(&app, "Une fiche publique", &["Thymio"]).await;
    let r = app.client.get(format!("{}/api", app.base())).send().await.unwrap();
    assert_eq!(r.headers()["x-content-type-options"], "nosniff", "the API too");
    for path in [
        "/".to_string(),
        format!("/usage/{id}"),
        "/lettre?since=2025-09-01".into(),
        "/api/docs".into(),
    ] {
        let r = app.client.get(format!("{}{path}", app.base())).send().await.unwrap();
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("script-src 'self' 'sha256-"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("'unsafe-eval'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'self'"), "{path}: {csp}");
        assert_eq!(
            h.get("x-content-type-options").map(|v| v.to_str().unwrap()),
            Some("nosniff"),
            "{path}"
        );
        assert!(
            h.get("referrer-policy").is_some() && h.get("permissions-policy").is_some(),
            "{path}"
        );
    }
    let mut author = Browser::signed_in(&app, AUTHOR, PASSWORD).await;
    for path in ["/api/practices/mine", "/api/auth/session", "/api/account/preferences"] {
        let mut req = app.client.get(format!("{}{path}", app.base()));
        req = req.header("cookie", author.cookie.clone().unwrap());
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(
            r.headers().get("cache-control").map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{path}"
        );
    }
    let mut moderator = Browser::signed_in(&app, MODERATOR, PASSWORD).await;
    let r = app
        .client
        .get(format!("{}/api/indicators/target.csv?breakdown=tool", app.base()))
        .header("cookie", moderator.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers().get("cache-control").map(|v| v.to_str().unwrap()),
        Some("no-store"),
        "a moderator's CSV"
    );
    // Public data stays revalidated, not refetched.
    let r = app
        .client
        .get(format!("{}/api/collections/practices/items?limit=1", app.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers().get("cache-control").map(|v| v.to_str().unwrap()),
        Some("private, no-cache")
    );
    let _ = (
        author.get("/api/practices/mine").await,
        moderator.get("/api/moderation/inbox").await,
    );
}

#[tokio::test]
async fn visitors_create_no_session_and_expired_sessions_are_deleted() {
    for backend in backends() {
        let url = repere_tests::fresh_database(backend).await;
        let store = repere_store::Store::connect(&url).await.unwrap();
        repere_server::cli::add_user(&store, AUTHOR, "contributor", "", PASSWORD)
            .await
            .unwrap();
        let past = chrono::Utc::now() - chrono::Duration::hours(1);
        repere_store::users::session_save(&store, "expiree", "{}", past)
            .await
            .unwrap();
        store.close().await;
        let app = TestApp::on(backend, url).await;
        let sessions = || async {
            let store = repere_store::Store::connect(&app.database_url).await.unwrap();
            let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM sessions")
                .fetch_all(store.pool())
                .await
                .unwrap();
            store.close().await;
            ids
        };
        // Deleted at start-up.
        for _ in 0..100 {
            if !sessions().await.contains(&"expiree".to_string()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            !sessions().await.contains(&"expiree".to_string()),
            "{backend:?}: the expired session is gone"
        );
        // Two hundred visits, each asking who is signed in: no row; a visitor may still sign in.
        for _ in 0..200 {
            let mut b = Browser::new(&app);
            assert_eq!(b.session().await["authenticated"], false);
        }
        assert!(sessions().await.is_empty(), "{backend:?}: visitors created sessions");
        let mut b = Browser::new(&app);
        b.session().await;
        assert_eq!(b.login(AUTHOR, PASSWORD).await.status, 200);
        assert_eq!(sessions().await.len(), 1);
        // Without the cookie's token, a visitor's write is still refused.
        let mut forged = Browser::new(&app);
        forged.session().await;
        let other = forged.csrf.clone();
        let mut third = Browser::new(&app);
        third.session().await;
        let r = third
            .send(
                reqwest::Method::POST,
                "/api/auth/login",
                Some(json!({ "email": AUTHOR, "password": PASSWORD })),
                other.as_deref(),
            )
            .await;
        assert_eq!(
            r.status, 403,
            "another visitor's token does not match this visitor's cookie"
        );
    }
}

/// A login attempt as if from `client` behind the local proxy (`X-Forwarded-For`).
async fn login_from(b: &mut Browser<'_>, client: &str, email: &str, password: &str) -> u16 {
    let token = b.csrf.clone().unwrap();
    let cookie = b.cookie.clone().unwrap_or_default();
    let r = b
        .app
        .client
        .post(format!("{}/api/auth/login", b.app.base()))
        .header("x-csrf-token", token)
        .header("cookie", cookie)
        .header("x-forwarded-for", client)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    r.status().as_u16()
}

#[tokio::test]
async fn failed_sign_ins_slow_an_attacker_without_locking_out_the_academie() {
    for backend in backends() {
        let app = app(backend).await;
        // The owner of the account signed in from her browser before.
        let mut owner = Browser::signed_in(&app, AUTHOR, PASSWORD).await;
        assert_eq!(owner.post("/api/auth/logout", json!({})).await.status, 204);
        owner.session().await;
        // Behind the proxy, an attacker fails 30 times: on her account and on made-up ones.
        let mut attacker = Browser::new(&app);
        attacker.session().await;
        let mut slowed = 0;
        for i in 0..30 {
            let email = if i % 2 == 0 {
                AUTHOR.to_string()
            } else {
                format!("inconnu{i}@ac-nice.fr")
            };
            match login_from(&mut attacker, "203.0.113.66", &email, "une supposition au hasard").await {
                401 => {}
                429 => slowed += 1,
                other => panic!("{other}"),
            }
        }
        assert!(slowed > 0, "{backend:?}: the attacker is slowed");
        // A colleague behind the same proxy, another client: not touched.
        let mut colleague = Browser::new(&app);
        colleague.session().await;
        assert_eq!(
            login_from(&mut colleague, "198.51.100.7", MODERATOR, PASSWORD).await,
            200,
            "{backend:?}"
        );
        // The owner, from the browser she used before, with the right password: in at once.
        assert_eq!(
            login_from(&mut owner, "198.51.100.8", AUTHOR, PASSWORD).await,
            200,
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn a_stalled_client_neither_holds_its_connection_nor_the_stop() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = app(Backend::Sqlite).await;
    // A body announced and never sent: answered 408 after the body timeout.
    let mut slow_body = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    slow_body
        .write_all(
            b"POST /api/visits HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n",
        )
        .await
        .unwrap();
    let mut answer = vec![0u8; 512];
    let n = tokio::time::timeout(
        repere_server::app::BODY_TIMEOUT + Duration::from_secs(10),
        slow_body.read(&mut answer),
    )
    .await
    .expect("an answer before the connection is forgotten")
    .unwrap();
    let head = String::from_utf8_lossy(&answer[..n]);
    // Answered (the body never came: 408, or 400 when the handler was already reading it) and let go.
    assert!(
        head.starts_with("HTTP/1.1 408") || head.starts_with("HTTP/1.1 400"),
        "{head}"
    );
    // Headers never finished: the stop does not wait for them beyond the drain time.
    let mut stalled = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    stalled.write_all(b"GET /api HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    tokio::time::timeout(repere_server::app::DRAIN_MAX + Duration::from_secs(10), app.stop())
        .await
        .expect("the server stops");
    assert!(started.elapsed() <= repere_server::app::DRAIN_MAX + Duration::from_secs(10));
    drop(stalled);
}
