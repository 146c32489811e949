// The practices layer: a clustered GeoJSON source. Cluster counts are drawn as HTML markers (MapLibre
// text needs glyph files, which an offline page does not have), so they are also readable by screen
// readers and testable.
import { Marker, type GeoJSONSource, type Map as MlMap, type MapGeoJSONFeature } from 'maplibre-gl';
import type { FeatureCollection, PracticeProps } from '../api/client';

export const SOURCE = 'practices';
export const CLUSTERS = 'practice-clusters';
export const POINTS = 'practice-points';
export const SELECTED = 'practice-selected';

export function addPractices(map: MlMap, onSelect: (id: number) => void): void {
  map.addSource(SOURCE, {
    type: 'geojson',
    data: { type: 'FeatureCollection', features: [] },
    cluster: true,
    clusterRadius: 45,
    clusterMaxZoom: 12,
    promoteId: 'id',
  });
  map.addLayer({
    id: CLUSTERS,
    type: 'circle',
    source: SOURCE,
    filter: ['has', 'point_count'],
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
    filter: ['!', ['has', 'point_count']],
    paint: { 'circle-color': '#e1000f', 'circle-radius': 7, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 },
  });
  map.addLayer({
    id: SELECTED,
    type: 'circle',
    source: SOURCE,
    filter: ['==', ['get', 'id'], -1],
    paint: { 'circle-color': 'rgba(0,0,0,0)', 'circle-radius': 12, 'circle-stroke-color': '#000091', 'circle-stroke-width': 3 },
  });
  map.on('click', POINTS, (e) => {
    const f = e.features?.[0];
    if (f) onSelect(Number(f.properties.id));
  });
  map.on('click', CLUSTERS, (e) => zoomIntoCluster(map, e.features?.[0]));
  for (const layer of [POINTS, CLUSTERS]) {
    map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
    map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
  }
  const markers = new Map<number, Marker>();
  const refresh = () => {
    const seen = new Set<number>();
    for (const f of map.querySourceFeatures(SOURCE)) {
      const p = f.properties;
      if (!p || !p.cluster) continue;
      const id = Number(p.cluster_id);
      if (seen.has(id)) continue;
      seen.add(id);
      if (!markers.has(id) && f.geometry.type === 'Point') {
        const el = document.createElement('button');
        el.type = 'button';
        el.className = 'cluster-count';
        el.textContent = String(p.point_count);
        el.setAttribute('aria-label', `${p.point_count} usages regroupés : zoomer`);
        el.dataset.count = String(p.point_count);
        el.addEventListener('click', (ev) => {
          ev.stopPropagation();
          zoomIntoCluster(map, f as MapGeoJSONFeature);
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
  map.on('render', () => {
    if (map.isSourceLoaded(SOURCE)) refresh();
  });
}

async function zoomIntoCluster(map: MlMap, f: MapGeoJSONFeature | undefined): Promise<void> {
  if (!f || f.geometry.type !== 'Point') return;
  const source = map.getSource(SOURCE) as GeoJSONSource;
  const zoom = await source.getClusterExpansionZoom(Number(f.properties.cluster_id));
  map.easeTo({ center: f.geometry.coordinates as [number, number], zoom });
}

export function setPractices(map: MlMap, data: FeatureCollection<PracticeProps>): void {
  const located = { ...data, features: data.features.filter((f) => f.geometry !== null) };
  void (map.getSource(SOURCE) as GeoJSONSource).setData(located as GeoJSON.FeatureCollection);
}

export function highlight(map: MlMap, id: number | undefined): void {
  map.setFilter(SELECTED, ['all', ['!', ['has', 'point_count']], ['==', ['get', 'id'], id ?? -1]]);
}
