//! Secrets never reach the logs: with every log level on, creating an account, signing in (right and
//! wrong) and reporting leave no password in what the server writes; and an expired session changes
//! nothing.

use std::io::Write;
use std::sync::{Arc, Mutex};

use repere_tests::{Backend, Browser, TestApp};
use serde_json::json;

const PASSWORD: &str = "correct-horse-battery-staple-42";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn passwords_never_appear_in_the_logs_and_expired_sessions_change_nothing() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_env_filter("trace")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let url = repere_tests::fresh_database(Backend::Sqlite).await;
    let store = repere_store::Store::connect(&url).await.unwrap();
    repere_server::jobs::demo::load(&store).await.unwrap();
    repere_server::cli::add_user(&store, "prof@ac-nice.fr", "contributor", "", PASSWORD)
        .await
        .unwrap();
    let app = TestApp::on(Backend::Sqlite, url).await;
    let mut b = Browser::new(&app);
    b.session().await;
    assert_eq!(
        b.login("prof@ac-nice.fr", &format!("{PASSWORD}-wrong")).await.status,
        401
    );
    assert_eq!(b.login("prof@ac-nice.fr", PASSWORD).await.status, 200);

    // Expire the session in the database: the next write is refused and nothing is created.
    sqlx::query("UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000000Z'")
        .execute(store.pool())
        .await
        .unwrap();
    let before = repere_store::practices::count(&store).await.unwrap();
    let r = b
        .post(
            "/api/practices",
            json!({ "title": "Après expiration", "summary": "x", "disciplines": ["SVT"], "levels": ["6e"], "tools": ["ENT"],
                    "school_year": "2025-2026", "uai": "0060842H", "contact_consent": true }),
        )
        .await;
    assert!(
        (400..500).contains(&r.status),
        "expired session: {} {}",
        r.status,
        r.body
    );
    assert!(r.body["detail"].is_string());
    assert_eq!(repere_store::practices::count(&store).await.unwrap(), before);
    assert_eq!(b.session().await["authenticated"], false);

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("signed in"), "the capture works: {} bytes", logs.len());
    assert!(!logs.contains(PASSWORD), "a password was logged");
}
