//! Web Mercator tiles and hierarchical point clustering for them.
//!
//! Every point gets a Morton code (its quadtree address, 31 levels deep) and the points are kept sorted
//! by it. A quadtree node — a tile, or a cell of a tile's grid — is then one contiguous range of that
//! array, found by binary search, and its point count is the range's length; prefix sums of the
//! projected coordinates give its centroid in constant time; the zoom at which a cell's points stop
//! sharing one cell is read off the common prefix of the range's first and last codes. So a tile of
//! clusters costs `CELLS` binary searches whatever the number of points, the counts are exact, and
//! every point lies in exactly one tile at each zoom (tiles partition the code space).
//!
//! Clusters are the non-empty cells of a grid of `2^GRID_BITS × 2^GRID_BITS` cells per tile (64 px on
//! a 512 px tile); a cell holding one point gives that point. From [`CLUSTER_MAX_ZOOM`] on, every
//! point is given on its own.

use crate::{Bbox, Invalid, LonLat};

/// Highest zoom served.
pub const MAX_ZOOM: u8 = 22;
/// From this zoom on, points are never clustered.
pub const CLUSTER_MAX_ZOOM: u8 = 15;
/// Cells per tile side = 2^GRID_BITS.
pub const GRID_BITS: u8 = 3;
/// Tile coordinate extent (MVT convention).
pub const EXTENT: u32 = 4096;
/// Depth of the Morton codes (bits per axis).
const DEPTH: u32 = 31;
/// Web Mercator's latitude limit.
const MAX_LAT: f64 = 85.051_128_779_806_59;

/// A tile address `z/x/y` (XYZ scheme, y down from the north).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// Checks `z` ≤ [`MAX_ZOOM`] and `x`, `y` < 2^z, naming the part at fault.
    pub fn new(z: u32, x: u32, y: u32) -> Result<Self, Invalid> {
        if z > u32::from(MAX_ZOOM) {
            return Err(Invalid::new("z", format!("z doit être entre 0 et {MAX_ZOOM}")));
        }
        let n = 1u64 << z;
        if u64::from(x) >= n {
            return Err(Invalid::new(
                "x",
                format!("x doit être entre 0 et {} au niveau {z}", n - 1),
            ));
        }
        if u64::from(y) >= n {
            return Err(Invalid::new(
                "y",
                format!("y doit être entre 0 et {} au niveau {z}", n - 1),
            ));
        }
        Ok(Self { z: z as u8, x, y })
    }

    /// The tile's extent in longitude and latitude.
    pub fn bbox(&self) -> Bbox {
        let n = f64::from(1u32 << self.z.min(31));
        let lon = |x: f64| x / n * 360.0 - 180.0;
        let lat = |y: f64| (std::f64::consts::PI * (1.0 - 2.0 * y / n)).sinh().atan().to_degrees();
        Bbox {
            min_lon: lon(f64::from(self.x)),
            max_lon: lon(f64::from(self.x) + 1.0),
            min_lat: lat(f64::from(self.y) + 1.0),
            max_lat: lat(f64::from(self.y)),
        }
    }

    /// Position of a projected point (unit square) in this tile's coordinates (0..EXTENT).
    pub fn project(&self, (mx, my): (f64, f64)) -> (f64, f64) {
        let n = f64::from(1u32 << self.z.min(31));
        let e = f64::from(EXTENT);
        ((mx * n - f64::from(self.x)) * e, (my * n - f64::from(self.y)) * e)
    }

    /// The range of Morton codes of the points inside the quadtree node at `level` ≥ z that is this
    /// tile's `(cx, cy)` descendant.
    fn node_range(&self, level: u32, cx: u32, cy: u32) -> (u64, u64) {
        let d = level - u32::from(self.z);
        let nx = (u64::from(self.x) << d) | u64::from(cx);
        let ny = (u64::from(self.y) << d) | u64::from(cy);
        let prefix = interleave(nx) | (interleave(ny) << 1);
        let shift = 2 * (DEPTH - level);
        (prefix << shift, (prefix + 1) << shift)
    }
}

