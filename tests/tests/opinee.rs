//! OPINEE levels and labels: the importer's per-row checks (line numbers and reasons, nothing written
//! for a bad row, idempotence, dry run), what the establishment items show and filter, the compilation
//! by territory against figures known by construction (and its CSV read back), who may read it, and
//! the admins' edits with every bad input refused without change. SQLite and PostgreSQL.

use chrono::{TimeZone, Utc};
use repere_server::jobs::import::opinee::import_file;
use repere_tests::{Backend, Browser, TestApp, add_users, assert_problem, backends, establishment};
use serde_json::{Value, json};

const PASSWORD: &str = "une phrase de passe longue";

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Five establishments (three in 06, two in 83; those of the OPINEE fixture), the EPCI fixture, four
/// accounts; the OPINEE fixture imported when `with_opinee`.
async fn seeded(backend: Backend, with_opinee: bool) -> TestApp {
    let url = repere_tests::fresh_database(backend).await;
    let store = repere_store::Store::connect(&url).await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap();
    let mut tx = store.pool().begin().await.unwrap();
    for (uai, dep, commune) in [
        ("0060001U", "06", ("06088", "Nice")),
        ("0060002V", "06", ("06088", "Nice")),
        ("0060003W", "06", ("06004", "Antibes")),
        ("0830001A", "83", ("83137", "Toulon")),
        ("0830002B", "83", ("83137", "Toulon")),
    ] {
        repere_store::establishments::upsert(&mut tx, &establishment(uai, dep, commune), now)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let epci = std::fs::read(fixture("epci.json")).unwrap();
    repere_server::jobs::import::epci::import_bytes(&store, &epci, false)
        .await
        .unwrap();
    if with_opinee {
        import_file(&store, &fixture("opinee.csv"), false, false).await.unwrap();
    }
    add_users(
        &store,
        &[
            ("admin@ac-nice.fr", "admin"),
            ("cardie@ac-nice.fr", "moderator"),
            ("prof@ac-nice.fr", "contributor"),
            ("mairie@nice.fr", "collectivite"),
        ],
        PASSWORD,
    )
    .await;
    store.close().await;
    TestApp::on(backend, url).await
}

#[tokio::test]
async fn import_checks_every_row_and_is_idempotent() {
    for backend in backends() {
        let url = repere_tests::fresh_database(backend).await;
        let store = repere_store::Store::connect(&url).await.unwrap();
        let now = Utc::now();
        let mut tx = store.pool().begin().await.unwrap();
        for (uai, dep) in [
            ("0060001U", "06"),
            ("0060002V", "06"),
            ("0060003W", "06"),
            ("0830001A", "83"),
            ("0830002B", "83"),
        ] {
            repere_store::establishments::upsert(&mut tx, &establishment(uai, dep, ("06088", "Nice")), now)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let path = fixture("opinee.csv");

        let dry = import_file(&store, &path, true, false).await.unwrap();
        assert_eq!((dry.read, dry.created), (13, 5), "{dry}");
        let stored = |store: &repere_store::Store| {
            let store = store.clone();
            async move {
                repere_store::establishments::load_all(&store)
                    .await
                    .unwrap()
                    .iter()
                    .map(|e| e.profiles.len())
                    .sum::<usize>()
            }
        };
        assert_eq!(stored(&store).await, 0, "a dry run writes nothing");

        let first = import_file(&store, &path, false, false).await.unwrap();
        assert_eq!(
            (first.created, first.updated, first.unchanged),
            (5, 0, 0),
            "{backend:?} {first}"
        );
        let rejected: Vec<(u64, &str)> = first.rejected.iter().map(|r| (r.line, r.reason.as_str())).collect();
        let expect = [
            (7, "equipment_devices"),
            (8, "label"),
            (9, "inconnu"),
            (10, "n'a pas commencé"),
            (11, "la seconde année doit suivre"),
            (12, "usage_teaching"),
            (13, "ni niveaux OPINEE ni label"),
            (14, "déjà donné ligne 6"),
        ];
        assert_eq!(rejected.len(), expect.len(), "{first}");
        for ((line, reason), (want_line, want)) in rejected.iter().zip(expect) {
            assert_eq!(*line, want_line, "{first}");
            assert!(
                reason.contains(want),
                "line {line}: « {reason} » should mention « {want} »"
            );
        }
        assert_eq!(stored(&store).await, 5, "the five valid rows, nothing of the bad ones");
        let all = repere_store::establishments::load_all(&store).await.unwrap();
        let b = all.iter().find(|e| e.uai.as_str() == "0830002B").unwrap();
        assert_eq!(
            b.profiles[0].levels.unwrap().overall(),
            9.0,
            "line 14 repeats line 6: the first one is kept"
        );

        let again = import_file(&store, &path, false, false).await.unwrap();
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 5), "{again}");
        store.close().await;
    }
}

