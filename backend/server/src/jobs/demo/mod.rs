//! `repere demo`: the deterministic demo dataset for the académie de Nice (06 and 83). Establishments of
//! every kind over real communes (positions approximate, written by hand), the two real Fab' École,
//! a few other tiers-lieux, a few hundred practices over several school years, bandwidth from ADSL to
//! fibre, and links. The same seed always gives the same data. Nothing here describes real people.

mod communes;
mod establishments;
pub mod large;
mod places;
mod vocabulary;

use std::collections::HashSet;

use anyhow::bail;
use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use repere_core::establishments::{Establishment, EstablishmentKind};
use repere_core::links::{Link, LinkKind};
use repere_core::practices::{Facets, Practice, PracticeStatus};
use repere_core::sites::{Site, SiteKind, SiteStatus};
use repere_core::{LonLat, SchoolYear, Uai};
use repere_store::Store;

use establishments::{day, establishments, profiles};
use places::by_code;
use vocabulary::{ACTIVITIES, Activity, Degree, FAB_EQUIPMENT};

/// Seed of the generator: change it and every figure in the docs changes.
const SEED: u64 = 0x5245_5045_5245; // "REPERE"
/// Number of practices generated.
pub const PRACTICES: usize = 360;
/// Number of links attempted (duplicates are skipped).
const LINKS: usize = 180;

/// The whole demo dataset, before it is written.
pub struct Dataset {
    pub establishments: Vec<Establishment>,
    pub practices: Vec<Practice>,
    pub sites: Vec<Site>,
    /// Links by index into `practices` (ids are given by the store).
    pub links: Vec<LinkSpec>,
    /// Schematic commune outlines and an invented fibre coverage (the choropleth of « Débit »).
    pub outlines: Vec<repere_core::fibre::CommuneOutline>,
    pub fibre: Vec<repere_core::fibre::CommuneFibre>,
}

fn levels_for(kind: EstablishmentKind) -> &'static [&'static str] {
    match kind {
        EstablishmentKind::Ecole => vocabulary::ECOLE_LEVELS,
        EstablishmentKind::College | EstablishmentKind::Other => vocabulary::COLLEGE_LEVELS,
        EstablishmentKind::Lycee => vocabulary::LYCEE_LEVELS,
        EstablishmentKind::Lp => vocabulary::LP_LEVELS,
    }
}

fn school_year(rng: &mut ChaCha8Rng) -> SchoolYear {
    let start = match rng.random_range(0..100) {
        0..=14 => 2022,
        15..=34 => 2023,
        35..=59 => 2024,
        60..=89 => 2025,
        _ => 2026,
    };
    SchoolYear::starting(start).expect("in range")
}

/// A creation instant inside the school year, never after the dataset's reference date.
fn created_in(rng: &mut ChaCha8Rng, year: SchoolYear) -> DateTime<Utc> {
    let first = year.first_day();
    // Three weeks before the demo's today, so that publication (up to 20 days later) is not in the future.
    let last = year.last_day().min(day(2026, 10, 30));
    let span = (last - first).num_days().max(1);
    let d = first + Duration::days(rng.random_range(0..span));
    Utc.from_utc_datetime(
        &d.and_hms_opt(rng.random_range(7..19), rng.random_range(0..60), 0)
            .expect("time"),
    )
}

fn practice(rng: &mut ChaCha8Rng, e: &Establishment, activity: &Activity) -> Practice {
    let levels = levels_for(e.kind);
    let n_levels = rng.random_range(1..=2);
    let mut lv: Vec<String> = levels.choose_multiple(rng, n_levels).map(|s| s.to_string()).collect();
    lv.sort_by_key(|l| levels.iter().position(|x| x == l));
    let n_tools = rng.random_range(1..=activity.tools.len());
    let mut tools: Vec<String> = activity
        .tools
        .choose_multiple(rng, n_tools)
        .map(|s| s.to_string())
        .collect();
    tools.sort();
    let year = school_year(rng);
    let created_at = created_in(rng, year);
    let status = match rng.random_range(0..100) {
        0..=81 => PracticeStatus::Published,
        82..=88 => PracticeStatus::Submitted,
        89..=92 => PracticeStatus::Draft,
        93..=95 => PracticeStatus::Rejected,
        _ => PracticeStatus::Archived,
    };
    let published_at = matches!(status, PracticeStatus::Published | PracticeStatus::Archived)
        .then(|| created_at + Duration::days(rng.random_range(2..21)));
    let updated_at = published_at.unwrap_or(created_at);
    let position = e.position.filter(|_| rng.random_bool(0.03)).map(|p| {
        LonLat::new(
            p.lon + rng.random_range(-0.01..0.01),
            p.lat + rng.random_range(-0.01..0.01),
        )
        .expect("near")
    });
    let title = if rng.random_bool(0.4) {
        format!("{} en {}", activity.title, lv[0])
    } else {
        activity.title.to_string()
    };
    Practice {
        id: 0,
        summary: format!("À {}, les élèves {}.", e.commune_name, activity.what).into(),
        description: format!(
            "Projet mené en {} ({}) par une équipe {} ({}), avec {}. Les productions sont partagées sur l'ENT et présentées aux familles en fin d'année.",
            activity.discipline,
            lv.join(", "),
            of_name(&e.name),
            e.commune_name,
            tools.join(" et "),
        )
        .into(),
        title: title.into(),
        disciplines: Facets::of(&[activity.discipline]),
        levels: Facets::of(&lv),
        tools: Facets::of(&tools),
        themes: Facets::of(activity.themes),
        school_year: year,
        uai: e.uai,
        position,
        innovatheque_url: None,
        status,
        created_at,
        updated_at,
        published_at,
        author_id: None,
        rejection_reason: None,
    }
}

