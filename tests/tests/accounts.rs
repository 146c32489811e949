//! Letting people in: password reset and invitations by e-mail (received by a real SMTP sink), the
//! accounts page (role, deactivation that ends sessions at once), who may do what on these routes, and
//! nothing of an account leaking to the public.

use std::time::Duration;

use repere_tests::mail::{SmtpSink, link_after};
use repere_tests::{Backend, Browser, TestApp, backends};
use serde_json::json;

const PASSWORD: &str = "une phrase de passe longue";
const NEW_PASSWORD: &str = "une toute nouvelle phrase secrète";
const WAIT: Duration = Duration::from_secs(20);

async fn app(backend: Backend, sink: Option<&SmtpSink>) -> TestApp {
    let url = repere_tests::fresh_database(backend).await;
    let store = repere_store::Store::connect(&url).await.unwrap();
    for (email, role) in [
        ("prof@ac-nice.fr", "contributor"),
        ("cardie@ac-nice.fr", "moderator"),
        ("admin@ac-nice.fr", "admin"),
        ("collectivite@var.fr", "collectivite"),
    ] {
        repere_server::cli::add_user(&store, email, role, "Nom Secret", PASSWORD)
            .await
            .unwrap();
    }
    store.close().await;
    let smtp = sink.map(SmtpSink::url);
    TestApp::configured(backend, url, move |c| {
        c.mail.smtp_url = smtp;
        c.mail.retry_base = Duration::from_millis(500);
        c.mail.retry_max = Duration::from_secs(2);
    })
    .await
}

/// The token of a mailed link `…#jeton=TOKEN`.
fn token_of(link: &str) -> String {
    link.split("#jeton=").nth(1).expect("a token in the link").to_string()
}

