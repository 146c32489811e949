//! Visit counts (the roadmap's "compteur de visites"): each page view and each opened fiche sends a
//! beacon; the instance adds it to a counter in memory, keyed by day, page, practice and embedding
//! site, and writes the counters in aggregate every [`FLUSH_EVERY`] and on shutdown. No cookie is set,
//! no address or user agent is kept. Moderators read the counts as a table and as CSV.

use std::time::Duration;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use repere_core::Invalid;
use repere_store::visits::VisitKey;
use serde::Deserialize;
use serde_json::json;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::{pairs, reject_unknown};
use crate::response::csv_download;
use crate::routes::Routes;
use crate::state::AppState;

pub mod counts;

/// How often the counters are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(30);

/// The pages counted, as the frontend names them.
pub const PAGES: [&str; 10] = [
    "carte",
    "fiche",
    "embed",
    "reseaux",
    "tableau-de-bord",
    "debit",
    "etablissement",
    "contribuer",
    "mes-remontees",
    "moderation",
];

/// Site recorded for a view from a page that embeds Repère but is not among the listed origins.
pub const OTHER_SITE: &str = "autre";

/// Writes the counters every [`FLUSH_EVERY`] until `stopped`, then once more.
pub async fn flush_loop(app: AppState, mut stopped: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(FLUSH_EVERY) => {}
            _ = stopped.changed() => break,
        }
        if let Err(e) = app.visits.flush(&app.store).await {
            tracing::warn!(error = %e, "visit counts not written yet; kept for the next attempt");
        }
    }
    if let Err(e) = app.visits.flush(&app.store).await {
        tracing::error!(error = %e, "visit counts lost at shutdown");
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Beacon {
    page: String,
    #[serde(default)]
    practice_id: Option<i64>,
    /// Origin of the page embedding Repère (`embed` only).
    #[serde(default)]
    site: Option<String>,
}

/// POST /api/visits {page, practice_id?, site?} — counts one view; 204. Open to all, no session.
pub async fn record(
    State(app): State<AppState>,
    body: Result<Json<Beacon>, JsonRejection>,
) -> Result<Response, ApiError> {
    let b = crate::request::json_body(body)?;
    if !PAGES.contains(&b.page.as_str()) {
        return Err(ApiError::field(Invalid::new(
            "page",
            format!("page inconnue ; pages comptées : {}", PAGES.join(", ")),
        )));
    }
    let practice_id = match b.practice_id {
        None => 0,
        Some(id) => {
            let c = app.read_catalog()?;
            if !c.practices.get(&id).is_some_and(|e| e.practice.is_public()) {
                return Err(ApiError::field(Invalid::new(
                    "practice_id",
                    format!("aucun usage publié {id}"),
                )));
            }
            id
        }
    };
    // Only the listed embedding sites are named; any other origin counts as "autre".
    let site = match b.site.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => String::new(),
        Some(s) => {
            let origin = s.trim_end_matches('/');
            if app.embed_origins.iter().any(|o| o == origin) {
                origin.to_string()
            } else {
                OTHER_SITE.to_string()
            }
        }
    };
    app.visits.record(VisitKey {
        day: Utc::now().date_naive().to_string(),
        page: b.page,
        practice_id,
        site,
    });
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The period asked for: `from` and `to` (`YYYY-MM-DD`), by default the last 30 days.
fn period(raw: Option<&str>) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let p = pairs(raw)?;
    reject_unknown(&p, &["from", "to"])?;
    let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim());
    let date = |k: &str, v: &str| {
        NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| ApiError::param(k, format!("« {v} » n'est pas une date AAAA-MM-JJ")))
    };
    let today = Utc::now().date_naive();
    let to = get("to").map(|v| date("to", v)).transpose()?.unwrap_or(today);
    let from = get("from")
        .map(|v| date("from", v))
        .transpose()?
        .unwrap_or(to - chrono::Days::new(29));
    if from > to {
        return Err(ApiError::param("from", "le début de la période est après sa fin"));
    }
    if (to - from).num_days() > 3660 {
        return Err(ApiError::param("from", "période de dix ans au plus"));
    }
    Ok((from, to))
}

async fn counts(app: &AppState, raw: Option<&str>) -> Result<(NaiveDate, NaiveDate, Vec<(VisitKey, i64)>), ApiError> {
    let (from, to) = period(raw)?;
    // What this instance counted so far is written first, so the table is up to date.
    app.visits.flush(&app.store).await?;
    let rows = repere_store::visits::between(&app.store, &from.to_string(), &to.to_string()).await?;
    Ok((from, to, rows))
}

/// Sums `rows` by `key`, largest first (ties by key).
fn sum_by<K: Ord + Clone + std::hash::Hash>(
    rows: &[(VisitKey, i64)],
    key: impl Fn(&VisitKey) -> Option<K>,
) -> Vec<(K, i64)> {
    let mut m: HashMap<K, i64> = HashMap::new();
    for (k, n) in rows {
        if let Some(key) = key(k) {
            *m.entry(key).or_default() += n;
        }
    }
    let mut v: Vec<(K, i64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// GET /api/visits?from=&to= — moderators: views per day, page, fiche and embedding site.
pub async fn summary(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    user.require_moderator()?;
    let (from, to, rows) = counts(&app, raw.as_deref()).await?;
    let mut by_day = sum_by(&rows, |k| Some(k.day.clone()));
    by_day.sort();
    let by_page = sum_by(&rows, |k| Some(k.page.clone()));
    let by_practice = sum_by(&rows, |k| {
        (k.page == "fiche" && k.practice_id != 0).then_some(k.practice_id)
    });
    let by_site = sum_by(&rows, |k| (!k.site.is_empty()).then(|| k.site.clone()));
    let c = app.read_catalog()?;
    let title = |id: i64| c.practices.get(&id).map(|e| e.practice.title.clone());
    Ok(Json(json!({
        "from": from.to_string(),
        "to": to.to_string(),
        "total": rows.iter().map(|r| r.1).sum::<i64>(),
        "by_day": by_day.iter().map(|(d, n)| json!({ "day": d, "count": n })).collect::<Vec<_>>(),
        "by_page": by_page.iter().map(|(p, n)| json!({ "page": p, "count": n })).collect::<Vec<_>>(),
        "by_practice": by_practice.iter().take(50).map(|(id, n)| json!({ "practice_id": id, "title": title(*id), "count": n })).collect::<Vec<_>>(),
        "by_site": by_site.iter().map(|(s, n)| json!({ "site": s, "count": n })).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// GET /api/visits.csv?from=&to= — moderators: every counter of the period, one row each.
pub async fn csv(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    user.require_moderator()?;
    let (from, to, rows) = counts(&app, raw.as_deref()).await?;
    let c = app.read_catalog()?;
    csv_download(
        &format!("repere-visites-{from}-{to}.csv"),
        &["jour", "page", "id_usage", "titre_usage", "site_integrant", "visites"],
        rows.iter().map(|(k, n)| {
            let title = c
                .practices
                .get(&k.practice_id)
                .map(|e| e.practice.title.to_string())
                .unwrap_or_default();
            vec![
                k.day.clone(),
                k.page.clone(),
                if k.practice_id == 0 {
                    String::new()
                } else {
                    k.practice_id.to_string()
                },
                title,
                k.site.clone(),
                n.to_string(),
            ]
        }),
    )
}

/// The visit beacon (no session, no CSRF token) and the moderators' counts.
pub fn routes() -> Routes {
    Routes::new()
        .get("/visits", summary)
        .post("/visits", record)
        .get("/visits.csv", csv)
}
