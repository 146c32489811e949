//! Repère server: the `repere` binary's command line, HTTP API (axum) and start-up, the importers of
//! official files and the demo dataset generator. One module per domain (`practices`,
//! `establishments`, `sites`, `links`) renders that domain's collection; `ogc` holds what they share.

pub mod app;
pub mod auth;
pub mod catalog;
pub mod cli;
pub mod collection;
pub mod config;
pub mod demo;
pub mod embed;
pub mod error;
pub mod establishments;
pub mod geojson;
pub mod http_cache;
pub mod import;
pub mod indicators;
pub mod letter;
pub mod links;
pub mod maps;
pub mod nearby;
pub mod nearest;
pub mod networks;
pub mod ogc;
pub mod openapi;
pub mod opinee;
pub mod ops;
pub mod places;
pub mod practices;
pub mod request;
pub mod response;
pub mod routes;
pub mod sites;
pub mod state;
pub mod sync;
pub mod tiles;
pub mod visits;
