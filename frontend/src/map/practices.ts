// The practices layer: Repère's vector tiles (/api/tiles/practices), clustered by the server below
// zoom 15 with exact counts, filtered by the same parameters as the list. Cluster counts are drawn as
// HTML markers (MapLibre text needs glyph files, which an offline page does not have), so they are
// also readable by screen readers and testable; a cluster zooms to where it splits.
import { Marker, type Map as MlMap, type MapGeoJSONFeature, type VectorTileSource } from 'maplibre-gl';

export const SOURCE = 'practices';
export const CLUSTERS = 'practice-clusters';
export const POINTS = 'practice-points';
export const SELECTED = 'practice-selected';
const LAYER = 'practices';

/** The tile URL template for these filters (the same query string as the items). */
export function tileUrl(filters: Record<string, string>, origin = location.origin): string {
  const q = new URLSearchParams(filters).toString();
  return `${origin}/api/tiles/practices/{z}/{x}/{y}.mvt${q ? `?${q}` : ''}`;
}

/** Adds the layers; clicks on them are handled by the page (map/pick.ts: one thing or a chooser). */
export function addPractices(map: MlMap, filters: Record<string, string>): void {
  map.addSource(SOURCE, { type: 'vector', tiles: [tileUrl(filters)], minzoom: 0, maxzoom: 16 });
  map.addLayer({
    id: CLUSTERS,
    type: 'circle',
    source: SOURCE,
    'source-layer': LAYER,
    filter: ['==', ['get', 'cluster'], true],
    paint: {
      'circle-color': '#000091',
      'circle-opacity': 0.85,
      'circle-radius': ['step', ['get', 'point_count'], 14, 10, 18, 50, 24],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 2,
    },
  });
  map.addLayer({
    id: POINTS,
    type: 'circle',
    source: SOURCE,
    'source-layer': LAYER,
    filter: ['!', ['has', 'cluster']],
    paint: { 'circle-color': '#e1000f', 'circle-radius': 7, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 },
  });
  map.addLayer({
    id: SELECTED,
    type: 'circle',
    source: SOURCE,
    'source-layer': LAYER,
    filter: ['==', ['get', 'id'], -1],
    paint: { 'circle-color': 'rgba(0,0,0,0)', 'circle-radius': 12, 'circle-stroke-color': '#000091', 'circle-stroke-width': 3 },
  });
  for (const layer of [POINTS, CLUSTERS]) {
    map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
    map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
  }
  // Keyed by cluster and count: after a filter, a cluster with the same id can hold another number.
  const markers = new Map<string, Marker>();
  const refresh = () => {
    const seen = new Set<string>();
    for (const f of map.queryRenderedFeatures({ layers: [CLUSTERS] })) {
      const p = f.properties;
      const id = `${String(p.cluster_id)}:${String(p.point_count)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      if (!markers.has(id) && f.geometry.type === 'Point') {
        const el = document.createElement('button');
        el.type = 'button';
        el.className = 'cluster-count';
        el.textContent = String(p.point_count);
        el.setAttribute('aria-label', `${p.point_count} usages regroupés : zoomer`);
        el.dataset.count = String(p.point_count);
        el.dataset.expansionZoom = String(p.expansion_zoom);
        el.addEventListener('click', (ev) => {
          ev.stopPropagation();
          zoomIntoCluster(map, f);
        });
        markers.set(id, new Marker({ element: el }).setLngLat(f.geometry.coordinates as [number, number]).addTo(map));
      }
    }
    for (const [id, m] of markers) {
      if (!seen.has(id)) {
        m.remove();
        markers.delete(id);
      }
    }
  };
  // After every drawn frame (at most every 150 ms, and once the drawing settles): the numbers always
  // follow what was drawn, whatever event brought the new tiles.
  let timer: number | undefined;
  map.on('render', () => {
    if (timer !== undefined) return;
    timer = window.setTimeout(() => {
      timer = undefined;
      refresh();
    }, 150);
  });
  map.on('idle', refresh);
}

function zoomIntoCluster(map: MlMap, f: MapGeoJSONFeature | undefined): void {
  if (!f || f.geometry.type !== 'Point') return;
  map.easeTo({ center: f.geometry.coordinates as [number, number], zoom: Number(f.properties.expansion_zoom) });
}

/** Shows the practices that pass `filters` (new tiles; the server clusters them). */
export function setPractices(map: MlMap, filters: Record<string, string>): void {
  (map.getSource(SOURCE) as VectorTileSource).setTiles([tileUrl(filters)]);
}

export function highlight(map: MlMap, id: number | undefined): void {
  map.setFilter(SELECTED, ['all', ['!', ['has', 'cluster']], ['==', ['get', 'id'], id ?? -1]]);
}
