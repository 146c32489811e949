//! Positions and boxes in WGS84 degrees, and great-circle distances in metres.

use geo::{Distance, Haversine, Point};
use serde::{Deserialize, Serialize};

use crate::Invalid;

/// Mean Earth radius used by `geo`'s Haversine, in metres (IUGG R1).
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A validated WGS84 position: finite, longitude in −180..=180, latitude in −90..=90 (degrees).
#[derive(Clone, Copy, PartialEq, Debug, Serialize, Deserialize)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

impl LonLat {
    /// Validates a longitude/latitude pair in degrees. `field` names the input in the error.
    pub fn new(lon: f64, lat: f64) -> Result<Self, Invalid> {
        Self::checked("position", lon, lat)
    }

    /// As [`LonLat::new`], naming `field` in the error.
    pub fn checked(field: &'static str, lon: f64, lat: f64) -> Result<Self, Invalid> {
        if !lon.is_finite() || !lat.is_finite() {
            return Err(Invalid::new(field, "les coordonnées doivent être des nombres finis"));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(Invalid::new(field, format!("longitude {lon} hors de [-180, 180]")));
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(Invalid::new(field, format!("latitude {lat} hors de [-90, 90]")));
        }
        Ok(Self { lon, lat })
    }

    /// Great-circle distance to `other`, in metres (Haversine on the mean-radius sphere).
    pub fn distance_m(self, other: LonLat) -> f64 {
        Haversine.distance(Point::new(self.lon, self.lat), Point::new(other.lon, other.lat))
    }

    /// The smallest lon/lat box that contains every point within `radius_m` metres of `self`.
    /// Latitude is clamped at the poles; near a pole, or for a circle wider than a hemisphere, the box
    /// spans all longitudes. The box never crosses the antimeridian: a circle that would is widened
    /// to all longitudes, which keeps the box conservative.
    pub fn bbox_around(self, radius_m: f64) -> Bbox {
        let angle = (radius_m / EARTH_RADIUS_M).max(0.0);
        // A hair of slack so that rounding never drops a point that lies exactly on the circle.
        let dlat = angle.to_degrees() * (1.0 + 1e-9) + 1e-9;
        let min_lat = (self.lat - dlat).max(-90.0);
        let max_lat = (self.lat + dlat).min(90.0);
        let full = Bbox {
            min_lon: -180.0,
            min_lat,
            max_lon: 180.0,
            max_lat,
        };
        if angle >= std::f64::consts::FRAC_PI_2 || max_lat >= 90.0 || min_lat <= -90.0 {
            return full;
        }
        let s = angle.sin() / self.lat.to_radians().cos();
        if s >= 1.0 {
            return full;
        }
        let dlon = s.asin().to_degrees() * (1.0 + 1e-9) + 1e-9;
        let (min_lon, max_lon) = (self.lon - dlon, self.lon + dlon);
        if min_lon < -180.0 || max_lon > 180.0 {
            return full;
        }
        Bbox {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        }
    }
}

