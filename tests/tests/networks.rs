//! Links recorded through the API and the implicit networks they draw, on SQLite and PostgreSQL.

use std::collections::{BTreeSet, HashSet};

use repere_tests::{Backend, Browser, TestApp, assert_problem, backends};
use serde_json::{Value, json};

const PASSWORD: &str = "une phrase de passe longue";

async fn app(backend: Backend) -> TestApp {
    let users = [
        ("a@ac-nice.fr", "contributor"),
        ("b@ac-nice.fr", "contributor"),
        ("cardie@ac-nice.fr", "moderator"),
    ];
    TestApp::with_demo_and_users(backend, &users, PASSWORD).await
}

async fn user<'a>(app: &'a TestApp, email: Option<&str>) -> Browser<'a> {
    let mut b = Browser::new(app);
    b.session().await;
    if let Some(e) = email {
        assert_eq!(b.login(e, PASSWORD).await.status, 200);
    }
    b
}

/// Two published practices that share no link yet, and an unpublished one.
async fn pick(app: &TestApp) -> (i64, i64, i64) {
    let linked: HashSet<i64> = app
        .all_features("/api/collections/links/items?limit=1000")
        .await
        .iter()
        .flat_map(|l| {
            [
                l["properties"]["from_practice"].as_i64().unwrap(),
                l["properties"]["to_practice"].as_i64().unwrap(),
            ]
        })
        .collect();
    let free: Vec<i64> = app
        .all_features("/api/collections/practices/items?limit=1000")
        .await
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .filter(|id| !linked.contains(id))
        .collect();
    let store = repere_store::Store::connect(&app.database_url).await.unwrap();
    let hidden = repere_store::practices::load_all(&store)
        .await
        .unwrap()
        .into_iter()
        .find(|p| !p.is_public())
        .unwrap()
        .id;
    store.close().await;
    (free[0], free[1], hidden)
}

