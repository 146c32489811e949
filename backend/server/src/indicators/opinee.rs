//! The compilation of OPINEE levels and labels by territory, for moderators (CARDIE/DANE) and admins
//! only — the roadmap calls it confidential. For one school year: per département, commune or EPCI,
//! how many establishments there are, how many have OPINEE levels that year, the mean of each of the
//! seven fields, of equipment and of usage, and how many hold each label level.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use repere_catalog::Catalog;
use repere_core::SchoolYear;
use repere_core::establishments::Establishment;
use repere_core::opinee::{Field, Levels, check_year};
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::{pairs, reject_unknown};
use crate::response::csv_download;
use crate::state::AppState;

/// Territories the compilation groups by.
pub const TERRITORIES: [&str; 3] = ["departement", "commune", "epci"];

struct Params {
    year: Option<SchoolYear>,
    territory: &'static str,
    departement: Option<String>,
}

fn parse(raw: Option<&str>) -> Result<Params, ApiError> {
    let p = pairs(raw)?;
    reject_unknown(&p, &["school_year", "territory", "departement"])?;
    let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim());
    let year = get("school_year").map(SchoolYear::parse).transpose()?;
    if let Some(y) = year {
        check_year(y, Utc::now().date_naive()).map_err(|e| ApiError::param("school_year", e.message))?;
    }
    let territory = match get("territory") {
        None => "departement",
        Some(t) => TERRITORIES.iter().copied().find(|k| *k == t).ok_or_else(|| {
            ApiError::param(
                "territory",
                format!("territoire inconnu « {t} » ; territoires : {}", TERRITORIES.join(", ")),
            )
        })?,
    };
    Ok(Params {
        year,
        territory,
        departement: get("departement")
            .map(repere_core::establishments::normalise_departement)
            .transpose()?,
    })
}

/// The most recent school year with any OPINEE level or label, else the current one.
fn default_year(c: &Catalog) -> SchoolYear {
    c.establishments
        .values()
        .flat_map(|e| e.establishment.profiles.iter().map(|p| p.school_year))
        .max()
        .unwrap_or_else(|| SchoolYear::containing(Utc::now().date_naive()))
}

#[derive(Default)]
struct Group {
    key: String,
    label: String,
    establishments: usize,
    levels: Vec<Levels>,
    labels: [usize; 3],
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

impl Group {
    fn mean(&self, f: impl Fn(&Levels) -> f64) -> Option<f64> {
        (!self.levels.is_empty()).then(|| round1(self.levels.iter().map(f).sum::<f64>() / self.levels.len() as f64))
    }

    /// The mean of each field (in the order of `Field::ALL`), then of equipment and of usage: what
    /// both the JSON and the CSV show.
    fn means(&self) -> Vec<Option<f64>> {
        Field::ALL
            .iter()
            .map(|&f| self.mean(|l| f64::from(l.get(f))))
            .chain([self.mean(Levels::equipment), self.mean(Levels::usage)])
            .collect()
    }

    fn to_json(&self) -> Value {
        let means = self.means();
        let fields: serde_json::Map<String, Value> = Field::ALL
            .iter()
            .zip(&means)
            .map(|(f, m)| (f.as_str().to_string(), json!(m)))
            .collect();
        json!({
            "key": self.key,
            "label": self.label,
            "establishments": self.establishments,
            "with_levels": self.levels.len(),
            "means": fields,
            "equipment": means[Field::ALL.len()],
            "usage": means[Field::ALL.len() + 1],
            "labels": { "1": self.labels[0], "2": self.labels[1], "3": self.labels[2] },
        })
    }
}

fn territory_of(c: &Catalog, e: &Establishment, territory: &str) -> (String, String) {
    match territory {
        "commune" => (e.commune_code.clone(), e.commune_name.clone()),
        "epci" => c.epci.get(&e.commune_code).map_or_else(
            || ("".to_string(), "EPCI inconnu".to_string()),
            |x| (x.code.clone(), x.name.clone()),
        ),
        _ => (
            e.departement.clone(),
            repere_core::establishments::departement_name(&e.departement),
        ),
    }
}

fn compile(c: &Catalog, p: &Params) -> (SchoolYear, Vec<Group>, Group) {
    let year = p.year.unwrap_or_else(|| default_year(c));
    let mut groups: std::collections::BTreeMap<String, Group> = Default::default();
    let mut total = Group {
        key: "total".into(),
        label: "Ensemble".into(),
        ..Default::default()
    };
    for entry in c.establishments.values() {
        let e = &entry.establishment;
        if p.departement.as_ref().is_some_and(|d| *d != e.departement) {
            continue;
        }
        let (key, label) = territory_of(c, e, p.territory);
        let g = groups.entry(key.clone()).or_insert_with(|| Group {
            key,
            label,
            ..Default::default()
        });
        let profile = e.profiles.iter().find(|x| x.school_year == year);
        for g in [&mut *g, &mut total] {
            g.establishments += 1;
            if let Some(profile) = profile {
                g.levels.extend(profile.levels);
                if let Some(l) = profile.label {
                    g.labels[usize::from(l) - 1] += 1;
                }
            }
        }
    }
    let mut list: Vec<Group> = groups.into_values().collect();
    list.sort_by(|a, b| a.label.cmp(&b.label).then(a.key.cmp(&b.key)));
    (year, list, total)
}

/// GET /api/indicators/opinee?school_year=&territory=departement|commune|epci&departement= — moderators
/// and admins.
pub async fn compilation(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    user.require_moderator()?;
    let p = parse(raw.as_deref())?;
    let c = app.read_catalog()?;
    let (year, groups, total) = compile(&c, &p);
    Ok(axum::Json(json!({
        "school_year": year,
        "territory": p.territory,
        "departement": p.departement,
        "fields": Field::ALL.iter().map(|f| json!({ "key": f.as_str(), "label": f.label(), "equipment": f.is_equipment() })).collect::<Vec<_>>(),
        "total": total.to_json(),
        "territories": groups.iter().map(Group::to_json).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// GET /api/indicators/opinee.csv?school_year=&territory=&departement= — moderators and admins.
pub async fn compilation_csv(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    user.require_moderator()?;
    let p = parse(raw.as_deref())?;
    let c = app.read_catalog()?;
    let (year, groups, _) = compile(&c, &p);
    let mut header = vec!["cle", "libelle", "etablissements", "avec_opinee"];
    header.extend(Field::ALL.iter().map(|f| f.as_str()));
    header.extend(["equipement", "usages", "label_1", "label_2", "label_3"]);
    let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    csv_download(
        &format!("repere-opinee-{}-{year}.csv", p.territory),
        &header,
        groups.iter().map(|g| {
            let mut row = vec![
                g.key.clone(),
                g.label.clone(),
                g.establishments.to_string(),
                g.levels.len().to_string(),
            ];
            row.extend(g.means().into_iter().map(num));
            row.extend(g.labels.iter().map(usize::to_string));
            row
        }),
    )
}
