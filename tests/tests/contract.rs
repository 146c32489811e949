//! The OpenAPI document as a contract: schemathesis (pinned in tests/support/requirements.txt) runs
//! every operation of `/api/openapi.json` against a real server with the demo data — anonymous, then
//! signed in as an administrator and as a contributor — on SQLite and PostgreSQL, and fails on any
//! 5xx, any status the document does not declare, any content type or header it does not declare, and
//! any body that does not match its declared schema.

use std::process::Command;

use repere_tests::{Browser, TestApp, backends};
use serde_json::json;

const PASSWORD: &str = "une phrase de passe longue";
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance";

/// Runs schemathesis against `app` with the extra `headers`, skipping the paths matching `exclude`;
/// returns whether it passed and its report.
async fn schemathesis(app: &TestApp, headers: &[String], exclude: Option<&str>) -> (bool, String) {
    // Its files (the run's cassettes, hypothesis' examples) stay out of the repository.
    let work = std::env::temp_dir().join(format!("repere-contract-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let mut cmd = Command::new("schemathesis");
    cmd.current_dir(&work)
        .arg("run")
        .arg(format!("{}/api/openapi.json", app.base()))
        .args(["--checks", CHECKS])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", "8", "--seed", "20261201"])
        .args(["--continue-on-failure", "--max-failures", "100"])
        .args(["--generation-database", ":memory:"])
        .env("NO_COLOR", "1");
    for h in headers {
        cmd.args(["-H", h]);
    }
    if let Some(pattern) = exclude {
        cmd.args(["--exclude-path-regex", pattern]);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .expect("schemathesis is installed (pip install -r tests/support/requirements.txt)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), report)
}

/// A dossier and an edition, so that the operations on them answer with a body and not only 404.
async fn seed(app: &TestApp) {
    let mut inspector = Browser::signed_in(app, "inspecteur@ac-nice.fr", PASSWORD).await;
    let r = inspector
        .post(
            "/api/intentions",
            json!({
                "kind": "formation",
                "title": "Formation des équipes au numérique",
                "description": "Pix pour les professeurs du département",
                "territory": { "kind": "departement", "value": "06" },
            }),
        )
        .await;
    assert_eq!(r.status, 201, "dossier: {}", r.body);
    let mut admin = Browser::signed_in(app, "admin@ac-nice.fr", PASSWORD).await;
    let r = admin
        .post("/api/editions", json!({ "discipline": "Technologie" }))
        .await;
    assert_eq!(r.status, 201, "edition: {}", r.body);
}

#[tokio::test]
async fn every_operation_answers_as_the_openapi_document_says() {
    for backend in backends() {
        let app = TestApp::with_demo_and_users(
            backend,
            &[
                ("admin@ac-nice.fr", "admin"),
                ("prof@ac-nice.fr", "contributor"),
                ("inspecteur@ac-nice.fr", "inspecteur"),
            ],
            PASSWORD,
        )
        .await;
        seed(&app).await;
        let (passed, report) = schemathesis(&app, &[], None).await;
        assert!(passed, "{backend:?}, anonymous:\n{report}");
        assert!(report.contains("Tested: "), "schemathesis ran: {report}");
        for email in ["admin@ac-nice.fr", "prof@ac-nice.fr"] {
            let browser = Browser::signed_in(&app, email, PASSWORD).await;
            let headers = [
                format!("Cookie: {}", browser.cookie.clone().unwrap()),
                format!("X-CSRF-Token: {}", browser.csrf.clone().unwrap()),
            ];
            // Signing out would end the run's session; the rest is exercised with it.
            let (passed, report) = schemathesis(&app, &headers, Some("/api/auth/logout")).await;
            assert!(passed, "{backend:?}, signed in as {email}:\n{report}");
        }
        app.stop().await;
    }
}