fn network_of(networks: &Value, id: i64) -> Option<Value> {
    networks["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["properties"]["practices"].as_array().unwrap().contains(&json!(id)))
        .cloned()
}

#[tokio::test]
async fn recording_and_removing_links_updates_the_networks() {
    for backend in backends() {
        let app = app(backend).await;
        let (x, y, hidden) = pick(&app).await;
        let mut a = user(&app, Some("a@ac-nice.fr")).await;
        let (_, _, before) = app.get("/api/networks").await;
        assert!(network_of(&before, x).is_none() && network_of(&before, y).is_none());

        let r = a
            .post(
                "/api/links",
                json!({ "from_practice": x, "to_practice": y, "kind": "same_tool", "note": "Même robot" }),
            )
            .await;
        assert_eq!(r.status, 201, "{backend:?} {}", r.body);
        assert_eq!(r.body["geometry"]["type"], "LineString");
        let link = r.body["id"].as_i64().unwrap();
        let (_, _, after) = app.get("/api/networks").await;
        let n = network_of(&after, x).expect("x is in a network now");
        assert_eq!(n["properties"]["size"], 2);
        assert_eq!(n["properties"]["links"], 1);
        assert_eq!(n["id"], x.min(y));
        let (_, _, near) = app.get(&format!("/api/practices/{x}/neighbourhood?depth=1")).await;
        let ids: Vec<i64> = near["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![x, y]);
        let (_, _, by_network) = app
            .get(&format!("/api/collections/links/items?network={}", x.min(y)))
            .await;
        assert_eq!(by_network["numberMatched"], 1);
        // Notes are read and searched by signed-in people only (nobody reviews them before they show):
        // visitors get the link without its note, and cannot search notes.
        let (_, _, public) = app.get(&format!("/api/collections/links/items/{link}")).await;
        assert!(public["properties"]["note"].is_null(), "{public}");
        let (status, _, refused) = app
            .get(&format!("/api/collections/links/items?network={}&q=robot", x.min(y)))
            .await;
        assert_eq!(status, 400, "{refused}");
        assert_eq!(refused["invalid_params"][0]["name"], "q");
        let seen = a.get(&format!("/api/collections/links/items/{link}")).await;
        assert_eq!(seen.body["properties"]["note"], "Même robot");
        // The note is searched whatever its case and accents.
        let by_note = a
            .get(&format!(
                "/api/collections/links/items?network={}&q=meme%20ROBOT",
                x.min(y)
            ))
            .await
            .body;
        assert_eq!(by_note["numberMatched"], 1, "{backend:?} {by_note}");
        assert_eq!(by_note["features"][0]["properties"]["note"], "Même robot");
        let other = a
            .get(&format!("/api/collections/links/items?network={}&q=tablette", x.min(y)))
            .await
            .body;
        assert_eq!(other["numberMatched"], 0);
        // The links of a practice, from either end; with a bbox, both apply.
        for end in [x, y] {
            let (_, _, of) = app.get(&format!("/api/collections/links/items?practice={end}")).await;
            let ids: Vec<i64> = of["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["id"].as_i64().unwrap())
                .collect();
            assert!(ids.contains(&link), "{backend:?} practice {end}: {of}");
            assert!(of["features"].as_array().unwrap().iter().all(|f| {
                f["properties"]["from_practice"] == json!(end) || f["properties"]["to_practice"] == json!(end)
            }));
        }
        let (_, _, far) = app
            .get(&format!(
                "/api/collections/links/items?practice={x}&bbox=-60,-20,-59,-19"
            ))
            .await;
        assert_eq!(far["numberMatched"], 0, "a bbox away from the link still applies");

        // Bad input: each a clear 4xx, nothing changed.
        let cases = [
            (
                json!({ "from_practice": x, "to_practice": x, "kind": "visit" }),
                422,
                Some("to_practice"),
            ),
            (
                json!({ "from_practice": x, "to_practice": 999_999, "kind": "visit" }),
                422,
                Some("to_practice"),
            ),
            (
                json!({ "from_practice": hidden, "to_practice": y, "kind": "visit" }),
                422,
                Some("from_practice"),
            ),
            (
                json!({ "from_practice": y, "to_practice": x, "kind": "same_tool" }),
                409,
                None,
            ),
            (
                json!({ "from_practice": x, "to_practice": y, "kind": "friends" }),
                422,
                Some("kind"),
            ),
            (
                json!({ "from_practice": x, "to_practice": y, "kind": "visit", "note": "x".repeat(2001) }),
                422,
                Some("note"),
            ),
            (json!({ "from": x }), 400, Some("body")),
        ];
        for (body, status, field) in cases {
            let r = a.post("/api/links", body.clone()).await;
            assert_problem(r.status, &r.ctype, &r.body, status, field, &body.to_string());
        }
        let anonymous = user(&app, None)
            .await
            .post(
                "/api/links",
                json!({ "from_practice": x, "to_practice": y, "kind": "visit" }),
            )
            .await;
        assert_eq!(anonymous.status, 401);
        for depth in ["0", "7", "x"] {
            let (status, ctype, body) = app
                .get(&format!("/api/practices/{x}/neighbourhood?depth={depth}"))
                .await;
            assert_problem(status, &ctype, &body, 400, Some("depth"), depth);
        }
        let (status, _, _) = app.get(&format!("/api/practices/{hidden}/neighbourhood")).await;
        assert_eq!(status, 404);
        let (_, _, unchanged) = app.get("/api/networks").await;
        assert_eq!(unchanged, after, "bad input changed nothing");

        // Only the link's author or a moderator removes it.
        let mut b = user(&app, Some("b@ac-nice.fr")).await;
        assert_eq!(b.delete(&format!("/api/links/{link}")).await.status, 403);
        assert_eq!(a.delete(&format!("/api/links/{link}")).await.status, 204);
        let (_, _, gone) = app.get("/api/networks").await;
        assert!(network_of(&gone, x).is_none());
        assert_eq!(a.delete(&format!("/api/links/{link}")).await.status, 404);
        let again = b
            .post(
                "/api/links",
                json!({ "from_practice": x, "to_practice": y, "kind": "visit" }),
            )
            .await;
        let id = again.body["id"].as_i64().unwrap();
        let mut cardie = user(&app, Some("cardie@ac-nice.fr")).await;
        let r = cardie.delete(&format!("/api/links/{id}")).await;
        assert_eq!(r.status, 204, "a moderator removes any link");
        let audit = repere_store::audit::for_entity(
            &repere_store::Store::connect(&app.database_url).await.unwrap(),
            "link",
            &link.to_string(),
        )
        .await
        .unwrap();
        assert_eq!(
            audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["create", "delete"]
        );
    }
}

#[tokio::test]
async fn network_figures_agree_with_the_links() {
    let app = app(Backend::Sqlite).await;
    let links = app.all_features("/api/collections/links/items?limit=1000").await;
    let (_, ctype, networks) = app.get("/api/networks").await;
    assert!(ctype.starts_with("application/geo+json"));
    let features = networks["features"].as_array().unwrap();
    assert!(!features.is_empty());
    let mut seen = BTreeSet::new();
    let mut total_links = 0;
    for n in features {
        let p = &n["properties"];
        let members: Vec<i64> = p["practices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_i64().unwrap())
            .collect();
        assert_eq!(p["size"].as_u64().unwrap() as usize, members.len());
        assert_eq!(
            n["id"].as_i64().unwrap(),
            members[0],
            "a network is named by its smallest practice id"
        );
        for m in &members {
            assert!(seen.insert(*m), "practice {m} in two networks");
        }
        for pivot in p["pivots"].as_array().unwrap() {
            assert!(members.contains(&pivot.as_i64().unwrap()));
        }
        let (_, _, own) = app
            .get(&format!(
                "/api/collections/links/items?network={}&limit=1000",
                members[0]
            ))
            .await;
        assert_eq!(own["numberMatched"], p["links"]);
        total_links += p["links"].as_u64().unwrap();
        assert_eq!(n["geometry"]["type"], "Polygon");
    }
    assert_eq!(
        total_links as usize,
        links.len(),
        "every public link belongs to exactly one network"
    );
    let ends: BTreeSet<i64> = links
        .iter()
        .flat_map(|l| {
            [
                l["properties"]["from_practice"].as_i64().unwrap(),
                l["properties"]["to_practice"].as_i64().unwrap(),
            ]
        })
        .collect();
    assert_eq!(seen, ends);
}

#[tokio::test]
async fn suggestions_share_something_are_near_and_not_yet_linked() {
    let app = app(Backend::Sqlite).await;
    let practices = app.all_features("/api/collections/practices/items?limit=1000").await;
    let links = app.all_features("/api/collections/links/items?limit=1000").await;
    let list = |f: &Value, k: &str| -> Vec<String> {
        f["properties"][k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_lowercase())
            .collect()
    };
    let pos = |f: &Value| {
        (
            f["geometry"]["coordinates"][0].as_f64().unwrap(),
            f["geometry"]["coordinates"][1].as_f64().unwrap(),
        )
    };
    // A practice located in a dense area, so that it has suggestions to check.
    let me = practices
        .iter()
        .filter(|f| f["properties"]["commune_name"] == "Nice")
        .max_by_key(|f| f["properties"]["tools"].as_array().unwrap().len())
        .unwrap();
    let id = me["id"].as_i64().unwrap();
    let linked: HashSet<i64> = links
        .iter()
        .filter_map(|l| {
            let (a, b) = (
                l["properties"]["from_practice"].as_i64().unwrap(),
                l["properties"]["to_practice"].as_i64().unwrap(),
            );
            (a == id).then_some(b).or((b == id).then_some(a))
        })
        .collect();
    let (lon, lat) = pos(me);
    let mut expected: Vec<(f64, i64)> = practices
        .iter()
        .filter(|f| f["id"].as_i64().unwrap() != id && !linked.contains(&f["id"].as_i64().unwrap()))
        .filter(|f| {
            ["tools", "disciplines", "themes"]
                .iter()
                .any(|k| list(f, k).iter().any(|v| list(me, k).contains(v)))
        })
        .map(|f| {
            let (x, y) = pos(f);
            (repere_tests::haversine_m(lon, lat, x, y), f["id"].as_i64().unwrap())
        })
        .filter(|(d, _)| *d <= 30_000.0)
        .collect();
    expected.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (status, _, body) = app.get(&format!("/api/practices/{id}/suggestions?k=5")).await;
    assert_eq!(status, 200, "{body}");
    let got = body["suggestions"].as_array().unwrap();
    assert!(!got.is_empty(), "a practice in Nice has suggestions in the demo");
    assert_eq!(
        got.iter().map(|s| s["id"].as_i64().unwrap()).collect::<Vec<_>>(),
        expected.iter().take(5).map(|e| e.1).collect::<Vec<_>>()
    );
    for s in got {
        let reason = s["reason"].as_str().unwrap();
        assert!(reason.starts_with("même "), "{reason}");
        assert!(reason.contains(" à "), "the reason says how far: {reason}");
        let other = practices.iter().find(|f| f["id"] == s["id"]).unwrap();
        if let Some(tool) = reason.strip_prefix("même outil : ").and_then(|r| r.split(',').next()) {
            assert!(
                list(other, "tools").contains(&tool.to_lowercase()) && list(me, "tools").contains(&tool.to_lowercase())
            );
        }
    }
    // Once linked, a suggestion goes away.
    {
        let first = &got[0];
        let mut a = user(&app, Some("a@ac-nice.fr")).await;
        let other = first["id"].as_i64().unwrap();
        assert_eq!(
            a.post(
                "/api/links",
                json!({ "from_practice": id, "to_practice": other, "kind": "same_tool" })
            )
            .await
            .status,
            201
        );
        let (_, _, after) = app.get(&format!("/api/practices/{id}/suggestions?k=5")).await;
        assert!(
            !after["suggestions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == other)
        );
    }
    for bad in ["radius_m=-1", "radius_m=500000", "k=x", "colour=red"] {
        let (status, _, _) = app.get(&format!("/api/practices/{id}/suggestions?{bad}")).await;
        assert_eq!(status, 400, "{bad}");
    }
}
