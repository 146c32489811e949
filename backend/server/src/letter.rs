//! "La lettre des usages": a short digest of the practices published since a date, for a territory and
//! a discipline, that inspectors send to teachers — e-mail-safe HTML (inline styles only, no script,
//! no external stylesheet), readable on a phone, each practice with a link to its fiche, and the
//! CARDIE's target figure, and a static map of them when this machine can render one (else the list
//! alone). `repere letter --since DATE > lettre.html` writes it; `/lettre?since=` shows
//! it in a browser. Only published practices appear, and never an author.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Duration, NaiveDate, Utc};
use maud::{DOCTYPE, Markup, html};
use repere_catalog::{Catalog, PracticeEntry};
use repere_core::establishments::normalise_departement;
use repere_core::text::fold;
use repere_core::{Bbox, Invalid, SchoolYear};

use crate::error::ApiError;
use crate::request::{base_url, pairs, reject_unknown};
use crate::state::AppState;

/// Practices shown at most (the newest); the letter says how many more there are.
pub const MAX_CARDS: usize = 30;
/// Characters of a summary kept on a card.
const SUMMARY_CHARS: usize = 280;

/// What a letter covers.
#[derive(Debug, Clone)]
pub struct Scope {
    pub since: NaiveDate,
    pub departement: Option<String>,
    /// As given (shown in the letter); matched case- and accent-insensitively.
    pub discipline: Option<String>,
}

impl Scope {
    /// Validates the inputs: `since` is `AAAA-MM-JJ` and not after `today`; the département a real code.
    pub fn parse(
        since: &str,
        departement: Option<&str>,
        discipline: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, Invalid> {
        let since = NaiveDate::parse_from_str(since.trim(), "%Y-%m-%d")
            .map_err(|_| Invalid::new("since", format!("date « {} » illisible (AAAA-MM-JJ)", since.trim())))?;
        if since > today {
            return Err(Invalid::new("since", format!("la date {since} est dans le futur")));
        }
        Ok(Self {
            since,
            departement: departement.map(normalise_departement).transpose()?,
            discipline: discipline.map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned),
        })
    }
}

/// The published practices of the scope, newest publication first.
pub fn practices<'a>(c: &'a Catalog, s: &Scope) -> Vec<&'a PracticeEntry> {
    let discipline = s.discipline.as_deref().map(fold);
    let mut list: Vec<&PracticeEntry> = c
        .practices
        .values()
        .map(AsRef::as_ref)
        .filter(|e| e.practice.is_public())
        .filter(|e| e.practice.published_at.is_some_and(|t| t.date_naive() >= s.since))
        .filter(|e| s.departement.as_ref().is_none_or(|d| *d == e.departement()))
        .filter(|e| {
            discipline
                .as_ref()
                .is_none_or(|d| crate::request::has(&e.practice.disciplines, d))
        })
        .collect();
    list.sort_by(|a, b| {
        b.practice
            .published_at
            .cmp(&a.practice.published_at)
            .then(a.practice.id.cmp(&b.practice.id))
    });
    list
}

/// The address of a static map of the letter's practices `list` (their box, padded), or `None` when
/// none has a position. The map shows the same practices: published since the date, same territory
/// and discipline.
pub fn map_url(list: &[&PracticeEntry], s: &Scope, base: &str) -> Option<String> {
    let mut points = list.iter().filter_map(|e| e.position());
    let mut b = Bbox::point(points.next()?);
    points.for_each(|p| b.extend(p));
    let pad_lon = ((b.max_lon - b.min_lon) * 0.15).max(0.05);
    let pad_lat = ((b.max_lat - b.min_lat) * 0.15).max(0.04);
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair(
        "bbox",
        &format!(
            "{:.4},{:.4},{:.4},{:.4}",
            b.min_lon - pad_lon,
            b.min_lat - pad_lat,
            b.max_lon + pad_lon,
            b.max_lat + pad_lat
        ),
    );
    q.append_pair("width", "560");
    q.append_pair("height", "350");
    q.append_pair("layers", "practices");
    q.append_pair("datetime", &format!("{}T00:00:00Z/..", s.since));
    if let Some(d) = &s.departement {
        q.append_pair("departement", d);
    }
    if let Some(d) = &s.discipline {
        q.append_pair("discipline", d);
    }
    Some(format!("{base}/api/maps/static.png?{}", q.finish()))
}

fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= SUMMARY_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(SUMMARY_CHARS).collect();
    format!("{}…", cut.trim_end())
}

