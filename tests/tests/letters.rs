//! La lettre des usages, on SQLite and PostgreSQL: who writes which discipline's editions (a matrix), an
//! edition's lifecycle (draft, publishable, frozen, erratum), the inspector's message against XSS
//! payloads, double opt-in and one-click unsubscribe through a real SMTP sink, exactly one mail per
//! subscriber and edition with two instances publishing a scheduled edition, the Atom feed read by a
//! maintained parser (feed-rs), and indicators recomputed from what the test did.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use repere_core::letters::may_edit;
use repere_core::users::Role;
use repere_server::clock::Clock;
use repere_tests::mail::{SmtpSink, link_after};
use repere_tests::{Backend, Browser, TestApp, backends};
use serde_json::{Value, json};

const PASSWORD: &str = "une phrase de passe longue";
const TECHNO: &str = "ipr.techno@ac-nice.fr";
const MATHS: &str = "ipr.maths@ac-nice.fr";
const IAN: &str = "ian.techno@ac-nice.fr";
const PROF: &str = "prof@ac-nice.fr";
const CHEF: &str = "chef@ac-nice.fr";
const MODERATOR: &str = "dane@ac-nice.fr";
const ADMIN: &str = "admin@ac-nice.fr";
const DISCIPLINE: &str = "Technologie";

