//! Reading the lettre: a page per edition (e-mail-safe HTML: inline styles, no script, readable on a
//! phone, printable), the same HTML and a plain-text version for the mail, the archive per discipline
//! and school year at `/lettre`, an Atom feed per discipline, and the counted link from an edition to
//! a practice's fiche (a count per edition and practice, nothing about the reader).

use std::collections::BTreeMap;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use repere_core::SchoolYear;
use repere_core::letters::EditionStatus;
use repere_store::letters::{self as store, Edition};

use super::markdown;
use crate::error::ApiError;
use crate::request::{base_url, pairs, reject_unknown};
use crate::state::AppState;

const SUMMARY_CHARS: usize = 240;

fn short(text: &str) -> String {
    let t = text.trim();
    if t.chars().count() <= SUMMARY_CHARS {
        return t.to_string();
    }
    format!("{}…", t.chars().take(SUMMARY_CHARS).collect::<String>().trim_end())
}

fn date_fr(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%d/%m/%Y").to_string()
}

/// A featured practice as shown: title, place, summary, levels, the editor's comment.
struct Card {
    id: i64,
    title: String,
    place: String,
    summary: String,
    levels: String,
    comment: String,
}

fn cards(app: &AppState, e: &Edition) -> Result<Vec<Card>, ApiError> {
    let c = app.read_catalog()?;
    Ok(e.items
        .iter()
        .filter_map(|i| {
            let p = c.practices.get(&i.practice_id).filter(|p| p.practice.is_public())?;
            Some(Card {
                id: i.practice_id,
                title: p.practice.title.to_string(),
                place: format!(
                    "{} · {} ({})",
                    p.establishment_name(),
                    p.commune_name(),
                    p.departement()
                ),
                summary: short(&p.practice.summary),
                levels: p.practice.levels.join(", "),
                comment: i.comment.clone(),
            })
        })
        .collect())
}

/// The static map of the edition's practices (their box, the discipline's practices drawn), when some
/// are placed.
fn map_src(app: &AppState, e: &Edition, base: &str) -> Option<String> {
    let c = app.read_catalog().ok()?;
    let mut points = e
        .items
        .iter()
        .filter_map(|i| c.practices.get(&i.practice_id)?.position());
    let mut b = repere_core::Bbox::point(points.next()?);
    points.for_each(|p| b.extend(p));
    let (pl, pa) = (
        ((b.max_lon - b.min_lon) * 0.15).max(0.05),
        ((b.max_lat - b.min_lat) * 0.15).max(0.04),
    );
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair(
        "bbox",
        &format!(
            "{:.4},{:.4},{:.4},{:.4}",
            b.min_lon - pl,
            b.min_lat - pa,
            b.max_lon + pl,
            b.max_lat + pa
        ),
    );
    q.append_pair("width", "560")
        .append_pair("height", "350")
        .append_pair("layers", "practices");
    q.append_pair("discipline", &e.discipline);
    Some(format!("{base}/api/maps/static.png?{}", q.finish()))
}

/// The edition as HTML (page and mail share it). `preview`: a banner says readers do not see it yet.
fn render(app: &AppState, e: &Edition, base: &str, preview: bool, with_map: bool) -> Result<Markup, ApiError> {
    let cards = cards(app, e)?;
    let message = markdown::render(&e.message, base);
    let map = if with_map { map_src(app, e, base) } else { None };
    let when = e.published_at.map(date_fr).unwrap_or_else(|| "à paraître".into());
    Ok(html! {
        (DOCTYPE)
        html lang="fr" {
            head {
                (crate::html::head_start(&format!("{} — La lettre des usages {}", e.title, e.discipline)))
                link rel="icon" href="data:,";
                link rel="alternate" type="application/atom+xml" title={ "La lettre des usages — " (e.discipline) } href={ (base) "/lettre/flux/" (super::key(&e.discipline)) };
            }
            body style=(crate::html::LETTER_BODY) {
                main style="max-width:600px;margin:0 auto;background:#ffffff;padding:20px;border-top:4px solid #000091;" {
                    @if preview {
                        p style="margin:0 0 12px;padding:8px 12px;background:#fff4f3;border-left:4px solid #ce0500;" { "Aperçu : les lecteurs ne voient pas encore cette édition." }
                    }
                    p style="margin:0;font-size:14px;color:#3a3a3a;" { "Académie de Nice · La lettre des usages · " (e.discipline) }
                    h1 style="margin:4px 0 8px;font-size:24px;line-height:1.25;color:#000091;" { (e.title) }
                    p style="margin:0 0 16px;font-size:14px;color:#3a3a3a;" { (when) " · niveaux : " (e.levels.join(", ")) }
                    @for x in &e.errata {
                        p style="margin:0 0 12px;padding:8px 12px;background:#fef7da;border-left:4px solid #b34000;font-size:15px;" {
                            strong { "Erratum du " (date_fr(x.at)) " : " } (x.text)
                        }
                    }
                    div style="font-size:16px;line-height:1.5;" { (PreEscaped(message)) }
                    @if let Some(src) = map {
                        img src=(src) width="560" alt={ "Carte des usages de " (e.discipline) " autour de ceux que présente cette édition" } style="display:block;width:100%;height:auto;border:1px solid #dddddd;margin:16px 0;";
                    }
                    h2 style="margin:20px 0 8px;font-size:19px;" { (cards.len()) " usage" @if cards.len() > 1 { "s" } " à découvrir" }
                    @for card in &cards {
                        div style="border:1px solid #dddddd;padding:12px;margin:0 0 12px;" {
                            h3 style="margin:0 0 4px;font-size:17px;line-height:1.3;" {
                                a href={ (base) "/lettre/" (e.id) "/usage/" (card.id) } style="color:#000091;" { (card.title) }
                            }
                            p style="margin:0 0 6px;font-size:14px;color:#3a3a3a;" { (card.place) @if !card.levels.is_empty() { " · " (card.levels) } }
                            p style="margin:0 0 6px;font-size:15px;line-height:1.4;" { (card.summary) }
                            @if !card.comment.is_empty() {
                                p style="margin:0;padding:6px 10px;border-left:3px solid #000091;background:#f5f5fe;font-size:15px;" { (card.comment) }
                            }
                        }
                    }
                    p style="margin:16px 0 0;font-size:14px;color:#3a3a3a;" {
                        @if !preview {
                            a href={ (base) "/lettre/" (e.id) } style="color:#000091;" { "Lire en ligne" }
                            " · "
                        }
                        a href={ (base) "/lettre?discipline=" (e.discipline) } style="color:#000091;" { "Toutes les éditions de la lettre « " (e.discipline) " »" }
                        " · "
                        a href={ (base) "/abonnement.html" } style="color:#000091;" { "S'abonner" }
                    }
                }
            }
        }
    })
}

