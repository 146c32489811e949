//! The DANE's indicators of the procedure ("des réponses prévues et des délais tenus"): intentions per
//! school year, département and kind; per step, the share answered on time and the median and
//! 90th-percentile delay in working days from filing; open and late dossiers now. Also every dossier
//! as CSV and the private map layer of intentions by establishment.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use repere_core::SchoolYear;
use repere_core::intentions::access::Action;
use repere_core::intentions::calendar::WorkingCalendar;
use repere_core::intentions::{Kind, Status, StepKind};
use repere_store::intentions::{self as store, Dossier};
use serde_json::{Value, json};

use super::{current_procedure, dossier_late, dossier_number, require};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::{pairs, reject_unknown};
use crate::response::{csv_download, rfc3339, with_type};
use crate::routes::Routes;
use crate::state::AppState;

/// The nearest-rank percentile `q` (0 < q ≤ 1) of sorted values.
pub fn percentile(sorted: &[i64], q: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank - 1).copied()
}

fn school_year(d: &Dossier) -> SchoolYear {
    SchoolYear::containing(d.created_at.date_naive())
}

/// The dossiers of `raw`'s `school_year` (all when absent).
async fn chosen(app: &AppState, raw: Option<&str>) -> Result<(Option<SchoolYear>, Vec<Dossier>), ApiError> {
    let p = pairs(raw)?;
    reject_unknown(&p, &["school_year"])?;
    let year = p
        .iter()
        .find(|(k, _)| k == "school_year")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
        .map(SchoolYear::parse)
        .transpose()?;
    let all = store::all(&app.store).await?;
    Ok((
        year,
        all.into_iter()
            .filter(|d| year.is_none_or(|y| school_year(d) == y))
            .collect(),
    ))
}

fn counts<K: Ord>(dossiers: &[Dossier], key: impl Fn(&Dossier) -> K) -> BTreeMap<K, usize> {
    let mut m = BTreeMap::new();
    for d in dossiers {
        *m.entry(key(d)).or_default() += 1;
    }
    m
}

/// Delay of a completed step in working days from the filing day, and whether it was on time.
fn delays(c: &WorkingCalendar, d: &Dossier, kind: StepKind) -> Option<(i64, bool)> {
    let s = d.steps.iter().find(|s| s.kind == kind)?;
    let done = s.completed_at?.date_naive();
    Some((
        c.working_days_between(d.created_at.date_naive(), done),
        s.due_on.is_none_or(|due| done <= due),
    ))
}

/// GET /api/intentions/indicators?school_year= — the DANE's indicators.
pub async fn indicators(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    require(&user, Action::Desk)?;
    let (year, dossiers) = chosen(&app, raw.as_deref()).await?;
    let c = current_procedure(&app).await?.calendar();
    let today = app.intentions.clock.today();
    let (mut answered, mut on_time) = (0usize, 0usize);
    let steps: Vec<Value> = StepKind::ALL
        .iter()
        .map(|k| {
            let done: Vec<(i64, bool)> = dossiers.iter().filter_map(|d| delays(&c, d, *k)).collect();
            let mut days: Vec<i64> = done.iter().map(|x| x.0).collect();
            days.sort_unstable();
            let timely = done.iter().filter(|x| x.1).count();
            answered += done.len();
            on_time += timely;
            json!({
                "step": k.as_str(),
                "label": k.label(),
                "completed": done.len(),
                "on_time": timely,
                "on_time_share": (!done.is_empty()).then(|| timely as f64 / done.len() as f64),
                "median_days": percentile(&days, 0.5),
                "p90_days": percentile(&days, 0.9),
            })
        })
        .collect();
    let by_kind = counts(&dossiers, |d| d.kind);
    Ok(Json(json!({
        "school_year": year.map(|y| y.to_string()),
        "total": dossiers.len(),
        "by_school_year": counts(&dossiers, |d| school_year(d).to_string()).into_iter().map(|(y, n)| json!({ "school_year": y, "count": n })).collect::<Vec<_>>(),
        "by_departement": counts(&dossiers, |d| d.departement.clone()).into_iter().map(|(k, n)| json!({ "departement": k, "count": n })).collect::<Vec<_>>(),
        "by_kind": Kind::ALL.iter().map(|k| json!({ "kind": k.as_str(), "label": k.label(), "count": by_kind.get(k).copied().unwrap_or(0) })).collect::<Vec<_>>(),
        "steps": steps,
        "on_time_share": (answered > 0).then(|| on_time as f64 / answered as f64),
        "open_now": dossiers.iter().filter(|d| d.status != Status::Closed).count(),
        "late_now": dossiers.iter().filter(|d| dossier_late(d, today)).count(),
    }))
    .into_response())
}

