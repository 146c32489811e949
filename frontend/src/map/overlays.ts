// The other layers: Fab' École sites (a distinct symbol, on by default), establishments coloured by
// bandwidth class and links coloured by kind (both off by default).
import type { GeoJSONSource, Map as MlMap } from 'maplibre-gl';
import type { FeatureCollection } from '../api/client';
import type { Layer } from '../state/url';

export const BANDWIDTH_COLOURS: [string, string, string][] = [
  ['lt8', '< 8 Mbit/s', '#ce0500'],
  ['8-30', '8 à 30 Mbit/s', '#fc5d00'],
  ['30-100', '30 à 100 Mbit/s', '#b7a73f'],
  ['gte100', '≥ 100 Mbit/s', '#18753c'],
  ['unknown', 'non mesuré', '#929292'],
];

export const LINK_COLOURS: [string, string, string][] = [
  ['inspired_by', 'inspiré par', '#6a6af4'],
  ['collaboration', 'collaboration', '#009081'],
  ['same_tool', 'même outil', '#c3992a'],
  ['visit', 'visite', '#a558a0'],
  ['training', 'formation', '#417dc4'],
  ['same_site', "même Fab' École", '#e4794a'],
];

const empty = { type: 'FeatureCollection', features: [] } as GeoJSON.FeatureCollection;

const matchColour = (prop: string, table: [string, string, string][]) =>
  ['match', ['get', prop], ...table.flatMap(([k, , c]) => [k, c]), '#929292'] as unknown as string;

/** Links and establishments, drawn under the practices. */
export function addOverlays(map: MlMap): void {
  map.addSource('links', { type: 'geojson', data: empty });
  map.addLayer(
    { id: 'links', type: 'line', source: 'links', layout: { visibility: 'none' }, paint: { 'line-color': matchColour('kind', LINK_COLOURS), 'line-width': 2, 'line-opacity': 0.8 } },
  );
  // The network of the open fiche, always drawn.
  map.addLayer({
    id: 'network-highlight',
    type: 'line',
    source: 'links',
    filter: ['in', ['get', 'id'], ['literal', []]],
    paint: { 'line-color': '#000091', 'line-width': 4, 'line-opacity': 0.9 },
  });
  map.addSource('establishments', { type: 'geojson', data: empty });
  map.addLayer(
    {
      id: 'establishments',
      type: 'circle',
      source: 'establishments',
      layout: { visibility: 'none' },
      paint: { 'circle-color': matchColour('bandwidth_class', BANDWIDTH_COLOURS), 'circle-radius': 4, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 },
    },
  );
}

/** Fab' École and tiers-lieux, drawn above everything. */
export function addSites(map: MlMap): void {
  map.addSource('sites', { type: 'geojson', data: empty });
  map.addLayer({
    id: 'sites',
    type: 'circle',
    source: 'sites',
    paint: { 'circle-color': '#ffffff', 'circle-radius': 9, 'circle-stroke-color': '#a94645', 'circle-stroke-width': 4 },
  });
}

export function setOverlay(map: MlMap, id: 'sites' | 'establishments' | 'links', data: FeatureCollection<unknown>): void {
  void (map.getSource(id) as GeoJSONSource).setData(data as unknown as GeoJSON.FeatureCollection);
}

export function setVisibility(map: MlMap, layers: Layer[]): void {
  const ids: Record<Layer, string[]> = {
    practices: ['practice-clusters', 'practice-points', 'practice-selected'],
    sites: ['sites'],
    establishments: ['establishments'],
    links: ['links'],
  };
  for (const [layer, mapLayers] of Object.entries(ids) as [Layer, string[]][]) {
    for (const l of mapLayers) map.setLayoutProperty(l, 'visibility', layers.includes(layer) ? 'visible' : 'none');
  }
  document.body.classList.toggle('hide-clusters', !layers.includes('practices'));
}
