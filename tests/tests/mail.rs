//! E-mail through the durable outbox, received by a real SMTP sink (Python aiosmtpd): who is told what,
//! one-click unsubscribe (RFC 8058), nothing lost while the SMTP server is down, nothing sent twice by
//! two instances, and mails kept for the admins when no SMTP server is configured.

use std::collections::BTreeSet;
use std::time::Duration;

use repere_tests::mail::SmtpSink;
use repere_tests::{Backend, Browser, TestApp, backends};
use serde_json::{Value, json};

const PASSWORD: &str = "une phrase de passe longue";
const AUTHOR: &str = "auteure@ac-nice.fr";
const MODERATOR: &str = "cardie@ac-nice.fr";
const WAIT: Duration = Duration::from_secs(30);

async fn database(backend: Backend) -> String {
    let url = repere_tests::fresh_database(backend).await;
    let store = repere_store::Store::connect(&url).await.unwrap();
    repere_server::jobs::demo::load(&store).await.unwrap();
    for (email, role, name) in [
        (AUTHOR, "contributor", "Alice Auteure"),
        ("collegue@ac-nice.fr", "contributor", "Bruno Collègue"),
        (MODERATOR, "moderator", "Carla CARDIE"),
        ("admin@ac-nice.fr", "admin", ""),
    ] {
        repere_server::cli::add_user(&store, email, role, name, PASSWORD)
            .await
            .unwrap();
    }
    store.close().await;
    url
}

async fn app_with(backend: Backend, smtp: Option<String>) -> TestApp {
    let url = database(backend).await;
    TestApp::configured(backend, url, move |c| {
        c.mail.smtp_url = smtp;
        c.mail.retry_base = Duration::from_millis(500);
        c.mail.retry_max = Duration::from_secs(2);
        c.mail.poll = Duration::from_millis(300);
    })
    .await
}

fn report(title: &str) -> Value {
    repere_tests::report_form(title, json!({ "submit": true }))
}

