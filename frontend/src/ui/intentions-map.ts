// The DANE's private map layer of intentions: one circle per establishment named by intentions, sized
// by how many, red when one of its dossiers is late; a click lists its dossiers with their links.
// Loaded only on the DANE's desk (the filers' page never downloads the map library).
import 'maplibre-gl/dist/maplibre-gl.css';
import { AttributionControl, Map as MlMap, NavigationControl, Popup, setWorkerUrl } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { type Answer, api } from '../api/client';
import { chooseBasemap } from '../map/basemap';
import { FRENCH } from '../map/locale';
import { loadBasemapShapes } from '../map/style';
import { popupBox, popupFacts } from './popup';

setWorkerUrl(workerUrl);

/** The DANE's private layer: intentions by establishment, as /api/intentions/map answers. */
export type IntentionPlaces = Answer<'/api/intentions/map'>;

function popup(p: IntentionPlaces['features'][number]['properties']): HTMLElement {
  const div = popupBox(`${p.name} — ${p.commune}`);
  const facts = popupFacts(`${p.count} intention${p.count > 1 ? 's' : ''}, ${p.open} ouverte${p.open > 1 ? 's' : ''}, ${p.late} en retard`);
  const ul = document.createElement('ul');
  ul.className = 'fr-text--sm';
  for (const d of p.dossiers) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `/intention.html?id=${d.id}`;
    a.textContent = `${d.number} — ${d.title}`;
    li.append(a);
    ul.append(li);
  }
  div.append(facts, ul);
  return div;
}

/** Draws `places` in the element `container`. */
export async function showIntentionsMap(container: string, places: IntentionPlaces): Promise<void> {
  const config = await api.config().catch(() => ({ basemap_style_url: null, demo: false }));
  const basemap = await chooseBasemap(config.basemap_style_url);
  const map = new MlMap({ container, style: basemap.style, center: [6.6, 43.6], zoom: 7.3, attributionControl: false, locale: FRENCH });
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new AttributionControl({ compact: true, customAttribution: 'Natural Earth' }), 'bottom-right');
  await new Promise<void>((res) => (map.loaded() ? res() : map.once('load', () => res())));
  void loadBasemapShapes(map);
  // GeoJSON properties come back as JSON text from rendered features: keep the originals by UAI.
  const byUai = new Map(places.features.map((f) => [f.properties.uai, f.properties]));
  map.addSource('intentions', { type: 'geojson', data: places as unknown as GeoJSON.FeatureCollection });
  map.addLayer({
    id: 'intentions',
    type: 'circle',
    source: 'intentions',
    paint: {
      'circle-color': ['case', ['>', ['get', 'late'], 0], '#ce0500', '#000091'],
      'circle-radius': ['interpolate', ['linear'], ['get', 'count'], 1, 6, 10, 14],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 1.5,
      'circle-opacity': 0.85,
    },
  });
  map.on('click', 'intentions', (e) => {
    const uai = String(e.features?.[0]?.properties.uai ?? '');
    const p = byUai.get(uai);
    if (p) new Popup({ maxWidth: 'min(20rem, 80vw)' }).setLngLat(e.lngLat).setDOMContent(popup(p)).addTo(map);
  });
  map.on('mouseenter', 'intentions', () => (map.getCanvas().style.cursor = 'pointer'));
  map.on('mouseleave', 'intentions', () => (map.getCanvas().style.cursor = ''));
}
