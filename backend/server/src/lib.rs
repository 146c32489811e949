//! Repère server: HTTP (axum) over the read model (`repere-catalog`) and the store, and the `repere`
//! command line. In layers, each importing only those below it (scripts/check-layers.py):
//!
//! - requests and responses: `request` (query strings, bodies), `geojson`, `response`, `error`, `html`
//!   (the head of the HTML pages and mails);
//! - the domains: one module per collection (`practices`, `establishments`, `sites`, `links`) with its
//!   filters, GeoJSON, extent, nearest records and tile points, over the generic `nearest` and
//!   `tiles::points`; `collection` is the one place that names them all (`Collection`, `PointLayer`);
//! - services held in `state::AppState`: tile caches (`tiles::cache`), static maps (`maps`), metrics
//!   (`ops::metrics`), visit counters (`visits::counts`), framing (`embed`);
//! - features: handlers and their `routes()` (`ogc`, `nearby`, `tiles`, `practices::routes`…), merged
//!   in `app`, which also starts everything;
//! - jobs run from the command line (`jobs::import`, `jobs::demo`, `jobs::opendata`), and `cli`.

pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod collection;
pub mod config;
pub mod connections;
pub mod crs;
pub mod embed;
pub mod error;
pub mod establishments;
pub mod fgb;
pub mod fibre;
pub mod filter;
pub mod geojson;
pub mod html;
pub mod http_cache;
pub mod indicators;
pub mod intentions;
pub mod jobs;
pub mod letter;
pub mod letters;
pub mod links;
pub mod mail;
pub mod maps;
pub mod nearby;
pub mod nearest;
pub mod networks;
pub mod ogc;
pub mod openapi;
pub mod opendata;
pub mod opinee;
pub mod ops;
pub mod places;
pub mod practices;
pub mod request;
pub mod response;
pub mod routes;
pub mod sites;
pub mod state;
pub mod tiles;
pub mod visits;