/// "du Collège X", "de l'École Y": the French contraction before an establishment's name.
fn of_name(name: &str) -> String {
    let lower = repere_core::text::fold(name);
    if lower.starts_with(['a', 'e', 'i', 'o', 'u', 'y', 'h']) {
        format!("de l'{name}")
    } else {
        format!("du {name}")
    }
}

/// The instant the demo dataset describes ("now" for the demo): nothing happens after it.
fn reference_instant() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .expect("valid instant")
}

/// Generates the dataset (pure: no I/O).
pub fn generate() -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut establishments = establishments(&mut rng);
    // A generator of its own, so that adding profiles did not change the rest of the dataset.
    let mut profile_rng = ChaCha8Rng::seed_from_u64(SEED ^ 0x4F50_494E_4545); // "OPINEE"
    for e in &mut establishments {
        e.profiles = profiles(&mut profile_rng, e);
    }
    let located: Vec<&Establishment> = establishments.iter().filter(|e| e.position.is_some()).collect();
    // Secondary establishments report more often than écoles.
    let weighted: Vec<(&Establishment, u32)> = located
        .iter()
        .map(|e| (*e, if e.kind == EstablishmentKind::Ecole { 1 } else { 4 }))
        .collect();
    let fab = ["0060842H", "0830148K"].map(|u| Uai::parse(u).expect("valid"));
    let mut practices = Vec::with_capacity(PRACTICES);
    while practices.len() < PRACTICES {
        // The two Fab' École report a share of the practices.
        let e = if rng.random_bool(0.06) {
            let which = fab[rng.random_range(0..2)];
            located.iter().find(|e| e.uai == which).copied().expect("fab")
        } else {
            weighted.choose_weighted(&mut rng, |(_, w)| *w).expect("weights").0
        };
        let degree = if e.kind == EstablishmentKind::Ecole {
            Degree::First
        } else {
            Degree::Second
        };
        let fitting: Vec<&Activity> = ACTIVITIES
            .iter()
            .filter(|a| a.degree == degree || a.degree == Degree::Any)
            .collect();
        let activity = fitting.choose(&mut rng).expect("activities");
        practices.push(practice(&mut rng, e, activity));
    }
    let sites = sites(&establishments);
    let links = links(&mut rng, &practices, &establishments, &fab);
    let (outlines, fibre) = communes::communes();
    Dataset {
        establishments,
        practices,
        sites,
        links,
        outlines,
        fibre,
    }
}

