//! The in-memory spatial index: one R-tree per layer. Points for practices, establishments and sites;
//! segments for links. Boxes are queried in degrees; nearest queries walk the same tree, ranking its
//! nodes by great-circle distance ([`nearest`]).

use std::hash::Hash;

use geo::Intersects;
use rstar::primitives::GeomWithData;
use rstar::{AABB, RStarInsertionStrategy, RTree, RTreeObject, RTreeParams};

use crate::{Bbox, LonLat};

mod nearest;

type PointEntry<K> = GeomWithData<[f64; 2], K>;
/// A segment and its key. Its own type rather than rstar's `GeomWithData<Line>`: the envelope is two
/// plain `min`/`max`, which the bulk load's partitioning calls a hundred million times for two million
/// links (through rstar's generic `Point` closures it was, in some builds, three times slower).
#[derive(Clone, Debug, PartialEq)]
struct SegmentEntry<K> {
    from: [f64; 2],
    to: [f64; 2],
    key: K,
}

impl<K> RTreeObject for SegmentEntry<K> {
    type Envelope = AABB<[f64; 2]>;

    #[inline]
    fn envelope(&self) -> Self::Envelope {
        let (a, b) = (self.from, self.to);
        AABB::from_bounds([a[0].min(b[0]), a[1].min(b[1])], [a[0].max(b[0]), a[1].max(b[1])])
    }
}

/// Wider nodes than rstar's default (6): fewer levels to sort at bulk load and fewer internal nodes.
#[derive(Clone, Copy, Debug, Default)]
struct Wide;

impl RTreeParams for Wide {
    const MIN_SIZE: usize = 4;
    const MAX_SIZE: usize = 12;
    const REINSERTION_COUNT: usize = 3;
    type DefaultInsertionStrategy = RStarInsertionStrategy;
}

fn envelope(b: &Bbox) -> AABB<[f64; 2]> {
    AABB::from_corners([b.min_lon, b.min_lat], [b.max_lon, b.max_lat])
}

/// One ranked result of a nearest query: the key and its distance in metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ranked<K> {
    pub key: K,
    pub distance_m: f64,
}

/// An R-tree of entries, each with a key, and their number. It keeps no copy of the entries by key (a
/// million practices): whoever moves or removes a key passes its old entry, which the catalogue holds.
#[derive(Debug, Clone)]
struct Keyed<T: RTreeObject> {
    tree: RTree<T, Wide>,
    len: usize,
}

impl<T: RTreeObject> Default for Keyed<T> {
    fn default() -> Self {
        Self {
            tree: RTree::new_with_params(),
            len: 0,
        }
    }
}

impl<T: RTreeObject + PartialEq> Keyed<T> {
    /// Builds the tree in one pass (`bulk_load`, much faster than repeated inserts) from `items`,
    /// keeping the last of each key (sorted by key, stable; in place: the catalogue gives two million
    /// segments, already sorted and distinct).
    fn bulk_load<K: Ord, V>(mut items: Vec<(K, V)>, entry: impl Fn(K, V) -> T) -> Self {
        items.sort_by(|a, b| a.0.cmp(&b.0));
        items.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
        let len = items.len();
        let entries = items.into_iter().map(|(k, v)| entry(k, v)).collect();
        Self {
            tree: RTree::bulk_load_with_params(entries),
            len,
        }
    }

    /// Removes `old` (if indexed), then inserts `new`.
    fn replace(&mut self, old: Option<T>, new: Option<T>) {
        if let Some(old) = old
            && self.tree.remove(&old).is_some()
        {
            self.len -= 1;
        }
        if let Some(new) = new {
            self.tree.insert(new);
            self.len += 1;
        }
    }
}

/// An R-tree of points keyed by `K`; a move or removal passes the key's old position.
#[derive(Debug, Clone)]
pub struct PointIndex<K: Copy + Eq + Hash + Ord>(Keyed<PointEntry<K>>);

impl<K: Copy + Eq + Hash + Ord> Default for PointIndex<K> {
    fn default() -> Self {
        Self(Keyed::default())
    }
}

fn point_entry<K>(k: K, p: LonLat) -> PointEntry<K> {
    GeomWithData::new([p.lon, p.lat], k)
}

