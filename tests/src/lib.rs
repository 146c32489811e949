//! Test harness for Repère's black-box tests: each test gets the real server (the same
//! `Application` the `repere serve` command runs) on port 0 over a fresh database — an SQLite file
//! always, and a new PostgreSQL database when `REPERE_TEST_POSTGRES` holds a server URL — and talks to
//! it over HTTP like any client.

pub mod mail;
pub mod mvt;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use repere_server::app::Application;
use repere_server::config::ServeConfig;
use repere_store::Store;
use serde_json::{Value, json};

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends to test: SQLite always, PostgreSQL when `REPERE_TEST_POSTGRES` is set.
pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    if std::env::var("REPERE_TEST_POSTGRES").is_ok_and(|v| !v.is_empty()) {
        out.push(Backend::Postgres);
    }
    out
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh, empty database of `backend`; returns its URL.
/// The one site allowed to frame `/embed` in tests.
pub const EMBED_ORIGIN: &str = "https://dane.ac-nice.fr";

pub async fn fresh_database(backend: Backend) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let tag = format!("{}_{}_{}", std::process::id(), n, chrono_like_nanos());
    match backend {
        Backend::Sqlite => {
            let dir: PathBuf = std::env::temp_dir().join(format!("repere-test-{tag}"));
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!("sqlite://{}/repere.db", dir.display())
        }
        Backend::Postgres => {
            let server = std::env::var("REPERE_TEST_POSTGRES").expect("REPERE_TEST_POSTGRES");
            repere_store::create_postgres_database(&server, &format!("repere_test_{tag}"))
                .await
                .expect("create a PostgreSQL test database")
        }
    }
}

fn chrono_like_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() % 1_000_000_000)
        .unwrap_or(0)
}

/// Writes the establishments of `list` with their bandwidth histories, through `conn` (a transaction
/// the caller commits).
pub async fn add_establishments(
    conn: &mut repere_store::AnyConnection,
    list: &[repere_core::establishments::Establishment],
    now: chrono::DateTime<chrono::Utc>,
) {
    for e in list {
        repere_store::establishments::upsert(&mut *conn, e, now)
            .await
            .expect("establishment");
        for b in &e.bandwidth {
            repere_store::establishments::add_bandwidth(&mut *conn, e.uai, b, now)
                .await
                .expect("bandwidth");
        }
    }
}

/// A contribution form as the page posts it: a draft at 0060842H, in Technologie, 5e, with Tinkercad;
/// the fields of `extra` (e.g. `"submit": true`, `"tools"`, `"position"`) are set over it.
pub fn report_form(title: &str, extra: Value) -> Value {
    let mut form = json!({
        "title": title,
        "summary": "Les élèves modélisent puis impriment des pièces.",
        "disciplines": ["Technologie"],
        "levels": ["5e"],
        "tools": ["Tinkercad"],
        "school_year": "2025-2026",
        "uai": "0060842H",
        "contact_consent": true,
    });
    if let (Some(form), Value::Object(extra)) = (form.as_object_mut(), extra) {
        form.extend(extra);
    }
    form
}

/// Creates the accounts `(email, role)`, all with `password`.
pub async fn add_users(store: &Store, users: &[(&str, &str)], password: &str) {
    for (email, role) in users {
        repere_server::cli::add_user(store, email, role, "", password)
            .await
            .expect("account");
    }
}

/// A positioned collège with no bandwidth value nor OPINEE profile, for seeding tests.
pub fn establishment(
    uai: &str,
    departement: &str,
    commune: (&str, &str),
) -> repere_core::establishments::Establishment {
    use repere_core::establishments::Establishment;
    Establishment {
        name: format!("Établissement {uai}"),
        commune_code: commune.0.into(),
        commune_name: commune.1.into(),
        departement: departement.into(),
        position: Some(repere_core::LonLat::new(7.0, 43.6).expect("valid")),
        ..repere_core::fixtures::establishment(uai)
    }
}

