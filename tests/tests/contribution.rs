//! Contribution and moderation through the API: who may do what (a table-driven authorization
//! matrix), the workflow's legal and illegal transitions, validation, duplicates, the audit log, and
//! privacy (no author address in any public response).

use repere_tests::{Backend, Browser, TestApp, assert_problem, backends};
use serde_json::{Value, json};

const PASSWORD: &str = "une phrase de passe longue";
const AUTHOR: &str = "auteure.secrete@ac-nice.fr";

async fn app(backend: Backend) -> TestApp {
    let url = repere_tests::fresh_database(backend).await;
    let store = repere_store::Store::connect(&url).await.unwrap();
    repere_server::jobs::demo::load(&store).await.unwrap();
    for (email, role) in [
        (AUTHOR, "contributor"),
        ("autre.prof@ac-nice.fr", "contributor"),
        ("cardie@ac-nice.fr", "moderator"),
        ("departement@var.fr", "collectivite"),
        ("admin@ac-nice.fr", "admin"),
    ] {
        repere_server::cli::add_user(&store, email, role, "Nom Secret", PASSWORD)
            .await
            .unwrap();
    }
    store.close().await;
    TestApp::on(backend, url).await
}

async fn signed_in<'a>(app: &'a TestApp, email: Option<&str>) -> Browser<'a> {
    let mut b = Browser::new(app);
    b.session().await;
    if let Some(email) = email {
        assert_eq!(b.login(email, PASSWORD).await.status, 200, "{email}");
    }
    b
}

fn report(title: &str) -> Value {
    repere_tests::report_form(title, json!({}))
}

/// Creates a report as the author and brings it to `status`.
async fn practice_in(app: &TestApp, status: &str) -> i64 {
    let mut author = signed_in(app, Some(AUTHOR)).await;
    let r = author
        .post("/api/practices", report("Imprimer des pièces de robot en 3D"))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    if status == "draft" {
        return id;
    }
    assert_eq!(author.act(id, "submit").await, 200);
    if status == "submitted" {
        return id;
    }
    let mut moderator = signed_in(app, Some("cardie@ac-nice.fr")).await;
    match status {
        "published" => assert_eq!(moderator.decide(id, "publish", json!({})).await.status, 200),
        "rejected" => assert_eq!(
            moderator
                .decide(id, "reject", json!({ "reason": "Incomplet" }))
                .await
                .status,
            200
        ),
        _ => unreachable!(),
    }
    id
}

#[tokio::test]
async fn authorization_matrix() {
    // Who: anonymous, the author, another contributor, a moderator, a collectivité, an admin.
    let who: [Option<&str>; 6] = [
        None,
        Some(AUTHOR),
        Some("autre.prof@ac-nice.fr"),
        Some("cardie@ac-nice.fr"),
        Some("departement@var.fr"),
        Some("admin@ac-nice.fr"),
    ];
    // (route, method, starting status, expected status for each of `who`)
    let rows: &[(&str, &str, &str, [u16; 6])] = &[
        ("/api/practices", "POST", "-", [401, 201, 201, 201, 403, 201]),
        ("/api/practices/{id}", "PUT", "draft", [401, 200, 404, 403, 404, 403]),
        (
            "/api/practices/{id}/submit",
            "POST",
            "draft",
            [401, 200, 404, 403, 404, 403],
        ),
        (
            "/api/practices/{id}/publish",
            "POST",
            "submitted",
            [401, 403, 403, 200, 403, 200],
        ),
        (
            "/api/practices/{id}/reject",
            "POST",
            "submitted",
            [401, 403, 403, 200, 403, 200],
        ),
        (
            "/api/practices/{id}/archive",
            "POST",
            "published",
            [401, 200, 404, 200, 404, 200],
        ),
        (
            "/api/moderation/decisions",
            "POST",
            "submitted",
            [401, 403, 403, 200, 403, 200],
        ),
        ("/api/moderation/inbox", "GET", "-", [401, 403, 403, 200, 403, 200]),
        (
            "/api/practices/{id}/audit",
            "GET",
            "draft",
            [401, 403, 403, 200, 403, 200],
        ),
        ("/api/practices/{id}", "GET", "draft", [401, 200, 404, 200, 404, 200]),
        ("/api/practices/mine", "GET", "-", [401, 200, 200, 200, 200, 200]),
    ];
    let app = app(Backend::Sqlite).await;
    for (route, method, start, expected) in rows {
        for (i, email) in who.iter().enumerate() {
            let id = if *start == "-" {
                0
            } else {
                practice_in(&app, start).await
            };
            let path = route.replace("{id}", &id.to_string());
            // Decisions name the version read, as the moderation page does: the access rule, not a
            // missing version, is what this table checks.
            let version = if *start == "-" {
                Value::Null
            } else {
                signed_in(&app, Some("cardie@ac-nice.fr")).await.version_of(id).await
            };
            let mut b = signed_in(&app, *email).await;
            let body = match *route {
                "/api/moderation/decisions" => {
                    json!({ "ids": [id], "action": "publish", "versions": { id.to_string(): version } })
                }
                r if r.ends_with("/reject") => json!({ "reason": "Hors sujet", "version": version }),
                r if r.ends_with("/publish") => json!({ "version": version }),
                _ => report("Un titre de remontée modifié"),
            };
            let r = match *method {
                "GET" => b.get(&path).await,
                "PUT" => b.put(&path, body).await,
                _ => b.post(&path, body).await,
            };
            assert_eq!(
                r.status, expected[i],
                "{method} {route} from {start} as {email:?}: {}",
                r.body
            );
        }
    }
}

