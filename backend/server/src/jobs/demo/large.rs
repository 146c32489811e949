//! A large deterministic dataset for benchmarks only (`repere generate`): establishments spread over
//! metropolitan France around its cities, practices at their establishments (each with its own
//! position a few hundred metres away), and links mostly between neighbouring practices. Written with
//! multi-row INSERTs in transactions of `ROWS_PER_TX` rows, so that a million practices take seconds.

use std::collections::HashSet;
use std::fmt;

use chrono::{Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use repere_store::Store;
use repere_store::transfer::{Param, insert_batch};

use super::vocabulary::{ACTIVITIES, COLLEGE_LEVELS, ECOLE_LEVELS, LYCEE_LEVELS};

const ROWS_PER_INSERT: usize = 1000;
const ROWS_PER_TX: usize = 50_000;

/// Cities (lon, lat, département, weight) the establishments gather around.
const CITIES: &[(f64, f64, u32, u32)] = &[
    (2.35, 48.86, 75, 12),
    (2.25, 48.75, 92, 6),
    (2.48, 48.90, 93, 6),
    (2.20, 48.60, 91, 5),
    (2.00, 48.95, 78, 5),
    (4.84, 45.76, 69, 7),
    (5.37, 43.30, 13, 7),
    (1.44, 43.60, 31, 5),
    (7.26, 43.70, 6, 4),
    (5.93, 43.12, 83, 4),
    (-1.55, 47.22, 44, 5),
    (7.75, 48.58, 67, 4),
    (3.06, 50.63, 59, 9),
    (-0.58, 44.84, 33, 5),
    (3.88, 43.61, 34, 4),
    (-1.68, 48.11, 35, 4),
    (4.03, 49.26, 51, 3),
    (0.11, 49.49, 76, 4),
    (5.72, 45.19, 38, 4),
    (5.04, 47.32, 21, 2),
    (0.69, 47.39, 37, 2),
    (3.09, 45.78, 63, 2),
    (6.18, 48.69, 54, 3),
    (2.30, 49.89, 80, 2),
    (-0.56, 47.47, 49, 3),
    (1.91, 47.90, 45, 2),
    (6.03, 47.24, 25, 2),
    (0.34, 46.58, 86, 2),
    (1.26, 45.83, 87, 2),
    (-4.49, 48.39, 29, 3),
];

/// What `repere generate` wrote.
#[derive(Debug)]
pub struct Generated {
    pub establishments: usize,
    pub practices: usize,
    pub links: usize,
    pub elapsed: std::time::Duration,
}

impl fmt::Display for Generated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Jeu de mesure écrit en {:.1} s : {} établissements, {} usages, {} liens",
            self.elapsed.as_secs_f64(),
            self.establishments,
            self.practices,
            self.links
        )
    }
}

fn uai(dep: u32, n: u32) -> String {
    let digits = dep * 10_000 + n;
    let letters = b"ABCDEFGHJKLMNPRSTUVWXYZ";
    format!("{digits:07}{}", letters[(digits % 23) as usize] as char)
}

async fn write(
    store: &Store,
    table: &str,
    columns: &[&str],
    rows: impl Iterator<Item = Vec<Param>>,
) -> anyhow::Result<usize> {
    let mut written = 0;
    // The rows change nothing until the last unit announces the whole dataset (see `generate`).
    let mut unit = store.begin().await?;
    let mut batch = Vec::with_capacity(ROWS_PER_INSERT);
    for row in rows {
        batch.push(row);
        if batch.len() == ROWS_PER_INSERT {
            insert_batch(unit.conn(), table, columns, &batch).await?;
            written += batch.len();
            batch.clear();
            if written % ROWS_PER_TX == 0 {
                unit.commit().await?;
                unit = store.begin().await?;
            }
        }
    }
    insert_batch(unit.conn(), table, columns, &batch).await?;
    written += batch.len();
    unit.commit().await?;
    Ok(written)
}