fn uais(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn establishments_show_and_filter_their_current_profile() {
    for backend in backends() {
        let app = seeded(backend, true).await;
        let (_, _, one) = app.get("/api/collections/establishments/items/0060002V").await;
        let p = &one["properties"];
        assert_eq!(p["opinee_school_year"], "2025-2026");
        assert_eq!(p["opinee_equipment"], 3.0, "(2+3+4)/3");
        assert_eq!(p["opinee_usage"], 1.5, "(1+2+3+0)/4");
        assert_eq!(p["opinee_mean"], 2.1, "15/7 rounded");
        assert_eq!(
            (p["label"].as_u64(), p["label_school_year"].as_str()),
            (Some(1), Some("2024-2025")),
            "the latest year that has a label"
        );
        let history = p["opinee_history"].as_array().unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0]["school_year"], "2024-2025");
        assert_eq!(history[1]["levels"]["usage_communication"], 0);

        for (filter, expected) in [
            ("label=1", vec!["0060002V", "0830002B"]),
            ("label=3", vec!["0830001A"]),
            ("label=none", vec!["0060003W"]),
            ("opinee_class=lt4", vec!["0060002V"]),
            ("opinee_class=4-7", vec!["0060001U"]),
            ("opinee_class=gte7", vec!["0830002B"]),
            ("opinee_class=unknown", vec!["0060003W", "0830001A"]),
        ] {
            let (status, _, body) = app
                .get(&format!("/api/collections/establishments/items?{filter}"))
                .await;
            assert_eq!(status, 200);
            assert_eq!(uais(&body), expected, "{backend:?} {filter}");
        }
        for bad in ["label=4", "opinee_class=high"] {
            let (status, ctype, body) = app.get(&format!("/api/collections/establishments/items?{bad}")).await;
            let param = bad.split('=').next().unwrap();
            assert_problem(status, &ctype, &body, 400, Some(param), bad);
        }
    }
}

fn group<'a>(body: &'a Value, key: &str) -> &'a Value {
    body["territories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == key)
        .unwrap_or_else(|| panic!("no territory {key} in {body}"))
}

#[tokio::test]
async fn compilation_by_territory_matches_the_seeded_profiles() {
    for backend in backends() {
        let app = seeded(backend, true).await;
        let mut cardie = Browser::signed_in(&app, "cardie@ac-nice.fr", PASSWORD).await;
        let r = cardie.get("/api/indicators/opinee").await;
        assert_eq!(r.status, 200, "{}", r.body);
        let b = &r.body;
        assert_eq!(b["school_year"], "2025-2026", "the latest year with data by default");
        let alpes = group(b, "06");
        assert_eq!(
            (alpes["establishments"].as_u64(), alpes["with_levels"].as_u64()),
            (Some(3), Some(2))
        );
        let means = &alpes["means"];
        for (field, mean) in [
            ("equipment_devices", 4.0),
            ("equipment_network", 5.5),
            ("equipment_resources", 5.5),
            ("usage_teaching", 3.0),
            ("usage_pupils", 3.0),
            ("usage_training", 4.5),
            ("usage_communication", 4.0),
        ] {
            assert_eq!(means[field].as_f64(), Some(mean), "{backend:?} 06 {field}");
        }
        assert_eq!(alpes["equipment"], 5.0);
        assert_eq!(alpes["usage"], 3.6, "(5.75 + 1.5) / 2 rounded");
        assert_eq!(alpes["labels"], json!({ "1": 0, "2": 1, "3": 0 }));
        let var = group(b, "83");
        assert_eq!(var["with_levels"], 1);
        assert_eq!(var["means"]["usage_pupils"], 9.0);
        assert_eq!(var["labels"], json!({ "1": 1, "2": 0, "3": 1 }));
        assert_eq!(b["total"]["establishments"], 5);

        let r = cardie.get("/api/indicators/opinee?school_year=2024-2025").await;
        assert_eq!(group(&r.body, "06")["with_levels"], 1);
        assert_eq!(group(&r.body, "06")["labels"]["1"], 1);
        assert_eq!(group(&r.body, "83")["with_levels"], 0);
        assert_eq!(
            group(&r.body, "83")["means"]["equipment_devices"],
            Value::Null,
            "no data: no mean"
        );

        let r = cardie.get("/api/indicators/opinee?territory=epci").await;
        assert_eq!(group(&r.body, "200030195")["establishments"], 2, "Nice");
        assert_eq!(group(&r.body, "248300543")["establishments"], 2, "Toulon");
        assert_eq!(
            group(&r.body, "")["label"],
            "EPCI inconnu",
            "Antibes is not in the list"
        );
        let r = cardie
            .get("/api/indicators/opinee?territory=commune&departement=83")
            .await;
        assert_eq!(r.body["territories"].as_array().unwrap().len(), 1);

        // The CSV reads back to the same figures.
        let text = cardie.csv("/api/indicators/opinee.csv?territory=departement").await;
        let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(text.as_bytes())
            .records()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][0], "06");
        assert_eq!((&rows[0][2], &rows[0][3], &rows[0][5]), ("3", "2", "5.5"));
        assert_eq!((&rows[0][11], &rows[0][12], &rows[0][14]), ("5", "3.6", "1"));
    }
}