/// A practice at the establishment `uai` (its position unless `position` is given), one discipline,
/// tool Thymio, of the school year of `published_at` (or now); published at that instant when `status`
/// is published or archived. For seeding tests.
pub fn practice(
    title: &str,
    uai: &str,
    discipline: &str,
    position: Option<(f64, f64)>,
    status: repere_core::practices::PracticeStatus,
    published_at: Option<chrono::DateTime<chrono::Utc>>,
) -> repere_core::practices::Practice {
    let created = published_at.unwrap_or_else(chrono::Utc::now) - chrono::Duration::days(1);
    repere_core::practices::Practice {
        title: title.into(),
        summary: format!("Résumé de « {title} ».").into(),
        disciplines: repere_core::practices::Facets::of(&[discipline]),
        tools: repere_core::practices::Facets::of(&["Thymio"]),
        school_year: repere_core::SchoolYear::containing(created.date_naive()),
        position: position.map(|(lon, lat)| repere_core::LonLat::new(lon, lat).expect("valid")),
        status,
        created_at: created,
        updated_at: created,
        published_at,
        ..repere_core::fixtures::practice(uai)
    }
}

/// A running server and an HTTP client for it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub backend: Backend,
    pub database_url: String,
    pub client: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// Whether dropping this instance drops its PostgreSQL database (not for a second instance).
    owns_database: bool,
}

impl TestApp {
    /// Starts a server over a fresh database loaded with the demo dataset.
    pub async fn with_demo(backend: Backend) -> Self {
        let url = fresh_database(backend).await;
        let store = Store::connect(&url).await.expect("connect");
        repere_server::jobs::demo::load(&store).await.expect("demo dataset");
        store.close().await;
        Self::on(backend, url).await
    }

    /// Starts a server over a fresh database with the demo dataset and the accounts `(email, role)`,
    /// all with `password`.
    pub async fn with_demo_and_users(backend: Backend, users: &[(&str, &str)], password: &str) -> Self {
        let url = fresh_database(backend).await;
        let store = Store::connect(&url).await.expect("connect");
        repere_server::jobs::demo::load(&store).await.expect("demo dataset");
        add_users(&store, users, password).await;
        store.close().await;
        Self::on(backend, url).await
    }

    /// Starts a server over the database at `url` (already filled as the test needs), and waits until
    /// it reports ready.
    pub async fn on(backend: Backend, database_url: String) -> Self {
        Self::start(backend, database_url, true, true).await
    }

    /// Another instance on this one's database (as behind a load balancer).
    pub async fn another_instance(&self) -> Self {
        Self::start(self.backend, self.database_url.clone(), false, true).await
    }

    /// A server over `url` that renders no static map (as on a machine without rendering adapter).
    pub async fn without_static_maps(backend: Backend, database_url: String) -> Self {
        Self::start(backend, database_url, true, false).await
    }

    async fn start(backend: Backend, database_url: String, owns_database: bool, static_maps: bool) -> Self {
        Self::start_with(backend, database_url, owns_database, |c| c.static_maps = static_maps).await
    }

    /// A server over `url` whose configuration `configure` adjusts (mail, sign-in…).
    pub async fn configured(backend: Backend, database_url: String, configure: impl FnOnce(&mut ServeConfig)) -> Self {
        Self::start_with(backend, database_url, true, configure).await
    }

    /// Another instance on this one's database, configured by `configure`.
    pub async fn another_configured(&self, configure: impl FnOnce(&mut ServeConfig)) -> Self {
        Self::start_with(self.backend, self.database_url.clone(), false, configure).await
    }

    async fn start_with(
        backend: Backend,
        database_url: String,
        owns_database: bool,
        configure: impl FnOnce(&mut ServeConfig),
    ) -> Self {
        if std::env::var("TEST_LOG").is_ok() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter("info,sqlx=warn")
                .with_test_writer()
                .try_init();
        }
        let mut config = ServeConfig {
            bind: "127.0.0.1:0".into(),
            frontend_dir: PathBuf::from("/nonexistent"),
            embed_origins: vec![EMBED_ORIGIN.to_string()],
            ..ServeConfig::new(database_url.clone())
        };
        configure(&mut config);
        let app = Application::build(&config).await.expect("server starts");
        let addr = app.local_addr();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        let me = Self {
            addr,
            backend,
            database_url,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
            task: Some(task),
            owns_database,
        };
        me.wait_ready().await;
        me
    }

    /// Waits (up to 30 s) until `/health/ready` answers 200.
    pub async fn wait_ready(&self) {
        for _ in 0..600 {
            if self.get("/health/ready").await.0 == 200 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{} never became ready", self.base());
    }

    /// Stops the server gracefully (in-flight requests finish) and waits until it has stopped.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server stopped cleanly");
        }
    }

    /// `http://127.0.0.1:port`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// GET `path` (starting with `/`), returning status, content type and JSON body.
    pub async fn get(&self, path: &str) -> (u16, String, Value) {
        self.get_url(&format!("{}{path}", self.base())).await
    }

    /// GET an HTML page: asserts 200 and `text/html`, returns the text.
    pub async fn html(&self, path: &str) -> String {
        let resp = self.client.get(format!("{}{path}", self.base())).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        resp.text().await.unwrap()
    }

    /// GET an absolute URL.
    pub async fn get_url(&self, url: &str) -> (u16, String, Value) {
        let resp = self.client.get(url).send().await.expect("request");
        let status = resp.status().as_u16();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, ctype, body)
    }

    /// Every feature of a collection, following `next` links from `path`.
    pub async fn all_features(&self, path: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut url = format!("{}{path}", self.base());
        loop {
            let (status, _, body) = self.get_url(&url).await;
            assert_eq!(status, 200, "{url}: {body}");
            out.extend(body["features"].as_array().expect("features").iter().cloned());
            match next_link(&body) {
                Some(next) => url = next,
                None => break,
            }
        }
        out
    }
}

