//! Planning and measuring the lettre: each discipline's rhythm and the levels it must cover; who is
//! behind the rule (two editions per school year covering every level); the suggestions shown while
//! writing; and the indicators (editions, levels covered, practices featured, subscribers, visits from
//! the editions, links recorded afterwards) with their CSV.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use repere_core::SchoolYear;
use repere_core::letters::{Rhythm, coverage, edits_something, may_edit};
use repere_core::text::fold;
use repere_store::letters::{self as store, Edition, Plan};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{key, my_disciplines, require_editor};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::{json_body, pairs, reject_unknown};
use crate::response::csv_download;
use crate::routes::Routes;
use crate::state::AppState;

fn year_of(e: &Edition) -> SchoolYear {
    SchoolYear::containing(e.published_at.unwrap_or(e.created_at).date_naive())
}

/// The levels of a discipline's published practices (what its editions should cover by default).
fn practice_levels(app: &AppState, discipline_key: &str) -> Result<Vec<String>, ApiError> {
    let c = app.read_catalog()?;
    let mut seen = BTreeMap::new();
    for e in c.practices.values().filter(|e| e.practice.is_public()) {
        if e.practice.disciplines.iter().any(|d| fold(d) == discipline_key) {
            for l in e.practice.levels.iter() {
                seen.entry(fold(l)).or_insert_with(|| l.to_string());
            }
        }
    }
    Ok(seen.into_values().collect())
}

