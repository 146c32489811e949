//! "Débit des établissements", for collectivités and admins: establishments by bandwidth class, the
//! measured and the potential values kept apart; those below a threshold listed and counted by commune,
//! département and EPCI (where the official list of EPCI was imported: `repere import epci`), with the
//! published practices reported there; establishments without a value of the chosen source counted as
//! such, never hidden. Where ARCEP's coverage was imported (`repere import fibre`), each school under the
//! threshold says whether its commune has no fibre yet or has fibre the school is not connected to.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use repere_catalog::Catalog;
use repere_core::establishments::{Bandwidth, BandwidthSource, Establishment};
use repere_core::fibre::Diagnosis;
use repere_core::indicators::breakdown;
use repere_core::users::Role;
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::request::{pairs, parse_number, reject_unknown};
use crate::response::csv_download;
use crate::state::AppState;

/// Default threshold, Mbit/s (below: "débit insuffisant").
pub const DEFAULT_THRESHOLD: f64 = 30.0;
const MAX_THRESHOLD: f64 = 100_000.0;
const CLASSES: [(&str, &str); 5] = [
    ("lt8", "moins de 8 Mbit/s"),
    ("8-30", "8 à 30 Mbit/s"),
    ("30-100", "30 à 100 Mbit/s"),
    ("gte100", "100 Mbit/s et plus"),
    ("unknown", "sans valeur"),
];

fn class(down: Option<f64>) -> &'static str {
    match down {
        None => "unknown",
        Some(d) if d < 8.0 => "lt8",
        Some(d) if d < 30.0 => "8-30",
        Some(d) if d < 100.0 => "30-100",
        Some(_) => "gte100",
    }
}

/// The latest value of `source` (the history is kept oldest first).
fn latest(e: &Establishment, source: BandwidthSource) -> Option<&Bandwidth> {
    e.bandwidth.iter().filter(|b| b.source == source).max_by_key(|b| b.date)
}

struct Params {
    threshold: f64,
    source: BandwidthSource,
    departement: Option<String>,
    /// INSEE code of one commune.
    commune: Option<String>,
    /// SIREN of one EPCI.
    epci: Option<String>,
    territory: String,
}

fn parse(raw: Option<&str>, csv: bool) -> Result<Params, ApiError> {
    let p = pairs(raw)?;
    let allowed: &[&str] = if csv {
        &["threshold", "source", "departement", "commune", "epci", "territory"]
    } else {
        &["threshold", "source", "departement", "commune", "epci"]
    };
    reject_unknown(&p, allowed)?;
    let get = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim());
    let threshold = match get("threshold") {
        None => DEFAULT_THRESHOLD,
        Some(v) => {
            let t = parse_number("threshold", v)?;
            if !(t > 0.0 && t <= MAX_THRESHOLD) {
                return Err(ApiError::param(
                    "threshold",
                    format!("le seuil doit être compris entre 0 et {MAX_THRESHOLD} Mbit/s"),
                ));
            }
            t
        }
    };
    let source = match get("source") {
        None => BandwidthSource::Measured,
        Some(v) => BandwidthSource::parse("source", v)?,
    };
    let departement = get("departement")
        .map(repere_core::establishments::normalise_departement)
        .transpose()?;
    let commune = get("commune")
        .filter(|c| !c.is_empty())
        .map(|c| {
            let c = c.to_ascii_uppercase();
            repere_core::establishments::check_commune_code(&c)
                .map(|()| c)
                .map_err(|e| ApiError::param("commune", e.message))
        })
        .transpose()?;
    let epci = get("epci")
        .filter(|c| !c.is_empty())
        .map(|c| {
            repere_core::establishments::Epci::new(c, "-")
                .map(|e| e.code)
                .map_err(|e| ApiError::param("epci", e.message))
        })
        .transpose()?;
    let territory = get("territory").unwrap_or("commune").to_string();
    if !["commune", "departement", "epci", "establishments"].contains(&territory.as_str()) {
        return Err(ApiError::param(
            "territory",
            "territoire : commune, departement, epci ou establishments",
        ));
    }
    Ok(Params {
        threshold,
        source,
        departement,
        commune,
        epci,
        territory,
    })
}

