//! Clustering benchmarks, side by side with supercluster (bench/supercluster, same points):
//! - build: sort 1M points into a `ClusterIndex` (supercluster: `load`, which clusters every zoom);
//! - viewport: the clusters of a 1280×800 px view (3×2 tiles of 512 px) at a random place and zoom
//!   (supercluster: `getClusters(bbox, zoom)`).
//!
//! Points come from the CSV `REPERE_POINTS_CSV` (lon,lat per line; `scripts/bench.sh` exports the
//! published practices of the benchmark database there) or, without it, are generated.
//! Run with `cargo bench -p repere-core --bench tiles`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use repere_core::LonLat;
use repere_core::tiles::{ClusterIndex, TileId};

fn points() -> Vec<(u32, LonLat)> {
    if let Ok(path) = std::env::var("REPERE_POINTS_CSV") {
        let text = std::fs::read_to_string(&path).expect("readable points CSV");
        return text
            .lines()
            .filter_map(|l| {
                let (a, b) = l.split_once(',')?;
                LonLat::new(a.trim().parse().ok()?, b.trim().parse().ok()?).ok()
            })
            .enumerate()
            .map(|(i, p)| (i as u32, p))
            .collect();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    (0..1_000_000u32)
        .map(|i| {
            (
                i,
                LonLat::new(rng.random_range(-4.8..8.2), rng.random_range(42.3..51.1)).unwrap(),
            )
        })
        .collect()
}

/// Random 3×2-tile views over France at zooms 5–14 (the same recipe as bench/supercluster).
fn views() -> Vec<(u8, u32, u32)> {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    (0..1000)
        .map(|_| {
            let z: u8 = rng.random_range(5..=14);
            let n = f64::from(1u32 << z);
            let lon: f64 = rng.random_range(-4.5..7.5);
            let lat: f64 = rng.random_range(42.5..50.5);
            let x = ((lon + 180.0) / 360.0 * n) as u32;
            let r = lat.to_radians();
            let y = ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n) as u32;
            (z, x, y)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let pts = points();
    eprintln!("{} points", pts.len());
    let mut g = c.benchmark_group("clusters");
    g.sample_size(10);
    g.bench_function(format!("build {} points", pts.len()), |b| {
        b.iter(|| black_box(ClusterIndex::build(pts.iter().copied())))
    });
    let index = ClusterIndex::build(pts.iter().copied());
    let views = views();
    g.sample_size(50);
    g.bench_function("1000 viewports of 3×2 tiles, zooms 5–14", |b| {
        b.iter(|| {
            let mut features = 0;
            for &(z, x, y) in &views {
                let max = (1u32 << z) - 1;
                for dx in 0..3 {
                    for dy in 0..2 {
                        if let Ok(t) = TileId::new(u32::from(z), (x + dx).min(max), (y + dy).min(max)) {
                            features += index.tile(&t).len();
                        }
                    }
                }
            }
            black_box(features)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
