// The other layers: Fab' École sites (a distinct symbol, on by default), establishments coloured by
// bandwidth class, label or OPINEE mean and filtered by label or OPINEE, and links coloured by kind
// (both off by default).
import type { GeoJSONSource, Map as MlMap } from 'maplibre-gl';
import type { FeatureCollection } from '../api/client';
import type { Layer } from '../state/url';
import { popupBox, popupFacts } from '../ui/popup';

export const BANDWIDTH_COLOURS: [string, string, string][] = [
  ['lt8', '< 8 Mbit/s', '#ce0500'],
  ['8-30', '8 à 30 Mbit/s', '#fc5d00'],
  ['30-100', '30 à 100 Mbit/s', '#b7a73f'],
  ['gte100', '≥ 100 Mbit/s', '#18753c'],
  ['unknown', 'non mesuré', '#929292'],
];

export const LABEL_COLOURS: [string, string, string][] = [
  ['3', 'label niveau 3', '#000091'],
  ['2', 'label niveau 2', '#6a6af4'],
  ['1', 'label niveau 1', '#b1b1f9'],
  ['none', 'sans label', '#929292'],
];

export const OPINEE_COLOURS: [string, string, string][] = [
  ['gte7', 'OPINEE 7 et plus', '#18753c'],
  ['4-7', 'OPINEE de 4 à 7', '#b7a73f'],
  ['lt4', 'OPINEE moins de 4', '#ce0500'],
  ['unknown', 'OPINEE non renseigné', '#929292'],
];

/** How establishments can be coloured: the property and its legend. */
export const ESTABLISHMENT_COLOURINGS: Record<string, [string, [string, string, string][]]> = {
  bandwidth: ['bandwidth_class', BANDWIDTH_COLOURS],
  label: ['label_class', LABEL_COLOURS],
  opinee: ['opinee_class', OPINEE_COLOURS],
};

/**
 * Colours establishments by `colouring` (a key of ESTABLISHMENT_COLOURINGS) and shows only those whose
 * `show` ("property:value", or empty for all) matches. Returns the legend rows.
 */
export function styleEstablishments(map: MlMap, colouring: string, show: string): [string, string, string][] {
  const [prop, table] = ESTABLISHMENT_COLOURINGS[colouring] ?? ESTABLISHMENT_COLOURINGS.bandwidth!;
  map.setPaintProperty('establishments', 'circle-color', matchColour(prop, table));
  const [key, value] = show.split(':');
  map.setFilter('establishments', key && value ? ['==', ['get', key === 'label' ? 'label_class' : key], value] : null);
  return table;
}

/** The content of the popup of an establishment clicked on the map, with a link to its fiche. */
export function establishmentPopup(p: Record<string, unknown>): HTMLElement {
  const div = popupBox(String(p.name ?? p.uai));
  const down = typeof p.bandwidth_down_mbps === 'number' ? `${p.bandwidth_down_mbps.toLocaleString('fr-FR')} Mbit/s` : 'débit inconnu';
  const label = p.label ? `label niveau ${String(p.label)}` : 'sans label';
  const opinee = typeof p.opinee_mean === 'number' ? `OPINEE ${p.opinee_mean.toLocaleString('fr-FR')} / 10` : 'OPINEE non renseigné';
  const a = document.createElement('a');
  a.className = 'fr-link fr-text--sm';
  a.href = `/etablissement.html?uai=${encodeURIComponent(String(p.uai))}`;
  a.textContent = "Fiche de l'établissement";
  div.append(popupFacts(`${down} · ${label} · ${opinee}`), a);
  return div;
}

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

/** Below this zoom the links of the whole académie are a tangle: they are drawn from here on. */
export const LINKS_MIN_ZOOM = 9;

/** Links and establishments, drawn under the practices. */
export function addOverlays(map: MlMap): void {
  map.addSource('links', { type: 'geojson', data: empty });
  map.addLayer(
    { id: 'links', type: 'line', source: 'links', minzoom: LINKS_MIN_ZOOM, layout: { visibility: 'none' }, paint: { 'line-color': matchColour('kind', LINK_COLOURS), 'line-width': 2, 'line-opacity': 0.8 } },
  );
  // The network of the open fiche, always drawn (from its neighbourhood, whatever the links layer shows).
  map.addSource('network', { type: 'geojson', data: empty });
  map.addLayer({
    id: 'network-highlight',
    type: 'line',
    source: 'network',
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

export const SITES = 'sites';
const SITE_KINDS: Record<string, string> = { fab_ecole: "Fab' École", tiers_lieu: 'Tiers-lieu', fablab: 'Fablab' };

/** Fab' École and tiers-lieux, drawn above everything, from Repère's vector tiles (clustered far out). */
export function addSites(map: MlMap): void {
  map.addSource(SITES, { type: 'vector', tiles: [`${location.origin}/api/tiles/sites/{z}/{x}/{y}.mvt`], minzoom: 0, maxzoom: 16 });
  map.addLayer({
    id: SITES,
    type: 'circle',
    source: SITES,
    'source-layer': 'sites',
    paint: { 'circle-color': '#ffffff', 'circle-radius': 9, 'circle-stroke-color': '#a94645', 'circle-stroke-width': 4 },
  });
  map.on('mouseenter', SITES, () => (map.getCanvas().style.cursor = 'pointer'));
  map.on('mouseleave', SITES, () => (map.getCanvas().style.cursor = ''));
}

/** The popup of a Fab' École or tiers-lieu (or of several, grouped far out: zoom to them). */
export function sitePopup(p: Record<string, unknown>, map: MlMap, at: { lng: number; lat: number }): HTMLElement {
  if (p.cluster) {
    const div = popupBox(`${String(p.point_count)} Fab' École et tiers-lieux`);
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'fr-btn fr-btn--sm fr-btn--secondary';
    b.textContent = 'Zoomer pour les distinguer';
    b.addEventListener('click', () => map.easeTo({ center: [at.lng, at.lat], zoom: Number(p.expansion_zoom) }));
    div.append(b);
    return div;
  }
  const div = popupBox(String(p.name ?? 'Lieu'));
  div.append(popupFacts(SITE_KINDS[String(p.kind)] ?? String(p.kind ?? ''), true));
  return div;
}

export function setOverlay(map: MlMap, id: 'establishments' | 'links', data: FeatureCollection<'Establishment'> | FeatureCollection<'Link'>): void {
  void (map.getSource(id) as GeoJSONSource).setData(data as unknown as GeoJSON.FeatureCollection);
}

/** Draws the links of the open fiche's network (segments as [[lon, lat], [lon, lat]]); none to clear. */
export function setNetwork(map: MlMap, links: { id: number; line: [number, number][] | null }[]): void {
  const features = links
    .filter((l) => l.line)
    .map((l) => ({ type: 'Feature' as const, id: l.id, properties: { id: l.id }, geometry: { type: 'LineString' as const, coordinates: l.line! } }));
  void (map.getSource('network') as GeoJSONSource).setData({ type: 'FeatureCollection', features });
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