#[tokio::test]
async fn compilation_is_confidential_and_bad_parameters_are_named() {
    let app = seeded(Backend::Sqlite, true).await;
    repere_tests::assert_readers(
        &app,
        &["/api/indicators/opinee", "/api/indicators/opinee.csv"],
        repere_tests::FOR_MODERATORS,
        PASSWORD,
    )
    .await;
    let mut cardie = Browser::signed_in(&app, "cardie@ac-nice.fr", PASSWORD).await;
    for (query, param) in [
        ("territory=region", "territory"),
        ("school_year=2025", "school_year"),
        ("school_year=2099-2100", "school_year"),
        ("departement=XYZ", "departement"),
        ("colour=red", "colour"),
    ] {
        let r = cardie.get(&format!("/api/indicators/opinee?{query}")).await;
        assert_problem(r.status, &r.ctype, &r.body, 400, Some(param), query);
    }
}

fn levels(v: i64) -> Value {
    json!({
        "equipment_devices": v, "equipment_network": v, "equipment_resources": v,
        "usage_teaching": v, "usage_pupils": v, "usage_training": v, "usage_communication": v,
    })
}

#[tokio::test]
async fn admins_edit_profiles_and_bad_input_changes_nothing() {
    for backend in backends() {
        let app = seeded(backend, false).await;
        let path = "/api/establishments/0060003W/opinee/2025-2026";
        let mut cardie = Browser::signed_in(&app, "cardie@ac-nice.fr", PASSWORD).await;
        let r = cardie.put(path, json!({ "levels": levels(5), "label": 2 })).await;
        assert_problem(r.status, &r.ctype, &r.body, 403, None, "a moderator may not edit");

        let mut admin = Browser::signed_in(&app, "admin@ac-nice.fr", PASSWORD).await;
        let mut too_high = levels(5);
        too_high["usage_pupils"] = json!(11);
        let mut missing = levels(5);
        missing.as_object_mut().unwrap().remove("usage_training");
        let mut unknown = levels(5);
        unknown["wifi"] = json!(3);
        for (body, field) in [
            (json!({ "levels": too_high }), "usage_pupils"),
            (json!({ "levels": missing }), "usage_training"),
            (json!({ "levels": unknown }), "levels"),
            (json!({ "levels": levels(5), "label": 0 }), "label"),
            (json!({ "label": 4 }), "label"),
            (json!({ "label": "deux" }), "label"),
            (json!({ "levels": null, "label": null }), "levels"),
        ] {
            let r = admin.put(path, body.clone()).await;
            assert_problem(r.status, &r.ctype, &r.body, 422, Some(field), &body.to_string());
        }
        let r = admin
            .put("/api/establishments/0060003W/opinee/2099-2100", json!({ "label": 1 }))
            .await;
        assert_problem(
            r.status,
            &r.ctype,
            &r.body,
            400,
            Some("school_year"),
            "a year not begun",
        );
        let r = admin
            .put("/api/establishments/0069999L/opinee/2025-2026", json!({ "label": 1 }))
            .await;
        assert_problem(r.status, &r.ctype, &r.body, 404, None, "unknown establishment");
        let (_, _, one) = app.get("/api/collections/establishments/items/0060003W").await;
        assert_eq!(
            one["properties"]["opinee_history"],
            json!([]),
            "{backend:?}: nothing changed"
        );

        let r = admin.put(path, json!({ "levels": levels(7), "label": 2 })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["levels"]["usage_pupils"], 7);
        let (_, _, one) = app.get("/api/collections/establishments/items/0060003W").await;
        assert_eq!(
            (
                one["properties"]["label"].as_u64(),
                one["properties"]["opinee_mean"].as_f64()
            ),
            (Some(2), Some(7.0))
        );
        let (_, _, labelled) = app.get("/api/collections/establishments/items?label=2").await;
        assert_eq!(uais(&labelled), ["0060003W"], "the filter follows the edit");
        let r = admin.put(path, json!({ "label": 3 })).await;
        assert_eq!(r.status, 200);
        let (_, _, one) = app.get("/api/collections/establishments/items/0060003W").await;
        assert_eq!(
            one["properties"]["opinee_mean"],
            Value::Null,
            "the PUT replaces the year's profile"
        );

        let r = admin.delete(path).await;
        assert_eq!(r.status, 204);
        let r = admin.delete(path).await;
        assert_problem(r.status, &r.ctype, &r.body, 404, None, "already removed");
        let (_, _, one) = app.get("/api/collections/establishments/items/0060003W").await;
        assert_eq!(one["properties"]["label"], Value::Null);

        // Every edit is in the audit log, with its author.
        let store = repere_store::Store::connect(&app.database_url).await.unwrap();
        let audit = repere_store::audit::for_entity(&store, "establishment", "0060003W")
            .await
            .unwrap();
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["opinee_put", "opinee_put", "opinee_delete"]);
        assert!(audit.iter().all(|e| e.user_id.is_some()));
        assert_eq!(audit[1].changes["old"]["label"], 2);
        store.close().await;
    }
}