impl<K: Copy + Eq + Hash + Ord> PointIndex<K> {
    /// Builds the tree in one pass. A key given twice keeps its last position.
    pub fn bulk_load(items: impl IntoIterator<Item = (K, LonLat)>) -> Self {
        Self(Keyed::bulk_load(items.into_iter().collect(), point_entry))
    }

    /// Number of indexed keys.
    pub fn len(&self) -> usize {
        self.0.len
    }

    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    /// Inserts, moves or removes `key`: `old` is where it was indexed (`None` if it was not), `new`
    /// where it goes (`None` to remove it).
    pub fn set(&mut self, key: K, old: Option<LonLat>, new: Option<LonLat>) {
        self.0
            .replace(old.map(|p| point_entry(key, p)), new.map(|p| point_entry(key, p)));
    }

    /// Keys whose position lies in `bbox` (edges included), in no particular order.
    pub fn in_bbox<'a>(&'a self, bbox: &Bbox) -> impl Iterator<Item = K> + 'a {
        self.0.tree.locate_in_envelope(envelope(bbox)).map(|e| e.data)
    }

    /// The `k` keys nearest to `center` that `accept` lets through, optionally within `radius_m`
    /// metres, ranked by Haversine distance (ties by key).
    ///
    /// Walks the tree outwards, nearest box first: the walk stops after the `k`-th accepted key (and
    /// the keys tied with it), or at the radius, whatever the number of points around.
    pub fn nearest(
        &self,
        center: LonLat,
        k: usize,
        radius_m: Option<f64>,
        accept: impl Fn(K) -> bool,
    ) -> Vec<Ranked<K>> {
        nearest::nearest(self.0.tree.root(), center, k, radius_m, accept)
    }
}

/// An R-tree of segments keyed by `K` (links drawn between two practices); a move or removal passes the
/// key's old segment.
#[derive(Debug, Clone)]
pub struct SegmentIndex<K: Copy + Eq + Hash>(Keyed<SegmentEntry<K>>);

impl<K: Copy + Eq + Hash> Default for SegmentIndex<K> {
    fn default() -> Self {
        Self(Keyed::default())
    }
}

fn segment_entry<K>(key: K, (a, b): Segment) -> SegmentEntry<K> {
    SegmentEntry {
        from: [a.lon, a.lat],
        to: [b.lon, b.lat],
        key,
    }
}

/// A segment: its two ends.
pub type Segment = (LonLat, LonLat);

impl<K: Copy + Eq + Hash + Ord> SegmentIndex<K> {
    /// Builds the tree in one pass. A key given twice keeps its last segment.
    pub fn bulk_load(items: impl IntoIterator<Item = (K, LonLat, LonLat)>) -> Self {
        Self(Keyed::bulk_load(
            items.into_iter().map(|(k, a, b)| (k, (a, b))).collect(),
            segment_entry,
        ))
    }

    pub fn len(&self) -> usize {
        self.0.len
    }

    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    /// Inserts, moves or removes the segment of `key`: `old` is the segment indexed for it (`None` if
    /// none), `new` its segment now (`None` to remove it).
    pub fn set(&mut self, key: K, old: Option<Segment>, new: Option<Segment>) {
        self.0
            .replace(old.map(|s| segment_entry(key, s)), new.map(|s| segment_entry(key, s)));
    }