async fn public_count(app: &TestApp) -> u64 {
    app.get("/api/collections/practices/items?limit=1").await.2["numberMatched"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn workflow_moves_reports_and_publishing_puts_them_on_the_public_map() {
    for backend in backends() {
        let app = app(backend).await;
        let before = public_count(&app).await;
        let mut author = signed_in(&app, Some(AUTHOR)).await;
        let mut moderator = signed_in(&app, Some("cardie@ac-nice.fr")).await;
        let r = author
            .post("/api/practices", report("Robot <script>alert(1)</script> de tri"))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["status"], "draft");
        assert_eq!(
            r.body["title"], "Robot <script>alert(1)</script> de tri",
            "stored as text"
        );
        let id = r.body["id"].as_i64().unwrap();

        // Illegal transitions answer 409 and change nothing.
        for action in ["publish", "reject", "archive", "continue"] {
            let r = moderator
                .post(&format!("/api/practices/{id}/{action}"), json!({ "reason": "x" }))
                .await;
            assert_problem(r.status, &r.ctype, &r.body, 409, None, action);
        }
        assert_eq!(
            author.get(&format!("/api/practices/{id}")).await.body["status"],
            "draft"
        );

        assert_eq!(
            author
                .post(&format!("/api/practices/{id}/submit"), json!({}))
                .await
                .body["status"],
            "submitted"
        );
        let inbox = moderator.get("/api/moderation/inbox?departement=06").await;
        assert!(
            inbox.body["practices"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"] == id)
        );
        let no_reason = moderator.decide(id, "reject", json!({})).await;
        assert_problem(
            no_reason.status,
            &no_reason.ctype,
            &no_reason.body,
            422,
            Some("reason"),
            "reject without reason",
        );
        let rejected = moderator
            .decide(id, "reject", json!({ "reason": "Précisez les niveaux" }))
            .await;
        assert_eq!(rejected.body["status"], "rejected");
        let mine = author.get("/api/practices/mine").await;
        let me = mine.body["practices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()
            .clone();
        assert_eq!(me["rejection_reason"], "Précisez les niveaux");

        // The author edits and resubmits; the moderator publishes; the public sees it.
        let mut edited = report("Robot de tri des déchets");
        edited["submit"] = json!(true);
        edited["levels"] = json!(["5e", "4e"]);
        let r = author.put(&format!("/api/practices/{id}"), edited).await;
        assert_eq!(r.body["status"], "submitted", "{}", r.body);
        assert!(r.body["rejection_reason"].is_null());
        assert_eq!(public_count(&app).await, before, "not public before publication");
        assert_eq!(
            moderator.decide(id, "publish", json!({})).await.body["status"],
            "published"
        );
        assert_eq!(public_count(&app).await, before + 1);
        let (status, _, public) = app.get(&format!("/api/collections/practices/items/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(public["properties"]["levels"], json!(["5e", "4e"]));
        let near = app
            .get("/api/nearby?lon=7.1045&lat=43.5905&k=50&tool=Tinkercad")
            .await
            .2;
        assert!(
            near["features"].as_array().unwrap().iter().any(|f| f["id"] == id),
            "the index was updated"
        );

        assert_eq!(
            moderator
                .post(&format!("/api/practices/{id}/archive"), json!({}))
                .await
                .body["status"],
            "archived"
        );
        assert_eq!(public_count(&app).await, before);
        // Archived: no more edits.
        let r = author.put(&format!("/api/practices/{id}"), report("Autre titre")).await;
        assert_eq!(r.status, 409);
        let continued = moderator
            .post(&format!("/api/practices/{id}/continue"), json!({}))
            .await
            .body;
        assert_eq!(continued["status"], "published");
        let current = repere_core::SchoolYear::containing(chrono_today()).to_string();
        assert_eq!(
            continued["school_year"],
            current.as_str(),
            "poursuivi: carried into this school year"
        );
        // The author may mark it "poursuivi" again (stays published) or archive it; a colleague may not.
        assert_eq!(author.act(id, "continue").await, 200);
        let mut other = signed_in(&app, Some("autre.prof@ac-nice.fr")).await;
        assert_eq!(other.act(id, "archive").await, 404);

        // The audit log tells the whole story, with old and new values.
        let audit = moderator.get(&format!("/api/practices/{id}/audit")).await.body;
        let actions: Vec<&str> = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "create", "submit", "reject", "edit", "publish", "archive", "continue", "continue"
            ],
            "{backend:?}"
        );
        let edit = &audit["entries"][3]["changes"];
        assert_eq!(edit["title"]["old"], "Robot <script>alert(1)</script> de tri");
        assert_eq!(edit["title"]["new"], "Robot de tri des déchets");

        // Many at once: each report moves or says why not.
        let a = practice_in(&app, "submitted").await;
        let b = practice_in(&app, "draft").await;
        let c = practice_in(&app, "submitted").await;
        let versions = json!({
            a.to_string(): moderator.version_of(a).await,
            b.to_string(): moderator.version_of(b).await,
        });
        let r = moderator
            .post(
                "/api/moderation/decisions",
                json!({ "ids": [a, b, c], "action": "publish", "versions": versions }),
            )
            .await;
        assert_eq!(r.body["results"][0]["status"], "published");
        assert!(r.body["results"][1]["error"].as_str().unwrap().contains("impossible"));
        assert!(
            r.body["results"][2]["error"].as_str().unwrap().contains("version"),
            "a report decided without the version read stays as it was: {}",
            r.body
        );
    }
}

#[tokio::test]
async fn bad_reports_are_refused_field_by_field() {
    let app = app(Backend::Sqlite).await;
    let mut author = signed_in(&app, Some(AUTHOR)).await;
    // A school year that has not begun is refused (it was once offered by the form).
    let today = chrono::Utc::now().date_naive();
    let next = repere_core::SchoolYear::containing(today).start_year() + 1;
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "school_year": format!("{next}-{}", next + 1) }), "school_year"),
        (json!({ "uai": "0060842J" }), "uai"),
        (json!({ "uai": "0069999L" }), "uai"),
        (json!({ "school_year": "2099-2100" }), "school_year"),
        (json!({ "school_year": "2025" }), "school_year"),
        (json!({ "contact_consent": false }), "contact_consent"),
        (json!({ "title": "" }), "title"),
        (json!({ "summary": "x".repeat(1001) }), "summary"),
        (json!({ "tools": [] }), "tools"),
        (json!({ "tools": ["x".repeat(101)] }), "tools"),
        (json!({ "position": { "lon": 200.0, "lat": 43.0 } }), "position"),
        (json!({ "innovatheque_url": "javascript:alert(1)" }), "innovatheque_url"),
    ];
    let before = author.get("/api/practices/mine").await.body["practices"]
        .as_array()
        .unwrap()
        .len();
    for (patch, field) in cases {
        let mut body = report("Un titre correct");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = author.post("/api/practices", body).await;
        assert_problem(r.status, &r.ctype, &r.body, 422, Some(field), &format!("{patch}"));
    }
    let r = author.post("/api/practices", json!({ "title": 3 })).await;
    assert_problem(r.status, &r.ctype, &r.body, 400, Some("body"), "malformed JSON");
    let no_csrf = author
        .send(
            reqwest::Method::POST,
            "/api/practices",
            Some(report("Sans jeton")),
            None,
        )
        .await;
    assert_eq!(no_csrf.status, 403);
    assert_eq!(
        author.get("/api/practices/mine").await.body["practices"]
            .as_array()
            .unwrap()
            .len(),
        before,
        "nothing was created"
    );
}