/// The `next` link of an items page.
pub fn next_link(body: &Value) -> Option<String> {
    body["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == "next")
        .and_then(|l| l["href"].as_str())
        .map(str::to_owned)
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // Drop the PostgreSQL test database (FORCE ends the server's connections), on a thread of its
        // own since Drop cannot await.
        if self.backend == Backend::Postgres
            && self.owns_database
            && let (Ok(server), Some(name)) = (
                std::env::var("REPERE_TEST_POSTGRES"),
                self.database_url.rsplit('/').next(),
            )
        {
            let name = name.to_string();
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    let _ = rt.block_on(repere_store::drop_postgres_database(&server, &name));
                }
            })
            .join();
        }
    }
}

/// Haversine distance in metres on the mean-radius sphere, written independently of the server's.
pub fn haversine_m(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let r = 6_371_008.8_f64;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * a.sqrt().asin()
}

/// Asserts a problem+json 4xx naming `param`.
pub fn assert_problem(status: u16, ctype: &str, body: &Value, expected_status: u16, param: Option<&str>, what: &str) {
    assert_eq!(status, expected_status, "{what}: {body}");
    assert!(
        ctype.starts_with("application/problem+json"),
        "{what}: content-type {ctype}"
    );
    assert_eq!(body["status"].as_u64(), Some(expected_status as u64), "{what}: {body}");
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{what}: {body}"
    );
    if let Some(p) = param {
        let names: Vec<&str> = body["invalid_params"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x["name"].as_str()).collect())
            .unwrap_or_default();
        assert!(names.contains(&p), "{what}: expected parameter {p} in {body}");
    }
}

/// A view for moderators and administrators, as the usual four accounts of the tests see it.
pub const FOR_MODERATORS: &[(&str, u16)] = &[
    ("prof@ac-nice.fr", 403),
    ("mairie@nice.fr", 403),
    ("cardie@ac-nice.fr", 200),
    ("admin@ac-nice.fr", 200),
];

/// Who may read `paths`: each answers 401 (problem+json) without a session, then for each
/// `(email, status)` that status to the account signed in with `password`.
pub async fn assert_readers(app: &TestApp, paths: &[&str], readers: &[(&str, u16)], password: &str) {
    for path in paths {
        let (status, ctype, body) = app.get(path).await;
        assert_problem(status, &ctype, &body, 401, None, &format!("anonymous {path}"));
    }
    for (email, expected) in readers {
        let mut b = Browser::signed_in(app, email, password).await;
        for path in paths {
            assert_eq!(b.get(path).await.status, *expected, "{email} {path}");
        }
    }
}

/// A minimal browser: keeps the session cookie and the CSRF token.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

pub struct Reply {
    pub status: u16,
    pub ctype: String,
    pub set_cookie: Option<String>,
    pub retry_after: Option<String>,
    pub body: Value,
}

impl<'a> Browser<'a> {
    /// The row of `email` in `/api/accounts` (the administrators' list of accounts).
    pub async fn account(&mut self, email: &str) -> Value {
        let list = self.get("/api/accounts").await;
        list.body["accounts"]
            .as_array()
            .and_then(|all| all.iter().find(|a| a["email"] == email))
            .cloned()
            .unwrap_or_else(|| panic!("no account {email}: {}", list.body))
    }