/// The edition page as a string (the editor's preview uses it too).
pub fn page_html(app: &AppState, e: &Edition, base: &str, preview: bool) -> Result<String, ApiError> {
    Ok(render(app, e, base, preview, true)?.into_string())
}

/// The mail of an edition: HTML and plain text.
pub fn mail_bodies(app: &AppState, e: &Edition, base: &str) -> Result<(String, String), ApiError> {
    let html = render(app, e, base, false, true)?.into_string();
    let mut text = format!(
        "La lettre des usages — {}\n{}\n\n{}\n\n",
        e.discipline,
        e.title,
        e.message.trim()
    );
    for c in cards(app, e)? {
        text.push_str(&format!("* {} — {}\n  {}\n", c.title, c.place, c.summary));
        if !c.comment.is_empty() {
            text.push_str(&format!("  « {} »\n", c.comment));
        }
        text.push_str(&format!("  {base}/lettre/{}/usage/{}\n\n", e.id, c.id));
    }
    text.push_str(&format!("Lire en ligne : {base}/lettre/{}\n", e.id));
    Ok((html, text))
}

/// A reader's page saying what is not there (404), with the way to the archive.
pub fn missing(what: &str) -> Response {
    let mut r = crate::mail::routes::page(
        "Page introuvable",
        html! {
            p { (what) }
            p { a href="/lettre" { "Toutes les éditions de la lettre des usages" } }
        },
    );
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

/// A published edition by the id written in the address, if any.
async fn published_edition(app: &AppState, id: &str) -> Result<Option<Edition>, ApiError> {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(None);
    };
    Ok(store::get(&app.store, id)
        .await?
        .filter(|e| e.status == EditionStatus::Published))
}

/// GET /lettre/{id} — a published edition.
pub async fn edition(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(e) = published_edition(&app, &id).await? else {
        return Ok(missing(
            "Cette édition de la lettre des usages n'existe pas ou n'est pas encore publiée.",
        ));
    };
    let base = base_url(&headers);
    let with_map = app.maps.available().await;
    Ok(Html(render(&app, &e, &base, false, with_map)?.into_string()).into_response())
}

