//! Network computations on 100k practices and 500k links (deterministic random graph with local
//! structure): build, components, pivots, neighbourhood, and one link added then removed.
//! Run with `cargo bench -p repere-core --bench networks`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use repere_core::networks::LinkGraph;

const PRACTICES: i64 = 100_000;
const LINKS: i64 = 500_000;

/// Links mostly between practices close in id (same area, same years), a few far apart.
fn links() -> Vec<(i64, i64, i64)> {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    (0..LINKS)
        .map(|l| {
            let a = rng.random_range(0..PRACTICES);
            let b = if rng.random_bool(0.9) {
                (a + rng.random_range(1..200)).min(PRACTICES - 1)
            } else {
                rng.random_range(0..PRACTICES)
            };
            (l, a, if b == a { (a + 1) % PRACTICES } else { b })
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let links = links();
    let mut g = c.benchmark_group("networks_100k_500k");
    g.sample_size(10);
    g.bench_function("build", |b| {
        b.iter(|| black_box(LinkGraph::build(links.iter().copied())))
    });
    let mut graph = LinkGraph::build(links.iter().copied());
    g.bench_function("components", |b| b.iter(|| black_box(graph.components())));
    g.bench_function("pivots", |b| b.iter(|| black_box(graph.pivots())));
    g.bench_function("neighbourhood_depth_2", |b| {
        b.iter(|| black_box(graph.neighbourhood(50_000, 2)))
    });
    g.bench_function("add_and_remove_one_link", |b| {
        b.iter(|| {
            graph.add_link(LINKS + 1, 12, 99_000);
            graph.remove_link(LINKS + 1);
        })
    });
    g.bench_function("add_one_link_then_components", |b| {
        b.iter(|| {
            graph.add_link(LINKS + 1, 12, 99_000);
            let n = graph.components().len();
            graph.remove_link(LINKS + 1);
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
