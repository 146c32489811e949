//! Spatial index benchmarks on 1 million generated practices spread over metropolitan France:
//! build (`bulk_load`), bbox query, k-nearest-10 ranked in metres, radius query.
//! Run with `cargo bench -p repere-core --bench index`; figures go in the README.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use repere_core::index::{PointIndex, SegmentIndex};
use repere_core::{Bbox, LonLat};

const N: usize = 1_000_000;

/// Cities (lon, lat) around which most points cluster; the rest is spread over the whole country.
const CITIES: [(f64, f64); 12] = [
    (2.35, 48.85),
    (5.37, 43.30),
    (4.83, 45.76),
    (1.44, 43.60),
    (7.26, 43.70),
    (-1.55, 47.22),
    (7.75, 48.58),
    (3.88, 43.61),
    (-0.58, 44.84),
    (3.06, 50.63),
    (-1.68, 48.11),
    (5.93, 43.12),
];

fn points(n: usize) -> Vec<(i64, LonLat)> {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    (0..n as i64)
        .map(|i| {
            let (lon, lat) = if rng.random_bool(0.7) {
                let (cx, cy) = CITIES[rng.random_range(0..CITIES.len())];
                (
                    cx + rng.random_range(-0.5..0.5) * rng.random::<f64>(),
                    cy + rng.random_range(-0.35..0.35) * rng.random::<f64>(),
                )
            } else {
                (rng.random_range(-4.8..8.2), rng.random_range(42.3..51.1))
            };
            (i, LonLat::new(lon, lat).unwrap())
        })
        .collect()
}

fn queries(n: usize) -> Vec<LonLat> {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    (0..n)
        .map(|_| LonLat::new(rng.random_range(-4.5..8.0), rng.random_range(42.5..51.0)).unwrap())
        .collect()
}

fn bench(c: &mut Criterion) {
    let pts = points(N);
    let mut g = c.benchmark_group("index_1M");
    g.sample_size(10);
    g.bench_function("bulk_load", |b| {
        b.iter(|| black_box(PointIndex::bulk_load(pts.iter().copied())))
    });
    // Peer: the same index grown by one insert per point, as a naive loader would.
    g.bench_function("peer_insert_one_by_one", |b| {
        b.iter(|| {
            let mut idx = PointIndex::default();
            for (k, p) in &pts {
                idx.set(*k, None, Some(*p));
            }
            black_box(idx.len())
        })
    });
    g.finish();

    // Two million links, each between a point and one of its next 200 (as `repere generate` draws them).
    let segments: Vec<(i64, LonLat, LonLat)> = (0..2 * N)
        .map(|i| (i as i64, pts[i % N].1, pts[(i % N + 1 + i % 199) % N].1))
        .collect();
    let mut g = c.benchmark_group("index_2M_segments");
    g.sample_size(10);
    g.bench_function("bulk_load", |b| {
        b.iter(|| black_box(SegmentIndex::bulk_load(segments.iter().copied())))
    });
    g.finish();

    let idx = PointIndex::bulk_load(pts.iter().copied());
    let qs = queries(1024);
    let mut i = 0;
    c.bench_function("index_1M/knn10", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            black_box(idx.nearest(qs[i], 10, None, |_| true))
        })
    });
    // Peer: an exhaustive Haversine scan, what a store without a spatial index does.
    let mut g = c.benchmark_group("index_1M_peer");
    g.sample_size(10);
    g.bench_function("knn10_brute_force", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            let q = qs[i];
            let mut best: Vec<(f64, i64)> = Vec::with_capacity(11);
            for (k, p) in &pts {
                let d = q.distance_m(*p);
                if best.len() < 10 || d < best[best.len() - 1].0 {
                    let at = best.partition_point(|(x, _)| *x <= d);
                    best.insert(at, (d, *k));
                    best.truncate(10);
                }
            }
            black_box(best)
        })
    });
    g.finish();
    c.bench_function("index_1M/knn10_filtered_half", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            black_box(idx.nearest(qs[i], 10, None, |k| k % 2 == 0))
        })
    });
    c.bench_function("index_1M/radius_5km_k100", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            black_box(idx.nearest(qs[i], 100, Some(5_000.0), |_| true))
        })
    });
    c.bench_function("index_1M/bbox_city_count", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            let q = qs[i];
            let bbox = Bbox {
                min_lon: q.lon - 0.2,
                min_lat: q.lat - 0.15,
                max_lon: q.lon + 0.2,
                max_lat: q.lat + 0.15,
            };
            black_box(idx.in_bbox(&bbox).count())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