/// Web Mercator position of `p` in the unit square (x east, y south), latitude clamped.
pub fn mercator(p: LonLat) -> (f64, f64) {
    let x = (p.lon + 180.0) / 360.0;
    let lat = p.lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let y = 0.5 - ((std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln()) / (2.0 * std::f64::consts::PI);
    (x.clamp(0.0, 1.0), y.clamp(0.0, 1.0))
}

/// Spreads the low 31 bits of `v` to the even bit positions.
fn interleave(v: u64) -> u64 {
    let mut v = v & 0x7FFF_FFFF;
    v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
    v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
    v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    v = (v | (v << 2)) & 0x3333_3333_3333_3333;
    v = (v | (v << 1)) & 0x5555_5555_5555_5555;
    v
}

fn morton((mx, my): (f64, f64)) -> u64 {
    let scale = f64::from(1u32 << DEPTH);
    let q = |v: f64| ((v * scale) as u64).min((1u64 << DEPTH) - 1);
    interleave(q(mx)) | (interleave(q(my)) << 1)
}

/// One feature of a tile.
#[derive(Debug, Clone, PartialEq)]
pub enum TileFeature<K> {
    /// A single point: its key and tile coordinates.
    Point { key: K, x: f64, y: f64 },
    /// Several points: how many, their centroid, the zoom at which they no longer form one cluster
    /// (at most [`CLUSTER_MAX_ZOOM`]) and an id unique among clusters at every zoom (below 2^53, so
    /// that JavaScript reads it exactly).
    Cluster {
        id: u64,
        count: usize,
        x: f64,
        y: f64,
        expansion_zoom: u8,
    },
}

/// Points sorted by Morton code, ready to be cut into tiles.
#[derive(Debug, Clone)]
pub struct ClusterIndex<K> {
    codes: Vec<u64>,
    keys: Vec<K>,
    positions: Vec<(f64, f64)>,
    /// `sums[i]` = sum of the projected positions of the first `i` points.
    sums: Vec<(f64, f64)>,
}

impl<K: Copy> ClusterIndex<K> {
    /// Sorts the points by Morton code (ties by input order) and builds the prefix sums.
    pub fn build(points: impl IntoIterator<Item = (K, LonLat)>) -> Self {
        let mut rows: Vec<(u64, K, (f64, f64))> = points
            .into_iter()
            .map(|(k, p)| {
                let m = mercator(p);
                (morton(m), k, m)
            })
            .collect();
        rows.sort_by_key(|r| r.0);
        Self::from_sorted(rows.into_iter())
    }

    fn from_sorted(rows: impl ExactSizeIterator<Item = (u64, K, (f64, f64))>) -> Self {
        let n = rows.len();
        let mut out = Self {
            codes: Vec::with_capacity(n),
            keys: Vec::with_capacity(n),
            positions: Vec::with_capacity(n),
            sums: Vec::with_capacity(n + 1),
        };
        let mut sum = (0.0, 0.0);
        out.sums.push(sum);
        for (code, key, pos) in rows {
            sum = (sum.0 + pos.0, sum.1 + pos.1);
            out.codes.push(code);
            out.keys.push(key);
            out.positions.push(pos);
            out.sums.push(sum);
        }
        out
    }

    /// The points whose key passes `keep`, already sorted (one pass, no sort).
    pub fn filtered(&self, keep: impl Fn(&K) -> bool) -> Self {
        let kept: Vec<(u64, K, (f64, f64))> = (0..self.codes.len())
            .filter(|&i| keep(&self.keys[i]))
            .map(|i| (self.codes[i], self.keys[i], self.positions[i]))
            .collect();
        Self::from_sorted(kept.into_iter())
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    fn range(&self, (lo, hi): (u64, u64)) -> (usize, usize) {
        (
            self.codes.partition_point(|&c| c < lo),
            self.codes.partition_point(|&c| c < hi),
        )
    }

    fn point(&self, t: &TileId, i: usize) -> TileFeature<K> {
        let (x, y) = t.project(self.positions[i]);
        TileFeature::Point {
            key: self.keys[i],
            x,
            y,
        }
    }

    /// Number of points in tile `t`.
    pub fn count(&self, t: &TileId) -> usize {
        let (a, b) = self.range(t.node_range(u32::from(t.z), 0, 0));
        b - a
    }

    /// The features of tile `t`: clusters below [`CLUSTER_MAX_ZOOM`], single points from it on.
    pub fn tile(&self, t: &TileId) -> Vec<TileFeature<K>> {
        let (a, b) = self.range(t.node_range(u32::from(t.z), 0, 0));
        if a == b {
            return Vec::new();
        }
        if t.z >= CLUSTER_MAX_ZOOM {
            return (a..b).map(|i| self.point(t, i)).collect();
        }
        let level = u32::from(t.z) + u32::from(GRID_BITS);
        let side = 1u32 << GRID_BITS;
        let mut out = Vec::new();
        // Cells in Morton order, so each search starts where the previous cell ended.
        for cell in 0..side * side {
            let (cx, cy) = (deinterleave(cell), deinterleave(cell >> 1));
            let node = t.node_range(level, cx, cy);
            let (lo, hi) = self.range(node);
            match hi - lo {
                0 => {}
                1 => out.push(self.point(t, lo)),
                count => {
                    let (sx, sy) = (self.sums[hi].0 - self.sums[lo].0, self.sums[hi].1 - self.sums[lo].1);
                    let (x, y) = t.project((sx / count as f64, sy / count as f64));
                    let common = (self.codes[lo] ^ self.codes[hi - 1]).leading_zeros().saturating_sub(2) / 2;
                    let split = (common + 1).saturating_sub(u32::from(GRID_BITS));
                    let expansion_zoom = split.clamp(u32::from(t.z) + 1, u32::from(CLUSTER_MAX_ZOOM)) as u8;
                    out.push(TileFeature::Cluster {
                        // Quadtree nodes numbered level by level: below 2^53 (exact in JavaScript)
                        // up to level 26.
                        id: ((1u64 << (2 * level)) - 1) / 3 + (node.0 >> (2 * (DEPTH - level))),
                        count,
                        x,
                        y,
                        expansion_zoom,
                    });
                }
            }
        }
        out
    }
}

/// Gathers the even bits of `v` (inverse of [`interleave`] for small values).
fn deinterleave(v: u32) -> u32 {
    let mut out = 0;
    for bit in 0..16 {
        out |= ((v >> (2 * bit)) & 1) << bit;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(list: &[(f64, f64)]) -> Vec<(usize, LonLat)> {
        list.iter()
            .enumerate()
            .map(|(i, &(lon, lat))| (i, LonLat::new(lon, lat).unwrap()))
            .collect()
    }

    fn children(t: TileId) -> [TileId; 4] {
        let (z, x, y) = (u32::from(t.z) + 1, t.x * 2, t.y * 2);
        [
            TileId::new(z, x, y).unwrap(),
            TileId::new(z, x + 1, y).unwrap(),
            TileId::new(z, x, y + 1).unwrap(),
            TileId::new(z, x + 1, y + 1).unwrap(),
        ]
    }

    fn total(features: &[TileFeature<usize>]) -> usize {
        features
            .iter()
            .map(|f| match f {
                TileFeature::Point { .. } => 1,
                TileFeature::Cluster { count, .. } => *count,
            })
            .sum()
    }

    #[test]
    fn tile_ids_are_checked_part_by_part() {
        assert_eq!(TileId::new(23, 0, 0).unwrap_err().field, "z");
        assert_eq!(TileId::new(3, 8, 0).unwrap_err().field, "x");
        assert_eq!(TileId::new(3, 0, 8).unwrap_err().field, "y");
        let t = TileId::new(0, 0, 0).unwrap();
        let b = t.bbox();
        assert_eq!((b.min_lon, b.max_lon), (-180.0, 180.0));
        assert!((b.max_lat - MAX_LAT).abs() < 1e-9);
        // Nice is in tile 12/2130/1493 (checked by hand with the usual XYZ formulas).
        let nice = mercator(LonLat::new(7.2620, 43.7102).unwrap());
        let (x, y) = TileId::new(12, 2130, 1493).unwrap().project(nice);
        assert!((0.0..4096.0).contains(&x) && (0.0..4096.0).contains(&y), "{x} {y}");
    }

    #[test]
    fn counts_add_up_at_every_zoom_and_every_point_is_in_one_tile() {
        // A dense town, a pair sharing one position, and scattered points.
        let mut list = vec![
            (7.2620, 43.7102),
            (7.2620, 43.7102),
            (5.93, 43.12),
            (2.35, 48.85),
            (-1.55, 47.21),
        ];
        for i in 0..200 {
            let f = f64::from(i);
            list.push((7.0 + (f * 0.37) % 0.5, 43.5 + (f * 0.13) % 0.3));
        }
        let index = ClusterIndex::build(pts(&list));
        let mut level = vec![TileId::new(0, 0, 0).unwrap()];
        let mut ids = std::collections::HashSet::new();
        for z in 0..=16u8 {
            let mut seen = vec![0usize; list.len()];
            let mut sum = 0;
            for t in &level {
                let features = index.tile(t);
                assert_eq!(total(&features), index.count(t), "tile {t:?}");
                sum += total(&features);
                for f in &features {
                    match f {
                        TileFeature::Point { key, x, y } => {
                            seen[*key] += 1;
                            assert!((0.0..=4096.0).contains(x) && (0.0..=4096.0).contains(y));
                        }
                        TileFeature::Cluster {
                            expansion_zoom,
                            count,
                            id,
                            ..
                        } => {
                            assert!(*count >= 2);
                            assert!(*id < 1 << 53 && ids.insert(*id), "cluster ids unique and exact in JS");
                            assert!(*expansion_zoom > z && *expansion_zoom <= CLUSTER_MAX_ZOOM);
                        }
                    }
                }
            }
            assert_eq!(sum, list.len(), "zoom {z}");
            if z >= CLUSTER_MAX_ZOOM {
                assert!(seen.iter().all(|&n| n == 1), "zoom {z}: every point exactly once");
            }
            // Only descend into tiles that hold points.
            level = level
                .iter()
                .flat_map(|t| children(*t))
                .filter(|t| index.count(t) > 0)
                .collect();
        }
    }

    #[test]
    fn a_cluster_breaks_apart_at_its_expansion_zoom() {
        let index = ClusterIndex::build(pts(&[(7.2620, 43.7102), (7.2700, 43.7150), (7.2625, 43.7104)]));
        let mut t = TileId::new(3, 4, 2).unwrap();
        let TileFeature::Cluster {
            expansion_zoom, count, ..
        } = index.tile(&t)[0]
        else {
            panic!("three close points form a cluster at zoom 3");
        };
        assert_eq!(count, 3);
        // Walk down to the expansion zoom: before it the points form one cluster, at it they do not.
        loop {
            let inside: Vec<TileId> = children(t).into_iter().filter(|c| index.count(c) > 0).collect();
            t = inside[0];
            let features: Vec<_> = inside.iter().flat_map(|c| index.tile(c)).collect();
            if t.z < expansion_zoom {
                assert_eq!(features.len(), 1, "zoom {}: still one cluster", t.z);
            } else {
                assert!(features.len() > 1, "zoom {}: split", t.z);
                break;
            }
        }
    }

    #[test]
    fn filtering_keeps_order_and_counts() {
        let list: Vec<(f64, f64)> = (0..100).map(|i| (6.0 + f64::from(i) * 0.01, 43.5)).collect();
        let index = ClusterIndex::build(pts(&list));
        let even = index.filtered(|k| k % 2 == 0);
        let root = TileId::new(0, 0, 0).unwrap();
        assert_eq!(even.count(&root), 50);
        assert_eq!(total(&even.tile(&root)), 50);
        let at_max = TileId::new(15, 0, 0).unwrap();
        assert!(even.tile(&at_max).is_empty());
    }
}
