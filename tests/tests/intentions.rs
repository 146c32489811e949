//! Suivi des intentions, on SQLite and PostgreSQL: due dates in working days against a calendar worked
//! out by hand, reminders sent exactly once by two instances (real SMTP sink, a clock the test moves),
//! who may do what (the access table, as a matrix), bad input refused with the field named and nothing
//! changed, and indicators recomputed from the dossiers' timelines.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use repere_core::intentions::access::{Action, Relation, may};
use repere_core::intentions::calendar::WorkingCalendar;
use repere_core::users::Role;
use repere_server::clock::Clock;
use repere_tests::mail::SmtpSink;
use repere_tests::{Backend, Browser, TestApp, backends};
use serde_json::{Value, json};

const PASSWORD: &str = "une phrase de passe longue";
const CHEF: &str = "chef@ac-nice.fr";
const OTHER_CHEF: &str = "autre-chef@ac-nice.fr";
const INSPECTEUR: &str = "ien@ac-nice.fr";
const REFERENT: &str = "erun@ac-nice.fr";
const OTHER_REFERENT: &str = "ian@ac-nice.fr";
const CONTRIBUTOR: &str = "prof@ac-nice.fr";
const COLLECTIVITE: &str = "cd06@ac-nice.fr";
const MODERATOR: &str = "dane@ac-nice.fr";
const ADMIN: &str = "admin@ac-nice.fr";
const LEAD: &str = "responsable-dane@ac-nice.fr";
/// The chef's collège (demo data) and another one.
const UAI: &str = "0060842H";

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 8, 0, 0).unwrap()
}

async fn database(backend: Backend) -> String {
    let url = repere_tests::fresh_database(backend).await;
    let store = repere_store::Store::connect(&url).await.unwrap();
    repere_server::jobs::demo::load(&store).await.unwrap();
    repere_tests::add_users(
        &store,
        &[
            (CHEF, "encadrement"),
            (OTHER_CHEF, "encadrement"),
            (INSPECTEUR, "inspecteur"),
            (REFERENT, "referent"),
            (OTHER_REFERENT, "referent"),
            (CONTRIBUTOR, "contributor"),
            (COLLECTIVITE, "collectivite"),
            (MODERATOR, "moderator"),
            (ADMIN, "admin"),
        ],
        PASSWORD,
    )
    .await;
    store.close().await;
    url
}

async fn start(backend: Backend, clock: &Clock, smtp: Option<String>) -> TestApp {
    let url = database(backend).await;
    let clock = clock.clone();
    TestApp::configured(backend, url, move |c| {
        c.intentions.clock = clock;
        c.intentions.reminders_every = Duration::from_millis(200);
        c.mail.smtp_url = smtp;
        c.mail.poll = Duration::from_millis(200);
    })
    .await
}

async fn account_id(admin: &mut Browser<'_>, email: &str) -> i64 {
    admin.account(email).await["id"].as_i64().unwrap()
}