/// Moves every unused token of `email` one day into the past.
async fn expire_tokens(app: &TestApp, email: &str) {
    let store = repere_store::Store::connect(&app.database_url).await.unwrap();
    sqlx::query("UPDATE account_tokens SET expires_at = '2000-01-01T00:00:00.000000Z' WHERE user_id = (SELECT id FROM users WHERE email = $1)")
        .bind(email)
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    let store = repere_store::Store::connect(&app.database_url).await.unwrap();
    let rows: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log WHERE entity = 'user' ORDER BY id")
        .fetch_all(store.pool())
        .await
        .unwrap();
    store.close().await;
    rows
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_mail_and_other_sessions_end() {
    let sink = SmtpSink::start();
    for backend in backends() {
        let app = app(backend, Some(&sink)).await;
        let before = sink.to("prof@ac-nice.fr").len();
        let mut elsewhere = Browser::signed_in(&app, "prof@ac-nice.fr", PASSWORD).await;
        let mut b = Browser::new(&app);
        b.session().await;
        let known = b
            .post("/api/auth/password/forgot", json!({ "email": "Prof@AC-Nice.fr" }))
            .await;
        let unknown = b
            .post("/api/auth/password/forgot", json!({ "email": "personne@ac-nice.fr" }))
            .await;
        assert_eq!((known.status, unknown.status), (202, 202));
        assert_eq!(known.body, unknown.body, "the same answer, account or not");
        let bad = b
            .post("/api/auth/password/forgot", json!({ "email": "pas une adresse" }))
            .await;
        assert_eq!(bad.status, 422, "{}", bad.body);

        let mails = sink.wait_for("prof@ac-nice.fr", before + 1, WAIT).await;
        let mail = mails.last().unwrap();
        assert!(mail["subject"].as_str().unwrap().contains("mot de passe"), "{mail}");
        assert!(
            mail["headers"].get("list-unsubscribe").is_none(),
            "a reset is not a mail one unsubscribes from"
        );
        let link = link_after(mail, "Choisir un nouveau mot de passe :");
        assert!(
            link.starts_with(&format!("{}/mot-de-passe.html#jeton=", app.base())),
            "{link}"
        );
        let token = token_of(&link);
        assert!(sink.to("personne@ac-nice.fr").is_empty());

        // The policy applies; a refused attempt uses nothing up.
        let short = b
            .post(
                "/api/auth/password/reset",
                json!({ "token": token, "password": "court" }),
            )
            .await;
        assert_eq!(short.status, 422);
        assert_eq!(short.body["invalid_params"][0]["name"], "password");
        let ok = b
            .post(
                "/api/auth/password/reset",
                json!({ "token": token, "password": NEW_PASSWORD }),
            )
            .await;
        assert_eq!(ok.status, 200, "{backend:?} {}", ok.body);
        assert_eq!(ok.body["authenticated"], true);
        assert_eq!(b.session().await["user"]["email"], "prof@ac-nice.fr");

        // Every other session ended; the old password no longer opens one, the new one does.
        assert_eq!(elsewhere.get("/api/practices/mine").await.status, 401);
        assert_eq!(elsewhere.session().await["authenticated"], false);
        let mut c = Browser::new(&app);
        c.session().await;
        assert_eq!(c.login("prof@ac-nice.fr", PASSWORD).await.status, 401);
        assert_eq!(c.login("prof@ac-nice.fr", NEW_PASSWORD).await.status, 200);

        // Used once only; an expired link is refused with its own message.
        let again = b
            .post(
                "/api/auth/password/reset",
                json!({ "token": token, "password": NEW_PASSWORD }),
            )
            .await;
        assert_eq!(again.status, 422);
        assert!(
            again.body["invalid_params"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("déjà servi"),
            "{}",
            again.body
        );
        b.post("/api/auth/password/forgot", json!({ "email": "prof@ac-nice.fr" }))
            .await;
        let second = sink.wait_for("prof@ac-nice.fr", mails.len() + 1, WAIT).await;
        let late = token_of(&link_after(second.last().unwrap(), "Choisir un nouveau mot de passe :"));
        expire_tokens(&app, "prof@ac-nice.fr").await;
        let expired = b
            .post(
                "/api/auth/password/reset",
                json!({ "token": late, "password": NEW_PASSWORD }),
            )
            .await;
        assert!(
            expired.body["invalid_params"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("expiré"),
            "{}",
            expired.body
        );
        let forged = b
            .post(
                "/api/auth/password/reset",
                json!({ "token": "0".repeat(64), "password": NEW_PASSWORD }),
            )
            .await;
        assert_eq!(forged.status, 422);
        let actions = audit_actions(&app).await;
        for a in ["reset_requested", "password_reset", "reset_refused"] {
            assert!(
                actions.iter().any(|x| x == a),
                "{backend:?}: {a} audited in {actions:?}"
            );
        }
    }
}

#[tokio::test]
async fn an_invitation_lets_its_holder_choose_a_password_once() {
    let sink = SmtpSink::start();
    for backend in backends() {
        let app = app(backend, Some(&sink)).await;
        let invited = format!("nouvelle.{}@ac-nice.fr", backend as u8);
        let mut moderator = Browser::signed_in(&app, "cardie@ac-nice.fr", PASSWORD).await;
        let refused = moderator
            .post(
                "/api/accounts/invitations",
                json!({ "email": invited, "role": "moderator" }),
            )
            .await;
        assert_eq!(refused.status, 403, "a moderator invites contributors only");
        let mut admin = Browser::signed_in(&app, "admin@ac-nice.fr", PASSWORD).await;
        let r = admin
            .post(
                "/api/accounts/invitations",
                json!({ "email": invited, "role": "moderator", "display_name": "Nouvelle" }),
            )
            .await;
        assert_eq!(r.status, 201, "{backend:?} {}", r.body);
        assert_eq!(r.body["status"], "invited");
        let twice = admin
            .post(
                "/api/accounts/invitations",
                json!({ "email": invited, "role": "contributor" }),
            )
            .await;
        assert_eq!(twice.status, 409);
        let bad_role = admin
            .post(
                "/api/accounts/invitations",
                json!({ "email": "x@ac-nice.fr", "role": "pirate" }),
            )
            .await;
        assert_eq!(bad_role.body["invalid_params"][0]["name"], "role");

        // Listed as invited, without a way in yet.
        let row = admin.account(&invited).await;
        assert_eq!(
            (row["status"].as_str(), row["sign_in_method"].as_str()),
            (Some("invited"), Some("none"))
        );
        // Nobody signs in to an invited account with a guessed password.
        let mut guess = Browser::new(&app);
        guess.session().await;
        assert_eq!(guess.login(&invited, "").await.status, 401);

        let mail = sink.wait_for(&invited, 1, WAIT).await.pop().unwrap();
        assert_eq!(mail["subject"], "Invitation à rejoindre Repère");
        assert!(mail["text"].as_str().unwrap().contains("Modérateur"), "{mail}");
        let token = token_of(&link_after(&mail, "Accepter l'invitation :"));
        let mut holder = Browser::new(&app);
        holder.session().await;
        let shown = holder.get(&format!("/api/auth/invitation?token={token}")).await;
        assert_eq!(shown.body["email"], invited.as_str());
        assert_eq!(shown.body["role"], "moderator");
        let ok = holder
            .post(
                "/api/auth/invitation",
                json!({ "token": token, "password": NEW_PASSWORD, "display_name": "Claire N." }),
            )
            .await;
        assert_eq!(ok.status, 200, "{}", ok.body);
        assert_eq!(ok.body["user"]["role"], "moderator");
        assert_eq!(ok.body["user"]["display_name"], "Claire N.");
        holder.csrf = ok.body["csrf_token"].as_str().map(str::to_owned);
        assert_eq!(holder.get("/api/moderation/inbox").await.status, 200);
        let again = holder
            .post(
                "/api/auth/invitation",
                json!({ "token": token, "password": NEW_PASSWORD }),
            )
            .await;
        assert_eq!(again.status, 422);
        let row = admin.account(&invited).await;
        assert_eq!(
            (row["status"].as_str(), row["sign_in_method"].as_str()),
            (Some("active"), Some("password"))
        );
        assert!(row["last_sign_in_at"].is_string());

        // A re-sent invitation replaces the first link; an expired one is refused.
        let other = format!("autre.{}@ac-nice.fr", backend as u8);
        let r = moderator
            .post(
                "/api/accounts/invitations",
                json!({ "email": other, "role": "contributor" }),
            )
            .await;
        let id = r.body["id"].as_i64().unwrap();
        let first = sink.wait_for(&other, 1, WAIT).await;
        let first_token = token_of(&link_after(&first[0], "Accepter l'invitation :"));
        assert_eq!(
            moderator
                .post(&format!("/api/accounts/{id}/invitation"), json!({}))
                .await
                .status,
            200
        );
        let second = sink.wait_for(&other, 2, WAIT).await;
        let second_token = token_of(&link_after(&second[1], "Accepter l'invitation :"));
        assert_eq!(
            holder
                .get(&format!("/api/auth/invitation?token={first_token}"))
                .await
                .status,
            422
        );
        expire_tokens(&app, &other).await;
        let expired = holder.get(&format!("/api/auth/invitation?token={second_token}")).await;
        assert!(
            expired.body["invalid_params"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("expiré"),
            "{}",
            expired.body
        );
        let actions = audit_actions(&app).await;
        for a in ["invite", "invitation_accepted", "invite_again", "invitation_refused"] {
            assert!(
                actions.iter().any(|x| x == a),
                "{backend:?}: {a} audited in {actions:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_deactivated_account_is_refused_at_its_next_request() {
    for backend in backends() {
        let app = app(backend, None).await;
        let mut prof = Browser::signed_in(&app, "prof@ac-nice.fr", PASSWORD).await;
        assert_eq!(prof.get("/api/practices/mine").await.status, 200);
        let mut admin = Browser::signed_in(&app, "admin@ac-nice.fr", PASSWORD).await;
        let prof_id = admin.account("prof@ac-nice.fr").await["id"].as_i64().unwrap();
        let admin_id = admin.account("admin@ac-nice.fr").await["id"].as_i64().unwrap();
        let r = admin
            .put(&format!("/api/accounts/{prof_id}"), json!({ "status": "deactivated" }))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["status"], "deactivated");
        assert_eq!(
            prof.get("/api/practices/mine").await.status,
            401,
            "{backend:?}: the open session ends at once"
        );
        assert_eq!(prof.session().await["authenticated"], false);
        let again = prof.login("prof@ac-nice.fr", PASSWORD).await;
        assert_eq!(again.status, 403);
        assert!(again.body["detail"].as_str().unwrap().contains("désactivé"));

        // Reactivated, promoted: audited.
        assert_eq!(
            admin
                .put(
                    &format!("/api/accounts/{prof_id}"),
                    json!({ "status": "active", "role": "moderator" })
                )
                .await
                .status,
            200
        );
        assert_eq!(prof.login("prof@ac-nice.fr", PASSWORD).await.status, 200);
        assert_eq!(prof.get("/api/moderation/inbox").await.status, 200);

        // An admin cannot lock themselves out; bad values are named.
        assert_eq!(
            admin
                .put(&format!("/api/accounts/{admin_id}"), json!({ "status": "deactivated" }))
                .await
                .status,
            409
        );
        assert_eq!(
            admin
                .put(&format!("/api/accounts/{admin_id}"), json!({ "role": "contributor" }))
                .await
                .status,
            409
        );
        let bad = admin
            .put(&format!("/api/accounts/{prof_id}"), json!({ "status": "supprimé" }))
            .await;
        assert_eq!(bad.body["invalid_params"][0]["name"], "status");
        assert_eq!(
            admin
                .put("/api/accounts/999999", json!({ "role": "admin" }))
                .await
                .status,
            404
        );
        let actions = audit_actions(&app).await;
        assert!(actions.iter().filter(|a| *a == "update").count() >= 2, "{actions:?}");
    }
}

#[tokio::test]
async fn who_may_use_the_account_routes() {
    let app = app(Backend::Sqlite, None).await;
    let who: [Option<&str>; 5] = [
        None,
        Some("prof@ac-nice.fr"),
        Some("cardie@ac-nice.fr"),
        Some("collectivite@var.fr"),
        Some("admin@ac-nice.fr"),
    ];
    let rows: &[(&str, &str, [u16; 5])] = &[
        ("GET", "/api/accounts", [401, 403, 403, 403, 200]),
        ("GET", "/api/outbox", [401, 403, 403, 403, 200]),
        ("POST", "/api/accounts/invitations", [401, 403, 201, 403, 201]),
        ("PUT", "/api/accounts/{id}", [401, 403, 403, 403, 200]),
        ("GET", "/api/account/preferences", [401, 200, 200, 200, 200]),
        ("PUT", "/api/account/preferences", [401, 200, 200, 200, 200]),
    ];
    let target = {
        let mut admin = Browser::signed_in(&app, "admin@ac-nice.fr", PASSWORD).await;
        let r = admin
            .post(
                "/api/accounts/invitations",
                json!({ "email": "cible@ac-nice.fr", "role": "contributor" }),
            )
            .await;
        r.body["id"].as_i64().unwrap()
    };
    let mut n = 0;
    for (method, route, expected) in rows {
        for (i, email) in who.iter().enumerate() {
            let mut b = match email {
                Some(e) => Browser::signed_in(&app, e, PASSWORD).await,
                None => {
                    let mut b = Browser::new(&app);
                    b.session().await;
                    b
                }
            };
            n += 1;
            let path = route.replace("{id}", &target.to_string());
            let r = match (*method, *route) {
                ("GET", _) => b.get(&path).await,
                ("PUT", "/api/accounts/{id}") => b.put(&path, json!({ "role": "contributor" })).await,
                ("PUT", _) => {
                    b.put(
                        &path,
                        json!({ "submissions": "daily", "decisions": true, "messages": false, "links": true }),
                    )
                    .await
                }
                _ => {
                    b.post(
                        &path,
                        json!({ "email": format!("invite{n}@ac-nice.fr"), "role": "contributor" }),
                    )
                    .await
                }
            };
            assert_eq!(r.status, expected[i], "{method} {route} as {email:?}: {}", r.body);
        }
    }
    // What an anonymous visitor can reach of these routes says nothing of any account.
    let mut anon = Browser::new(&app);
    let mut seen = anon.session().await.to_string();
    for path in [
        "/api/auth/invitation?token=inconnu",
        "/api/mail/unsubscribe?u=1&t=decisions&k=faux",
        "/api/accounts",
        "/api/outbox",
    ] {
        seen.push_str(&anon.get(path).await.body.to_string());
    }
    for secret in ["@ac-nice.fr", "@var.fr", "nom secret", "password_hash"] {
        assert!(!seen.to_lowercase().contains(secret), "{secret} in {seen}");
    }
}
