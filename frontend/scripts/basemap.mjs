// Generates the offline basemap from the world-atlas npm package (Natural Earth 1:10m): the land of
// France and its neighbours around the académie de Nice, as GeoJSON in public/basemap/. Run before
// every build (npm run build), so no tile or style is ever fetched from the web.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';

const require = createRequire(import.meta.url);
const topology = JSON.parse(readFileSync(require.resolve('world-atlas/countries-10m.json'), 'utf8'));
const keep = new Map([['250', 'France'], ['380', 'Italie'], ['492', 'Monaco'], ['724', 'Espagne'], ['756', 'Suisse']]);
const round = (c) => (typeof c[0] === 'number' ? [Math.round(c[0] * 1e4) / 1e4, Math.round(c[1] * 1e4) / 1e4] : c.map(round));
const all = feature(topology, topology.objects.countries);
const features = all.features
  .filter((f) => keep.has(String(f.id)))
  .map((f) => ({ type: 'Feature', id: Number(f.id), properties: { name: keep.get(String(f.id)) }, geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) } }));
mkdirSync(new URL('../public/basemap/', import.meta.url), { recursive: true });
writeFileSync(new URL('../public/basemap/countries.geojson', import.meta.url), JSON.stringify({ type: 'FeatureCollection', features }));
console.log(`basemap: ${features.length} countries written to public/basemap/countries.geojson`);