    /// Keys whose segment crosses or touches `bbox` (an exact test, not only the envelope).
    pub fn in_bbox<'a>(&'a self, bbox: &Bbox) -> impl Iterator<Item = K> + 'a {
        let rect = geo::Rect::new(
            geo::coord! { x: bbox.min_lon, y: bbox.min_lat },
            geo::coord! { x: bbox.max_lon, y: bbox.max_lat },
        );
        self.0
            .tree
            .locate_in_envelope_intersecting(envelope(bbox))
            .filter_map(move |e| {
                let line = geo::Line::new(
                    geo::coord! { x: e.from[0], y: e.from[1] },
                    geo::coord! { x: e.to[0], y: e.to[1] },
                );
                line.intersects(&rect).then_some(e.key)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn points(n: usize, seed: u64) -> Vec<(i64, LonLat)> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n as i64)
            .map(|i| {
                (
                    i,
                    LonLat::new(rng.random_range(5.5..7.8), rng.random_range(42.9..44.4)).unwrap(),
                )
            })
            .collect()
    }

    /// Exhaustive ranking, the oracle for `nearest`.
    fn brute(pts: &[(i64, LonLat)], c: LonLat, k: usize, r: Option<f64>, accept: impl Fn(i64) -> bool) -> Vec<i64> {
        let mut all: Vec<(f64, i64)> = pts
            .iter()
            .filter(|(key, _)| accept(*key))
            .map(|(key, p)| (c.distance_m(*p), *key))
            .filter(|(d, _)| r.is_none_or(|r| *d <= r))
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        all.into_iter().take(k).map(|x| x.1).collect()
    }

    #[test]
    fn nearest_ranks_by_haversine_like_brute_force() {
        let pts = points(5_000, 7);
        let idx = PointIndex::bulk_load(pts.clone());
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        for _ in 0..200 {
            let c = LonLat::new(rng.random_range(5.0..8.0), rng.random_range(42.5..44.8)).unwrap();
            let k = rng.random_range(1..30);
            let got: Vec<i64> = idx.nearest(c, k, None, |_| true).iter().map(|r| r.key).collect();
            assert_eq!(got, brute(&pts, c, k, None, |_| true));
            let r = rng.random_range(100.0..20_000.0);
            let got: Vec<i64> = idx
                .nearest(c, k, Some(r), |key| key % 3 != 0)
                .iter()
                .map(|r| r.key)
                .collect();
            assert_eq!(got, brute(&pts, c, k, Some(r), |key| key % 3 != 0));
        }
    }

    #[test]
    fn nearest_ranks_like_brute_force_anywhere_on_earth() {
        // Points over the whole globe, denser around a few overseas places (Guadeloupe, Réunion,
        // Nouvelle-Calédonie, Wallis): centres on either side of the antimeridian and near the poles.
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        let places = [
            (-61.5, 16.2),
            (55.5, -21.1),
            (165.8, -21.3),
            (-176.2, -13.3),
            (179.9, 0.0),
        ];
        let mut pts: Vec<(i64, LonLat)> = (0..4_000)
            .map(|i| {
                let p = if i % 2 == 0 {
                    LonLat::new(rng.random_range(-180.0..=180.0), rng.random_range(-90.0..=90.0))
                } else {
                    let (lon, lat) = places[i % places.len()];
                    let lon: f64 = lon + rng.random_range(-3.0..3.0);
                    let lon = if lon > 180.0 { lon - 360.0 } else { lon };
                    LonLat::new(lon, lat + rng.random_range(-3.0..3.0))
                };
                (i as i64, p.unwrap())
            })
            .collect();
        pts.push((4_000, LonLat::new(0.0, 90.0).unwrap()));
        pts.push((4_001, LonLat::new(180.0, -90.0).unwrap()));
        let idx = PointIndex::bulk_load(pts.clone());
        let centres = places
            .iter()
            .map(|&(lon, lat)| LonLat::new(lon, lat).unwrap())
            .chain([LonLat::new(-180.0, 89.9).unwrap(), LonLat::new(180.0, -89.0).unwrap()])
            .chain(
                (0..100)
                    .map(|_| LonLat::new(rng.random_range(-180.0..=180.0), rng.random_range(-90.0..=90.0)).unwrap())
                    .collect::<Vec<_>>(),
            )
            .collect::<Vec<_>>();
        for c in centres {
            let k = rng.random_range(1..40);
            let got: Vec<i64> = idx.nearest(c, k, None, |_| true).iter().map(|r| r.key).collect();
            assert_eq!(got, brute(&pts, c, k, None, |_| true), "{k} nearest {c:?}");
            let r = rng.random_range(10_000.0..3_000_000.0);
            let got: Vec<i64> = idx
                .nearest(c, k, Some(r), |key| key % 5 != 0)
                .iter()
                .map(|r| r.key)
                .collect();
            assert_eq!(
                got,
                brute(&pts, c, k, Some(r), |key| key % 5 != 0),
                "{k} nearest {c:?} within {r} m"
            );
        }
    }

    #[test]
    fn nearest_distances_are_sorted_and_in_metres() {
        let pts = points(1_000, 1);
        let idx = PointIndex::bulk_load(pts.clone());
        let c = LonLat::new(7.0, 43.7).unwrap();
        let got = idx.nearest(c, 50, None, |_| true);
        assert_eq!(got.len(), 50);
        assert!(got.windows(2).all(|w| w[0].distance_m <= w[1].distance_m));
        for r in &got {
            let p = pts.iter().find(|(k, _)| *k == r.key).unwrap().1;
            assert!((r.distance_m - c.distance_m(p)).abs() < 1e-6, "{r:?} against Haversine");
        }
    }

    #[test]
    fn fewer_than_k_accepted_returns_all_of_them() {
        let idx = PointIndex::bulk_load(points(100, 3));
        assert_eq!(
            idx.nearest(LonLat::new(6.0, 43.0).unwrap(), 10, None, |k| k < 4).len(),
            4
        );
        assert!(
            idx.nearest(LonLat::new(6.0, 43.0).unwrap(), 10, None, |_| false)
                .is_empty()
        );
    }

    #[test]
    fn set_moves_and_removes() {
        let pts = points(100, 5);
        let mut idx = PointIndex::bulk_load(pts.clone());
        let far = LonLat::new(-120.0, 40.0).unwrap();
        idx.set(7, Some(pts[7].1), Some(far));
        assert_eq!(idx.nearest(far, 1, None, |_| true)[0].key, 7);
        let b = Bbox {
            min_lon: 5.0,
            min_lat: 42.0,
            max_lon: 8.0,
            max_lat: 45.0,
        };
        assert_eq!(idx.in_bbox(&b).count(), 99);
        idx.set(7, Some(far), None);
        assert_eq!(idx.len(), 99);
        assert!(idx.nearest(far, 1, Some(1_000.0), |_| true).is_empty());
        // Removing what is not indexed there changes nothing.
        idx.set(8, Some(far), None);
        assert_eq!(idx.len(), 99);
        idx.set(1_000, None, Some(far));
        assert_eq!(idx.len(), 100);
        let twice = PointIndex::bulk_load([(1, far), (1, pts[0].1)]);
        assert_eq!(twice.len(), 1);
        assert_eq!(
            twice.nearest(pts[0].1, 1, Some(1.0), |_| true)[0].key,
            1,
            "the last position wins"
        );
    }

    #[test]
    fn bbox_query_matches_brute_force() {
        let pts = points(3_000, 11);
        let idx = PointIndex::bulk_load(pts.clone());
        let b = Bbox {
            min_lon: 6.9,
            min_lat: 43.5,
            max_lon: 7.3,
            max_lat: 43.8,
        };
        let mut got: Vec<i64> = idx.in_bbox(&b).collect();
        got.sort();
        let want: Vec<i64> = pts.iter().filter(|(_, p)| b.contains(*p)).map(|(k, _)| *k).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn segments_are_found_by_exact_crossing() {
        let p = |lon, lat| LonLat::new(lon, lat).unwrap();
        // A diagonal whose envelope covers the box corner but which passes beside it.
        let mut idx = SegmentIndex::bulk_load([(1, p(0.0, 0.0), p(10.0, 10.0)), (2, p(0.0, 10.0), p(1.0, 9.0))]);
        let corner = Bbox {
            min_lon: 8.0,
            min_lat: 0.0,
            max_lon: 10.0,
            max_lat: 2.0,
        };
        assert_eq!(idx.in_bbox(&corner).count(), 0);
        let middle = Bbox {
            min_lon: 4.0,
            min_lat: 4.0,
            max_lon: 6.0,
            max_lat: 6.0,
        };
        assert_eq!(idx.in_bbox(&middle).collect::<Vec<_>>(), vec![1]);
        idx.set(1, Some((p(0.0, 0.0), p(10.0, 10.0))), None);
        assert_eq!(idx.in_bbox(&middle).count(), 0);
        assert_eq!(idx.len(), 1);
    }
}
