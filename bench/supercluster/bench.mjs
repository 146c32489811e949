// supercluster on the same points as Repère's clustering bench (bench/points.csv, exported by
// scripts/bench.sh): load time, then 1000 random viewports of 3×2 tiles (512 px) at zooms 5–14, the
// same recipe as backend/core/benches/tiles.rs. Prints JSON.
import { readFileSync } from 'node:fs';
import Supercluster from 'supercluster';

const file = process.argv[2] ?? new URL('../points.csv', import.meta.url).pathname;
const points = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line, i) => {
    const [lon, lat] = line.split(',').map(Number);
    return { type: 'Feature', properties: { id: i }, geometry: { type: 'Point', coordinates: [lon, lat] } };
  });

// A small deterministic generator (mulberry32), so that every run asks for the same views.
function rng(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const r = rng(7);
const views = Array.from({ length: 1000 }, () => {
  const z = 5 + Math.floor(r() * 10);
  const n = 2 ** z;
  const lon = -4.5 + r() * 12;
  const lat = 42.5 + r() * 8;
  const x = Math.floor(((lon + 180) / 360) * n);
  const rad = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  const lon2 = (xx) => (xx / n) * 360 - 180;
  const lat2 = (yy) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * yy) / n))) * 180) / Math.PI;
  return { z, bbox: [lon2(x), lat2(y + 2), lon2(x + 3), lat2(y)] };
});

const runs = [];
let index;
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  index = new Supercluster({ radius: 64, extent: 512, maxZoom: 14 }).load(points);
  runs.push(performance.now() - t0);
}
const loadMs = Math.min(...runs);
let features = 0;
const q = [];
for (let k = 0; k < 5; k++) {
  const t0 = performance.now();
  for (const v of views) features += index.getClusters(v.bbox, v.z).length;
  q.push(performance.now() - t0);
}
console.log(JSON.stringify({ points: points.length, load_ms: loadMs, viewports_1000_ms: Math.min(...q), features_per_pass: features / 5, rss_mb: process.memoryUsage().rss / 1e6 }));