async fn start(backend: Backend, clock: &Clock, smtp: Option<String>) -> TestApp {
    let url = repere_tests::fresh_database(backend).await;
    let store = repere_store::Store::connect(&url).await.unwrap();
    repere_server::jobs::demo::load(&store).await.unwrap();
    repere_tests::add_users(
        &store,
        &[
            (TECHNO, "inspecteur"),
            (MATHS, "inspecteur"),
            (IAN, "referent"),
            (PROF, "contributor"),
            (CHEF, "encadrement"),
            (MODERATOR, "moderator"),
            (ADMIN, "admin"),
        ],
        PASSWORD,
    )
    .await;
    store.close().await;
    let app = TestApp::configured(backend, url, configure(clock, smtp)).await;
    let mut admin = Browser::signed_in(&app, ADMIN, PASSWORD).await;
    for (email, discipline) in [(TECHNO, DISCIPLINE), (MATHS, "Mathématiques"), (IAN, DISCIPLINE)] {
        let id = account(&mut admin, email).await;
        let r = admin
            .put(
                &format!("/api/accounts/{id}/scopes"),
                json!({ "disciplines": [discipline] }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    app
}

fn configure(clock: &Clock, smtp: Option<String>) -> impl FnOnce(&mut repere_server::config::ServeConfig) {
    let clock = clock.clone();
    move |c| {
        c.intentions.clock = clock;
        c.intentions.reminders_every = Duration::from_millis(200);
        c.mail.smtp_url = smtp;
        c.mail.poll = Duration::from_millis(200);
    }
}

async fn account(admin: &mut Browser<'_>, email: &str) -> i64 {
    admin.account(email).await["id"].as_i64().unwrap()
}

/// Published practices of the discipline (ids, with their levels).
async fn techno_practices(app: &TestApp, n: usize) -> Vec<(i64, Vec<String>)> {
    app.all_features(&format!(
        "/api/collections/practices/items?discipline={DISCIPLINE}&limit=100"
    ))
    .await
    .iter()
    .take(n)
    .map(|f| {
        let levels = f["properties"]["levels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect();
        (f["id"].as_i64().unwrap(), levels)
    })
    .collect()
}

/// A draft of the discipline filled with `practices`; returns its id.
async fn draft(b: &mut Browser<'_>, title: &str, message: &str, practices: &[(i64, Vec<String>)]) -> i64 {
    let r = b.post("/api/editions", json!({ "discipline": DISCIPLINE })).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let levels: Vec<String> = practices.iter().flat_map(|p| p.1.clone()).collect();
    let items: Vec<Value> = practices
        .iter()
        .map(|p| json!({ "practice_id": p.0, "comment": "À essayer en classe." }))
        .collect();
    let r = b
        .put(&format!("/api/editions/{id}"), json!({ "version": r.body["version"], "levels": levels, "title": title, "message": message, "items": items }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    id
}

#[tokio::test]
async fn editors_write_their_disciplines_and_a_published_edition_is_frozen() {
    for backend in backends() {
        let clock = Clock::manual(Utc.with_ymd_and_hms(2026, 10, 5, 8, 0, 0).unwrap());
        let app = start(backend, &clock, None).await;
        let people = [
            (TECHNO, Role::Inspecteur, vec![DISCIPLINE.to_string()]),
            (MATHS, Role::Inspecteur, vec!["Mathématiques".to_string()]),
            (IAN, Role::Referent, vec![DISCIPLINE.to_string()]),
            (PROF, Role::Contributor, vec![]),
            (CHEF, Role::Encadrement, vec![]),
            (MODERATOR, Role::Moderator, vec![]),
            (ADMIN, Role::Admin, vec![]),
        ];
        let mut inspector = Browser::signed_in(&app, TECHNO, PASSWORD).await;
        let practices = techno_practices(&app, 2).await;
        let id = draft(
            &mut inspector,
            "Rentrée en technologie",
            "Bonne rentrée **à tous**.",
            &practices,
        )
        .await;
        for (email, role, disciplines) in &people {
            let mut b = Browser::signed_in(&app, email, PASSWORD).await;
            let expect = may_edit(*role, disciplines, DISCIPLINE);
            let r = b.post("/api/editions", json!({ "discipline": DISCIPLINE })).await;
            assert_eq!(
                r.status == 201,
                expect,
                "{email} opens a draft: {} {}",
                r.status,
                r.body
            );
            let r = b.get(&format!("/api/editions/{id}")).await;
            assert_eq!(r.status == 200, expect, "{email} reads the draft: {}", r.status);
            if !expect {
                assert_eq!(r.status, 403);
            }
        }
        // Publishing an empty edition, or one with an unpublished practice, is refused, naming the field.
        let r = inspector
            .post("/api/editions", json!({ "discipline": DISCIPLINE }))
            .await;
        let empty = r.body["id"].as_i64().unwrap();
        let r = inspector
            .post(&format!("/api/editions/{empty}/publish"), json!({}))
            .await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body["invalid_params"][0]["name"], "title");
        let version = inspector.get(&format!("/api/editions/{empty}")).await.body["version"].clone();
        let r = inspector
            .put(
                &format!("/api/editions/{empty}"),
                json!({ "version": version, "title": "Vide", "message": "x", "levels": ["5e"], "items": [] }),
            )
            .await;
        assert_eq!(r.status, 200);
        let r = inspector
            .post(&format!("/api/editions/{empty}/publish"), json!({}))
            .await;
        assert_eq!(r.body["invalid_params"][0]["name"], "items", "{}", r.body);
        let version = inspector.get(&format!("/api/editions/{empty}")).await.body["version"].clone();
        let r = inspector
            .put(
                &format!("/api/editions/{empty}"),
                json!({ "version": version, "items": [{ "practice_id": 99_999_999 }] }),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.body["invalid_params"][0]["name"], "items", "an unknown practice");
        // Published, frozen; an erratum shows on the page.
        let r = inspector.post(&format!("/api/editions/{id}/publish"), json!({})).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["status"], "publiee");
        let r = inspector
            .put(
                &format!("/api/editions/{id}"),
                json!({ "version": r.body["version"], "title": "Changé" }),
            )
            .await;
        assert_eq!(r.status, 409);
        let r = inspector.post(&format!("/api/editions/{id}/publish"), json!({})).await;
        assert_eq!(r.status, 409);
        let r = inspector
            .post(
                &format!("/api/editions/{id}/errata"),
                json!({ "text": "Le second usage est en 4e." }),
            )
            .await;
        assert_eq!(r.status, 200);
        let page = app.html(&format!("/lettre/{id}")).await;
        assert!(page.contains("Rentrée en technologie") && page.contains("<strong>à tous</strong>"));
        assert!(page.contains("Erratum du 05/10/2026") && page.contains("Le second usage est en 4e."));
        // A practice of another discipline, a schedule in the past: refused, naming the field.
        let other = app
            .all_features("/api/collections/practices/items?limit=100")
            .await
            .into_iter()
            .find(|f| {
                !f["properties"]["disciplines"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d == DISCIPLINE)
            });
        let version = inspector.get(&format!("/api/editions/{empty}")).await.body["version"].clone();
        let r = inspector
            .put(
                &format!("/api/editions/{empty}"),
                json!({ "version": version, "items": [{ "practice_id": other.unwrap()["id"] }] }),
            )
            .await;
        assert_eq!(
            r.body["invalid_params"][0]["name"], "items",
            "another discipline: {}",
            r.body
        );
        let r = inspector
            .put(&format!("/api/editions/{empty}"), json!({ "version": version, "title": "T", "message": "M", "levels": ["5e"], "items": [{ "practice_id": practices[0].0 }] }))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = inspector
            .post(
                &format!("/api/editions/{empty}/publish"),
                json!({ "at": "2026-10-01T08:00" }),
            )
            .await;
        assert_eq!(r.body["invalid_params"][0]["name"], "at", "{}", r.body);
        // Readers get a French page, not data, for what is not there.
        for path in [
            "/lettre/abc",
            "/lettre/99999",
            "/lettre/flux/astrologie",
            &format!("/lettre/{id}/usage/99999"),
        ] {
            let r = reqwest::get(format!("{}{path}", app.base())).await.unwrap();
            assert_eq!(r.status(), 404, "{path}");
            assert!(
                r.headers()["content-type"].to_str().unwrap().starts_with("text/html"),
                "{path}"
            );
            assert!(r.text().await.unwrap().contains("Page introuvable"), "{path}");
        }
        // A draft is not public.
        let (status, _, _) = app.get(&format!("/lettre/{empty}")).await;
        assert_eq!(status, 404);
        app.stop().await;
    }
}

/// Payloads after the OWASP XSS filter evasion cheat sheet.
const XSS: &[&str] = &[
    "<script>alert('XSS')</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041\">",
    "<svg/onload=alert('XSS')>",
    "<BODY ONLOAD=alert('XSS')>",
    "<iframe src=\"javascript:alert('XSS');\"></iframe>",
    "<a href=\"jav&#x09;ascript:alert('XSS');\">x</a>",
    "[clic](javascript:alert('XSS'))",
    "[clic](JaVaScRiPt:alert('XSS'))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pixel](https://tracker.example/p.gif)",
    "<div style=\"background-image: url(javascript:alert('XSS'))\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<object data=\"javascript:alert('XSS')\"></object>",
];

/// An Atom feed: asserts 200 and its media type, returns the text.
async fn atom(app: &TestApp, path: &str) -> String {
    let r = reqwest::get(format!("{}{path}", app.base())).await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    r.text().await.unwrap()
}

/// The tags of an HTML text (escaped text has no `<`).
fn tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .filter_map(|t| t.split('>').next())
        .map(str::to_lowercase)
        .collect()
}

#[tokio::test]
async fn nothing_unsafe_is_rendered_from_the_message() {
    let backend = Backend::Sqlite;
    let clock = Clock::manual(Utc.with_ymd_and_hms(2026, 10, 5, 8, 0, 0).unwrap());
    let app = start(backend, &clock, None).await;
    let mut inspector = Browser::signed_in(&app, TECHNO, PASSWORD).await;
    let practices = techno_practices(&app, 1).await;
    let message = format!("Bonjour.\n\n{}", XSS.join("\n\n"));
    let id = draft(&mut inspector, "Sûre", &message, &practices).await;
    let preview = inspector
        .send(reqwest::Method::GET, &format!("/api/editions/{id}/preview"), None, None)
        .await;
    assert_eq!(preview.status, 200);
    inspector.post(&format!("/api/editions/{id}/publish"), json!({})).await;
    let page = app.html(&format!("/lettre/{id}")).await;
    let feed = atom(&app, "/lettre/flux/technologie").await;
    // The page's own tags are few and known; none of the payloads' survives as a tag.
    for t in tags(&page) {
        assert!(
            !t.starts_with("script") && !t.starts_with("iframe") && !t.starts_with("object") && !t.starts_with("svg"),
            "{t}"
        );
        assert!(
            !t.starts_with("meta http-equiv") && !t.starts_with("body onload"),
            "{t}"
        );
        assert!(
            !t.contains("javascript:") && !t.contains("data:text") && !t.contains(" on"),
            "{t}"
        );
        assert!(!t.contains("tracker.example") && !t.contains("xss.example"), "{t}");
    }
    // In the feed the message is escaped HTML: once unescaped, the same holds.
    let unescaped = feed
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    for t in tags(&unescaped) {
        assert!(
            !t.starts_with("script") && !t.contains("javascript:") && !t.contains(" on"),
            "{t}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn subscribers_confirm_once_and_get_each_edition_once_even_from_two_instances() {
    for backend in backends() {
        let sink = SmtpSink::start();
        let t0 = Utc.with_ymd_and_hms(2026, 10, 5, 8, 0, 0).unwrap();
        let clock = Clock::manual(t0);
        let a = start(backend, &clock, Some(sink.url())).await;
        let b = a.another_configured(configure(&clock, Some(sink.url()))).await;
        // A visitor subscribes: a confirmation link, nothing else until it is opened.
        let mut visitor = Browser::new(&b);
        visitor.session().await;
        let r = visitor
            .post(
                "/api/letter/subscriptions",
                json!({ "email": "lecteur@ac-nice.fr", "disciplines": ["technologie"] }),
            )
            .await;
        assert_eq!(r.status, 202, "{}", r.body);
        let r = visitor
            .post(
                "/api/letter/subscriptions",
                json!({ "email": "silencieux@ac-nice.fr", "disciplines": [DISCIPLINE] }),
            )
            .await;
        assert_eq!(r.status, 202);
        let r = visitor
            .post(
                "/api/letter/subscriptions",
                json!({ "email": "x@gmail.com", "disciplines": [DISCIPLINE] }),
            )
            .await;
        assert_eq!(r.body["invalid_params"][0]["name"], "email", "{}", r.body);
        let r = visitor
            .post(
                "/api/letter/subscriptions",
                json!({ "email": "y@ac-nice.fr", "disciplines": ["Astrologie"] }),
            )
            .await;
        assert_eq!(r.body["invalid_params"][0]["name"], "disciplines");
        let mail = sink.wait_for("lecteur@ac-nice.fr", 1, Duration::from_secs(20)).await;
        let link = link_after(&mail[0], "Confirmer mon abonnement");
        let token = link.split("#confirmer=").nth(1).unwrap().to_string();
        let r = visitor.post("/api/letter/confirm", json!({ "token": token })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["confirmed"][0], DISCIPLINE);
        let r = visitor.post("/api/letter/confirm", json!({ "token": token })).await;
        assert_eq!(r.body["invalid_params"][0]["name"], "token", "a used link");
        // A signed-in person subscribes their own address in one click.
        let mut prof = Browser::signed_in(&a, PROF, PASSWORD).await;
        let r = prof
            .post(
                "/api/letter/subscriptions",
                json!({ "email": PROF, "disciplines": [DISCIPLINE] }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        // An edition scheduled a minute ahead; both instances look every 200 ms once the time comes.
        let mut inspector = Browser::signed_in(&a, TECHNO, PASSWORD).await;
        let practices = techno_practices(&a, 2).await;
        let id = draft(
            &mut inspector,
            "Édition d'octobre",
            "Trois idées pour la rentrée.",
            &practices,
        )
        .await;
        let r = inspector
            .post(
                &format!("/api/editions/{id}/publish"),
                json!({ "at": "2026-10-05T08:01" }),
            )
            .await;
        assert_eq!(r.body["status"], "programmee", "{}", r.body);
        clock.set(t0 + chrono::Duration::minutes(2));
        let got = sink.wait_for(PROF, 1, Duration::from_secs(20)).await;
        let edition_mails = |to: &str| {
            sink.to(to)
                .into_iter()
                .filter(|m| {
                    m["subject"]
                        .as_str()
                        .unwrap_or_default()
                        .starts_with("La lettre des usages")
                })
                .collect::<Vec<_>>()
        };
        sink.wait_for("lecteur@ac-nice.fr", 2, Duration::from_secs(20)).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(edition_mails(PROF).len(), 1, "{got:?}");
        assert_eq!(edition_mails("lecteur@ac-nice.fr").len(), 1);
        assert!(
            edition_mails("silencieux@ac-nice.fr").is_empty(),
            "never confirmed: nothing"
        );
        // One-click unsubscribe (RFC 8058), twice harmless; the next edition does not reach them.
        let m = &edition_mails("lecteur@ac-nice.fr")[0];
        assert_eq!(m["headers"]["list-unsubscribe-post"], "List-Unsubscribe=One-Click");
        let url = m["headers"]["list-unsubscribe"]
            .as_str()
            .unwrap()
            .trim_matches(|c| c == '<' || c == '>')
            .to_string();
        for _ in 0..2 {
            let r = reqwest::Client::new()
                .post(&url)
                .body("List-Unsubscribe=One-Click")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
        let id2 = draft(&mut inspector, "Édition de novembre", "Suite.", &practices[..1]).await;
        let r = inspector.post(&format!("/api/editions/{id2}/publish"), json!({})).await;
        assert_eq!(r.status, 200, "{}", r.body);
        sink.wait_for(PROF, 2, Duration::from_secs(20)).await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(
            edition_mails("lecteur@ac-nice.fr").len(),
            1,
            "unsubscribed: no second edition"
        );
        assert_eq!(edition_mails(PROF).len(), 2);
        // Nobody can make Repère flood an address with confirmation links: three an hour at most.
        for _ in 0..4 {
            let r = visitor
                .post(
                    "/api/letter/subscriptions",
                    json!({ "email": "silencieux@ac-nice.fr", "disciplines": [DISCIPLINE] }),
                )
                .await;
            assert_eq!(r.status, 202);
        }
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(
            sink.to("silencieux@ac-nice.fr").len(),
            3,
            "three confirmation mails, not five"
        );
        // A monthly rhythm: the last edition left on 5 October, the next is due on 4 November; a week
        // before, the discipline's editors (the IA-IPR and the IAN) are reminded, once.
        let r = inspector
            .put(
                &format!("/api/letter/plans/{DISCIPLINE}"),
                json!({ "rhythm": "mensuel" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let due = |to: &str| {
            sink.to(to)
                .into_iter()
                .filter(|m| {
                    m["subject"]
                        .as_str()
                        .unwrap_or_default()
                        .contains("une édition est attendue le 04/11/2026")
                })
                .count()
        };
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(due(TECHNO), 0, "not yet on 5 October");
        clock.set(Utc.with_ymd_and_hms(2026, 10, 29, 8, 0, 0).unwrap());
        sink.wait_for(IAN, 1, Duration::from_secs(20)).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!((due(TECHNO), due(IAN)), (1, 1), "each editor reminded once");
        b.stop().await;
        a.stop().await;
    }
}

#[tokio::test]
async fn the_feed_parses_and_the_indicators_are_what_happened() {
    for backend in backends() {
        let clock = Clock::manual(Utc.with_ymd_and_hms(2026, 10, 5, 8, 0, 0).unwrap());
        let app = start(backend, &clock, None).await;
        let mut inspector = Browser::signed_in(&app, TECHNO, PASSWORD).await;
        let practices = techno_practices(&app, 3).await;
        let first = draft(&mut inspector, "Première", "Un.", &practices[..2]).await;
        inspector
            .post(&format!("/api/editions/{first}/publish"), json!({}))
            .await;
        clock.set(Utc.with_ymd_and_hms(2026, 11, 5, 8, 0, 0).unwrap());
        let second = draft(&mut inspector, "Seconde", "Deux.", &practices[1..]).await;
        inspector
            .post(&format!("/api/editions/{second}/publish"), json!({}))
            .await;
        // Readers follow two links of the first edition and one of the second (no cookie, no account).
        let no_redirect = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        for (e, p) in [
            (first, practices[0].0),
            (first, practices[0].0),
            (second, practices[2].0),
        ] {
            let r = no_redirect
                .get(format!("{}/lettre/{e}/usage/{p}", app.base()))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303);
            assert_eq!(r.headers()["location"], format!("/?fiche={p}"));
        }
        let r = no_redirect
            .get(format!("{}/lettre/{first}/usage/{}", app.base(), practices[2].0))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "a practice the edition does not feature");
        // The Atom feed, read by feed-rs.
        let xml = atom(&app, "/lettre/flux/technologie").await;
        let feed = feed_rs::parser::parse(xml.as_bytes()).expect("a valid Atom feed");
        let titles: Vec<String> = feed
            .entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.clone())
            .collect();
        assert_eq!(titles, vec!["Seconde", "Première"]);
        assert!(feed.entries[0].links[0].href.ends_with(&format!("/lettre/{second}")));
        // The indicators, against what the test did.
        let ind = inspector.get("/api/letter/indicators?school_year=2026-2027").await.body;
        let row = ind["disciplines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["discipline"] == DISCIPLINE)
            .unwrap()
            .clone();
        assert_eq!(row["editions"], 2);
        assert_eq!(row["practices_featured"], 3);
        assert_eq!(row["visits_from_editions"], 3);
        assert_eq!(row["media"]["web"], 2);
        assert_eq!(row["media"]["mails_sent"], 0, "no subscriber in this test");
        let mut levels: Vec<String> = practices.iter().flat_map(|p| p.1.clone()).collect();
        levels.sort();
        levels.dedup();
        let covered: Vec<String> = row["levels_covered"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect();
        assert_eq!(covered, levels);
        assert_eq!(row["behind"], !row["missing_levels"].as_array().unwrap().is_empty());
        // An inspector of another discipline sees only theirs.
        let mut maths = Browser::signed_in(&app, MATHS, PASSWORD).await;
        let other = maths.get("/api/letter/indicators").await.body;
        assert!(
            other["disciplines"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["discipline"] != DISCIPLINE)
        );
        let csv = inspector.csv("/api/letter/indicators.csv?school_year=2026-2027").await;
        assert!(csv.lines().any(|l| l.starts_with("Technologie;2026-2027;2;")), "{csv}");
        app.stop().await;
    }
}
