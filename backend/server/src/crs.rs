//! OGC API – Features Part 2: the coordinate reference systems items can be had in (`crs`) and a
//! `bbox` can be given in (`bbox-crs`): CRS84 (longitude, latitude: the storage CRS), EPSG:4326
//! (latitude, longitude, the axis order its definition gives) and EPSG:2154 (Lambert-93, metres), the
//! projection through the `proj4rs` crate.

use proj4rs::proj::Proj;
use repere_core::Bbox;
use serde_json::Value;

use crate::error::ApiError;

/// A supported CRS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Crs {
    #[default]
    Crs84,
    Epsg4326,
    Lambert93,
}

/// URIs of the supported CRS, storage CRS first.
pub const URIS: [&str; 3] = [
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "http://www.opengis.net/def/crs/EPSG/0/4326",
    "http://www.opengis.net/def/crs/EPSG/0/2154",
];

const GEOGRAPHIC: &str = "+proj=longlat +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +no_defs";
const LAMBERT93: &str = "+proj=lcc +lat_1=49 +lat_2=44 +lat_0=46.5 +lon_0=3 +x_0=700000 +y_0=6600000 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs";

fn projections() -> &'static (Proj, Proj) {
    static P: std::sync::OnceLock<(Proj, Proj)> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        (
            Proj::from_proj_string(GEOGRAPHIC).expect("the geographic definition is valid"),
            Proj::from_proj_string(LAMBERT93).expect("the Lambert-93 definition is valid"),
        )
    })
}

/// WGS84 degrees to Lambert-93 metres (`None` outside what the projection can give).
pub fn to_lambert93(lon: f64, lat: f64) -> Option<(f64, f64)> {
    let (geo, l93) = projections();
    let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
    proj4rs::transform::transform(geo, l93, &mut p).ok()?;
    (p.0.is_finite() && p.1.is_finite()).then_some((p.0, p.1))
}

/// Lambert-93 metres to WGS84 degrees.
pub fn from_lambert93(x: f64, y: f64) -> Option<(f64, f64)> {
    let (geo, l93) = projections();
    let mut p = (x, y, 0.0);
    proj4rs::transform::transform(l93, geo, &mut p).ok()?;
    (p.0.is_finite() && p.1.is_finite()).then_some((p.0.to_degrees(), p.1.to_degrees()))
}

impl Crs {
    /// Reads `crs` or `bbox-crs`: a URI of [`URIS`] (or `EPSG:2154`, `EPSG:4326`, `CRS84`).
    pub fn parse(param: &str, v: &str) -> Result<Self, ApiError> {
        let v = v.trim().trim_start_matches('[').trim_end_matches(']');
        match v {
            "http://www.opengis.net/def/crs/OGC/1.3/CRS84" | "CRS84" | "OGC:CRS84" => Ok(Self::Crs84),
            "http://www.opengis.net/def/crs/EPSG/0/4326" | "EPSG:4326" => Ok(Self::Epsg4326),
            "http://www.opengis.net/def/crs/EPSG/0/2154" | "EPSG:2154" => Ok(Self::Lambert93),
            _ => Err(ApiError::param(
                param,
                format!(
                    "système de coordonnées « {v} » non servi ; servis : {}",
                    URIS.join(", ")
                ),
            )),
        }
    }

    /// The `Content-Crs` header value: the URI in angle brackets.
    pub fn content_crs(self) -> &'static str {
        match self {
            Self::Crs84 => "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>",
            Self::Epsg4326 => "<http://www.opengis.net/def/crs/EPSG/0/4326>",
            Self::Lambert93 => "<http://www.opengis.net/def/crs/EPSG/0/2154>",
        }
    }

    pub fn uri(self) -> &'static str {
        match self {
            Self::Crs84 => URIS[0],
            Self::Epsg4326 => URIS[1],
            Self::Lambert93 => URIS[2],
        }
    }

    /// A CRS84 position in this CRS, in its axis order.
    pub fn from_crs84(self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        match self {
            Self::Crs84 => Some((lon, lat)),
            Self::Epsg4326 => Some((lat, lon)),
            Self::Lambert93 => {
                to_lambert93(lon, lat).map(|(x, y)| ((x * 1000.0).round() / 1000.0, (y * 1000.0).round() / 1000.0))
            }
        }
    }

    /// A position of this CRS back to CRS84 (longitude, latitude).
    pub fn to_crs84(self, a: f64, b: f64) -> Option<(f64, f64)> {
        match self {
            Self::Crs84 => Some((a, b)),
            Self::Epsg4326 => Some((b, a)),
            Self::Lambert93 => from_lambert93(a, b),
        }
    }

    /// The CRS84 box covering a `bbox` given in this CRS (its corners and edge midpoints converted).
    pub fn bbox_to_crs84(self, raw: &str) -> Result<Bbox, ApiError> {
        let n: Vec<f64> = raw
            .split(',')
            .map(|s| s.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| ApiError::param("bbox", "quatre nombres séparés par des virgules"))?;
        let [a0, b0, a1, b1] = n[..] else {
            return Err(ApiError::param(
                "bbox",
                "quatre nombres : min, min, max, max dans le système de bbox-crs",
            ));
        };
        let mut points = Vec::new();
        for (a, b) in [
            (a0, b0),
            (a1, b0),
            (a0, b1),
            (a1, b1),
            ((a0 + a1) / 2.0, b0),
            ((a0 + a1) / 2.0, b1),
            (a0, (b0 + b1) / 2.0),
            (a1, (b0 + b1) / 2.0),
        ] {
            let (lon, lat) = self
                .to_crs84(a, b)
                .ok_or_else(|| ApiError::param("bbox", "ce rectangle sort du domaine du système de coordonnées"))?;
            points.push(repere_core::LonLat::new(lon, lat).map_err(|e| ApiError::param("bbox", e.message))?);
        }
        let mut b = Bbox::point(points[0]);
        points[1..].iter().for_each(|p| b.extend(*p));
        Ok(b)
    }

    /// Rewrites every position of a GeoJSON geometry (or feature) into this CRS.
    pub fn reproject(self, v: &mut Value) {
        if self == Self::Crs84 {
            return;
        }
        if let Some(g) = v.get_mut("geometry") {
            self.reproject(g);
            return;
        }
        if let Some(c) = v.get_mut("coordinates") {
            self.positions(c);
        }
    }

    fn positions(self, c: &mut Value) {
        let Some(list) = c.as_array_mut() else { return };
        if let [Value::Number(a), Value::Number(b), ..] = &list[..]
            && let (Some(lon), Some(lat)) = (a.as_f64(), b.as_f64())
        {
            if let Some((x, y)) = self.from_crs84(lon, lat) {
                list[0] = x.into();
                list[1] = y.into();
            }
            return;
        }
        for p in list {
            self.positions(p);
        }
    }
}