/// A lon/lat box in degrees (`min_lon, min_lat, max_lon, max_lat`, the OGC `bbox` order).
#[derive(Clone, Copy, PartialEq, Debug, Serialize, Deserialize)]
pub struct Bbox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl Bbox {
    /// Parses the OGC `bbox` parameter: four comma-separated finite numbers in range with min ≤ max.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let parts: Vec<&str> = input.split(',').map(str::trim).collect();
        if parts.len() != 4 {
            return Err(Invalid::new(
                "bbox",
                "bbox attend 4 nombres séparés par des virgules : lon_min,lat_min,lon_max,lat_max",
            ));
        }
        let mut v = [0.0f64; 4];
        for (slot, part) in v.iter_mut().zip(&parts) {
            *slot = part
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| Invalid::new("bbox", format!("« {part} » n'est pas un nombre fini")))?;
        }
        let min = LonLat::checked("bbox", v[0], v[1])?;
        let max = LonLat::checked("bbox", v[2], v[3])?;
        if min.lon > max.lon || min.lat > max.lat {
            return Err(Invalid::new(
                "bbox",
                "le minimum doit être inférieur ou égal au maximum",
            ));
        }
        Ok(Self {
            min_lon: min.lon,
            min_lat: min.lat,
            max_lon: max.lon,
            max_lat: max.lat,
        })
    }

    /// Whether `p` lies inside the box or on its edge.
    /// The box both boxes cover, or `None` when they do not meet.
    pub fn intersection(&self, other: &Bbox) -> Option<Bbox> {
        let b = Bbox {
            min_lon: self.min_lon.max(other.min_lon),
            min_lat: self.min_lat.max(other.min_lat),
            max_lon: self.max_lon.min(other.max_lon),
            max_lat: self.max_lat.min(other.max_lat),
        };
        (b.min_lon <= b.max_lon && b.min_lat <= b.max_lat).then_some(b)
    }

    pub fn contains(&self, p: LonLat) -> bool {
        p.lon >= self.min_lon && p.lon <= self.max_lon && p.lat >= self.min_lat && p.lat <= self.max_lat
    }

    /// Grows the box to contain `p`.
    pub fn extend(&mut self, p: LonLat) {
        self.min_lon = self.min_lon.min(p.lon);
        self.min_lat = self.min_lat.min(p.lat);
        self.max_lon = self.max_lon.max(p.lon);
        self.max_lat = self.max_lat.max(p.lat);
    }

    /// A degenerate box on one point.
    pub fn point(p: LonLat) -> Self {
        Self {
            min_lon: p.lon,
            min_lat: p.lat,
            max_lon: p.lon,
            max_lat: p.lat,
        }
    }

    /// `[min_lon, min_lat, max_lon, max_lat]`, as GeoJSON and OGC write it.
    pub fn to_array(self) -> [f64; 4] {
        [self.min_lon, self.min_lat, self.max_lon, self.max_lat]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_finite_and_out_of_range() {
        assert!(LonLat::new(f64::NAN, 43.0).is_err());
        assert!(LonLat::new(7.0, f64::INFINITY).is_err());
        assert!(LonLat::new(180.5, 43.0).is_err());
        assert!(LonLat::new(7.0, -90.1).is_err());
        assert!(LonLat::new(-180.0, 90.0).is_ok());
        assert_eq!(LonLat::checked("lon", f64::NAN, 0.0).unwrap_err().field, "lon");
    }

    #[test]
    fn haversine_matches_known_distances() {
        // Nice (place Masséna) to Toulon (place de la Liberté): about 124.6 km as the crow flies.
        let nice = LonLat::new(7.2700, 43.6975).unwrap();
        let toulon = LonLat::new(5.9305, 43.1257).unwrap();
        let d = nice.distance_m(toulon);
        assert!((d - 124_600.0).abs() < 1_000.0, "{d}");
        // One degree of latitude on the mean sphere.
        let a = LonLat::new(7.0, 43.0).unwrap();
        let b = LonLat::new(7.0, 44.0).unwrap();
        assert!((a.distance_m(b) - EARTH_RADIUS_M.to_radians()).abs() < 1e-6);
    }

    #[test]
    fn bbox_parse_errors_name_the_parameter() {
        for bad in [
            "1,2,3",
            "a,2,3,4",
            "1,2,3,NaN",
            "1,2,3,inf",
            "7,44,6,45",
            "7,44,8,43",
            "-181,0,0,1",
            "0,0,1,91",
            "",
        ] {
            let err = Bbox::parse(bad).unwrap_err();
            assert_eq!(err.field, "bbox", "{bad}");
        }
        let b = Bbox::parse("6.9, 43.5,7.3,43.8").unwrap();
        assert_eq!(b.to_array(), [6.9, 43.5, 7.3, 43.8]);
    }

    #[test]
    fn bbox_around_contains_the_circle() {
        let c = LonLat::new(7.25, 43.7).unwrap();
        let r = 25_000.0;
        let b = c.bbox_around(r);
        // Points on the circle in many directions are inside the box.
        for i in 0..360 {
            let bearing = (i as f64).to_radians();
            let p = destination(c, bearing, r * 0.999_999);
            assert!(b.contains(p), "{p:?} outside {b:?}");
        }
        // And the box is not absurdly large: its half-height is the circle's radius in degrees.
        assert!((b.max_lat - c.lat - r / EARTH_RADIUS_M * 180.0 / std::f64::consts::PI).abs() < 1e-6);
    }

    #[test]
    fn bbox_around_near_the_pole_spans_every_longitude() {
        let b = LonLat::new(10.0, 89.9).unwrap().bbox_around(50_000.0);
        assert_eq!((b.min_lon, b.max_lon, b.max_lat), (-180.0, 180.0, 90.0));
    }

    /// Destination point on the sphere (test helper, independent of the code under test).
    fn destination(p: LonLat, bearing: f64, d: f64) -> LonLat {
        let (lat1, lon1) = (p.lat.to_radians(), p.lon.to_radians());
        let a = d / EARTH_RADIUS_M;
        let lat2 = (lat1.sin() * a.cos() + lat1.cos() * a.sin() * bearing.cos()).asin();
        let lon2 = lon1 + (bearing.sin() * a.sin() * lat1.cos()).atan2(a.cos() - lat1.sin() * lat2.sin());
        LonLat {
            lon: lon2.to_degrees(),
            lat: lat2.to_degrees(),
        }
    }
}