/// Every distinct outbox id the sink received (a mail received twice counts once), and the total.
fn ids(sink: &SmtpSink) -> (BTreeSet<String>, usize) {
    let all = sink.messages();
    let set = all
        .iter()
        .map(|m| {
            m["headers"]["x-repere-mail-id"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    (set, all.len())
}

#[tokio::test]
async fn moderators_and_authors_are_told_and_can_unsubscribe_in_one_click() {
    let sink = SmtpSink::start();
    for backend in backends() {
        let app = app_with(backend, Some(sink.url())).await;
        let before_mod = sink.to(MODERATOR).len();
        let before_author = sink.to(AUTHOR).len();
        let mut author = Browser::signed_in(&app, AUTHOR, PASSWORD).await;
        let r = author
            .post("/api/practices", report("Des robots qui trient les déchets"))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.body["id"].as_i64().unwrap();

        // The moderator hears of the submission, with the link to act on.
        let m = sink.wait_for(MODERATOR, before_mod + 1, WAIT).await.pop().unwrap();
        assert!(
            m["subject"]
                .as_str()
                .unwrap()
                .contains("Des robots qui trient les déchets"),
            "{m}"
        );
        assert!(
            m["text"]
                .as_str()
                .unwrap()
                .contains(&format!("{}/moderation.html", app.base()))
        );
        assert!(m["html"].as_str().unwrap().contains("Ouvrir la modération"));
        assert_eq!(m["headers"]["list-unsubscribe-post"], "List-Unsubscribe=One-Click");

        // The author hears of the rejection, with its reason.
        let mut moderator = Browser::signed_in(&app, MODERATOR, PASSWORD).await;
        let reason = "Précisez le niveau & la durée <du projet>.";
        assert_eq!(
            moderator.decide(id, "reject", json!({ "reason": reason })).await.status,
            200
        );
        let m = sink.wait_for(AUTHOR, before_author + 1, WAIT).await.pop().unwrap();
        assert!(m["text"].as_str().unwrap().contains(reason), "{m}");
        assert!(
            m["html"].as_str().unwrap().contains("&lt;du projet&gt;"),
            "escaped in HTML"
        );
        let unsubscribe = m["headers"]["list-unsubscribe"].as_str().unwrap();
        let url = unsubscribe.trim_start_matches('<').trim_end_matches('>');
        assert!(
            url.starts_with(&format!("{}/api/mail/unsubscribe?", app.base())),
            "{url}"
        );

        // Opening the link asks first; the mail client's one-click POST unsubscribes, without session.
        let page = app.client.get(url).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Me désabonner"));
        assert_eq!(
            author.get("/api/account/preferences").await.body["preferences"]["decisions"],
            true
        );
        let post = app
            .client
            .post(url)
            .form(&[("List-Unsubscribe", "One-Click")])
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), 200);
        assert_eq!(
            author.get("/api/account/preferences").await.body["preferences"]["decisions"],
            false
        );
        let forged = app.client.post(url.replace("&k=", "&k=0")).send().await.unwrap();
        assert_eq!(forged.status(), 404);

        // Unsubscribed from decisions: the next one is not mailed; messages still are.
        let told = sink.to(AUTHOR).len();
        assert_eq!(
            author
                .put(
                    &format!("/api/practices/{id}"),
                    report("Des robots qui trient les déchets")
                )
                .await
                .status,
            200
        );
        assert_eq!(moderator.decide(id, "publish", json!({})).await.status, 200);
        let mut colleague = Browser::signed_in(&app, "collegue@ac-nice.fr", PASSWORD).await;
        let sent = colleague
            .post(
                &format!("/api/practices/{id}/messages"),
                json!({ "body": "Bonjour, peut-on échanger ?" }),
            )
            .await;
        assert_eq!(sent.status, 201, "{}", sent.body);
        let got = sink.wait_for(AUTHOR, told + 1, WAIT).await;
        let last = got.last().unwrap();
        assert!(
            last["subject"]
                .as_str()
                .unwrap()
                .starts_with("Bruno Collègue vous écrit"),
            "{last}"
        );
        assert!(
            !last["text"].as_str().unwrap().contains("collegue@ac-nice.fr"),
            "no address passes"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(
            sink.to(AUTHOR).len(),
            told + 1,
            "{backend:?}: no publication mail after unsubscribing"
        );

        // A moderator who chose the daily digest gets no mail per submission.
        let prefs = json!({ "submissions": "daily", "decisions": true, "messages": true, "links": true });
        assert_eq!(moderator.put("/api/account/preferences", prefs).await.status, 200);
        let quiet = sink.to(MODERATOR).len();
        let bad = moderator
            .put(
                "/api/account/preferences",
                json!({ "submissions": "hourly", "decisions": true, "messages": true, "links": true }),
            )
            .await;
        assert_eq!(bad.body["invalid_params"][0]["name"], "submissions");
        assert_eq!(
            author
                .post("/api/practices", report("Un second projet de robotique"))
                .await
                .status,
            201
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(sink.to(MODERATOR).len(), quiet, "held for the digest");
    }
}

#[tokio::test]
async fn mails_wait_out_an_smtp_outage_and_each_leaves_once() {
    for backend in backends() {
        let mut sink = SmtpSink::start();
        let app = app_with(backend, Some(sink.url())).await;
        sink.pause();
        let mut author = Browser::signed_in(&app, AUTHOR, PASSWORD).await;
        for i in 0..50 {
            let r = author
                .post("/api/practices", report(&format!("Projet numérique n° {i}")))
                .await;
            assert_eq!(r.status, 201, "{}", r.body);
        }
        // Down for 30 s: the mails wait, the admins see why.
        tokio::time::sleep(Duration::from_secs(30)).await;
        let mut admin = Browser::signed_in(&app, "admin@ac-nice.fr", PASSWORD).await;
        let outbox = admin.get("/api/outbox?pending=true").await.body;
        assert_eq!(outbox["smtp_configured"], true);
        assert!(outbox["pending"].as_i64().unwrap() >= 50, "{backend:?}: {outbox}");
        assert!(outbox["failing"].as_i64().unwrap() >= 1, "{outbox}");
        assert!(outbox["mails"][0]["last_error"].is_string(), "{}", outbox["mails"][0]);
        sink.resume();
        // 50 to the moderator, 50 to the admin (both moderate).
        sink.wait_for(MODERATOR, 50, Duration::from_secs(60)).await;
        sink.wait_for("admin@ac-nice.fr", 50, Duration::from_secs(60)).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (distinct, total) = ids(&sink);
        assert_eq!((distinct.len(), total), (100, 100), "{backend:?}: every mail once");
        let outbox = admin.get("/api/outbox").await.body;
        assert_eq!(outbox["pending"], 0, "{outbox}");
    }
}

#[tokio::test]
async fn two_instances_on_one_database_send_each_mail_once() {
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    let sink = SmtpSink::start();
    let first = app_with(Backend::Postgres, Some(sink.url())).await;
    let smtp = sink.url();
    let second = first
        .another_configured(move |c| {
            c.mail.smtp_url = Some(smtp);
            c.mail.poll = Duration::from_millis(100);
        })
        .await;
    let mut a = Browser::signed_in(&first, AUTHOR, PASSWORD).await;
    let mut b = Browser::signed_in(&second, AUTHOR, PASSWORD).await;
    for i in 0..30 {
        let browser = if i % 2 == 0 { &mut a } else { &mut b };
        assert_eq!(
            browser
                .post("/api/practices", report(&format!("Projet partagé n° {i}")))
                .await
                .status,
            201
        );
    }
    sink.wait_for(MODERATOR, 30, WAIT).await;
    sink.wait_for("admin@ac-nice.fr", 30, WAIT).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (distinct, total) = ids(&sink);
    assert_eq!((distinct.len(), total), (60, 60), "no mail delivered twice");
}

#[tokio::test]
async fn without_smtp_mails_stay_in_the_outbox_for_the_admins() {
    let app = app_with(Backend::Sqlite, None).await;
    let mut admin = Browser::signed_in(&app, "admin@ac-nice.fr", PASSWORD).await;
    let r = admin
        .post(
            "/api/accounts/invitations",
            json!({ "email": "attente@ac-nice.fr", "role": "contributor" }),
        )
        .await;
    assert_eq!(r.status, 201);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let outbox = admin.get("/api/outbox").await.body;
    assert_eq!(outbox["smtp_configured"], false);
    assert_eq!(outbox["pending"], 1, "{outbox}");
    assert_eq!(outbox["mails"][0]["to"], "attente@ac-nice.fr");
    assert_eq!(outbox["mails"][0]["kind"], "invitation");
    assert_eq!(outbox["mails"][0]["attempts"], 0);
    let bad = admin.get("/api/outbox?pending=peut-etre").await;
    assert_eq!(bad.status, 400);
}
