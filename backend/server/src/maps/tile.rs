//! The tiles the static-map renderer draws: Repère's own vector-tile points (the same clustered
//! indexes as `/api/tiles`, with the same filters) turned into small polygons, since maplibre-rs 0.0.3
//! does not draw points, over the offline basemap (sea, then the land of France and its neighbours).

use repere_core::LonLat;
use repere_core::tiles::{EXTENT, TileFeature, TileId, mercator};

use crate::collection::PointLayer;

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
    pub layer: PointLayer,
    pub x: f64,
    pub y: f64,
    pub radius_px: f64,
}

/// Markers of the tile `t` and its eight neighbours (so that a marker on a seam is drawn whole), from
/// `features(tile)` of one layer.
pub fn markers<K>(
    layer: PointLayer,
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

/// Sutherland–Hodgman: the ring clipped to the square `[lo, hi]²` (the renderer refuses some rings
/// that reach far outside the tile; the fill of a clipped ring is the same inside it).
fn clip(ring: &[(f64, f64)], lo: f64, hi: f64) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = ring.to_vec();
    // Each edge of the square: (is inside, intersection of segment a-b with the edge).
    type Inside = fn((f64, f64), f64) -> bool;
    let edges: [(Inside, usize, f64); 4] = [
        (|p, v| p.0 >= v, 0, lo),
        (|p, v| p.0 <= v, 0, hi),
        (|p, v| p.1 >= v, 1, lo),
        (|p, v| p.1 <= v, 1, hi),
    ];
    for (inside, axis, v) in edges {
        let input = std::mem::take(&mut out);
        let Some(&last) = input.last() else { break };
        let mut prev = last;
        for &cur in &input {
            let cross = |a: (f64, f64), b: (f64, f64)| {
                let (a_k, b_k) = if axis == 0 { (a.0, b.0) } else { (a.1, b.1) };
                let k = (v - a_k) / (b_k - a_k);
                (a.0 + (b.0 - a.0) * k, a.1 + (b.1 - a.1) * k)
            };
            match (inside(cur, v), inside(prev, v)) {
                (true, true) => out.push(cur),
                (true, false) => {
                    out.push(cross(prev, cur));
                    out.push(cur);
                }
                (false, true) => out.push(cross(prev, cur)),
                (false, false) => {}
            }
            prev = cur;
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
    encode_with(t, Some(basemap), markers, tile_px)
}

/// The same tile without the land (sea and markers only): what is drawn when the renderer refuses a
/// tile's land geometry.
pub fn encode_without_land(t: &TileId, markers: &[Marker], tile_px: u32) -> Result<Vec<u8>, mvt::Error> {
    encode_with(t, None, markers, tile_px)
}

fn encode_with(t: &TileId, basemap: Option<&Basemap>, markers: &[Marker], tile_px: u32) -> Result<Vec<u8>, mvt::Error> {
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
    for (rings, b) in basemap.iter().flat_map(|b| &b.polygons) {
        if b[2] < x0 || b[0] > x1 || b[3] < y0 || b[1] > y1 {
            continue;
        }
        // Rings in whole tile units, without repeated points; a ring left with fewer than three points
        // (a small island at a low zoom) is dropped, and the polygon with its outer ring.
        let mut kept: Vec<Vec<(f64, f64)>> = Vec::new();
        for (i, ring) in rings.iter().enumerate() {
            let projected: Vec<(f64, f64)> = ring.iter().map(|&p| t.project(p)).collect();
            let mut pts: Vec<(f64, f64)> = Vec::with_capacity(projected.len());
            for (x, y) in clip(&projected, -64.0, f64::from(EXTENT) + 64.0) {
                let q = (x.round(), y.round());
                if pts.last() != Some(&q) {
                    pts.push(q);
                }
            }
            while pts.len() > 1 && pts.first() == pts.last() {
                pts.pop();
            }
            // Clipping can leave a ring flat along the tile's edge: not a ring any more.
            let area: f64 = pts
                .iter()
                .zip(pts.iter().cycle().skip(1))
                .map(|(a, b)| a.0 * b.1 - b.0 * a.1)
                .sum();
            if area.abs() < 1.0 {
                pts.clear();
            }
            if pts.len() < 3 {
                if i == 0 {
                    break;
                }
                continue;
            }
            kept.push(pts);
        }
        if kept.is_empty() {
            continue;
        }
        let mut enc = mvt::GeomEncoder::new(mvt::GeomType::Polygon);
        for ring in &kept {
            for &(x, y) in ring {
                enc = enc.point(x, y)?;
            }
            enc = enc.complete()?;
        }
        land = land.into_feature(enc.encode()?).into_layer();
    }
    tile.add_layer(land)?;

    let u = unit(tile_px);
    for layer in PointLayer::bottom_up() {
        let name = layer.id();
        let mine: Vec<&Marker> = markers.iter().filter(|m| m.layer == layer).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_what_is_inside_the_square() {
        // A square larger than the box on every side becomes the box.
        let big = [(-100.0, -100.0), (200.0, -100.0), (200.0, 200.0), (-100.0, 200.0)];
        let c = clip(&big, 0.0, 100.0);
        assert_eq!(c.len(), 4);
        for p in &c {
            assert!((0.0..=100.0).contains(&p.0) && (0.0..=100.0).contains(&p.1), "{p:?}");
        }
        // A ring inside is unchanged; one outside vanishes.
        let inside = [(10.0, 10.0), (20.0, 10.0), (20.0, 20.0)];
        assert_eq!(clip(&inside, 0.0, 100.0), inside.to_vec());
        assert!(clip(&[(200.0, 200.0), (300.0, 200.0), (300.0, 300.0)], 0.0, 100.0).is_empty());
    }
}
