//! The demo's communes as the fibre layer sees them: a schematic outline for each commune of the demo
//! (a hexagon around its centre, sized so that neighbours do not overlap — the demo ships no real
//! boundaries) and an invented fibre coverage, high on the coast and patchy in the back country.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use repere_core::fibre::{CommuneFibre, CommuneOutline};

use super::places::PLACES;

/// The quarter the demo's coverage is dated.
const QUARTER: &str = "2026T2";
/// Largest hexagon radius, degrees of longitude.
const MAX_RADIUS: f64 = 0.08;

/// Distance between two centres in degrees of longitude, latitude scaled to the académie's.
fn apart(a: (f64, f64), b: (f64, f64)) -> f64 {
    let dx = a.0 - b.0;
    let dy = (a.1 - b.1) / 43.5_f64.to_radians().cos();
    (dx * dx + dy * dy).sqrt()
}

/// A hexagon of `radius` around `(lon, lat)`, as a GeoJSON MultiPolygon text.
fn hexagon(lon: f64, lat: f64, radius: f64) -> String {
    let cos = 43.5_f64.to_radians().cos();
    let mut ring: Vec<String> = (0..=6)
        .map(|i| {
            let a = f64::from(i % 6) * std::f64::consts::PI / 3.0;
            format!("[{:.5},{:.5}]", lon + radius * a.cos(), lat + radius * a.sin() * cos)
        })
        .collect();
    ring.dedup();
    format!(r#"{{"type":"MultiPolygon","coordinates":[[[{}]]]}}"#, ring.join(","))
}

/// The outlines and the coverage of the demo's communes (pure: no I/O).
pub fn communes() -> (Vec<CommuneOutline>, Vec<CommuneFibre>) {
    let mut rng = ChaCha8Rng::seed_from_u64(0x0046_4942_5245); // "FIBRE"
    let mut outlines = Vec::with_capacity(PLACES.len());
    let mut coverage = Vec::with_capacity(PLACES.len());
    for p in PLACES {
        let nearest = PLACES
            .iter()
            .filter(|q| q.code != p.code)
            .map(|q| apart((p.lon, p.lat), (q.lon, q.lat)))
            .fold(f64::INFINITY, f64::min);
        outlines.push(CommuneOutline {
            code: p.code.to_string(),
            name: p.name.to_string(),
            departement: p.departement.to_string(),
            geometry: hexagon(p.lon, p.lat, (nearest * 0.45).min(MAX_RADIUS)),
        });
        let premises = u64::from(p.weight) * 6_000 + rng.random_range(200..2_000);
        let rate = if !p.back_country {
            rng.random_range(0.55..1.0)
        } else if rng.random_bool(0.4) {
            0.0
        } else {
            rng.random_range(0.05..0.5)
        };
        let connectable = (premises as f64 * rate).round() as u64;
        coverage
            .push(CommuneFibre::new(p.code, p.name, premises, connectable, QUARTER).expect("a demo commune is valid"));
    }
    (outlines, coverage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_commune_has_an_outline_and_a_coverage_some_without_fibre() {
        let (outlines, coverage) = communes();
        assert_eq!(outlines.len(), PLACES.len());
        assert_eq!(coverage.len(), PLACES.len());
        assert!(
            coverage.iter().any(|c| !c.has_fibre()),
            "a back-country commune without fibre"
        );
        assert!(coverage.iter().filter(|c| c.has_fibre()).count() > PLACES.len() / 2);
        for o in &outlines {
            let g: geojson::Geometry = o.geometry.parse::<geojson::GeoJson>().unwrap().try_into().unwrap();
            let geojson::Value::MultiPolygon(polys) = g.value else {
                panic!("{}", o.code)
            };
            let ring = &polys[0][0];
            assert_eq!(ring.len(), 7, "{}", o.code);
            assert_eq!(ring.first(), ring.last(), "{} closed", o.code);
        }
    }
}
