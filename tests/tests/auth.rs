//! Accounts and sessions: sign-in with CSRF protection, generic errors, rate limiting, logout,
//! argon2id hashes at rest, and sessions stored in the database (valid through another instance).

use repere_tests::{Browser, TestApp, assert_problem, backends};
use serde_json::json;

const PASSWORD: &str = "une phrase de passe longue";

async fn app_with_user(backend: repere_tests::Backend) -> TestApp {
    let url = repere_tests::fresh_database(backend).await;
    let store = repere_store::Store::connect(&url).await.unwrap();
    repere_server::cli::add_user(&store, "Moderatrice@AC-Nice.fr", "moderator", "Marie", PASSWORD)
        .await
        .unwrap();
    store.close().await;
    TestApp::on(backend, url).await
}

#[tokio::test]
async fn sign_in_requires_csrf_and_opens_a_session_in_the_database() {
    for backend in backends() {
        let app = app_with_user(backend).await;
        let mut b = Browser::new(&app);
        let anon = b.session().await;
        assert_eq!(anon["authenticated"], false);
        assert_eq!(b.csrf.as_ref().map(String::len), Some(64));

        // No token, or a forged one: refused, and nothing happens.
        let no_token = b
            .send(
                reqwest::Method::POST,
                "/api/auth/login",
                Some(json!({ "email": "moderatrice@ac-nice.fr", "password": PASSWORD })),
                None,
            )
            .await;
        assert_problem(
            no_token.status,
            &no_token.ctype,
            &no_token.body,
            403,
            None,
            "login without CSRF token",
        );
        let forged = b
            .send(
                reqwest::Method::POST,
                "/api/auth/login",
                Some(json!({ "email": "moderatrice@ac-nice.fr", "password": PASSWORD })),
                Some(&"0".repeat(64)),
            )
            .await;
        assert_eq!(forged.status, 403);
        assert_eq!(b.session().await["authenticated"], false);

        let before = b.cookie.clone();
        let ok = b.login("moderatrice@ac-nice.fr", PASSWORD).await;
        assert_eq!(ok.status, 200, "{backend:?} {}", ok.body);
        assert_eq!(ok.body["user"]["role"], "moderator");
        let cookie = ok.set_cookie.expect("a session cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(
            !cookie.contains("Secure"),
            "not Secure over plain HTTP unless configured: {cookie}"
        );
        assert_ne!(b.cookie, before, "a new session id after sign-in");
        let me = b.session().await;
        assert_eq!(me["authenticated"], true);
        assert_eq!(me["user"]["email"], "moderatrice@ac-nice.fr");
        assert!(me.to_string().find(PASSWORD).is_none());

        // The session lives in the database: a second instance on the same database honours it.
        let other = TestApp::on(backend, app.database_url.clone()).await;
        let mut b2 = Browser::new(&other);
        b2.cookie = b.cookie.clone();
        assert_eq!(b2.session().await["authenticated"], true, "{backend:?}");

        let token = b.csrf.clone();
        let out = b
            .send(reqwest::Method::POST, "/api/auth/logout", None, token.as_deref())
            .await;
        assert_eq!(out.status, 204);
        assert_eq!(b.session().await["authenticated"], false);
        assert_eq!(
            b2.session().await["authenticated"],
            false,
            "logout ends the session everywhere"
        );

        // At rest: an argon2id hash, never the password.
        let store = repere_store::Store::connect(&app.database_url).await.unwrap();
        let email = repere_core::users::Email::parse("moderatrice@ac-nice.fr").unwrap();
        let (_, hash) = repere_store::users::by_email(&store, &email).await.unwrap().unwrap();
        assert!(hash.starts_with("$argon2id$") && !hash.contains(PASSWORD));
        store.close().await;
    }
}

#[tokio::test]
async fn bad_credentials_get_one_generic_answer_and_are_rate_limited() {
    for backend in backends() {
        let app = app_with_user(backend).await;
        let mut b = Browser::new(&app);
        b.session().await;
        let wrong_password = b.login("moderatrice@ac-nice.fr", "pas le bon mot de passe").await;
        let unknown_account = b.login("personne@ac-nice.fr", PASSWORD).await;
        assert_problem(
            wrong_password.status,
            &wrong_password.ctype,
            &wrong_password.body,
            401,
            None,
            "wrong password",
        );
        assert_eq!(
            wrong_password.body["detail"], unknown_account.body["detail"],
            "no hint about which part was wrong"
        );
        let malformed = b
            .send(
                reqwest::Method::POST,
                "/api/auth/login",
                Some(json!({ "mail": 1 })),
                b.csrf.clone().as_deref(),
            )
            .await;
        assert_problem(
            malformed.status,
            &malformed.ctype,
            &malformed.body,
            400,
            Some("body"),
            "malformed body",
        );

        for _ in 0..4 {
            assert_eq!(
                b.login("moderatrice@ac-nice.fr", "encore une erreur ici").await.status,
                401
            );
        }
        // Five failures for this account: from a browser that never signed in to it, the next attempt
        // waits (a delay that doubles with each failure), even with the right password…
        let limited = b.login("moderatrice@ac-nice.fr", PASSWORD).await;
        assert_problem(limited.status, &limited.ctype, &limited.body, 429, None, "slowed down");
        let wait: u64 = limited.retry_after.as_deref().unwrap().parse().unwrap();
        assert!((1..=300).contains(&wait), "{wait}");
        assert_eq!(b.session().await["authenticated"], false);
        // … and is heard once the delay has passed: slowed, never locked out.
        tokio::time::sleep(std::time::Duration::from_millis(wait * 1000 + 200)).await;
        assert_eq!(b.login("moderatrice@ac-nice.fr", PASSWORD).await.status, 200);
    }
}
