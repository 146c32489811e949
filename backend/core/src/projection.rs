//! Lambert-93 (EPSG:2154) to WGS84, for official files that give only `coordonnee_x/y`.
//!
//! Inverse Lambert conformal conic (two standard parallels) on the GRS80 ellipsoid; RGF93 and WGS84 differ
//! by less than a metre, which is far below what a map of establishments needs.

use crate::LonLat;

const A: f64 = 6_378_137.0;
const E: f64 = 0.081_819_191_042_815_8;
const LAT1: f64 = 44.0;
const LAT2: f64 = 49.0;
const LAT0: f64 = 46.5;
const LON0: f64 = 3.0;
const X0: f64 = 700_000.0;
const Y0: f64 = 6_600_000.0;

fn m(phi: f64) -> f64 {
    phi.cos() / (1.0 - E * E * phi.sin().powi(2)).sqrt()
}

fn t(phi: f64) -> f64 {
    let es = E * phi.sin();
    (std::f64::consts::FRAC_PI_4 - phi / 2.0).tan() / ((1.0 - es) / (1.0 + es)).powf(E / 2.0)
}

/// Converts Lambert-93 metres to WGS84 degrees; `None` when the result is not a valid position.
pub fn lambert93_to_wgs84(x: f64, y: f64) -> Option<LonLat> {
    if !x.is_finite() || !y.is_finite() {
        return None;
    }
    let (p1, p2, p0) = (LAT1.to_radians(), LAT2.to_radians(), LAT0.to_radians());
    let n = (m(p1).ln() - m(p2).ln()) / (t(p1).ln() - t(p2).ln());
    let f = m(p1) / (n * t(p1).powf(n));
    let rho0 = A * f * t(p0).powf(n);
    let dx = x - X0;
    let dy = rho0 - (y - Y0);
    let rho = (dx * dx + dy * dy).sqrt();
    let tt = (rho / (A * f)).powf(1.0 / n);
    let lon = dx.atan2(dy) / n + LON0.to_radians();
    let mut phi = std::f64::consts::FRAC_PI_2 - 2.0 * tt.atan();
    for _ in 0..15 {
        let es = E * phi.sin();
        let next = std::f64::consts::FRAC_PI_2 - 2.0 * (tt * ((1.0 - es) / (1.0 + es)).powf(E / 2.0)).atan();
        let done = (next - phi).abs() < 1e-12;
        phi = next;
        if done {
            break;
        }
    }
    LonLat::new(lon.to_degrees(), phi.to_degrees()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_coordinates_published_beside_lambert93() {
        // Rows of the official "adresse et géolocalisation" export give both; they agree to ~1e-6°.
        let cases = [
            (824_876.1, 6_433_018.3, 4.584_419_934_777_967, 44.985_111_684_769_98),
            (810_801.8, 6_391_861.4, 4.396_650_601_791_380_5, 44.617_026_299_369_925),
            (650_267.1, 6_850_327.2, 2.323_558_355_361_364_6, 48.751_139_722_385_02),
        ];
        for (x, y, lon, lat) in cases {
            let p = lambert93_to_wgs84(x, y).unwrap();
            assert!(
                (p.lon - lon).abs() < 2e-5 && (p.lat - lat).abs() < 2e-5,
                "{p:?} vs {lon},{lat}"
            );
        }
    }
}
