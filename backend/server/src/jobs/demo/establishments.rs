//! The demo's establishments: écoles, collèges and lycées spread over the communes of the académie
//! (positions jittered around each commune), the two real Fab' École collèges, bandwidth histories from
//! ADSL to FTTH, and OPINEE levels and labels.

use chrono::NaiveDate;
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use repere_core::establishments::{Bandwidth, BandwidthSource, Establishment, EstablishmentKind, Sector, Technology};
use repere_core::opinee::{Levels, Profile};
use repere_core::{LonLat, SchoolYear, Uai};

use super::places::{PLACES, Place, by_code};
use super::vocabulary::PATRONS;

fn uai(departement: &str, n: u32) -> Uai {
    let digits = format!("0{departement}{n:04}");
    let value: u32 = digits.parse().expect("digits");
    let letter = b"ABCDEFGHJKLMNPRSTUVWXYZ"[(value % 23) as usize] as char;
    Uai::parse(&format!("{digits}{letter}")).expect("a generated UAI is valid")
}

fn jitter(rng: &mut ChaCha8Rng, place: &Place, spread: f64) -> LonLat {
    let lon = place.lon + rng.random_range(-spread..spread);
    let lat = place.lat + rng.random_range(-spread..spread) * 0.75;
    LonLat::new(lon, lat).expect("close to a commune centre")
}

pub(super) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn bandwidth(rng: &mut ChaCha8Rng, back_country: bool) -> Vec<Bandwidth> {
    if rng.random_bool(0.08) {
        return Vec::new(); // never measured: counted as such, not hidden
    }
    let n = rng.random_range(1..=3);
    let mut out = Vec::new();
    let fibre_odds = if back_country { 0.3 } else { 0.7 };
    for i in 0..n {
        let (tech, down, up) = if rng.random_bool(fibre_odds) {
            (
                Technology::Ftth,
                rng.random_range(100.0..1000.0_f64),
                rng.random_range(50.0..500.0_f64),
            )
        } else {
            match rng.random_range(0..10) {
                0..=3 => (Technology::Adsl, rng.random_range(1.0..8.0), rng.random_range(0.3..1.0)),
                4..=6 => (
                    Technology::Vdsl,
                    rng.random_range(15.0..60.0),
                    rng.random_range(2.0..10.0),
                ),
                7 => (
                    Technology::ThdRadio,
                    rng.random_range(30.0..100.0),
                    rng.random_range(5.0..20.0),
                ),
                8 => (
                    Technology::Satellite,
                    rng.random_range(20.0..100.0),
                    rng.random_range(3.0..10.0),
                ),
                _ => (
                    Technology::Cable,
                    rng.random_range(30.0..400.0),
                    rng.random_range(5.0..40.0),
                ),
            }
        };
        let source = if rng.random_bool(0.5) {
            BandwidthSource::Measured
        } else {
            BandwidthSource::Potential
        };
        let date = day(2023 + i, rng.random_range(1..=12), rng.random_range(1..=28));
        let round = |x: f64| (x * 10.0).round() / 10.0;
        out.push(Bandwidth::new(round(down), round(up), tech, source, date).expect("generated rates are valid"));
    }
    out.sort_by_key(|b| b.date);
    out
}

pub(super) fn establishments(rng: &mut ChaCha8Rng) -> Vec<Establishment> {
    let mut out = Vec::new();
    let mut counters = [1001u32, 1001u32];
    let mut next = |dept: &str| {
        let c = &mut counters[usize::from(dept == "83")];
        *c += 1;
        *c
    };
    for place in PLACES {
        let w = place.weight;
        let plan = [
            (EstablishmentKind::Ecole, 2 * w + 1),
            (EstablishmentKind::College, w.div_ceil(2)),
            (EstablishmentKind::Lycee, w / 3),
            (EstablishmentKind::Lp, w / 4),
        ];
        for (kind, count) in plan {
            for _ in 0..count {
                let patron = PATRONS.choose(rng).expect("patrons");
                let name = match kind {
                    EstablishmentKind::Ecole => {
                        let level = ["École élémentaire", "École maternelle", "École primaire"]
                            .choose(rng)
                            .expect("levels");
                        format!("{level} {patron}")
                    }
                    EstablishmentKind::College => format!("Collège {patron}"),
                    EstablishmentKind::Lycee => format!("Lycée {patron}"),
                    EstablishmentKind::Lp => format!("Lycée professionnel {patron}"),
                    EstablishmentKind::Other => format!("Établissement {patron}"),
                };
                // A few écoles have no position in the official files: keep that case alive.
                let position = if kind == EstablishmentKind::Ecole && rng.random_bool(0.03) {
                    None
                } else {
                    Some(jitter(rng, place, 0.02))
                };
                out.push(Establishment {
                    uai: uai(place.departement, next(place.departement)),
                    name,
                    kind,
                    sector: if rng.random_bool(0.85) {
                        Sector::Public
                    } else {
                        Sector::Private
                    },
                    commune_code: place.code.into(),
                    commune_name: place.name.into(),
                    departement: place.departement.into(),
                    position,
                    placed_at_commune: false,
                    profiles: Vec::new(),
                    bandwidth: bandwidth(rng, place.back_country),
                });
            }
        }
    }
    // The two real Fab' École collèges (names and UAI are public; positions are approximate).
    for (code, name, uai_text, lon, lat) in [
        ("06004", "Collège Pierre Bertone", "0060842H", 7.1045, 43.5905),
        ("83137", "Collège Maurice Genevoix", "0830148K", 5.9560, 43.1320),
    ] {
        let place = by_code(code).expect("commune in the list");
        out.push(Establishment {
            uai: Uai::parse(uai_text).expect("valid"),
            name: name.into(),
            kind: EstablishmentKind::College,
            sector: Sector::Public,
            commune_code: code.into(),
            commune_name: place.name.into(),
            departement: place.departement.into(),
            position: Some(LonLat::new(lon, lat).expect("valid")),
            placed_at_commune: false,
            profiles: Vec::new(),
            bandwidth: bandwidth(rng, false),
        });
    }
    out
}

/// OPINEE levels for most establishments (the last two school years before the reference date, the
/// network level following the bandwidth) and a label for about a quarter of them.
pub(super) fn profiles(rng: &mut ChaCha8Rng, e: &Establishment) -> Vec<Profile> {
    let fast = e.current_bandwidth().is_some_and(|b| b.down_mbps >= 30.0);
    let mut out = Vec::new();
    if !rng.random_bool(0.7) {
        return out;
    }
    let base: i64 = rng.random_range(2..=7);
    for (start, drift) in [(2024u16, -1i64), (2025, 0)] {
        if start == 2024 && !rng.random_bool(0.6) {
            continue;
        }
        let mut levels = [0i64; 7];
        for (i, l) in levels.iter_mut().enumerate() {
            let network_bonus = if i == 1 && fast { 2 } else { 0 };
            *l = (base + drift + network_bonus + rng.random_range(-2..=2)).clamp(0, 10);
        }
        let label = (start == 2025 && rng.random_bool(0.35)).then(|| rng.random_range(1..=3u8));
        out.push(Profile {
            school_year: SchoolYear::starting(start).expect("in range"),
            levels: Some(Levels::new(levels).expect("clamped to 0-10")),
            label,
        });
    }
    out
}