/// Writes `establishments`, `practices` and `links` generated from `seed` into an empty database.
pub async fn generate(
    store: &Store,
    establishments: usize,
    practices: usize,
    links: usize,
    seed: u64,
) -> anyhow::Result<Generated> {
    if !super::is_empty(store).await? {
        anyhow::bail!("la base n'est pas vide : le jeu de mesure s'écrit dans une base neuve");
    }
    if establishments == 0 || (links > 0 && practices < 2) {
        anyhow::bail!("il faut au moins un établissement, et deux usages pour des liens");
    }
    let started = std::time::Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let at = Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0).single().expect("valid date");
    let stamp = repere_store::ts(at);
    let total_weight: u32 = CITIES.iter().map(|c| c.3).sum();

    // Establishments, city by city, so that neighbouring rows are neighbours on the map.
    let mut places: Vec<(String, f64, f64, &'static str)> = Vec::with_capacity(establishments);
    let mut per_dep = std::collections::HashMap::<u32, u32>::new();
    for (i, &(lon, lat, dep, weight)) in CITIES.iter().enumerate() {
        let share = if i + 1 == CITIES.len() {
            establishments - places.len()
        } else {
            establishments * weight as usize / total_weight as usize
        };
        for _ in 0..share {
            let spread = if rng.random_bool(0.6) { 0.08 } else { 0.5 };
            let x = lon + (rng.random::<f64>() - 0.5) * 2.0 * spread;
            let y = lat + (rng.random::<f64>() - 0.5) * 1.4 * spread;
            let n = per_dep.entry(dep).or_default();
            *n += 1;
            let kind = match rng.random_range(0..20) {
                0..12 => "ecole",
                12..17 => "college",
                _ => "lycee",
            };
            places.push((uai(dep, *n), x, y, kind));
        }
    }
    let est_columns = [
        "uai",
        "name",
        "kind",
        "sector",
        "commune_code",
        "commune_name",
        "departement",
        "lon",
        "lat",
        "created_at",
        "updated_at",
    ];
    let n_est = write(
        store,
        "establishments",
        &est_columns,
        places.iter().enumerate().map(|(i, (code, x, y, kind))| {
            let dep = format!("{:02}", &code[..3].parse::<u32>().unwrap_or(0));
            vec![
                Param::Text(code.clone()),
                Param::Text(format!("Établissement de mesure {i}")),
                Param::Text((*kind).into()),
                Param::Text("public".into()),
                Param::Text(format!("{dep}{:03}", i % 500)),
                Param::Text(format!("Commune {}", i % 500)),
                Param::Text(dep),
                Param::Real(*x),
                Param::Real(*y),
                Param::Text(stamp.clone()),
                Param::Text(stamp.clone()),
            ]
        }),
    )
    .await?;

    // Practices: in establishment order, each a few hundred metres from its establishment.
    let years = ["2022-2023", "2023-2024", "2024-2025", "2025-2026", "2026-2027"];
    let practice_columns = [
        "title",
        "summary",
        "disciplines",
        "levels",
        "tools",
        "themes",
        "school_year",
        "uai",
        "lon",
        "lat",
        "status",
        "created_at",
        "updated_at",
        "published_at",
    ];
    let mut prng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let n_practices = write(
        store,
        "practices",
        &practice_columns,
        (0..practices).map(|i| {
            let (code, x, y, kind) = &places[i * places.len() / practices.max(1)];
            let a = &ACTIVITIES[prng.random_range(0..ACTIVITIES.len())];
            let levels = match *kind {
                "ecole" => ECOLE_LEVELS,
                "college" => COLLEGE_LEVELS,
                _ => LYCEE_LEVELS,
            };
            let level = levels[prng.random_range(0..levels.len())];
            let published = prng.random_bool(0.95);
            let when = repere_store::ts(at - Duration::minutes(i as i64));
            vec![
                Param::Text(a.title.into()),
                Param::Text(format!("Les élèves {}.", a.what)),
                Param::Text(serde_json::json!([a.discipline]).to_string()),
                Param::Text(serde_json::json!([level]).to_string()),
                Param::Text(serde_json::json!(a.tools).to_string()),
                Param::Text(serde_json::json!(a.themes).to_string()),
                Param::Text(years[prng.random_range(0..years.len())].into()),
                Param::Text(code.clone()),
                Param::Real(x + (prng.random::<f64>() - 0.5) * 0.01),
                Param::Real(y + (prng.random::<f64>() - 0.5) * 0.007),
                Param::Text(if published { "published" } else { "submitted" }.into()),
                Param::Text(when.clone()),
                Param::Text(when.clone()),
                if published { Param::Text(when) } else { Param::Null },
            ]
        }),
    )
    .await?;

    // Links between practices close in the order above (so mostly close on the map); no self-link and
    // no duplicate pair of the same kind. Practice ids are 1..=n in a new database.
    let kinds = [
        "inspired_by",
        "collaboration",
        "same_tool",
        "visit",
        "training",
        "same_site",
    ];
    let mut lrng = ChaCha8Rng::seed_from_u64(seed ^ 0x11_4b5);
    let mut seen = HashSet::with_capacity(links);
    let mut pairs = Vec::with_capacity(links);
    while pairs.len() < links && practices >= 2 {
        let a = lrng.random_range(0..practices);
        let b = (a + lrng.random_range(1..=200.min(practices - 1))) % practices;
        let kind = lrng.random_range(0..kinds.len());
        if a != b && seen.insert((a.min(b), a.max(b), kind)) {
            pairs.push((a as i64 + 1, b as i64 + 1, kinds[kind]));
        }
    }
    drop(seen);
    let n_links = write(
        store,
        "links",
        &["from_practice", "to_practice", "kind", "created_at", "updated_at"],
        pairs.into_iter().map(|(a, b, kind)| {
            vec![
                Param::Int(a),
                Param::Int(b),
                Param::Text(kind.into()),
                Param::Text(stamp.clone()),
                Param::Text(stamp.clone()),
            ]
        }),
    )
    .await?;
    let mut unit = store.begin().await?;
    repere_store::meta::set(unit.conn(), "benchmark_dataset", &format!("seed {seed}")).await?;
    unit.changed(repere_store::changes::Subject::All, Utc::now());
    unit.commit().await?;
    Ok(Generated {
        establishments: n_est,
        practices: n_practices,
        links: n_links,
        elapsed: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::uai;

    #[test]
    fn generated_uais_are_valid() {
        for (dep, n) in [(6, 1), (75, 9999), (13, 42)] {
            let code = uai(dep, n);
            assert!(repere_core::Uai::parse(&code).is_ok(), "{code}");
            assert!(code.starts_with(&format!("{dep:03}")));
        }
    }
}
