//! The CARDIE's target dashboard: published reports of a school year against the target (30 by
//! default, `--target`), its projection to the end of the year, breakdowns by département, degree,
//! establishment kind, discipline, tool and month, and earlier years. A public summary carries the
//! totals only; the breakdowns and their CSV export are for moderators and admins.
//!
//! A report counts for its school year once published (archived reports were published and still
//! count). A report with several disciplines or tools counts once under each.

pub mod bandwidth;
pub mod opinee;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Utc};
use repere_catalog::{Catalog, PracticeEntry};
use repere_core::SchoolYear;
use repere_core::establishments::departement_name;
use repere_core::indicators::{breakdown, degree, project};
use repere_core::practices::PracticeStatus;
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::{pairs, reject_unknown};
use crate::response::csv_download;
use crate::routes::Routes;
use crate::state::AppState;

/// The breakdowns, in the order the dashboard shows them.
pub const BREAKDOWNS: [&str; 6] = ["departement", "degree", "kind", "discipline", "tool", "month"];

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// Whether `e` counts as a published report (of any year).
fn counted(e: &PracticeEntry) -> bool {
    e.practice.published_at.is_some()
        && matches!(e.practice.status, PracticeStatus::Published | PracticeStatus::Archived)
}

fn school_year(raw: Option<&str>, allowed: &[&str]) -> Result<(SchoolYear, Vec<(String, String)>), ApiError> {
    let p = pairs(raw)?;
    reject_unknown(&p, allowed)?;
    let year = match p.iter().find(|(k, _)| k == "school_year") {
        Some((_, v)) => SchoolYear::parse(v)?,
        None => SchoolYear::containing(Utc::now().date_naive()),
    };
    Ok((year, p))
}

/// The reports of `year` that count towards the target (published, or published and since archived).
pub(crate) fn published_in(c: &Catalog, year: SchoolYear) -> u32 {
    c.practices
        .values()
        .filter(|e| counted(e) && e.practice.school_year == year)
        .count() as u32
}

/// The figures every view shares: the year's count against the target, its projection, the years.
fn summary(c: &Catalog, year: SchoolYear, target: u32) -> Value {
    let published = published_in(c, year);
    let p = project(year, published, Utc::now().date_naive());
    let years = breakdown(
        c.practices
            .values()
            .filter(|e| counted(e))
            .map(|e| (e.practice.school_year.to_string(), e.practice.school_year.to_string())),
    );
    let mut years: Vec<Value> = years
        .into_iter()
        .map(|(k, _, n)| json!({ "school_year": k, "published": n, "reached": n >= target }))
        .collect();
    years.sort_by(|a, b| a["school_year"].as_str().cmp(&b["school_year"].as_str()));
    json!({
        "school_year": year,
        "target": target,
        "published": published,
        "progress": f64::from(published) / f64::from(target.max(1)),
        "reached": published >= target,
        "projection": {
            "elapsed": p.elapsed,
            "expected_at_year_end": (p.expected_at_year_end * 10.0).round() / 10.0,
            "on_track": p.expected_at_year_end >= f64::from(target),
        },
        "years": years,
    })
}

