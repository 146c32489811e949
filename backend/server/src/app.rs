//! Start-up and the HTTP router: connect the store, load the catalogue and its indexes, bind, serve.

use std::future::Future;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use anyhow::Context;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use repere_catalog::Catalog;
use repere_catalog::sync::Follower;
use repere_store::Store;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;

use crate::auth::session_store::DbSessionStore;
use crate::config::ServeConfig;
use crate::error::problem;
use crate::http_cache;
use crate::ops::{self, metrics::Metrics};
use crate::routes::Routes;
use crate::state::{AppState, Shared};
use crate::{auth, indicators, links, nearby, networks, ogc, openapi, opinee, practices, tiles};

/// Longest wait for in-flight requests once a stop is asked (SIGTERM).
pub const DRAIN_MAX: std::time::Duration = std::time::Duration::from_secs(10);
/// Longest wait for a request body that is announced but does not come (408 after it).
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// A server ready to run: store connected, socket bound. The catalogue is loaded by [`Self::run_until`]
/// while the socket already answers `/health/live` (and 503 on the API until it is loaded).
pub struct Application {
    listener: TcpListener,
    connections: crate::connections::ConnectionLimits,
    router: Router,
    state: AppState,
    database_url: String,
}

impl Application {
    /// Connects to the store (applying migrations) and binds `config.bind`.
    pub async fn build(config: &ServeConfig) -> anyhow::Result<Self> {
        let store = Store::connect(&config.database_url).await.with_context(|| {
            format!(
                "cannot open the database {}",
                repere_store::redact(&config.database_url)
            )
        })?;
        let listener = TcpListener::bind(&config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let public_url = config.public_url.clone().unwrap_or_else(|| {
            format!(
                "http://{}",
                listener.local_addr().expect("a bound listener has an address")
            )
        });
        let catalog = Arc::new(RwLock::new(Catalog::default()));
        let state = AppState(Arc::new(Shared {
            mail: Arc::new(crate::mail::Mailer::new(config.mail.clone(), &public_url)?),
            auth: Arc::new(crate::auth::access::Access::new(
                &config.auth,
                &public_url,
                config.secure_cookies,
            )?),
            sync: Arc::new(Follower::new(store.clone(), catalog.clone())),
            store,
            catalog,
            metrics: Arc::new(Metrics::default()),
            tiles: Arc::new(crate::tiles::cache::TileIndexes::with_tile_cache(config.tile_cache)),
            networks: Arc::new(std::sync::Mutex::new(None)),
            basemap_style_url: config.basemap_style_url.as_deref().map(Arc::from),
            target: config.target,
            maps: Arc::new(crate::maps::StaticMaps::new(&config.frontend_dir, config.static_maps)),
            visits: Default::default(),
            intentions: config.intentions.clone(),
            embed_origins: config.embed_origins.clone(),
            framing: crate::embed::Framing::new(&config.embed_origins, config.basemap_style_url.is_some())?,
        }));
        let router = router(state.clone(), config);
        Ok(Self {
            listener,
            connections: config.connections,
            router,
            state,
            database_url: config.database_url.clone(),
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Shared state, for tests that inspect the catalogue.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Loads the catalogue, then follows the change log, while serving; when `shutdown` completes,
    /// stops taking connections, finishes in-flight requests and stops following. Fails if the
    /// catalogue cannot be loaded.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        // Start the static-map renderer now, so that the start-up log says what draws (or why nothing
        // can); requests never wait for it to be tried.
        let maps = self.state.maps.clone();
        tokio::spawn(async move { maps.available().await });
        let counted = tokio::spawn(crate::visits::flush_loop(self.state.clone(), stopped.clone()));
        let mailing = tokio::spawn(crate::mail::sender::send_loop(self.state.clone(), stopped.clone()));
        let reminding = tokio::spawn(crate::intentions::reminders::reminder_loop(
            self.state.clone(),
            stopped.clone(),
        ));
        let lettering = tokio::spawn(crate::letters::send::letter_loop(self.state.clone(), stopped.clone()));
        let purging = tokio::spawn(crate::auth::session_store::purge_loop(
            self.state.store.clone(),
            stopped.clone(),
        ));
        let sync = self.state.sync.clone();
        let url = self.database_url.clone();
        let mut follower = tokio::spawn(async move {
            sync.load().await?;
            tracing::info!("catalogue loaded and caught up with the change log: ready");
            sync.follow(url, stopped).await;
            Ok::<_, repere_store::StoreError>(())
        });
        // When `shutdown` fires, in-flight requests get DRAIN_MAX to finish; a client that never sends
        // the rest of its request does not hold the stop for ever.
        let (asked, mut stop_asked) = tokio::sync::watch::channel(false);
        let shutdown = async move {
            shutdown.await;
            let _ = asked.send(true);
        };
        let mut serve = tokio::spawn(
            axum::serve(
                // `tap_io` keeps the client's address available to the handlers (ConnectInfo).
                crate::connections::Bounded::new(self.listener, self.connections).tap_io(|_| {}),
                self.router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(shutdown)
            .into_future(),
        );
        let drained = async move {
            let _ = stop_asked.wait_for(|a| *a).await;
            tokio::time::sleep(DRAIN_MAX).await;
        };
        tokio::pin!(drained);
        let served = tokio::select! {
            () = &mut drained => {
                tracing::warn!(seconds = DRAIN_MAX.as_secs(), "connections still open after the drain time: stopping anyway");
                serve.abort();
                None
            }
            served = &mut serve => Some(served),
            loaded = &mut follower => {
                // The follower ends early only when the first load fails.
                serve.abort();
                loaded.context("loader task")?.context("cannot load the catalogue")?;
                return Ok(());
            }
        };
        let _ = stop.send(true);
        let _ = follower.await;
        for task in [counted, mailing, reminding, lettering, purging] {
            let _ = task.await;
        }
        if let Some(served) = served {
            served.context("server task")?.context("server")?;
        }
        Ok(())
    }
}

/// Every route of the API, relative to `/api`, merged from the features: those behind the CSRF guard,
/// and the visit beacon, which has neither session nor token.
pub fn api_routes() -> (Routes, Routes) {
    let guarded = Routes::new()
        .merge(ogc::routes())
        .merge(nearby::routes())
        .merge(crate::places::routes())
        .merge(indicators::routes())
        .merge(opinee::routes())
        .merge(crate::maps::routes::routes())
        .merge(tiles::routes())
        .merge(openapi::routes())
        .merge(auth::routes::routes())
        .merge(auth::password::routes())
        .merge(auth::invitations::routes())
        .merge(auth::accounts::routes())
        .merge(auth::oidc::routes())
        .merge(practices::routes::routes())
        .merge(networks::routes())
        .merge(links::write::routes())
        .merge(crate::mail::routes::routes())
        .merge(crate::intentions::routes())
        .merge(crate::letters::routes())
        .merge(crate::opendata::routes())
        .merge(crate::fibre::routes());
    (
        guarded,
        crate::visits::routes()
            .merge(crate::mail::routes::open_routes())
            .merge(crate::letters::open_routes()),
    )
}

/// The whole router: the API under `/api`, the frontend at `/`.
pub fn router(state: AppState, config: &ServeConfig) -> Router {
    let frontend_dir = config.frontend_dir.as_path();
    let sessions = tower_sessions::SessionManagerLayer::new(DbSessionStore::new(state.store.clone()))
        .with_name("repere_session")
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_secure(config.secure_cookies)
        .with_expiry(tower_sessions::Expiry::OnInactivity(time::Duration::hours(8)));
    let (guarded, open) = api_routes();
    let api = guarded
        .into_router()
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::csrf_guard))
        // A beacon carries no session and no CSRF token; it only adds one to a counter.
        .merge(open.into_router())
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::wait_for_load))
        .route_layer(axum::middleware::from_fn(ops::note_route))
        .fallback(api_not_found)
        // Errors the framework writes (bad path ids, bodies, methods) leave as problem+json too.
        .layer(axum::middleware::from_fn(auth::api_answers))
        // The API may be read from other sites (OGC clients in a browser); the pages need no CORS.
        .layer(CorsLayer::permissive());
    let operations = Router::new()
        .route("/health/live", get(ops::live))
        .route("/health/ready", get(ops::ready))
        .route("/metrics", get(ops::metrics))
        .route("/lettre", get(crate::letters::reading::archive))
        .route("/lettre/{id}", get(crate::letters::reading::edition))
        .route("/lettre/{id}/usage/{practice}", get(crate::letters::reading::click))
        .route("/lettre/flux/{discipline}", get(crate::letters::reading::feed))
        .route("/usage/{id}", get(practices::preview::page))
        .route_layer(axum::middleware::from_fn(ops::note_route));
    let frontend: Router = if frontend_dir.join("index.html").is_file() {
        // The build leaves a .br and a .gz beside each compressible file (frontend/scripts/compress.mjs).
        let files = ServeDir::new(frontend_dir).precompressed_br().precompressed_gzip();
        // /embed is the map page itself, which adapts to its address.
        let embed = tower_http::services::ServeFile::new(frontend_dir.join("index.html"))
            .precompressed_br()
            .precompressed_gzip();
        Router::new()
            .route_service("/embed", embed)
            .fallback_service(files)
            .layer(axum::middleware::from_fn(http_cache::etag))
            .layer(axum::middleware::from_fn(http_cache::static_files))
    } else {
        Router::new().fallback(get(placeholder))
    };
    let router = Router::new()
        .nest("/api", api)
        .merge(operations)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(http_cache::etag))
        .layer(http_cache::compression())
        .merge(frontend)
        .layer(sessions)
        // A body announced and never sent does not hold a connection for minutes.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(BODY_TIMEOUT))
        .layer(CatchPanicLayer::custom(|_| {
            problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Erreur interne",
                "Une erreur inattendue est survenue.",
                None,
            )
        }))
        .layer(axum::middleware::from_fn_with_state(
            state.framing.clone(),
            crate::embed::framing,
        ))
        .layer(axum::middleware::from_fn_with_state(state, ops::track))
        .layer(axum::middleware::from_fn(ogc::canonical_path));
    // Without a configured public URL the request's own Host is used: no layer to cross.
    match config.public_url.as_deref().and_then(crate::request::PublicOrigin::of) {
        Some(origin) => router.layer(axum::middleware::from_fn_with_state(
            origin,
            crate::request::public_origin,
        )),
        None => router,
    }
}

