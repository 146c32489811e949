//! Visit counts and framing: beacons count without a session or cookie, bad beacons change nothing,
//! the counts survive an instance's shutdown, only moderators read them (table and CSV), and only the
//! listed origins may frame `/embed`.

use repere_tests::{Backend, Browser, EMBED_ORIGIN, TestApp, assert_problem, backends};
use serde_json::{Value, json};

const PASSWORD: &str = "une phrase de passe longue";

async fn app(backend: Backend) -> TestApp {
    TestApp::with_demo_and_users(
        backend,
        &[("cardie@ac-nice.fr", "moderator"), ("prof@ac-nice.fr", "contributor")],
        PASSWORD,
    )
    .await
}

/// A beacon's answer: status, `Set-Cookie` if any, content type and body.
struct Answer {
    status: u16,
    cookie: Option<String>,
    ctype: String,
    body: Value,
}

async fn beacon(app: &TestApp, body: &Value) -> Answer {
    let resp = app
        .client
        .post(format!("{}/api/visits", app.base()))
        .json(body)
        .send()
        .await
        .unwrap();
    let header = |n: &str| resp.headers().get(n).map(|v| v.to_str().unwrap().to_string());
    let (status, cookie, ctype) = (resp.status().as_u16(), header("set-cookie"), header("content-type"));
    let text = resp.text().await.unwrap();
    Answer {
        status,
        cookie,
        ctype: ctype.unwrap_or_default(),
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

fn count_of(rows: &Value, key: &str, value: &Value) -> i64 {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| &r[key] == value)
        .map_or(0, |r| r["count"].as_i64().unwrap())
}

#[tokio::test]
async fn views_are_counted_without_a_cookie_and_read_by_moderators() {
    for backend in backends() {
        let app = app(backend).await;
        let practice =
            app.get("/api/collections/practices/items?limit=1").await.2["features"][0]["properties"]["id"].clone();
        // A second instance counts too (several instances add to the same rows).
        let other = app.another_instance().await;
        for (target, body) in [
            (&app, json!({ "page": "carte" })),
            (&app, json!({ "page": "carte" })),
            (&other, json!({ "page": "carte" })),
            (&app, json!({ "page": "fiche", "practice_id": practice })),
            (&other, json!({ "page": "fiche", "practice_id": practice })),
            (&app, json!({ "page": "embed", "site": format!("{EMBED_ORIGIN}/") })),
            (&app, json!({ "page": "embed", "site": "https://ailleurs.example" })),
        ] {
            let a = beacon(target, &body).await;
            assert_eq!(a.status, 204, "{}", a.body);
            assert_eq!(a.cookie, None, "a beacon never sets a cookie");
        }
        // Bad beacons are refused, naming the field, and count nothing.
        for (body, expected, field) in [
            (json!({ "page": "accueil" }), 422, "page"),
            (json!({ "page": "fiche", "practice_id": 999_999 }), 422, "practice_id"),
            (json!({ "page": "carte", "ip": "1.2.3.4" }), 400, "body"),
            (json!({}), 400, "body"),
        ] {
            let a = beacon(&app, &body).await;
            assert_problem(a.status, &a.ctype, &a.body, expected, Some(field), &body.to_string());
        }
        // The second instance writes its counts when it stops: nothing is lost.
        other.stop().await;

        let mut anonymous = Browser::new(&app);
        assert_eq!(anonymous.get("/api/visits").await.status, 401);
        let contributor = Browser::signed_in(&app, "prof@ac-nice.fr", PASSWORD).await;
        let mut contributor = contributor;
        assert_eq!(contributor.get("/api/visits").await.status, 403);
        let mut moderator = Browser::signed_in(&app, "cardie@ac-nice.fr", PASSWORD).await;
        let v = moderator.get("/api/visits").await;
        assert_eq!(v.status, 200, "{}", v.body);
        assert_eq!(v.body["total"], 7, "{}", v.body);
        assert_eq!(count_of(&v.body["by_page"], "page", &json!("carte")), 3);
        assert_eq!(count_of(&v.body["by_practice"], "practice_id", &practice), 2);
        assert!(v.body["by_practice"][0]["title"].is_string());
        assert_eq!(count_of(&v.body["by_site"], "site", &json!(EMBED_ORIGIN)), 1);
        assert_eq!(
            count_of(&v.body["by_site"], "site", &json!("autre")),
            1,
            "unlisted sites are not named"
        );
        let today = chrono::Utc::now().date_naive().to_string();
        assert_eq!(v.body["by_day"], json!([{ "day": today, "count": 7 }]));

        let csv = moderator.csv(&format!("/api/visits.csv?from={today}&to={today}")).await;
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("jour;page;id_usage;titre_usage;site_integrant;visites")
        );
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), 4, "{csv}");
        assert!(rows.contains(&format!("{today};carte;;;;3").as_str()), "{csv}");

        // A period without visits, and a bad period.
        let empty = moderator.get("/api/visits?from=2020-01-01&to=2020-01-31").await;
        assert_eq!(empty.body["total"], 0);
        let bad = moderator.get("/api/visits?from=2020-02-01&to=2020-01-01").await;
        assert_problem(bad.status, &bad.ctype, &bad.body, 400, Some("from"), "reversed period");
        let bad = moderator.get("/api/visits?from=hier").await;
        assert_problem(bad.status, &bad.ctype, &bad.body, 400, Some("from"), "not a date");
    }
}

#[tokio::test]
async fn only_the_listed_sites_may_frame_the_embedded_map() {
    let app = TestApp::with_demo(Backend::Sqlite).await;
    let headers = |path: &'static str| {
        let client = app.client.clone();
        let url = format!("{}{path}", app.base());
        async move { client.get(url).send().await.unwrap().headers().clone() }
    };
    let csp = |h: &reqwest::header::HeaderMap| h["content-security-policy"].to_str().unwrap().to_string();
    let embed = headers("/embed").await;
    assert!(
        csp(&embed).ends_with(&format!("; frame-ancestors 'self' {EMBED_ORIGIN}")),
        "{}",
        csp(&embed)
    );
    assert!(embed.get("x-frame-options").is_none());
    for path in ["/", "/connexion.html", "/lettre"] {
        let h = headers(path).await;
        assert!(csp(&h).ends_with("; frame-ancestors 'self'"), "{path}: {}", csp(&h));
        assert_eq!(h["x-frame-options"], "SAMEORIGIN", "{path}");
    }
    // Data is not a document: no policy to carry on every item and tile, only nosniff.
    let data = headers("/api/collections").await;
    assert!(data.get("content-security-policy").is_none());
    assert_eq!(data["x-content-type-options"], "nosniff");
}