fn date_fr(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The letter as a complete HTML document about `list` (the scope's [`practices`]). `base` is the
/// public address of Repère (links are absolute, for e-mail); `map` the address of a static map image
/// of the practices, when one can be rendered.
pub fn render(
    c: &Catalog,
    s: &Scope,
    list: &[&PracticeEntry],
    base: &str,
    target: u32,
    map: Option<&str>,
    today: NaiveDate,
) -> String {
    let year = SchoolYear::containing(today);
    let published_this_year = crate::indicators::published_in(c, year);
    let territory = match s.departement.as_deref() {
        Some(d) => repere_core::establishments::departement_name(d),
        None => "académie de Nice".to_string(),
    };
    let scope_line = format!(
        "Usages publiés depuis le {} · {territory}{}",
        date_fr(s.since),
        s.discipline.as_deref().map(|d| format!(" · {d}")).unwrap_or_default()
    );
    let page: Markup = html! {
        (DOCTYPE)
        html lang="fr" {
            head {
                (crate::html::head_start("La lettre des usages — Repère"))
            }
            body style=(crate::html::LETTER_BODY) {
                table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;" {
                    tr { td align="center" style="padding:16px 8px;" {
                        table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;border-collapse:collapse;background:#ffffff;" {
                            tr { td style="padding:20px 20px 8px;border-top:4px solid #000091;" {
                                p style="margin:0;font-size:13px;color:#3a3a3a;" { "Académie de Nice · CARDIE et DANE" }
                                h1 style="margin:4px 0 8px;font-size:24px;line-height:1.25;color:#000091;" { "La lettre des usages" }
                                p style="margin:0;font-size:15px;" { (scope_line) }
                            } }
                            tr { td style="padding:8px 20px;" {
                                p style="margin:0;padding:12px;background:#e3e3fd;font-size:15px;" {
                                    strong { (published_this_year) " remontées publiées" }
                                    " en " (year) " pour un objectif de " (target)
                                    @if published_this_year >= target { " : objectif atteint." } @else { "." }
                                }
                            } }
                            @if let Some(src) = map {
                                @if !list.is_empty() {
                                    tr { td style="padding:8px 20px;" {
                                        img src=(src) width="560" alt={ "Carte des " (list.len()) " usages de la lettre" } style="display:block;width:100%;height:auto;border:1px solid #dddddd;";
                                    } }
                                }
                            }
                            @if list.is_empty() {
                                tr { td style="padding:8px 20px 16px;" {
                                    p style="margin:0;font-size:15px;" { "Aucun usage publié sur cette période." }
                                } }
                            }
                            @for e in list.iter().take(MAX_CARDS) {
                                tr { td style="padding:8px 20px;" {
                                    table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;border:1px solid #dddddd;" {
                                        tr { td style="padding:12px;" {
                                            h2 style="margin:0 0 4px;font-size:17px;line-height:1.3;" {
                                                a href={ (base) "/?fiche=" (e.practice.id) } style="color:#000091;" { (e.practice.title) }
                                            }
                                            p style="margin:0 0 6px;font-size:13px;color:#3a3a3a;" {
                                                (e.establishment_name()) " · " (e.commune_name()) " (" (e.departement()) ") · " (e.practice.school_year)
                                            }
                                            p style="margin:0 0 6px;font-size:15px;line-height:1.4;" { (shorten(&e.practice.summary)) }
                                            p style="margin:0;font-size:13px;color:#3a3a3a;" {
                                                (e.practice.disciplines.join(", "))
                                                @if !e.practice.tools.is_empty() { " · " (e.practice.tools.join(", ")) }
                                            }
                                        } }
                                    }
                                } }
                            }
                            @if list.len() > MAX_CARDS {
                                tr { td style="padding:8px 20px;" {
                                    p style="margin:0;font-size:15px;" { "Et " (list.len() - MAX_CARDS) " autres usages sur la carte." }
                                } }
                            }
                            tr { td style="padding:16px 20px 20px;font-size:13px;color:#3a3a3a;" {
                                a href={ (base) "/" } style="color:#000091;" { "Voir tous les usages sur la carte Repère" }
                                br;
                                "Vous recevez cette lettre de la CARDIE et de la DANE de l'académie de Nice."
                            } }
                        }
                    } }
                }
            }
        }
    };
    page.into_string()
}

/// GET /lettre?since=AAAA-MM-JJ&departement=&discipline= — the letter in a browser (since defaults to
/// 30 days ago).
pub async fn page(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = pairs(raw.as_deref())?;
    reject_unknown(&p, &["since", "departement", "discipline"])?;
    let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let today = Utc::now().date_naive();
    let default_since = (today - Duration::days(30)).format("%Y-%m-%d").to_string();
    let scope = Scope::parse(
        get("since").unwrap_or(&default_since),
        get("departement"),
        get("discipline"),
        today,
    )
    .map_err(|e| ApiError::param(e.field, e.message))?;
    let base = base_url(&headers);
    // Without a renderer the letter is a list without map.
    let with_map = app.maps.available().await;
    let c = app.read_catalog()?;
    let list = practices(&c, &scope);
    let map = if with_map { map_url(&list, &scope, &base) } else { None };
    Ok(Html(render(&c, &scope, &list, &base, app.target, map.as_deref(), today)).into_response())
}