    /// A browser with a session, signed in as `email`.
    pub async fn signed_in(app: &'a TestApp, email: &str, password: &str) -> Self {
        let mut b = Self::new(app);
        b.session().await;
        let r = b.login(email, password).await;
        assert_eq!(r.status, 200, "sign-in as {email}: {}", r.body);
        b
    }

    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookie: None,
            csrf: None,
        }
    }

    pub async fn send(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        csrf: Option<&str>,
    ) -> Reply {
        let mut req = self.app.client.request(method, format!("{}{path}", self.app.base()));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        if let Some(t) = csrf {
            req = req.header("x-csrf-token", t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let header = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
        // The session's cookie when the response sets it, else the first one.
        let set_cookie = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("repere_session="))
            .map(str::to_owned)
            .or_else(|| header("set-cookie"));
        // A small cookie jar: each Set-Cookie replaces its name's value; all are sent back together.
        for sc in resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let pair = sc.split(';').next().unwrap().trim().to_string();
            let name = pair.split('=').next().unwrap().to_string();
            let mut jar: Vec<String> = self
                .cookie
                .as_deref()
                .map(|c| c.split("; ").map(str::to_owned).collect())
                .unwrap_or_default();
            jar.retain(|c| c.split('=').next() != Some(name.as_str()));
            jar.push(pair);
            jar.sort();
            self.cookie = Some(jar.join("; "));
        }
        let (ctype, retry_after) = (header("content-type").unwrap_or_default(), header("retry-after"));
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        Reply {
            status,
            ctype,
            set_cookie,
            retry_after,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    pub async fn session(&mut self) -> Value {
        let r = self.send(reqwest::Method::GET, "/api/auth/session", None, None).await;
        assert_eq!(r.status, 200);
        self.csrf = r.body["csrf_token"].as_str().map(str::to_owned);
        r.body
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Reply {
        let token = self.csrf.clone();
        let r = self
            .send(
                reqwest::Method::POST,
                "/api/auth/login",
                Some(json!({ "email": email, "password": password })),
                token.as_deref(),
            )
            .await;
        if r.status == 200 {
            self.csrf = r.body["csrf_token"].as_str().map(str::to_owned);
        }
        r
    }

    /// A state-changing request with the session's CSRF token.
    pub async fn post(&mut self, path: &str, body: Value) -> Reply {
        let token = self.csrf.clone();
        self.send(reqwest::Method::POST, path, Some(body), token.as_deref())
            .await
    }

    /// PUT with the CSRF token.
    pub async fn put(&mut self, path: &str, body: Value) -> Reply {
        let token = self.csrf.clone();
        self.send(reqwest::Method::PUT, path, Some(body), token.as_deref())
            .await
    }

    /// GET through the session.
    pub async fn get(&mut self, path: &str) -> Reply {
        self.send(reqwest::Method::GET, path, None, None).await
    }

    /// The status a workflow action without a body on report `id` answers (submit, archive,
    /// continue…).
    pub async fn act(&mut self, id: i64, action: &str) -> u16 {
        self.post(&format!("/api/practices/{id}/{action}"), json!({}))
            .await
            .status
    }

    /// A moderator's decision (`publish`, `reject`) on report `id`, naming the version it was taken on
    /// as the moderation page does (see [`Browser::version_of`]).
    pub async fn decide(&mut self, id: i64, action: &str, mut body: Value) -> Reply {
        body["version"] = self.version_of(id).await;
        self.post(&format!("/api/practices/{id}/{action}"), body).await
    }

    /// The version a moderator reads of report `id`: the report's own, or for a published report its
    /// pending revision's, from the inbox (null when there is none).
    pub async fn version_of(&mut self, id: i64) -> Value {
        let r = self.get(&format!("/api/practices/{id}")).await;
        if r.body["status"] != "published" {
            return r.body["version"].clone();
        }
        for _ in 0..20 {
            let inbox = self.get("/api/moderation/inbox").await;
            let found = inbox.body["practices"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["id"] == id && p["kind"] == "edit")
                .map(|p| p["version"].clone());
            if let Some(v) = found {
                return v;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Value::Null
    }

    /// DELETE with the CSRF token.
    pub async fn delete(&mut self, path: &str) -> Reply {
        let token = self.csrf.clone();
        self.send(reqwest::Method::DELETE, path, None, token.as_deref()).await
    }

    /// A CSV download through the session: asserts 200 and `text/csv`, returns the text without its BOM.
    pub async fn csv(&self, path: &str) -> String {
        let mut req = self.app.client.get(format!("{}{path}", self.app.base()));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        resp.text().await.unwrap().trim_start_matches('\u{feff}').to_string()
    }
}