#[tokio::test]
async fn possible_duplicates_are_shown_before_submitting() {
    let app = app(Backend::Sqlite).await;
    let mut author = signed_in(&app, Some(AUTHOR)).await;
    let id = author
        .post("/api/practices", report("Imprimer des pièces de robot en 3D"))
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    let dup = author
        .get("/api/practices/duplicates?uai=0060842H&title=Pi%C3%A8ces%20de%20robot%20imprim%C3%A9es")
        .await;
    assert!(
        dup.body["duplicates"].as_array().unwrap().iter().any(|d| d["id"] == id),
        "{}",
        dup.body
    );
    let other = author
        .get("/api/practices/duplicates?uai=0830148K&title=Imprimer%20des%20pi%C3%A8ces%20de%20robot")
        .await;
    assert!(
        !other.body["duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == id),
        "another establishment"
    );
    let by_tool = author
        .get("/api/practices/duplicates?uai=0060842H&title=Autre%20chose&tool=tinkercad")
        .await;
    assert!(
        by_tool.body["duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == id && d["reason"] == "même outil" && d["yours"] == true)
    );
    // A colleague of the same school sees the report once it awaits moderation, never the draft.
    let mut colleague = signed_in(&app, Some("autre.prof@ac-nice.fr")).await;
    let path = "/api/practices/duplicates?uai=0060842H&title=Robot%20imprim%C3%A9%20en%203D";
    let listed = |body: &serde_json::Value| -> Vec<serde_json::Value> {
        body["duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["id"] == id)
            .cloned()
            .collect()
    };
    assert!(
        listed(&colleague.get(path).await.body).is_empty(),
        "a draft is its author's only"
    );
    let r = author.post(&format!("/api/practices/{id}/submit"), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let seen = listed(&colleague.get(path).await.body);
    assert_eq!(seen.len(), 1, "the submitted report is a possible duplicate");
    assert_eq!(
        (&seen[0]["status"], &seen[0]["yours"], &seen[0]["title"]),
        (
            &json!("submitted"),
            &json!(false),
            &json!("Imprimer des pièces de robot en 3D")
        )
    );
}

#[tokio::test]
async fn no_public_response_reveals_an_author() {
    for backend in backends() {
        let app = app(backend).await;
        let id = practice_in(&app, "published").await;
        let mut responses = Vec::new();
        for collection in ["practices", "establishments", "sites", "links"] {
            for f in app
                .all_features(&format!("/api/collections/{collection}/items?limit=500"))
                .await
            {
                responses.push(f.to_string());
            }
            responses.push(app.get(&format!("/api/collections/{collection}")).await.2.to_string());
        }
        for path in [
            format!("/api/collections/practices/items/{id}"),
            "/api/nearby?lon=7.1&lat=43.59&k=1000".into(),
            "/api/".into(),
            "/api/collections".into(),
            "/api/config".into(),
            "/api/openapi.json".into(),
        ] {
            responses.push(app.get(&path).await.2.to_string());
        }
        responses.push(app.html("/").await);
        let all = responses.join("\n").to_lowercase();
        assert!(all.contains(&format!("\"id\":{id}")), "the published report is there");
        for secret in [AUTHOR, "nom secret", "author_id", "password_hash", PASSWORD] {
            assert!(
                !all.contains(secret),
                "{backend:?}: a public response contains {secret}"
            );
        }
    }
}

async fn public_title(app: &TestApp, id: i64) -> String {
    let body = app.get(&format!("/api/collections/practices/items/{id}")).await.2;
    body["properties"]["title"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn editing_a_published_report_waits_for_review_while_the_public_version_stays() {
    for backend in backends() {
        let app = app(backend).await;
        let id = practice_in(&app, "published").await;
        let mut author = signed_in(&app, Some(AUTHOR)).await;
        let mut moderator = signed_in(&app, Some("cardie@ac-nice.fr")).await;
        let original = public_title(&app, id).await;

        let r = author
            .put(&format!("/api/practices/{id}"), report("Titre corrigé par l'auteure"))
            .await;
        assert_eq!(r.status, 202, "{backend:?} {}", r.body);
        assert_eq!(r.body["pending_revision"], true);
        assert_eq!(
            public_title(&app, id).await,
            original,
            "the published version stays visible"
        );
        let mine = author.get("/api/practices/mine").await.body;
        assert!(
            mine["practices"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"] == id && p["pending_revision"] == true)
        );

        // The inbox shows it as an edit, with the diff.
        let inbox = moderator.get("/api/moderation/inbox").await.body;
        let item = inbox["practices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .expect("in the inbox")
            .clone();
        assert_eq!(item["kind"], "edit");
        assert_eq!(item["diff"]["title"]["new"], "Titre corrigé par l'auteure");
        assert_eq!(item["diff"]["title"]["old"], original.as_str());

        // Rejected: still published as before, with the reason for the author.
        let r = moderator
            .decide(id, "reject", json!({ "reason": "Gardez le titre d'origine" }))
            .await;
        assert_eq!(r.body["status"], "published", "{}", r.body);
        assert_eq!(public_title(&app, id).await, original);
        let r = moderator.decide(id, "publish", json!({})).await;
        assert_eq!(r.status, 409, "no pending revision any more");

        // Proposed again and published: the public version changes.
        author
            .put(&format!("/api/practices/{id}"), report("Deuxième proposition de titre"))
            .await;
        assert_eq!(moderator.decide(id, "publish", json!({})).await.status, 200);
        assert_eq!(public_title(&app, id).await, "Deuxième proposition de titre");
        let audit = moderator.get(&format!("/api/practices/{id}/audit")).await.body;
        let actions: Vec<&str> = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert!(
            actions.ends_with(&["propose_edit", "reject_revision", "propose_edit", "publish_revision"]),
            "{actions:?}"
        );
    }
}

#[tokio::test]
async fn contacting_an_author_reveals_no_address() {
    for backend in backends() {
        let app = app(backend).await;
        let id = practice_in(&app, "published").await;
        let mut colleague = signed_in(&app, Some("autre.prof@ac-nice.fr")).await;
        let r = colleague
            .post(
                &format!("/api/practices/{id}/messages"),
                json!({ "body": "Bonjour, pouvons-nous échanger ?" }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert!(!r.body.to_string().contains(AUTHOR));
        let empty = colleague
            .post(&format!("/api/practices/{id}/messages"), json!({ "body": "  " }))
            .await;
        assert_problem(
            empty.status,
            &empty.ctype,
            &empty.body,
            422,
            Some("body"),
            "empty message",
        );
        let anonymous = signed_in(&app, None)
            .await
            .post(&format!("/api/practices/{id}/messages"), json!({ "body": "Salut" }))
            .await;
        assert_eq!(anonymous.status, 401);
        let draft = practice_in(&app, "draft").await;
        let r = colleague
            .post(&format!("/api/practices/{draft}/messages"), json!({ "body": "Salut" }))
            .await;
        assert_eq!(r.status, 404, "only published practices can be contacted");

        let mut author = signed_in(&app, Some(AUTHOR)).await;
        let inbox = author.get("/api/messages").await.body;
        let m = &inbox["messages"][0];
        assert_eq!(m["body"], "Bonjour, pouvons-nous échanger ?");
        assert_eq!(m["practice_id"], id);
        assert!(
            !inbox.to_string().contains("autre.prof@ac-nice.fr"),
            "the sender's address stays hidden: {inbox}"
        );
        let own = author
            .post(&format!("/api/practices/{id}/messages"), json!({ "body": "Moi" }))
            .await;
        assert_eq!(own.status, 409);
    }
}

#[tokio::test]
async fn an_author_and_a_colleague_answer_each_other() {
    for backend in backends() {
        let app = app(backend).await;
        let id = practice_in(&app, "published").await;
        let mut colleague = signed_in(&app, Some("autre.prof@ac-nice.fr")).await;
        let first = colleague
            .post(
                &format!("/api/practices/{id}/messages"),
                json!({ "body": "Pouvons-nous échanger ?" }),
            )
            .await;
        assert_eq!(first.status, 201, "{}", first.body);
        let first_id = first.body["id"].as_i64().unwrap();

        // The author answers; the answer reaches the colleague, not the author.
        let mut author = signed_in(&app, Some(AUTHOR)).await;
        let inbox = author.get("/api/messages").await.body;
        assert_eq!(inbox["messages"][0]["answered"], false);
        let r = author
            .post(
                &format!("/api/messages/{first_id}/reply"),
                json!({ "body": "Avec plaisir, mardi ?" }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let reply_id = r.body["id"].as_i64().unwrap();
        let inbox = author.get("/api/messages").await.body;
        assert_eq!(inbox["messages"].as_array().unwrap().len(), 1, "{inbox}");
        assert_eq!(inbox["messages"][0]["answered"], true);
        let theirs = colleague.get("/api/messages").await.body;
        let m = &theirs["messages"][0];
        assert_eq!(m["body"], "Avec plaisir, mardi ?");
        assert_eq!(m["reply_to"], first_id);
        assert_eq!(
            m["in_reply_to"], "Pouvons-nous échanger ?",
            "the answer shows what it answers"
        );
        assert_eq!(m["practice_id"], id);
        assert!(
            !theirs.to_string().contains(AUTHOR),
            "the author's address stays hidden: {theirs}"
        );

        // And back again.
        let r = colleague
            .post(
                &format!("/api/messages/{reply_id}/reply"),
                json!({ "body": "Mardi, parfait." }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let inbox = author.get("/api/messages").await.body;
        assert_eq!(inbox["messages"][0]["body"], "Mardi, parfait.");

        // Only the recipient answers a message; nobody learns of others' messages; bad bodies change nothing.
        let mut stranger = signed_in(&app, Some("departement@var.fr")).await;
        let r = stranger
            .post(
                &format!("/api/messages/{first_id}/reply"),
                json!({ "body": "Je m'invite" }),
            )
            .await;
        assert_eq!(r.status, 404);
        let r = colleague
            .post(
                &format!("/api/messages/{first_id}/reply"),
                json!({ "body": "À moi-même" }),
            )
            .await;
        assert_eq!(r.status, 404, "the sender cannot answer their own message");
        let r = author
            .post(&format!("/api/messages/{reply_id}/reply"), json!({ "body": "" }))
            .await;
        assert_problem(r.status, &r.ctype, &r.body, 422, Some("body"), "empty reply");
        let r = author
            .post("/api/messages/999999/reply", json!({ "body": "Personne" }))
            .await;
        assert_eq!(r.status, 404);
        let anonymous = signed_in(&app, None)
            .await
            .post(&format!("/api/messages/{first_id}/reply"), json!({ "body": "Salut" }))
            .await;
        assert_eq!(anonymous.status, 401);
        assert_eq!(stranger.get("/api/messages").await.body["messages"], json!([]));
        assert_eq!(
            author.get("/api/messages").await.body["messages"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }
}

fn chrono_today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
