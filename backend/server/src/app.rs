//! Start-up and the HTTP router: connect the store, load the catalogue and its indexes, bind, serve.

use std::future::Future;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use anyhow::Context;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use repere_store::Store;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;

use crate::auth::session_store::DbSessionStore;
use crate::catalog::Catalog;
use crate::config::ServeConfig;
use crate::error::problem;
use crate::http_cache;
use crate::ops::{self, metrics::Metrics};
use crate::state::{AppState, Shared};
use crate::sync::Follower;
use crate::{auth, indicators, letter, links, nearby, networks, ogc, openapi, opinee, practices, tiles};

/// A server ready to run: store connected, socket bound. The catalogue is loaded by [`Self::run_until`]
/// while the socket already answers `/health/live` (and 503 on the API until it is loaded).
pub struct Application {
    listener: TcpListener,
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
        let catalog = Arc::new(RwLock::new(Catalog::default()));
        let state = AppState(Arc::new(Shared {
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
            embed_origins: config.embed_origins.clone(),
            framing: crate::embed::Framing::new(&config.embed_origins)?,
        }));
        let listener = TcpListener::bind(&config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let router = router(state.clone(), config);
        Ok(Self {
            listener,
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
        let sync = self.state.sync.clone();
        let url = self.database_url.clone();
        let mut follower = tokio::spawn(async move {
            sync.load().await?;
            tracing::info!("catalogue loaded and caught up with the change log: ready");
            sync.follow(url, stopped).await;
            Ok::<_, repere_store::StoreError>(())
        });
        let mut serve = tokio::spawn(
            axum::serve(
                self.listener,
                self.router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(shutdown)
            .into_future(),
        );
        tokio::select! {
            served = &mut serve => {
                let _ = stop.send(true);
                let _ = follower.await;
                let _ = counted.await;
                served.context("server task")?.context("server")?;
            }
            loaded = &mut follower => {
                // The follower ends early only when the first load fails.
                serve.abort();
                loaded.context("loader task")?.context("cannot load the catalogue")?;
            }
        }
        Ok(())
    }
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
    let api = Router::new()
        .route("/", get(ogc::landing))
        .route("/conformance", get(ogc::conformance))
        .route("/collections", get(ogc::collections))
        .route("/collections/{collection_id}", get(ogc::collection_one))
        .route("/collections/{collection_id}/items", get(ogc::items))
        .route("/collections/{collection_id}/items/{feature_id}", get(ogc::item))
        .route("/nearby", get(nearby::nearby))
        .route("/places", get(crate::places::places))
        .route("/places/communes", get(crate::places::commune_labels))
        .route("/indicators/summary", get(indicators::public_summary))
        .route("/indicators/target", get(indicators::dashboard))
        .route("/indicators/target.csv", get(indicators::dashboard_csv))
        .route("/indicators/bandwidth", get(indicators::bandwidth::bandwidth))
        .route("/indicators/bandwidth.csv", get(indicators::bandwidth::bandwidth_csv))
        .route("/indicators/opinee", get(indicators::opinee::compilation))
        .route("/indicators/opinee.csv", get(indicators::opinee::compilation_csv))
        .route(
            "/establishments/{uai}/opinee/{school_year}",
            axum::routing::put(opinee::put).delete(opinee::delete),
        )
        .route("/maps/static.png", get(crate::maps::routes::static_png))
        .route(
            "/collections/practices/items/{id}/map.png",
            get(crate::maps::routes::practice_png),
        )
        .route("/tiles", get(tiles::list))
        .route("/tiles/{layer}", get(tiles::tilejson_doc))
        .route("/tiles/{layer}/{z}/{x}/{y}", get(tiles::tile))
        .route("/config", get(ogc::frontend_config))
        .route("/openapi.json", get(openapi::document))
        .route("/docs", get(openapi::docs_page))
        .route("/auth/session", get(auth::routes::current))
        .route("/auth/login", post(auth::routes::login))
        .route("/auth/logout", post(auth::routes::logout))
        .route("/practices", post(practices::contribution::create))
        .route("/practices/mine", get(practices::contribution::mine))
        .route("/practices/facets", get(practices::facets::facets))
        .route("/practices/duplicates", get(practices::duplicates::duplicates))
        .route(
            "/practices/{id}",
            get(practices::contribution::show).put(practices::contribution::edit),
        )
        .route("/practices/{id}/audit", get(practices::moderation::audit))
        .route("/practices/{id}/messages", post(practices::messages::contact_author))
        .route("/messages", get(practices::messages::inbox))
        .route("/messages/{id}/reply", post(practices::messages::reply))
        .route("/practices/{id}/neighbourhood", get(networks::neighbourhood))
        .route("/practices/{id}/suggestions", get(networks::suggestions))
        .route("/networks", get(networks::list))
        .route("/networks/growth", get(networks::growth))
        .route("/links", post(links::write::create))
        .route("/links/{id}", axum::routing::delete(links::write::delete))
        .route("/practices/{id}/{action}", post(practices::moderation::act))
        .route("/moderation/inbox", get(practices::moderation::inbox))
        .route("/moderation/decisions", post(practices::moderation::decide_many))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::csrf_guard))
        // A beacon carries no session and no CSRF token; it only adds one to a counter.
        .route("/visits", get(crate::visits::summary).post(crate::visits::record))
        .route("/visits.csv", get(crate::visits::csv))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::wait_for_load))
        .route_layer(axum::middleware::from_fn(ops::note_route))
        .fallback(api_not_found)
        // The API may be read from other sites (OGC clients in a browser); the pages need no CORS.
        .layer(CorsLayer::permissive());
    let operations = Router::new()
        .route("/health/live", get(ops::live))
        .route("/health/ready", get(ops::ready))
        .route("/metrics", get(ops::metrics))
        .route("/lettre", get(letter::page))
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
    Router::new()
        .nest("/api", api)
        .merge(operations)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(http_cache::etag))
        .layer(http_cache::compression())
        .merge(frontend)
        .layer(sessions)
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