/// What an items request asks of Part 2: the output CRS, and the query string to parse as Part 1
/// (with a `bbox` given in `bbox-crs` turned into the CRS84 box that covers it).
pub struct Requested {
    pub crs: Crs,
    pub rest: String,
    /// The parameters as received (for the paging links).
    pub raw: Vec<(String, String)>,
}

/// Takes `crs` and `bbox-crs` out of an items query.
pub fn split(raw: Option<&str>) -> Result<Requested, ApiError> {
    let pairs = crate::request::pairs(raw)?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let crs = get("crs")
        .map(|v| Crs::parse("crs", v))
        .transpose()?
        .unwrap_or_default();
    let bbox_crs = get("bbox-crs").map(|v| Crs::parse("bbox-crs", v)).transpose()?;
    let bbox = get("bbox");
    if bbox_crs.is_some() && bbox.is_none() {
        return Err(ApiError::param(
            "bbox-crs",
            "bbox-crs dit dans quel système lire bbox : donnez aussi bbox",
        ));
    }
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &pairs {
        match k.as_str() {
            "crs" | "bbox-crs" | "filter" | "filter-lang" | "filter-crs" | "sortby" => {}
            "bbox" => match bbox_crs {
                Some(c) if c != Crs::Crs84 => {
                    let b = c.bbox_to_crs84(v)?.to_array();
                    ser.append_pair("bbox", &format!("{},{},{},{}", b[0], b[1], b[2], b[3]));
                }
                _ => {
                    ser.append_pair(k, v);
                }
            },
            _ => {
                ser.append_pair(k, v);
            }
        }
    }
    Ok(Requested {
        crs,
        rest: ser.finish(),
        raw: pairs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert93_round_trips_to_the_millimetre_and_matches_published_coordinates() {
        // A grid over the académie and beyond: forward then inverse, back to the same degrees within a
        // millimetre (1e-8° ≈ 1 mm). PROJ itself is the reference in tests/owslib.rs (gdaltransform).
        for lon in [5.5, 6.0, 6.5, 7.0, 7.5] {
            for lat in [43.0, 43.5, 44.0, 44.5] {
                let (x, y) = to_lambert93(lon, lat).unwrap();
                let (lon2, lat2) = from_lambert93(x, y).unwrap();
                assert!(
                    (lon2 - lon).abs() < 1e-8 && (lat2 - lat).abs() < 1e-8,
                    "{lon},{lat} → {x},{y}"
                );
            }
        }
        // The origin of the projection.
        let (x, y) = to_lambert93(3.0, 46.5).unwrap();
        assert!(
            (x - 700_000.0).abs() < 0.001 && (y - 6_600_000.0).abs() < 0.001,
            "{x} {y}"
        );
        // Rows of the official "adresse et géolocalisation" export give both; they agree to ~1e-6°.
        for (x, y, lon, lat) in [
            (824_876.1, 6_433_018.3, 4.584_419_934_777_967, 44.985_111_684_769_98),
            (810_801.8, 6_391_861.4, 4.396_650_601_791_380_5, 44.617_026_299_369_925),
            (650_267.1, 6_850_327.2, 2.323_558_355_361_364_6, 48.751_139_722_385_02),
        ] {
            let (lon2, lat2) = from_lambert93(x, y).unwrap();
            assert!(
                (lon2 - lon).abs() < 2e-5 && (lat2 - lat).abs() < 2e-5,
                "{lon2},{lat2} vs {lon},{lat}"
            );
        }
    }

    #[test]
    fn crs_names_are_read_and_unknown_ones_refused() {
        assert_eq!(
            Crs::parse("crs", "http://www.opengis.net/def/crs/EPSG/0/2154").unwrap(),
            Crs::Lambert93
        );
        assert_eq!(Crs::parse("crs", "EPSG:4326").unwrap(), Crs::Epsg4326);
        assert!(Crs::parse("crs", "EPSG:3857").is_err());
        let mut g = serde_json::json!({ "geometry": { "type": "Point", "coordinates": [7.0, 43.7] } });
        Crs::Epsg4326.reproject(&mut g);
        assert_eq!(g["geometry"]["coordinates"], serde_json::json!([43.7, 7.0]));
    }
}