/// Territories (code, name, one commune code per establishment) as `{code, name, establishments,
/// communes}`, sorted by name.
fn territories(items: impl Iterator<Item = (String, String, String)>) -> Value {
    let mut m: std::collections::BTreeMap<String, (String, usize, std::collections::BTreeSet<String>)> =
        Default::default();
    for (code, name, commune) in items {
        let t = m.entry(code).or_insert_with(|| (name, 0, Default::default()));
        t.1 += 1;
        t.2.insert(commune);
    }
    let mut out: Vec<(String, String, usize, Vec<String>)> = m
        .into_iter()
        .map(|(code, (name, n, communes))| (code, name, n, communes.into_iter().collect()))
        .collect();
    out.sort_by(|a, b| {
        repere_core::text::fold(&a.1)
            .cmp(&repere_core::text::fold(&b.1))
            .then(a.0.cmp(&b.0))
    });
    out.into_iter()
        .map(|(code, name, n, communes)| json!({ "code": code, "name": name, "establishments": n, "communes": communes }))
        .collect()
}

fn allowed(user: &CurrentUser) -> Result<(), ApiError> {
    user.require(&[Role::Collectivite, Role::Admin])
}

struct Below<'a> {
    e: &'a Establishment,
    value: &'a Bandwidth,
    practices: Vec<(i64, String)>,
    /// The commune's fibre against the school's line.
    fibre: Diagnosis,
    /// Share of the commune's premises that can be connected to fibre, where known.
    commune_rate: Option<f64>,
}

fn view<'a>(c: &'a Catalog, p: &Params) -> (Value, Vec<Below<'a>>) {
    let in_departement: Vec<&Establishment> = c
        .establishments
        .values()
        .map(|e| &e.establishment)
        .filter(|e| p.departement.as_ref().is_none_or(|d| *d == e.departement))
        .collect();
    let epci_of = |e: &Establishment| c.epci.get(&e.commune_code);
    // The communes and EPCIs that can be chosen: those of the département's establishments.
    let communes = territories(
        in_departement
            .iter()
            .map(|e| (e.commune_code.clone(), e.commune_name.clone(), e.commune_code.clone())),
    );
    let epcis = territories(
        in_departement
            .iter()
            .filter_map(|e| epci_of(e).map(|x| (x.code.clone(), x.name.clone(), e.commune_code.clone()))),
    );
    let in_scope: Vec<&Establishment> = in_departement
        .into_iter()
        .filter(|e| p.commune.as_ref().is_none_or(|x| *x == e.commune_code))
        .filter(|e| p.epci.as_ref().is_none_or(|x| epci_of(e).is_some_and(|y| y.code == *x)))
        .collect();
    let classes = |source: BandwidthSource| -> Value {
        let counted = breakdown(in_scope.iter().map(|e| {
            let k = class(latest(e, source).map(|b| b.down_mbps));
            (k.to_string(), k.to_string())
        }));
        CLASSES
            .iter()
            .map(|(k, label)| {
                let n = counted.iter().find(|(key, _, _)| key == k).map_or(0, |(_, _, n)| *n);
                json!({ "key": k, "label": label, "count": n })
            })
            .collect()
    };
    let mut below: Vec<Below> = in_scope
        .iter()
        .filter_map(|e| {
            let value = latest(e, p.source)?;
            (value.down_mbps < p.threshold).then(|| Below {
                e,
                value,
                fibre: Diagnosis::of(
                    c.fibre.get(&e.commune_code),
                    latest(e, BandwidthSource::Measured).map(|b| b.technology),
                    latest(e, BandwidthSource::Potential).map(|b| b.technology),
                ),
                commune_rate: c.fibre.get(&e.commune_code).and_then(|f| f.rate()),
                practices: c
                    .practices_of(e.uai)
                    .filter(|x| x.practice.is_public())
                    .map(|x| (x.practice.id, x.practice.title.to_string()))
                    .collect(),
            })
        })
        .collect();
    below.sort_by(|a, b| {
        a.value
            .down_mbps
            .total_cmp(&b.value.down_mbps)
            .then(a.e.uai.cmp(&b.e.uai))
    });
    let without = in_scope.iter().filter(|e| latest(e, p.source).is_none()).count();
    let count = |items: Vec<(String, String)>| -> Value {
        breakdown(items)
            .into_iter()
            .map(|(key, label, count)| json!({ "key": key, "label": label, "count": count }))
            .collect()
    };
    let body = json!({
        "threshold_mbps": p.threshold,
        "source": p.source.as_str(),
        "departement": p.departement,
        "commune": p.commune,
        "epci": p.epci,
        "communes": communes,
        "epcis": epcis,
        "establishments": in_scope.len(),
        "classes": { "measured": classes(BandwidthSource::Measured), "potential": classes(BandwidthSource::Potential) },
        "without_value": without,
        "epci_known": !c.epci.is_empty(),
        "fibre_known": !c.fibre.is_empty(),
        "outlines_known": !c.outlines.is_empty(),
        "below": {
            "count": below.len(),
            "by_commune": count(below.iter().map(|b| (b.e.commune_code.clone(), b.e.commune_name.clone())).collect()),
            "by_departement": count(below.iter().map(|b| (b.e.departement.clone(), repere_core::establishments::departement_name(&b.e.departement))).collect()),
            "by_epci": count(below.iter().filter_map(|b| c.epci.get(&b.e.commune_code)).map(|x| (x.code.clone(), x.name.clone())).collect()),
            "without_epci": below.iter().filter(|b| !c.epci.contains_key(&b.e.commune_code)).count(),
            "practices": below.iter().map(|b| b.practices.len()).sum::<usize>(),
            "by_fibre": Diagnosis::ALL.iter().map(|d| json!({
                "key": d.as_str(),
                "label": d.label(),
                "count": below.iter().filter(|b| b.fibre == *d).count(),
            })).collect::<Vec<_>>(),
            "establishments": below.iter().map(|b| below_json(c, b)).collect::<Vec<_>>(),
        },
    });
    (body, below)
}