fn sites(establishments: &[Establishment]) -> Vec<Site> {
    let find = |u: &str| {
        establishments
            .iter()
            .find(|e| e.uai.as_str() == u)
            .expect("fab college")
    };
    let mut out = Vec::new();
    for (uai_text, name, opened) in [
        ("0060842H", "Fab' École du collège Pierre Bertone", day(2022, 9, 1)),
        ("0830148K", "Fab' École du collège Maurice Genevoix", day(2023, 1, 9)),
    ] {
        let e = find(uai_text);
        out.push(Site {
            id: 0,
            name: name.into(),
            kind: SiteKind::FabEcole,
            uai: Some(e.uai),
            position: e.position.expect("fab colleges have a position"),
            opened_on: Some(opened),
            status: SiteStatus::Open,
            equipment: FAB_EQUIPMENT.iter().map(|s| s.to_string()).collect(),
            partners: vec![
                "DANE de Nice".into(),
                "Collectivité de rattachement".into(),
                "Réseau Canopé".into(),
            ],
            description: format!(
                "Tiers-lieu éducatif ouvert aux écoles et établissements du bassin, installé au {}.",
                e.name
            ),
        });
    }
    let others = [
        (
            "06069",
            "Tiers-lieu éducatif du pays grassois",
            SiteKind::TiersLieu,
            SiteStatus::Open,
            Some(day(2024, 3, 18)),
        ),
        (
            "83050",
            "Fablab pédagogique de Draguignan",
            SiteKind::Fablab,
            SiteStatus::Open,
            Some(day(2021, 10, 4)),
        ),
        (
            "06083",
            "Fab' École de la Riviera (projet)",
            SiteKind::FabEcole,
            SiteStatus::Planned,
            None,
        ),
        (
            "83069",
            "Tiers-lieu numérique des îles d'Or",
            SiteKind::TiersLieu,
            SiteStatus::Open,
            Some(day(2025, 1, 13)),
        ),
    ];
    for (code, name, kind, status, opened) in others {
        let host = establishments
            .iter()
            .find(|e| e.commune_code == code && e.kind == EstablishmentKind::College && e.position.is_some());
        let place = by_code(code).expect("commune in the list");
        out.push(Site {
            id: 0,
            name: name.into(),
            kind,
            uai: host.map(|e| e.uai),
            position: host.and_then(|e| e.position).unwrap_or(LonLat {
                lon: place.lon,
                lat: place.lat,
            }),
            opened_on: opened,
            status,
            equipment: FAB_EQUIPMENT[..3].iter().map(|s| s.to_string()).collect(),
            partners: vec![format!("Commune de {}", place.name)],
            description: format!("Lieu partagé à {} pour les projets numériques des classes.", place.name),
        });
    }
    out
}

/// A link between practices `from` and `to` (indexes into the practice list), its kind, note and date.
pub type LinkSpec = (usize, usize, LinkKind, Option<String>, DateTime<Utc>);

fn links(
    rng: &mut ChaCha8Rng,
    practices: &[Practice],
    establishments: &[Establishment],
    fab: &[Uai; 2],
) -> Vec<LinkSpec> {
    let position = |p: &Practice| {
        p.position
            .or_else(|| establishments.iter().find(|e| e.uai == p.uai).and_then(|e| e.position))
    };
    let published: Vec<usize> = (0..practices.len()).filter(|&i| practices[i].is_public()).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut attempts = 0;
    while out.len() < LINKS && attempts < LINKS * 50 {
        attempts += 1;
        let a = *published.choose(rng).expect("published practices");
        let b = *published.choose(rng).expect("published practices");
        if a == b {
            continue;
        }
        let (pa, pb) = (&practices[a], &practices[b]);
        let (Some(xa), Some(xb)) = (position(pa), position(pb)) else {
            continue;
        };
        let km = xa.distance_m(xb) / 1000.0;
        let shared_tool = pa.tools.iter().find(|t| pb.tools.contains(t));
        let both_fab = fab.contains(&pa.uai) && fab.contains(&pb.uai);
        let (kind, note) = if both_fab && rng.random_bool(0.5) {
            (
                LinkKind::SameSite,
                Some("Projets menés dans une Fab' École".to_string()),
            )
        } else if let Some(tool) = shared_tool.filter(|_| km < 60.0) {
            (LinkKind::SameTool, Some(format!("Même outil : {tool}")))
        } else if pa.disciplines == pb.disciplines && km < 40.0 {
            let kind = *[LinkKind::InspiredBy, LinkKind::Collaboration]
                .choose(rng)
                .expect("kinds");
            (kind, None)
        } else if km < 15.0 && rng.random_bool(0.3) {
            let kind = *[LinkKind::Visit, LinkKind::Training].choose(rng).expect("kinds");
            (kind, Some("Rencontre lors d'une formation de bassin".to_string()))
        } else {
            continue;
        };
        let key = (a.min(b), a.max(b), kind);
        if !seen.insert(key) {
            continue;
        }
        let after = pa
            .published_at
            .unwrap_or(pa.created_at)
            .max(pb.published_at.unwrap_or(pb.created_at));
        out.push((
            a,
            b,
            kind,
            note,
            (after + Duration::days(rng.random_range(1..60))).min(reference_instant()),
        ));
    }
    out
}