/// Binds the chef to their collège (the other chef stays unbound); returns the admin's browser.
async fn bind_chefs<'a>(app: &'a TestApp) -> Browser<'a> {
    let mut admin = Browser::signed_in(app, ADMIN, PASSWORD).await;
    let chef = account_id(&mut admin, CHEF).await;
    let r = admin
        .put(&format!("/api/accounts/{chef}/scopes"), json!({ "uais": [UAI] }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    admin
}

fn intention(title: &str) -> Value {
    json!({
        "kind": "equipement",
        "title": title,
        "description": "Équiper deux classes de tablettes pour la classe inversée.",
        "people": "Mme Durand, M. Martin",
        "uais": [UAI],
    })
}

async fn file(chef: &mut Browser<'_>, title: &str) -> Value {
    let r = chef.post("/api/intentions", intention(title)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

fn due(d: &Value, step: &str) -> Value {
    d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == step)
        .unwrap()["due_on"]
        .clone()
}

#[tokio::test]
async fn due_dates_follow_the_working_calendar_and_each_reminder_leaves_once() {
    for backend in backends() {
        let sink = SmtpSink::start();
        // Thursday 2 April 2026, the week before Easter.
        let clock = Clock::manual(at(2026, 4, 2));
        let a = start(backend, &clock, Some(sink.url())).await;
        let b = a
            .another_configured({
                let clock = clock.clone();
                let smtp = sink.url();
                move |c| {
                    c.intentions.clock = clock;
                    c.intentions.reminders_every = Duration::from_millis(200);
                    c.mail.smtp_url = Some(smtp);
                    c.mail.poll = Duration::from_millis(200);
                }
            })
            .await;
        let mut admin = bind_chefs(&a).await;
        let lead = LEAD.to_string();
        let r = admin
            .put(
                "/api/intentions/procedure",
                json!({ "acknowledgement_days": 2, "analysis_days": 10, "answer_days": 30, "closure_days": 200,
                        "remind_before_days": 1, "lead_email": lead }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let mut chef = Browser::signed_in(&b, CHEF, PASSWORD).await;
        let d = file(&mut chef, "Tablettes en 5e").await;
        let id = d["id"].as_i64().unwrap();
        assert_eq!(d["status"], "deposee");
        assert!(
            d["number"].as_str().unwrap().starts_with("INT-2026-"),
            "{}",
            d["number"]
        );
        // Worked out by hand: Easter Monday 6 April; 1 and 8 May and Ascension (14 May); then, for the
        // 200 days of the closure, Whit Monday, 14 July, 11 November, 25 December, 1 January 2027 and
        // every weekend (15 August and 1 November 2026 fall on a weekend).
        assert_eq!(due(&d, "accuse_reception"), "2026-04-07");
        assert_eq!(due(&d, "analyse"), "2026-04-17");
        assert_eq!(due(&d, "reponse"), "2026-05-20");
        assert_eq!(due(&d, "cloture"), "2027-01-20");

        // The DANE lead hears of the new intention at once.
        let filed = sink.wait_for(&lead, 1, Duration::from_secs(20)).await;
        assert!(
            filed[0]["subject"]
                .as_str()
                .unwrap()
                .starts_with("Nouvelle intention INT-2026-"),
            "{}",
            filed[0]["subject"]
        );
        assert!(
            filed[0]["text"]
                .as_str()
                .unwrap()
                .contains("au plus tard le 07/04/2026")
        );
        // Friday 3 April: the acknowledgement is due on the next working day → the lead is reminded.
        clock.set(at(2026, 4, 3));
        let soon = sink.wait_for(&lead, 2, Duration::from_secs(20)).await;
        assert!(
            soon[1]["subject"].as_str().unwrap().contains("07/04/2026"),
            "{}",
            soon[1]["subject"]
        );
        // Wednesday 8 April: it is late → the lead is told, once.
        clock.set(at(2026, 4, 8));
        let late = sink.wait_for(&lead, 3, Duration::from_secs(20)).await;
        assert!(
            late[2]["subject"].as_str().unwrap().starts_with("En retard"),
            "{}",
            late[2]["subject"]
        );
        let listed = admin.get("/api/intentions?late=true").await;
        assert_eq!(listed.body["late"], 1, "{}", listed.body);
        // The DANE acknowledges (late) and assigns the referent.
        let r = admin
            .post(
                &format!("/api/intentions/{id}/steps/accuse_reception"),
                json!({ "answer": "Bien reçu." }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["status"], "prise_en_compte");
        assert_eq!(r.body["steps"][0]["on_time"], false);
        let referent = account_id(&mut admin, REFERENT).await;
        let r = admin
            .post(
                &format!("/api/intentions/{id}/assign"),
                json!({ "referent_id": referent }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        // The filer is told of the answer; the referent of the assignment.
        let told = sink.wait_for(CHEF, 1, Duration::from_secs(20)).await;
        assert!(
            told.iter()
                .any(|m| m["subject"].as_str().unwrap().contains("Accusé de réception"))
        );
        sink.wait_for(REFERENT, 1, Duration::from_secs(20)).await;
        // Thursday 16 April: the analysis is due tomorrow → the referent is reminded, once.
        clock.set(at(2026, 4, 16));
        let r_mails = sink.wait_for(REFERENT, 2, Duration::from_secs(20)).await;
        assert!(
            r_mails
                .iter()
                .any(|m| m["subject"].as_str().unwrap().contains("17/04/2026"))
        );
        // Several more rounds of both instances: nothing more.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let reminders_to = |to: &str| {
            sink.to(to)
                .iter()
                .filter(|m| {
                    let s = m["subject"].as_str().unwrap_or_default();
                    s.starts_with("En retard") || s.starts_with("À faire")
                })
                .count()
        };
        assert_eq!(reminders_to(&lead), 2, "each reminder once to the lead");
        assert_eq!(reminders_to(REFERENT), 1, "each reminder once to the referent");
        b.stop().await;
        a.stop().await;
    }
}

#[tokio::test]
async fn who_may_do_what_is_the_access_table() {
    for backend in backends() {
        let clock = Clock::manual(at(2026, 11, 2));
        let app = start(backend, &clock, None).await;
        let mut admin = bind_chefs(&app).await;
        let referent = account_id(&mut admin, REFERENT).await;
        let mut chef = Browser::signed_in(&app, CHEF, PASSWORD).await;
        let id = file(&mut chef, "Formation ENT").await["id"].as_i64().unwrap();
        let r = admin
            .post(
                &format!("/api/intentions/{id}/assign"),
                json!({ "referent_id": referent }),
            )
            .await;
        assert_eq!(r.status, 200);
        let people = [
            (CHEF, Role::Encadrement, vec![Relation::Filer]),
            (OTHER_CHEF, Role::Encadrement, vec![]),
            (INSPECTEUR, Role::Inspecteur, vec![]),
            (REFERENT, Role::Referent, vec![Relation::Referent]),
            (OTHER_REFERENT, Role::Referent, vec![]),
            (CONTRIBUTOR, Role::Contributor, vec![]),
            (COLLECTIVITE, Role::Collectivite, vec![]),
            (MODERATOR, Role::Moderator, vec![]),
            (ADMIN, Role::Admin, vec![]),
        ];
        let mut refused_on_dossier = 0;
        for (email, role, relations) in &people {
            let mut b = Browser::signed_in(&app, email, PASSWORD).await;
            let expect = |action: Action| may(*role, relations, action);
            let ok = |status: u16| (200..300).contains(&status);
            // Read.
            let r = b.get(&format!("/api/intentions/{id}")).await;
            assert_eq!(ok(r.status), expect(Action::Read), "{email} reads: {}", r.status);
            if !expect(Action::Read) {
                assert_eq!(r.status, 403);
                refused_on_dossier += 1;
            }
            // Comment.
            let r = b
                .post(
                    &format!("/api/intentions/{id}/messages"),
                    json!({ "text": format!("message de {email}") }),
                )
                .await;
            assert_eq!(
                ok(r.status),
                expect(Action::Comment),
                "{email} comments: {} {}",
                r.status,
                r.body
            );
            refused_on_dossier += usize::from(!expect(Action::Comment));
            // Re-plan the analysis (a valid request: refused only for lack of right).
            let r = b
                .post(
                    &format!("/api/intentions/{id}/steps/analyse/replan"),
                    json!({ "due_on": "2026-12-31", "reason": "congés" }),
                )
                .await;
            assert_eq!(
                ok(r.status),
                expect(Action::Replan),
                "{email} replans: {} {}",
                r.status,
                r.body
            );
            refused_on_dossier += usize::from(!expect(Action::Replan));
            // Complete: a wrong step is refused for its order (422) only to those who may complete.
            let r = b
                .post(&format!("/api/intentions/{id}/steps/reponse"), json!({ "answer": "x" }))
                .await;
            assert_eq!(
                r.status,
                if expect(Action::Complete) { 422 } else { 403 },
                "{email} completes: {}",
                r.body
            );
            refused_on_dossier += usize::from(!expect(Action::Complete));
            // Assign.
            let r = b
                .post(
                    &format!("/api/intentions/{id}/assign"),
                    json!({ "referent_id": referent }),
                )
                .await;
            assert_eq!(ok(r.status), expect(Action::Assign), "{email} assigns: {}", r.status);
            refused_on_dossier += usize::from(!expect(Action::Assign));
            // The desk, its indicators, CSV and map.
            for path in [
                "/api/intentions/indicators",
                "/api/intentions.csv",
                "/api/intentions/map",
                "/api/intentions/procedure",
            ] {
                let r = b.get(path).await;
                assert_eq!(r.status == 200, expect(Action::Desk), "{email} {path}: {}", r.status);
            }
            let listed = b.get("/api/intentions").await;
            assert_eq!(listed.status, 200);
            let sees = listed.body["dossiers"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["id"] == id);
            assert_eq!(sees, expect(Action::Read), "{email} lists the dossier");
            // Configure.
            let r = b.put("/api/intentions/procedure", json!({ "acknowledgement_days": 2, "analysis_days": 10, "answer_days": 30, "remind_before_days": 2 })).await;
            assert_eq!(
                r.status == 200,
                expect(Action::Configure),
                "{email} configures: {}",
                r.status
            );
            // File (a territory: no establishment binding needed, except for the encadrement).
            let r = b
                .post("/api/intentions", json!({ "kind": "formation", "title": "Formation", "description": "Pix", "territory": { "kind": "departement", "value": "06" } }))
                .await;
            let filed = r.status == 201;
            if *role == Role::Encadrement {
                assert_eq!(
                    r.status, 422,
                    "the encadrement names one of its establishments: {}",
                    r.body
                );
                assert_eq!(r.body["invalid_params"][0]["name"], "uais", "{}", r.body);
            } else {
                assert_eq!(filed, expect(Action::File), "{email} files: {} {}", r.status, r.body);
            }
        }
        // Every refusal on the dossier is in the audit log.
        let store = repere_store::Store::connect(&app.database_url).await.unwrap();
        let refused = repere_store::audit::for_entity(&store, "intention", &id.to_string())
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "refused")
            .count();
        assert_eq!(refused, refused_on_dossier);
        store.close().await;
        app.stop().await;
    }
}

#[tokio::test]
async fn bad_input_names_the_field_and_changes_nothing() {
    for backend in backends() {
        let clock = Clock::manual(at(2026, 11, 2));
        let app = start(backend, &clock, None).await;
        let mut admin = bind_chefs(&app).await;
        let mut chef = Browser::signed_in(&app, CHEF, PASSWORD).await;
        let id = file(&mut chef, "Classe mobile").await["id"].as_i64().unwrap();
        let before = chef.get("/api/intentions").await.body;
        let with = |k: &str, v: Value| {
            let mut b = intention("Projet");
            b[k] = v;
            b
        };
        for (body, field) in [
            (with("uais", json!(["0069999Z"])), "uais"),
            (with("uais", json!(["0000000A"])), "uais"),
            (with("uais", json!(["0830001X", UAI])), "uais"),
            (with("title", json!("   ")), "title"),
            (with("description", json!("x".repeat(5001))), "description"),
            (with("hoped_for", json!("2026-10-01")), "hoped_for"),
            (with("hoped_for", json!("demain")), "hoped_for"),
            (with("kind", json!("voyage")), "kind"),
        ] {
            let r = chef.post("/api/intentions", body.clone()).await;
            assert_eq!(r.status, 422, "{body}: {}", r.body);
            assert_eq!(r.body["invalid_params"][0]["name"], field, "{}", r.body);
        }
        let after = chef.get("/api/intentions").await.body;
        assert_eq!(before["total"], after["total"], "nothing filed");
        // Out of order, then a closed dossier.
        let r = admin
            .post(
                &format!("/api/intentions/{id}/steps/analyse"),
                json!({ "answer": "vu" }),
            )
            .await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body["invalid_params"][0]["name"], "step");
        let r = admin
            .post(
                &format!("/api/intentions/{id}/steps/accuse_reception"),
                json!({ "answer": "" }),
            )
            .await;
        assert_eq!(r.body["invalid_params"][0]["name"], "answer");
        let r = admin
            .post(
                &format!("/api/intentions/{id}/steps/accuse_reception/replan"),
                json!({ "due_on": "2026-10-01", "reason": "x" }),
            )
            .await;
        assert_eq!(r.body["invalid_params"][0]["name"], "due_on");
        // Saturday 7 November 2026 is no working day.
        let r = admin
            .post(
                &format!("/api/intentions/{id}/steps/accuse_reception/replan"),
                json!({ "due_on": "2026-11-07", "reason": "x" }),
            )
            .await;
        assert_eq!(r.body["invalid_params"][0]["name"], "due_on", "{}", r.body);
        assert!(
            r.body["invalid_params"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("07/11/2026")
        );
        let unchanged = admin.get(&format!("/api/intentions/{id}")).await.body;
        assert_eq!(
            unchanged["timeline"].as_array().unwrap().len(),
            1,
            "only the filing: {}",
            unchanged["timeline"]
        );
        let referent = account_id(&mut admin, REFERENT).await;
        let contributor = account_id(&mut admin, CONTRIBUTOR).await;
        let r = admin
            .post(
                &format!("/api/intentions/{id}/assign"),
                json!({ "referent_id": contributor }),
            )
            .await;
        assert_eq!(r.body["invalid_params"][0]["name"], "referent_id");
        admin
            .post(
                &format!("/api/intentions/{id}/assign"),
                json!({ "referent_id": referent }),
            )
            .await;
        for step in ["accuse_reception", "analyse", "reponse"] {
            let r = admin
                .post(
                    &format!("/api/intentions/{id}/steps/{step}"),
                    json!({ "answer": format!("{step} fait") }),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
        let r = admin
            .post(
                &format!("/api/intentions/{id}/steps/cloture"),
                json!({ "answer": "fini" }),
            )
            .await;
        assert_eq!(r.body["invalid_params"][0]["name"], "outcome");
        let r = admin
            .post(
                &format!("/api/intentions/{id}/steps/cloture"),
                json!({ "answer": "Réalisé", "outcome": "realisee" }),
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["status"], "close");
        let version = r.body["version"].clone();
        let r = admin
            .post(
                &format!("/api/intentions/{id}/steps/cloture"),
                json!({ "answer": "encore", "outcome": "realisee" }),
            )
            .await;
        assert_eq!(r.status, 409);
        let r = admin
            .post(
                &format!("/api/intentions/{id}/assign"),
                json!({ "referent_id": referent }),
            )
            .await;
        assert_eq!(r.status, 409);
        let r = admin
            .put(
                &format!("/api/intentions/{id}/practices"),
                json!({ "practice_ids": [99999999] }),
            )
            .await;
        assert_eq!(r.body["invalid_params"][0]["name"], "practice_ids");
        assert_eq!(
            admin.get(&format!("/api/intentions/{id}")).await.body["version"],
            version,
            "nothing changed"
        );
        // Realised: it links to a practice; the public fiche shows nothing of it.
        let practice = app.all_features("/api/collections/practices/items?limit=1").await[0]["id"]
            .as_i64()
            .unwrap();
        let r = admin
            .put(
                &format!("/api/intentions/{id}/practices"),
                json!({ "practice_ids": [practice] }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["practices"][0]["id"], practice);
        let (_, _, fiche) = app.get(&format!("/api/collections/practices/items/{practice}")).await;
        assert!(!fiche.to_string().contains("INT-"), "{fiche}");
        app.stop().await;
    }
}

/// Working days from the filing day to the completion day, by the test's own reading of the timeline.
fn delay(filed: &str, done: &str) -> i64 {
    let d = |s: &str| NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d").unwrap();
    WorkingCalendar::default().working_days_between(d(filed), d(done))
}

fn nearest_rank(v: &mut [i64], q: f64) -> Value {
    v.sort_unstable();
    if v.is_empty() {
        return Value::Null;
    }
    json!(v[((q * v.len() as f64).ceil() as usize).max(1) - 1])
}

#[tokio::test]
async fn indicators_are_those_of_the_timelines() {
    for backend in backends() {
        let clock = Clock::manual(at(2026, 9, 7));
        let app = start(backend, &clock, None).await;
        let mut admin = bind_chefs(&app).await;
        let mut chef = Browser::signed_in(&app, CHEF, PASSWORD).await;
        let referent = account_id(&mut admin, REFERENT).await;
        // Five dossiers filed on different days, answered after different delays; two left open.
        let mut ids = Vec::new();
        for (i, day) in [7u32, 8, 9, 14, 15].iter().enumerate() {
            clock.set(at(2026, 9, *day));
            let id = file(&mut chef, &format!("Intention {i}")).await["id"].as_i64().unwrap();
            ids.push(id);
        }
        for (n, id) in ids.iter().enumerate() {
            clock.set(at(2026, 9, 16 + n as u32));
            admin
                .post(
                    &format!("/api/intentions/{id}/steps/accuse_reception"),
                    json!({ "answer": "reçu" }),
                )
                .await;
            if n < 3 {
                let r = admin
                    .post(
                        &format!("/api/intentions/{id}/assign"),
                        json!({ "referent_id": referent }),
                    )
                    .await;
                assert_eq!(r.status, 200, "assign: {}", r.body);
                clock.set(at(2026, 10, 1 + 3 * n as u32));
                let r = admin
                    .post(
                        &format!("/api/intentions/{id}/steps/analyse"),
                        json!({ "answer": "analysé" }),
                    )
                    .await;
                assert_eq!(r.status, 200, "{}", r.body);
            }
        }
        clock.set(at(2026, 10, 20));
        let ind = admin.get("/api/intentions/indicators").await.body;
        // The test's own reading of each timeline.
        let mut per_step: std::collections::BTreeMap<String, (usize, usize, Vec<i64>)> = Default::default();
        let (mut open, mut late) = (0, 0);
        for id in &ids {
            let d = admin.get(&format!("/api/intentions/{id}")).await.body;
            let timeline = d["timeline"].as_array().unwrap();
            let filed = timeline.iter().find(|e| e["kind"] == "filed").unwrap()["at"]
                .as_str()
                .unwrap()
                .to_string();
            for e in timeline.iter().filter(|e| e["kind"] == "step_completed") {
                let step = e["data"]["step"].as_str().unwrap().to_string();
                let done = e["at"].as_str().unwrap();
                let on_time = e["data"]["due_on"].as_str().is_none_or(|due| &done[..10] <= due);
                let entry = per_step.entry(step).or_default();
                entry.0 += 1;
                entry.1 += usize::from(on_time);
                entry.2.push(delay(&filed, done));
            }
            open += usize::from(d["status"] != "close");
            let next_due = d["steps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["completed_at"].is_null())
                .and_then(|s| s["due_on"].as_str().map(str::to_owned));
            late += usize::from(next_due.is_some_and(|due| due.as_str() < "2026-10-20"));
        }
        for s in ind["steps"].as_array().unwrap() {
            let (n, timely, mut days) = per_step.remove(s["step"].as_str().unwrap()).unwrap_or_default();
            assert_eq!(s["completed"], n, "{s}");
            assert_eq!(s["on_time"], timely, "{s}");
            assert_eq!(s["median_days"], nearest_rank(&mut days, 0.5), "{s}");
            assert_eq!(s["p90_days"], nearest_rank(&mut days, 0.9), "{s}");
        }
        assert_eq!(ind["total"], 5);
        assert_eq!(ind["open_now"], open);
        assert_eq!(ind["late_now"], late);
        assert!(late > 0, "some dossiers are late on 20 October");
        assert_eq!(ind["by_school_year"][0]["school_year"], "2026-2027");
        let csv = admin.csv("/api/intentions.csv").await;
        assert_eq!(csv.lines().count(), 6, "{csv}");
        app.stop().await;
    }
}