/// One establishment under the threshold, as the view lists it.
fn below_json(c: &Catalog, b: &Below) -> Value {
    json!({
                "uai": b.e.uai,
                "name": b.e.name,
                "kind": b.e.kind.as_str(),
                "commune_code": b.e.commune_code,
                "commune_name": b.e.commune_name,
                "departement": b.e.departement,
                "epci": c.epci.get(&b.e.commune_code),
                "down_mbps": b.value.down_mbps,
                "up_mbps": b.value.up_mbps,
                "technology": b.value.technology.as_str(),
                "fibre": b.fibre.as_str(),
                "fibre_label": b.fibre.label(),
                "commune_fibre_rate": b.commune_rate,
                "date": b.value.date,
                "measured_down_mbps": latest(b.e, BandwidthSource::Measured).map(|x| x.down_mbps),
                "potential_down_mbps": latest(b.e, BandwidthSource::Potential).map(|x| x.down_mbps),
                "practices": b.practices.iter().map(|(id, title)| json!({ "id": id, "title": title })).collect::<Vec<_>>(),
    })
}

/// GET /api/indicators/bandwidth?threshold=&source=&departement=&commune=&epci= — collectivités and admins.
pub async fn bandwidth(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    allowed(&user)?;
    let p = parse(raw.as_deref(), false)?;
    let c = app.read_catalog()?;
    Ok(axum::Json(view(&c, &p).0).into_response())
}

/// GET /api/indicators/bandwidth.csv?threshold=&source=&departement=&commune=&epci=&territory=commune|departement|epci|establishments
pub async fn bandwidth_csv(
    State(app): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    allowed(&user)?;
    let p = parse(raw.as_deref(), true)?;
    let c = app.read_catalog()?;
    let (body, below) = view(&c, &p);
    let filename = format!("repere-debit-{}.csv", p.territory);
    if p.territory == "establishments" {
        return csv_download(
            &filename,
            &[
                "uai",
                "nom",
                "commune",
                "departement",
                "debit_descendant_mbps",
                "source",
                "date",
                "usages",
                "code_departement",
                "fibre",
                "taux_fibre_commune",
            ],
            below.iter().map(|b| {
                vec![
                    b.e.uai.as_str().to_string(),
                    b.e.name.clone(),
                    b.e.commune_name.clone(),
                    repere_core::establishments::departement_name(&b.e.departement),
                    b.value.down_mbps.to_string(),
                    b.value.source.as_str().to_string(),
                    b.value.date.to_string(),
                    b.practices.len().to_string(),
                    b.e.departement.clone(),
                    b.fibre.label().to_string(),
                    b.commune_rate.map_or(String::new(), |r| format!("{r:.3}")),
                ]
            }),
        );
    }
    let rows = body["below"][format!("by_{}", p.territory)]
        .as_array()
        .cloned()
        .unwrap_or_default();
    csv_download(
        &filename,
        &["cle", "libelle", "etablissements_sous_le_seuil"],
        rows.iter().map(|row| {
            vec![
                row["key"].as_str().unwrap_or("").to_string(),
                row["label"].as_str().unwrap_or("").to_string(),
                row["count"].to_string(),
            ]
        }),
    )
}