/// Whether the database holds no establishment and no practice (a first start).
pub async fn is_empty(store: &Store) -> anyhow::Result<bool> {
    Ok(repere_store::establishments::count(store).await? == 0 && repere_store::practices::count(store).await? == 0)
}

/// Writes the demo dataset in one transaction, unless it is already there. Refuses a database that
/// already holds other data, so that demo records never mix with real ones.
pub async fn load(store: &Store) -> anyhow::Result<String> {
    if repere_store::meta::get(store, repere_store::meta::DEMO_KEY)
        .await?
        .is_some()
    {
        return Ok("Le jeu de démonstration est déjà chargé : rien à faire.".into());
    }
    if repere_store::establishments::count(store).await? > 0 || repere_store::practices::count(store).await? > 0 {
        bail!("la base contient déjà des données : le jeu de démonstration ne se charge que dans une base vide");
    }
    let data = generate();
    let mut unit = store.begin().await?;
    let now = Utc
        .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .expect("valid instant");
    for e in &data.establishments {
        repere_store::establishments::upsert(unit.conn(), e, now).await?;
        for b in &e.bandwidth {
            repere_store::establishments::add_bandwidth(unit.conn(), e.uai, b, now).await?;
        }
        for p in &e.profiles {
            repere_store::opinee::put(unit.conn(), e.uai, p, now).await?;
        }
    }
    let mut ids = Vec::with_capacity(data.practices.len());
    for p in &data.practices {
        ids.push(repere_store::practices::insert(unit.conn(), p).await?);
    }
    for s in &data.sites {
        repere_store::sites::insert(unit.conn(), s, now).await?;
    }
    for (a, b, kind, note, at) in &data.links {
        let link = Link {
            id: 0,
            from_practice: ids[*a],
            to_practice: ids[*b],
            kind: *kind,
            note: note.clone(),
            created_at: *at,
            updated_at: *at,
            author_id: None,
        };
        repere_store::links::insert(unit.conn(), &link).await?;
    }
    for o in &data.outlines {
        repere_store::fibre::put_outline(unit.conn(), o).await?;
    }
    for f in &data.fibre {
        repere_store::fibre::put_coverage(unit.conn(), f).await?;
    }
    repere_store::meta::set(unit.conn(), repere_store::meta::DEMO_KEY, "1").await?;
    unit.changed(repere_store::changes::Subject::All, now);
    unit.commit().await?;
    // Into the database file itself, so that copying the `.db` alone copies the demo.
    store.checkpoint().await?;
    let published = data.practices.iter().filter(|p| p.is_public()).count();
    Ok(format!(
        "Jeu de démonstration chargé : {} établissements, {} usages ({} publiés), {} lieux, {} liens.",
        data.establishments.len(),
        data.practices.len(),
        published,
        data.sites.len(),
        data.links.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use repere_core::establishments::Technology;

    #[test]
    fn the_dataset_is_deterministic_and_valid() {
        let a = generate();
        let b = generate();
        assert_eq!(a.practices, b.practices);
        assert_eq!(a.establishments, b.establishments);
        assert!(a.practices.len() >= 300);
        for p in &a.practices {
            p.validate().unwrap();
        }
        for e in &a.establishments {
            e.validate().unwrap();
        }
        let uais: HashSet<Uai> = a.establishments.iter().map(|e| e.uai).collect();
        assert_eq!(uais.len(), a.establishments.len(), "UAIs are unique");
        for kind in EstablishmentKind::ALL
            .iter()
            .filter(|k| **k != EstablishmentKind::Other)
        {
            assert!(a.establishments.iter().any(|e| e.kind == *kind), "{kind:?}");
        }
        let years: HashSet<SchoolYear> = a.practices.iter().map(|p| p.school_year).collect();
        assert!(years.len() >= 4);
        assert!(
            a.establishments
                .iter()
                .any(|e| { e.current_bandwidth().is_some_and(|b| b.technology == Technology::Adsl) })
        );
        assert!(
            a.establishments
                .iter()
                .any(|e| { e.current_bandwidth().is_some_and(|b| b.technology == Technology::Ftth) })
        );
        assert!(a.links.len() >= 100, "{}", a.links.len());
        assert!(
            a.links.iter().all(|l| l.4 <= reference_instant()),
            "no link dated after the demo's today"
        );
        assert!(
            a.practices
                .iter()
                .all(|p| p.published_at.is_none_or(|t| t <= reference_instant()))
        );
        assert!(
            a.sites
                .iter()
                .filter(|s| s.kind == SiteKind::FabEcole && s.status == SiteStatus::Open)
                .count()
                == 2
        );
    }
}