/// One breakdown of the year's published reports: `[(key, label, count)]`.
fn counts(c: &Catalog, year: SchoolYear, by: &str) -> Vec<(String, String, u32)> {
    let reports = c
        .practices
        .values()
        .filter(|e| counted(e) && e.practice.school_year == year);
    let pairs: Vec<(String, String)> = match by {
        "departement" => reports
            .map(|e| (e.departement().to_string(), departement_name(e.departement())))
            .collect(),
        "degree" => reports
            .map(|e| {
                let (k, l) = degree(e.establishment_kind());
                (k.to_string(), l.to_string())
            })
            .collect(),
        "kind" => reports
            .map(|e| {
                (
                    e.establishment_kind().as_str().to_string(),
                    e.establishment_kind().label().to_string(),
                )
            })
            .collect(),
        "discipline" => reports
            .flat_map(|e| {
                e.practice
                    .disciplines
                    .iter()
                    .map(|d| (d.to_string(), d.to_string()))
                    .collect::<Vec<_>>()
            })
            .collect(),
        "tool" => reports
            .flat_map(|e| {
                e.practice
                    .tools
                    .iter()
                    .map(|t| (t.to_string(), t.to_string()))
                    .collect::<Vec<_>>()
            })
            .collect(),
        _ => reports
            .filter_map(|e| e.practice.published_at)
            .map(|t| {
                (
                    format!("{:04}-{:02}", t.year(), t.month()),
                    format!("{} {}", MONTHS[t.month0() as usize], t.year()),
                )
            })
            .collect(),
    };
    let mut out = breakdown(pairs);
    if by == "month" {
        out.sort_by(|a, b| a.0.cmp(&b.0));
    }
    out
}

/// GET /api/indicators/summary?school_year= — public: the year's count, the target, the projection
/// and earlier years; no breakdown, no personal data.
pub async fn public_summary(State(app): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let (year, _) = school_year(raw.as_deref(), &["school_year"])?;
    let c = app.read_catalog()?;
    Ok(axum::Json(summary(&c, year, app.target)).into_response())
}

/// GET /api/indicators/target?school_year= — moderators and admins: the summary and every breakdown.
pub async fn dashboard(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    user.require_moderator()?;
    let (year, _) = school_year(raw.as_deref(), &["school_year"])?;
    let c = app.read_catalog()?;
    let mut body = summary(&c, year, app.target);
    for by in BREAKDOWNS {
        body[format!("by_{by}")] = counts(&c, year, by)
            .into_iter()
            .map(|(key, label, count)| json!({ "key": key, "label": label, "count": count }))
            .collect();
    }
    Ok(axum::Json(body).into_response())
}

/// GET /api/indicators/target.csv?school_year=&breakdown= — moderators and admins: one breakdown (or
/// `years`) as CSV (`;`, UTF-8 with BOM for spreadsheets).
pub async fn dashboard_csv(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    user.require_moderator()?;
    let (year, p) = school_year(raw.as_deref(), &["school_year", "breakdown"])?;
    let by = p
        .iter()
        .find(|(k, _)| k == "breakdown")
        .map(|(_, v)| v.as_str())
        .unwrap_or("departement");
    if by != "years" && !BREAKDOWNS.contains(&by) {
        return Err(ApiError::param(
            "breakdown",
            format!(
                "répartition inconnue « {by} » ; répartitions : {}, years",
                BREAKDOWNS.join(", ")
            ),
        ));
    }
    let c = app.read_catalog()?;
    let filename = format!("repere-{by}-{year}.csv");
    if by == "years" {
        let years = summary(&c, year, app.target)["years"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        return csv_download(
            &filename,
            &["annee_scolaire", "publiees", "objectif_atteint"],
            years.iter().map(|y| {
                vec![
                    y["school_year"].as_str().unwrap_or("").to_string(),
                    y["published"].to_string(),
                    if y["reached"] == true { "oui" } else { "non" }.to_string(),
                ]
            }),
        );
    }
    csv_download(
        &filename,
        &["cle", "libelle", "publiees"],
        counts(&c, year, by)
            .into_iter()
            .map(|(key, label, count)| vec![key, label, count.to_string()]),
    )
}

/// The indicators: the public summary, the target of the school year, bandwidth and OPINEE.
pub fn routes() -> Routes {
    Routes::new()
        .get("/indicators/summary", public_summary)
        .get("/indicators/target", dashboard)
        .get("/indicators/target.csv", dashboard_csv)
        .get("/indicators/bandwidth", bandwidth::bandwidth)
        .get("/indicators/bandwidth.csv", bandwidth::bandwidth_csv)
        .get("/indicators/opinee", opinee::compilation)
        .get("/indicators/opinee.csv", opinee::compilation_csv)
}
