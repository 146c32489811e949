//! The shareable address of a published practice, `/usage/{id}`: a small HTML page whose Open Graph
//! tags (title, summary, `og:image` = its static map) give link previews in messaging and social
//! tools, which do not run the map page's script; people are sent on to the fiche on the map.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, html};

use crate::request::base_url;
use crate::state::AppState;

/// GET /usage/{id}
pub async fn page(State(app): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let base = base_url(&headers);
    let found = id.parse::<i64>().ok().and_then(|id| {
        let c = app.read_catalog().ok()?;
        let e = c.practices.get(&id).filter(|e| e.practice.is_public())?;
        Some((
            id,
            e.practice.title.clone(),
            e.practice.summary.clone(),
            format!(
                "{} · {} ({})",
                e.establishment_name(),
                e.commune_name(),
                e.departement()
            ),
            e.position().is_some(),
        ))
    });
    let Some((id, title, summary, place, with_map)) = found else {
        let body = html! {
            (DOCTYPE)
            html lang="fr" { head { meta charset="utf-8"; title { "Usage introuvable — Repère" } }
                body { h1 { "Usage introuvable" } p { "Cet usage n'existe pas ou n'est pas publié. " a href="/" { "Voir la carte des usages" } } } }
        };
        return (StatusCode::NOT_FOUND, Html(body.into_string())).into_response();
    };
    let fiche = format!("{base}/?fiche={id}");
    let image = format!("{base}/api/collections/practices/items/{id}/map.png");
    let body = html! {
        (DOCTYPE)
        html lang="fr" {
            head {
                (crate::html::head_start(&format!("{title} — Repère")))
                meta name="description" content=(summary);
                meta property="og:type" content="article";
                meta property="og:site_name" content="Repère — académie de Nice";
                meta property="og:title" content=(title);
                meta property="og:description" content={ (place) " — " (summary) };
                meta property="og:url" content=(format!("{base}/usage/{id}"));
                @if with_map {
                    meta property="og:image" content=(image);
                    meta property="og:image:width" content="600";
                    meta property="og:image:height" content="315";
                    meta property="og:image:alt" content={ "Carte autour de " (place) };
                }
                meta http-equiv="refresh" content=(format!("0; url={fiche}"));
            }
            body {
                h1 { (title) }
                p { (place) }
                p { (summary) }
                p { a href=(fiche) { "Voir la fiche sur la carte" } }
            }
        }
    };
    Html(body.into_string()).into_response()
}