/// GET /api/intentions.csv?school_year= — every dossier, one row each, with each step's due date,
/// completion and delay.
pub async fn csv(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    require(&user, Action::Desk)?;
    let (year, dossiers) = chosen(&app, raw.as_deref()).await?;
    let c = current_procedure(&app).await?.calendar();
    let today = app.intentions.clock.today();
    let mut header = vec![
        "dossier",
        "annee_scolaire",
        "depose_le",
        "departement",
        "type",
        "titre",
        "uai",
        "statut",
        "issue",
        "en_retard",
    ];
    for k in StepKind::ALL {
        header.extend(match k {
            StepKind::Acknowledgement => ["accuse_echeance", "accuse_fait_le", "accuse_jours_ouvres"],
            StepKind::Analysis => ["analyse_echeance", "analyse_faite_le", "analyse_jours_ouvres"],
            StepKind::Answer => ["reponse_echeance", "reponse_faite_le", "reponse_jours_ouvres"],
            StepKind::Closure => ["cloture_echeance", "cloture_faite_le", "cloture_jours_ouvres"],
        });
    }
    let name = match year {
        Some(y) => format!("repere-intentions-{y}.csv"),
        None => "repere-intentions.csv".into(),
    };
    csv_download(
        &name,
        &header,
        dossiers.iter().map(|d| {
            let mut row = vec![
                dossier_number(d),
                school_year(d).to_string(),
                rfc3339(d.created_at),
                d.departement.clone(),
                d.kind.label().to_string(),
                d.title.clone(),
                d.uais.join(" "),
                d.status.label().to_string(),
                d.outcome.map(|o| o.label().to_string()).unwrap_or_default(),
                if dossier_late(d, today) { "oui" } else { "non" }.to_string(),
            ];
            for k in StepKind::ALL {
                let s = d.steps.iter().find(|s| s.kind == *k);
                row.push(s.and_then(|s| s.due_on).map(|x| x.to_string()).unwrap_or_default());
                row.push(
                    s.and_then(|s| s.completed_at)
                        .map(|t| t.date_naive().to_string())
                        .unwrap_or_default(),
                );
                row.push(delays(&c, d, *k).map(|x| x.0.to_string()).unwrap_or_default());
            }
            row
        }),
    )
}

/// GET /api/intentions/map — the private layer: one point per establishment named by intentions,
/// with how many, how many open and late, and their kinds (GeoJSON).
pub async fn map(State(app): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    require(&user, Action::Desk)?;
    let dossiers = store::all(&app.store).await?;
    let today = app.intentions.clock.today();
    let mut by_uai: BTreeMap<&str, Vec<&Dossier>> = BTreeMap::new();
    for d in &dossiers {
        for u in &d.uais {
            by_uai.entry(u.as_str()).or_default().push(d);
        }
    }
    let c = app.read_catalog()?;
    let features: Vec<Value> = by_uai
        .iter()
        .filter_map(|(u, ds)| {
            let e = c.establishments.get(&repere_core::Uai::parse(u).ok()?)?;
            let pos = e.establishment.position?;
            let mut kinds: Vec<&str> = ds.iter().map(|d| d.kind.label()).collect();
            kinds.sort_unstable();
            kinds.dedup();
            Some(json!({
                "type": "Feature",
                "id": u,
                "geometry": { "type": "Point", "coordinates": [pos.lon, pos.lat] },
                "properties": {
                    "uai": u,
                    "name": e.establishment.name,
                    "commune": e.establishment.commune_name,
                    "count": ds.len(),
                    "open": ds.iter().filter(|d| d.status != Status::Closed).count(),
                    "late": ds.iter().filter(|d| dossier_late(d, today)).count(),
                    "kinds": kinds,
                    "dossiers": ds.iter().map(|d| json!({ "id": d.id, "number": dossier_number(d), "title": d.title })).collect::<Vec<_>>(),
                },
            }))
        })
        .collect();
    Ok(with_type(
        json!({ "type": "FeatureCollection", "features": features }),
        "application/geo+json",
    ))
}

pub fn routes() -> Routes {
    Routes::new()
        .get("/intentions/indicators", indicators)
        .get("/intentions.csv", csv)
        .get("/intentions/map", map)
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(percentile(&v, 0.5), Some(5));
        assert_eq!(percentile(&v, 0.9), Some(9));
        assert_eq!(percentile(&[7], 0.9), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
