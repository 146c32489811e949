//! The tiles the static-map renderer draws: Repère's own vector-tile points (the same clustered
//! indexes as `/api/tiles`, with the same filters) turned into small polygons, since maplibre-rs 0.0.3
//! does not draw points, over the offline basemap (sea, then the land of France and its neighbours).

use repere_core::LonLat;
use repere_core::tiles::{EXTENT, TileFeature, TileId, mercator};

/// A polygon's rings in Web Mercator unit coordinates (outer ring first), with the outer ring's box
/// `[min x, min y, max x, max y]`.
type Polygon = (Vec<Vec<(f64, f64)>>, [f64; 4]);

/// Land polygons.
#[derive(Debug, Default)]
pub struct Basemap {
    polygons: Vec<Polygon>,
}

impl Basemap {
    /// Reads the GeoJSON land polygons the frontend build writes (`basemap/countries.geojson`); an
    /// absent or unreadable file gives an empty basemap (sea only), said in the log.
    pub fn load(path: &std::path::Path) -> Self {
        let Ok(text) = std::fs::read_to_string(path) else {
            tracing::info!(path = %path.display(), "static maps: no basemap file, sea only");
            return Self::default();
        };
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(&text) else {
            tracing::warn!(path = %path.display(), "static maps: unreadable basemap file");
            return Self::default();
        };
        let mut polygons = Vec::new();
        let ring = |r: &serde_json::Value| -> Vec<(f64, f64)> {
            r.as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| {
                    let lon = p.get(0)?.as_f64()?;
                    let lat = p.get(1)?.as_f64()?;
                    LonLat::new(lon, lat).ok().map(mercator)
                })
                .collect()
        };
        for f in doc["features"].as_array().into_iter().flatten() {
            let g = &f["geometry"];
            let list: Vec<&serde_json::Value> = match g["type"].as_str() {
                Some("Polygon") => vec![&g["coordinates"]],
                Some("MultiPolygon") => g["coordinates"]
                    .as_array()
                    .map(|a| a.iter().collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            for poly in list {
                let rings: Vec<Vec<(f64, f64)>> = poly.as_array().into_iter().flatten().map(ring).collect();
                let Some(outer) = rings.first() else { continue };
                let bounds = outer
                    .iter()
                    .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, &(x, y)| {
                        [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)]
                    });
                polygons.push((rings, bounds));
            }
        }
        Self { polygons }
    }
}

/// A marker to draw: the layer it goes in, its position in the tile (0..EXTENT), its radius in pixels.
pub struct Marker {
    pub layer: &'static str,
    pub x: f64,
    pub y: f64,
    pub radius_px: f64,
}

/// Markers of the tile `t` and its eight neighbours (so that a marker on a seam is drawn whole), from
/// `features(tile)` of one layer.
pub fn markers<K>(
    layer: &'static str,
    t: &TileId,
    features: impl Fn(&TileId) -> Vec<TileFeature<K>>,
    radius_px: f64,
) -> Vec<Marker> {
    let n = 1i64 << t.z;
    let mut out = Vec::new();
    for dy in -1i64..=1 {
        for dx in -1i64..=1 {
            let (x, y) = (i64::from(t.x) + dx, i64::from(t.y) + dy);
            if !(0..n).contains(&x) || !(0..n).contains(&y) {
                continue;
            }
            let Ok(neighbour) = TileId::new(u32::from(t.z), x as u32, y as u32) else {
                continue;
            };
            let shift = |v: f64, d: i64| v + (d as f64) * f64::from(EXTENT);
            for f in features(&neighbour) {
                let (fx, fy, r) = match f {
                    TileFeature::Point { x, y, .. } => (x, y, radius_px),
                    TileFeature::Cluster { x, y, count, .. } => (x, y, radius_px + 2.0 * (count as f64).log2()),
                };
                out.push(Marker {
                    layer,
                    x: shift(fx, dx),
                    y: shift(fy, dy),
                    radius_px: r,
                });
            }
        }
    }
    out
}

/// Tile units per rendered pixel.
fn unit(tile_px: u32) -> f64 {
    f64::from(EXTENT) / f64::from(tile_px)
}

fn octagon(enc: mvt::GeomEncoder<f64>, x: f64, y: f64, r: f64) -> Result<mvt::GeomEncoder<f64>, mvt::Error> {
    let mut enc = enc;
    for i in 0..8 {
        // Clockwise on screen (y down): an exterior ring in MVT terms.
        let a = std::f64::consts::FRAC_PI_4 * f64::from(i);
        enc = enc.point(x + r * a.cos(), y + r * a.sin())?;
    }
    enc.complete()
}

/// Encodes the tile `t`: sea, land, then each marker layer with a white halo.
pub fn encode(t: &TileId, basemap: &Basemap, markers: &[Marker], tile_px: u32) -> Result<Vec<u8>, mvt::Error> {
    let e = f64::from(EXTENT);
    let mut tile = mvt::Tile::new(EXTENT);
    let square = |enc: mvt::GeomEncoder<f64>, lo: f64, hi: f64| -> Result<mvt::GeomEncoder<f64>, mvt::Error> {
        enc.point(lo, lo)?
            .point(hi, lo)?
            .point(hi, hi)?
            .point(lo, hi)?
            .complete()
    };
    let layer = tile.create_layer("sea");
    let g = square(mvt::GeomEncoder::new(mvt::GeomType::Polygon), -64.0, e + 64.0)?.encode()?;
    tile.add_layer(layer.into_feature(g).into_layer())?;

    let n = f64::from(1u32 << t.z);
    let (x0, y0) = (f64::from(t.x) / n, f64::from(t.y) / n);
    let (x1, y1) = ((f64::from(t.x) + 1.0) / n, (f64::from(t.y) + 1.0) / n);
    let mut land = tile.create_layer("land");
    for (rings, b) in &basemap.polygons {
        if b[2] < x0 || b[0] > x1 || b[3] < y0 || b[1] > y1 {
            continue;
        }
        let mut enc = mvt::GeomEncoder::new(mvt::GeomType::Polygon);
        for ring in rings {
            // GeoJSON rings repeat their first point; MVT closes them itself.
            let open = if ring.len() > 1 && ring.first() == ring.last() {
                &ring[..ring.len() - 1]
            } else {
                &ring[..]
            };
            if open.len() < 3 {
                continue;
            }
            for &p in open {
                let (x, y) = t.project(p);
                enc = enc.point(x, y)?;
            }
            enc = enc.complete()?;
        }
        land = land.into_feature(enc.encode()?).into_layer();
    }
    tile.add_layer(land)?;

    let u = unit(tile_px);
    for name in ["establishments", "sites", "practices"] {
        let mine: Vec<&Marker> = markers.iter().filter(|m| m.layer == name).collect();
        if mine.is_empty() {
            continue;
        }
        let mut halo = tile.create_layer(&format!("{name}-halo"));
        let mut body = tile.create_layer(name);
        for m in &mine {
            let g = octagon(
                mvt::GeomEncoder::new(mvt::GeomType::Polygon),
                m.x,
                m.y,
                (m.radius_px + 2.0) * u,
            )?
            .encode()?;
            halo = halo.into_feature(g).into_layer();
            let g = octagon(mvt::GeomEncoder::new(mvt::GeomType::Polygon), m.x, m.y, m.radius_px * u)?.encode()?;
            body = body.into_feature(g).into_layer();
        }
        tile.add_layer(halo)?;
        tile.add_layer(body)?;
    }
    tile.to_bytes()
}