/// What the suggestions panel shows for `discipline` on `today`.
pub async fn suggestions(app: &AppState, discipline: &str, today: NaiveDate) -> Result<Value, ApiError> {
    let k = key(discipline);
    let editions: Vec<Edition> = store::all(&app.store)
        .await?
        .into_iter()
        .filter(|e| e.discipline_key == k)
        .collect();
    let last = editions.iter().filter_map(|e| e.published_at).max();
    let year = SchoolYear::containing(today);
    let plan = store::plans(&app.store)
        .await?
        .into_iter()
        .find(|p| p.discipline_key == k);
    let target = match &plan {
        Some(p) if !p.levels.is_empty() => p.levels.clone(),
        _ => practice_levels(app, &k)?,
    };
    let covered: Vec<Vec<String>> = editions
        .iter()
        .filter(|e| e.published_at.is_some() && year_of(e) == year)
        .map(|e| e.levels.clone())
        .collect();
    let cov = coverage(&target, &covered);
    let c = app.read_catalog()?;
    let mut by_level: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    // Practices already presented by a published edition of the discipline are not suggested again.
    let featured: BTreeSet<i64> = editions
        .iter()
        .filter(|e| e.published_at.is_some())
        .flat_map(|e| e.items.iter().map(|i| i.practice_id))
        .collect();
    let of_discipline: Vec<_> = c
        .practices
        .values()
        .filter(|e| e.practice.is_public() && !featured.contains(&e.practice.id))
        .filter(|e| e.practice.disciplines.iter().any(|d| fold(d) == k))
        .collect();
    let new_since_last: Vec<_> = of_discipline
        .iter()
        .filter(|e| last.is_none_or(|t| e.practice.published_at.is_some_and(|p| p > t)))
        .collect();
    // Nothing new since the last edition: the discipline's practices never presented yet, newest first.
    let fallback = new_since_last.is_empty();
    let mut chosen: Vec<_> = if fallback {
        of_discipline.iter().collect()
    } else {
        new_since_last
    };
    chosen.sort_by_key(|e| std::cmp::Reverse(e.practice.published_at));
    let mut recent = Vec::new();
    for e in chosen {
        recent.push((*e).clone());
        let card = json!({
            "id": e.practice.id,
            "title": e.practice.title.to_string(),
            "establishment": e.establishment_name(),
            "commune": e.commune_name(),
            "published_at": e.practice.published_at.map(crate::response::rfc3339),
        });
        for l in e.practice.levels.iter() {
            let list = by_level.entry(l.to_string()).or_default();
            if list.len() < 12 {
                list.push(card.clone());
            }
        }
    }
    // Practices near establishments that have no published practice yet: how many such establishments
    // lie within 15 km of each recent practice.
    let without: Vec<_> = c
        .establishments
        .values()
        .filter(|e| c.practices_of(e.establishment.uai).next().is_none())
        .filter_map(|e| e.establishment.position)
        .collect();
    let mut near: Vec<(usize, Value)> = recent
        .iter()
        .filter_map(|e| {
            let p = e.position()?;
            let n = without.iter().filter(|w| p.distance_m(**w) <= 15_000.0).count();
            (n > 0).then(|| (n, json!({ "id": e.practice.id, "title": e.practice.title.to_string(), "commune": e.commune_name(), "establishments_without": n })))
        })
        .collect();
    near.sort_by_key(|x| std::cmp::Reverse(x.0));
    Ok(json!({
        "discipline": discipline,
        "since": last.map(crate::response::rfc3339),
        "fallback": fallback,
        "school_year": year.to_string(),
        "target_levels": target,
        "uncovered_levels": cov.missing_levels,
        "editions_this_year": cov.editions,
        "by_level": by_level.into_iter().map(|(level, practices)| json!({ "level": level, "practices": practices })).collect::<Vec<_>>(),
        "near_establishments_without": near.into_iter().take(5).map(|x| x.1).collect::<Vec<_>>(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    rhythm: String,
    #[serde(default)]
    levels: Vec<String>,
}

/// PUT /api/letter/plans/{discipline} {rhythm, levels} — a discipline's editors set its rhythm and the
/// levels its editions must cover over a school year (empty: those of its practices).
pub async fn set_plan(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(discipline): Path<String>,
    body: Result<Json<PlanInput>, JsonRejection>,
) -> Result<Response, ApiError> {
    require_editor(&app, &user, &discipline).await?;
    let input = json_body(body)?;
    let rhythm = Rhythm::parse("rhythm", input.rhythm.trim()).map_err(ApiError::field)?;
    let levels = super::levels(&input.levels)?;
    let plan = Plan {
        discipline_key: key(&discipline),
        discipline: discipline.trim().to_string(),
        rhythm,
        levels,
    };
    let mut unit = app.store.begin().await?;
    store::set_plan(unit.conn(), &plan, app.intentions.clock.now()).await?;
    app.commit(unit).await?;
    Ok(
        Json(json!({ "discipline": plan.discipline, "rhythm": rhythm.as_str(), "levels": plan.levels }))
            .into_response(),
    )
}

/// One row of the indicators: a discipline in a school year.
struct Row {
    discipline: String,
    year: String,
    editions: usize,
    levels: BTreeSet<String>,
    practices: BTreeSet<i64>,
    subscribers: usize,
    mails: i64,
    visits: i64,
    links_after: usize,
    behind: bool,
    missing: Vec<String>,
    rhythm: Option<Rhythm>,
}

async fn rows(app: &AppState, user: &CurrentUser, year: Option<SchoolYear>) -> Result<Vec<Row>, ApiError> {
    let mine = my_disciplines(app, user).await?;
    if !edits_something(user.0.role, &mine) {
        return Err(ApiError::Forbidden(
            "réservé à la DANE et aux éditeurs de la lettre".into(),
        ));
    }
    let editions = store::all(&app.store).await?;
    let subs = store::all_subscriptions(&app.store).await?;
    let clicks = store::clicks(&app.store).await?;
    let plans = store::plans(&app.store).await?;
    let deliveries = store::deliveries(&app.store).await?;
    let today = app.intentions.clock.today();
    let year = year.unwrap_or_else(|| SchoolYear::containing(today));
    let mut disciplines: BTreeMap<String, String> = BTreeMap::new();
    for d in super::disciplines(app)? {
        disciplines.insert(key(&d), d);
    }
    for e in &editions {
        disciplines
            .entry(e.discipline_key.clone())
            .or_insert_with(|| e.discipline.clone());
    }
    let c = app.read_catalog()?;
    let mut out = Vec::new();
    for (k, name) in disciplines {
        if !may_edit(user.0.role, &mine, &name) {
            continue;
        }
        let published: Vec<&Edition> = editions
            .iter()
            .filter(|e| e.discipline_key == k && e.published_at.is_some() && year_of(e) == year)
            .collect();
        let plan = plans.iter().find(|p| p.discipline_key == k);
        let target = match plan {
            Some(p) if !p.levels.is_empty() => p.levels.clone(),
            _ => practice_levels(app, &k)?,
        };
        let cov = coverage(&target, &published.iter().map(|e| e.levels.clone()).collect::<Vec<_>>());
        let practices: BTreeSet<i64> = published
            .iter()
            .flat_map(|e| e.items.iter().map(|i| i.practice_id))
            .collect();
        let ids: BTreeSet<i64> = published.iter().map(|e| e.id).collect();
        // Links recorded after an edition between one of its practices and another practice.
        let links_after = published
            .iter()
            .map(|e| {
                let at = e.published_at.unwrap_or(e.created_at);
                let featured: BTreeSet<i64> = e.items.iter().map(|i| i.practice_id).collect();
                c.links
                    .values()
                    .filter(|l| {
                        l.link.created_at >= at
                            && (featured.contains(&l.link.from_practice) || featured.contains(&l.link.to_practice))
                    })
                    .count()
            })
            .sum();
        out.push(Row {
            discipline: name,
            year: year.to_string(),
            editions: published.len(),
            levels: published.iter().flat_map(|e| e.levels.iter().cloned()).collect(),
            practices,
            subscribers: subs
                .iter()
                .filter(|s| s.discipline_key == k && s.status == "confirmed")
                .count(),
            mails: ids.iter().map(|id| deliveries.get(id).copied().unwrap_or(0)).sum(),
            visits: clicks.iter().filter(|x| ids.contains(&x.0)).map(|x| x.2).sum(),
            links_after,
            behind: cov.behind,
            missing: cov.missing_levels,
            rhythm: plan.map(|p| p.rhythm),
        });
    }
    Ok(out)
}

fn chosen_year(raw: Option<&str>) -> Result<Option<SchoolYear>, ApiError> {
    let p = pairs(raw)?;
    reject_unknown(&p, &["school_year"])?;
    Ok(p.iter()
        .find(|(k, _)| k == "school_year")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
        .map(SchoolYear::parse)
        .transpose()?)
}

/// GET /api/letter/indicators?school_year= — per discipline (those one edits; all for the DANE).
pub async fn indicators(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let rows = rows(&app, &user, chosen_year(raw.as_deref())?).await?;
    Ok(Json(json!({
        "disciplines": rows.iter().map(|r| json!({
            "discipline": r.discipline,
            "school_year": r.year,
            "editions": r.editions,
            "levels_covered": r.levels,
            "practices_featured": r.practices.len(),
            "subscribers": r.subscribers,
            "media": { "web": r.editions, "mails_sent": r.mails, "atom": true },
            "visits_from_editions": r.visits,
            "links_after": r.links_after,
            "behind": r.behind,
            "missing_levels": r.missing,
            "rhythm": r.rhythm.map(|x| x.as_str()),
        })).collect::<Vec<_>>(),
        "behind": rows.iter().filter(|r| r.behind).count(),
    }))
    .into_response())
}

/// GET /api/letter/indicators.csv?school_year=
pub async fn indicators_csv(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let rows = rows(&app, &user, chosen_year(raw.as_deref())?).await?;
    csv_download(
        "repere-lettre-indicateurs.csv",
        &[
            "discipline",
            "annee_scolaire",
            "editions",
            "niveaux_couverts",
            "usages_presentes",
            "abonnes",
            "courriels_envoyes",
            "visites_depuis_les_editions",
            "liens_apres",
            "en_retard_sur_la_regle",
            "niveaux_manquants",
        ],
        rows.iter().map(|r| {
            vec![
                r.discipline.clone(),
                r.year.clone(),
                r.editions.to_string(),
                r.levels.iter().cloned().collect::<Vec<_>>().join(", "),
                r.practices.len().to_string(),
                r.subscribers.to_string(),
                r.mails.to_string(),
                r.visits.to_string(),
                r.links_after.to_string(),
                if r.behind { "oui" } else { "non" }.to_string(),
                r.missing.join(", "),
            ]
        }),
    )
}

pub fn routes() -> Routes {
    Routes::new()
        .put("/letter/plans/{discipline}", set_plan)
        .get("/letter/indicators", indicators)
        .get("/letter/indicators.csv", indicators_csv)
}