/// GET /lettre/{id}/usage/{practice} — counts one visit of a featured practice from an edition, then
/// on to its fiche.
pub async fn click(
    State(app): State<AppState>,
    Path((id, practice)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let practice = practice.parse::<i64>().unwrap_or(0);
    let Some(e) = published_edition(&app, &id)
        .await?
        .filter(|e| e.items.iter().any(|i| i.practice_id == practice))
    else {
        return Ok(missing("Cet usage ne figure pas dans cette édition de la lettre."));
    };
    store::click(&app.store, e.id, practice).await?;
    Ok(Redirect::to(&format!("/?fiche={practice}")).into_response())
}

/// Published editions, newest first.
async fn published(app: &AppState) -> Result<Vec<Edition>, ApiError> {
    let mut all: Vec<Edition> = store::all(&app.store)
        .await?
        .into_iter()
        .filter(|e| e.status == EditionStatus::Published)
        .collect();
    all.sort_by_key(|e| std::cmp::Reverse(e.published_at));
    Ok(all)
}

/// GET /lettre?discipline=&school_year= — the archive, by discipline and school year (with `since` or
/// `departement`, the ad-hoc digest of `crate::letter`).
pub async fn archive(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = pairs(raw.as_deref())?;
    if p.iter().any(|(k, _)| k == "since" || k == "departement") {
        return crate::letter::page(State(app), headers, RawQuery(raw)).await;
    }
    reject_unknown(&p, &["discipline", "school_year"])?;
    let get = |k: &str| {
        p.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let discipline = get("discipline").map(super::key);
    let year = get("school_year").map(SchoolYear::parse).transpose()?;
    let base = base_url(&headers);
    let mut groups: BTreeMap<(String, std::cmp::Reverse<String>), Vec<Edition>> = BTreeMap::new();
    for e in published(&app).await? {
        let y = SchoolYear::containing(e.published_at.unwrap_or(e.created_at).date_naive());
        if discipline.as_ref().is_some_and(|d| *d != e.discipline_key) || year.is_some_and(|x| x != y) {
            continue;
        }
        groups
            .entry((e.discipline.clone(), std::cmp::Reverse(y.to_string())))
            .or_default()
            .push(e);
    }
    let page = html! {
        (DOCTYPE)
        html lang="fr" {
            head {
                (crate::html::head_start("La lettre des usages — archives — Repère"))
                link rel="icon" href="data:,";
            }
            body style=(crate::html::LETTER_BODY) {
                main style="max-width:720px;margin:0 auto;background:#ffffff;padding:20px;border-top:4px solid #000091;" {
                    p style="margin:0;font-size:14px;color:#3a3a3a;" { a href={ (base) "/" } style="color:#000091;" { "Repère" } " · Académie de Nice" }
                    h1 style="margin:4px 0 8px;font-size:26px;color:#000091;" { "La lettre des usages" }
                    p style="margin:0 0 16px;font-size:16px;" {
                        "Les éditions écrites par les inspecteurs pour les professeurs de leur discipline. "
                        a href={ (base) "/abonnement.html" } style="color:#000091;" { "S'abonner par courriel" }
                    }
                    @if groups.is_empty() {
                        p style="font-size:16px;" { "Aucune édition publiée pour l'instant." }
                    }
                    @for ((d, y), editions) in &groups {
                        h2 style="margin:20px 0 8px;font-size:20px;" { (d) " — " (y.0) }
                        p style="margin:0 0 8px;font-size:14px;" { a href={ (base) "/lettre/flux/" (super::key(d)) } style="color:#000091;" { "Flux Atom de « " (d) " »" } }
                        ul style="margin:0;padding-left:20px;font-size:16px;line-height:1.6;" {
                            @for e in editions {
                                li { a href={ (base) "/lettre/" (e.id) } style="color:#000091;" { (e.title) } " — " (e.published_at.map(date_fr).unwrap_or_default()) " · " (e.levels.join(", ")) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(Html(page.into_string()).into_response())
}

/// GET /lettre/flux/{discipline} — the Atom feed of a discipline's editions.
pub async fn feed(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(discipline): Path<String>,
) -> Result<Response, ApiError> {
    let key = super::key(&discipline);
    let base = base_url(&headers);
    let editions: Vec<Edition> = published(&app)
        .await?
        .into_iter()
        .filter(|e| e.discipline_key == key)
        .collect();
    if editions.is_empty() && !super::disciplines(&app)?.iter().any(|d| super::key(d) == key) {
        return Ok(missing(&format!("Aucune discipline « {discipline} » dans Repère.")));
    }
    let name = editions
        .first()
        .map(|e| e.discipline.clone())
        .unwrap_or_else(|| discipline.clone());
    let updated = editions
        .iter()
        .filter_map(|e| e.published_at)
        .max()
        .unwrap_or(chrono::DateTime::UNIX_EPOCH);
    let xml = html! {
        feed xmlns="http://www.w3.org/2005/Atom" {
            id { (base) "/lettre/flux/" (key) }
            title { "La lettre des usages — " (name) }
            subtitle { "Académie de Nice : les usages numériques choisis par les inspecteurs" }
            updated { (crate::response::rfc3339(updated)) }
            link rel="self" href={ (base) "/lettre/flux/" (key) } {}
            link rel="alternate" type="text/html" href={ (base) "/lettre?discipline=" (name) } {}
            author { name { "Inspection pédagogique — académie de Nice" } }
            @for e in &editions {
                entry {
                    id { (base) "/lettre/" (e.id) }
                    title { (e.title) }
                    @if let Some(t) = e.published_at {
                        published { (crate::response::rfc3339(t)) }
                        updated { (crate::response::rfc3339(e.errata.last().map_or(t, |x| x.at))) }
                    }
                    link rel="alternate" type="text/html" href={ (base) "/lettre/" (e.id) } {}
                    summary type="html" { (markdown::render(&e.message, &base)) }
                }
            }
        }
    };
    let mut r = (
        StatusCode::OK,
        format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{}", xml.into_string()),
    )
        .into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/atom+xml; charset=utf-8"),
    );
    Ok(r)
}