async fn api_not_found(uri: axum::http::Uri) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "Introuvable",
        &format!("aucune ressource à l'adresse {}", uri.path()),
        None,
    )
}

async fn placeholder() -> impl IntoResponse {
    Html(include_str!("placeholder.html"))
}

#[cfg(test)]
mod tests {
    use axum::http::Method;

    use super::api_routes;

    /// Whether the route `template` (`{…}` segments match anything) serves `path`.
    fn serves(template: &str, path: &str) -> bool {
        let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
        t.len() == p.len()
            && t.iter()
                .zip(&p)
                .all(|(a, b)| a == b || (a.starts_with('{') && a.ends_with('}')))
    }

    #[test]
    fn the_openapi_document_describes_exactly_what_the_router_serves() {
        let (guarded, open) = api_routes();
        let served: Vec<(Method, String)> = guarded
            .served()
            .iter()
            .chain(open.served())
            .map(|(m, p)| (m.clone(), format!("/api{p}").trim_end_matches('/').to_string()))
            .collect();
        let doc = crate::openapi::build();
        let mut documented = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (name, method) in [
                ("get", Method::GET),
                ("post", Method::POST),
                ("put", Method::PUT),
                ("delete", Method::DELETE),
            ] {
                if item.get(name).is_some() {
                    documented.push((method, path.clone()));
                }
            }
        }
        assert!(documented.len() > 40, "{} operations documented", documented.len());
        for (m, p) in &documented {
            assert!(
                served.iter().any(|(sm, t)| sm == m && serves(t, p)),
                "{m} {p} is documented but no route serves it"
            );
        }
        for (m, t) in &served {
            assert!(
                documented.iter().any(|(dm, p)| dm == m && serves(t, p)),
                "{m} {t} is routed but not documented"
            );
        }
    }
}
