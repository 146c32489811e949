// Boots the map page: reads the URL state, builds the map and its layers, wires filters, list, nearby
// and fiche, and keeps the URL (permalink) in step with what is shown.
import '@gouvfr/dsfr/dist/dsfr.min.css';
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
import { Map as MlMap, NavigationControl, Popup, ScaleControl, AttributionControl, setWorkerUrl } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { ApiError, api, getJson, type Feature, type FeatureCollection, type PracticeProps } from './api/client';
import { FILTER_KEYS, LAYERS, decode, encode, type Layer, type State } from './state/url';
import { active, countLabel, facets, query } from './ui/filters';
import { renderList } from './ui/list';
import { renderFiche } from './ui/fiche';
import { chooseBasemap } from './map/basemap';
import { renderFrame } from './ui/layout';
import { renderAccountMenu, send } from './api/account';
import { addPractices, highlight, setPractices, POINTS } from './map/practices';
import { LINK_COLOURS, addOverlays, addSites, establishmentPopup, setOverlay, setVisibility, styleEstablishments } from './map/overlays';

setWorkerUrl(workerUrl);
renderFrame({ skiplinks: [['#liste', 'Aller à la liste des usages'], ['#filtres', 'Aller aux filtres']] });
const account = renderAccountMenu();

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const state: State = decode(window.location.search);
let practices: FeatureCollection<PracticeProps> = { type: 'FeatureCollection', features: [], numberReturned: 0 };
let nearby: Feature<PracticeProps>[] | undefined;
const titles = new Map<number, string>();
const loadedOverlays = new Set<Layer>();

const config = await api.config().catch(() => ({ basemap_style_url: null, demo: false }));
const basemap = await chooseBasemap(config.basemap_style_url);
if (basemap.notice) {
  const n = $('basemap-notice');
  n.textContent = basemap.notice;
  n.hidden = false;
}
const map = new MlMap({
  container: 'map',
  style: basemap.style,
  center: state.view ? [state.view.lon, state.view.lat] : [6.6, 43.6],
  zoom: state.view?.zoom ?? 7.6,
  attributionControl: false,
  canvasContextAttributes: { preserveDrawingBuffer: true },
});
(window as unknown as { map: MlMap }).map = map;
map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
map.addControl(new AttributionControl({ compact: true, customAttribution: 'Natural Earth' }), 'bottom-right');

function syncUrl(): void {
  const c = map.getCenter();
  state.view = { lon: c.lng, lat: c.lat, zoom: map.getZoom() };
  const search = encode(state);
  window.history.replaceState(null, '', search ? `?${search}` : window.location.pathname);
}

function showError(e: unknown): void {
  const box = $('error');
  box.textContent = e instanceof ApiError ? `${e.problem.title} : ${e.problem.detail}` : 'Une erreur inattendue est survenue.';
  box.hidden = false;
}

function visibleFeatures(): Feature<PracticeProps>[] {
  if (nearby) return nearby;
  const b = map.getBounds();
  return practices.features
    .filter((f) => f.geometry?.type === 'Point' && b.contains(f.geometry.coordinates))
    .sort((a, z) => a.properties.title.localeCompare(z.properties.title, 'fr'));
}

function renderCount(): void {
  const total = practices.numberMatched ?? practices.features.length;
  const shown = visibleFeatures();
  const count = $('count');
  if (total === 0) {
    count.textContent = `${countLabel(0)}${active(state.filters) ? ' à ces filtres.' : '.'}`;
  } else if (nearby) {
    count.textContent = `${countLabel(total)} ; les ${shown.length} plus proches du point choisi, classés par distance :`;
  } else {
    count.textContent = `${countLabel(total)}, dont ${shown.length} dans la vue de la carte.`;
  }
  document.body.dataset.total = String(total);
  document.body.dataset.listed = String(shown.length);
  renderList($('list'), shown, (id) => void openFiche(id, true));
}

async function loadPractices(): Promise<void> {
  $('error').hidden = true;
  $('count').textContent = 'Chargement des usages…';
  document.body.dataset.ready = '0';
  try {
    practices = await api.practices(query(state.filters));
    for (const f of practices.features) titles.set(f.properties.id, f.properties.title);
    setPractices(map, query(state.filters));
    if (state.poi) await loadNearby(state.poi);
    renderCount();
  } catch (e) {
    showError(e);
    $('count').textContent = 'Les usages n\'ont pas pu être chargés.';
  } finally {
    document.body.dataset.ready = '1';
  }
}

async function loadNearby(poi: [number, number]): Promise<void> {
  const fc = await api.nearby(poi[0], poi[1], query(state.filters), 20);
  nearby = fc.features;
}

async function setPoi(poi: [number, number] | undefined): Promise<void> {
  state.poi = poi;
  nearby = undefined;
  syncUrl();
  if (poi) {
    try {
      await loadNearby(poi);
      $('near-message').textContent = 'Usages classés par distance au point choisi.';
    } catch (e) {
      showError(e);
    }
  }
  renderCount();
}

async function openFiche(id: number, focus: boolean): Promise<void> {
  const panel = $('fiche');
  try {
    const [f, links] = await Promise.all([api.practice(id), api.links({ practice: String(id) })]);
    state.fiche = id;
    syncUrl();
    const signedIn = (await account)?.authenticated ?? false;
    renderFiche(panel, f, links.features, titles, {
      close: closeFiche,
      show: (other) => void openFiche(other, true).then(() => flyTo(other)),
      contact: signedIn ? (pid, body) => send('POST', `/api/practices/${pid}/messages`, { body }) : undefined,
      link: signedIn
        ? async (from, to, kind, note) => {
            await send('POST', '/api/links', { from_practice: from, to_practice: to, kind, note: note || null });
            await refreshLinks();
            await openFiche(from, false);
          }
        : undefined,
      suggestions: async (pid) => (await getJson<{ suggestions: { id: number; title: string; reason: string }[] }>(`/api/practices/${pid}/suggestions?k=5`)).suggestions,
    });
    void highlightNetwork(id);
    highlight(map, id);
    if (focus) panel.focus();
  } catch (e) {
    state.fiche = undefined;
    syncUrl();
    if (e instanceof ApiError && e.status === 404) {
      const box = $('error');
      box.textContent = 'Cette fiche n\'existe pas ou n\'est pas publiée.';
      box.hidden = false;
    } else {
      showError(e);
    }
  }
}

function flyTo(id: number): void {
  const f = practices.features.find((x) => x.properties.id === id);
  if (f?.geometry?.type === 'Point') map.easeTo({ center: f.geometry.coordinates, zoom: Math.max(map.getZoom(), 12) });
}

/** Reloads the links drawn on the map (after a link was recorded). */
async function refreshLinks(): Promise<void> {
  setOverlay(map, 'links', await api.links({}));
  loadedOverlays.add('links');
}

/** Draws the network of a practice over the map, whatever the links layer shows. */
async function highlightNetwork(id: number): Promise<void> {
  try {
    if (!loadedOverlays.has('links')) await refreshLinks();
    const n = await getJson<{ links: { id: number }[] }>(`/api/practices/${id}/neighbourhood?depth=6`);
    map.setFilter('network-highlight', ['in', ['get', 'id'], ['literal', n.links.map((l) => l.id)]]);
    document.body.dataset.network = String(n.links.length);
  } catch {
    // The highlight is a help, not a necessity: the fiche still lists the linked projects.
  }
}

function closeFiche(): void {
  const panel = $('fiche');
  panel.hidden = true;
  state.fiche = undefined;
  highlight(map, undefined);
  map.setFilter('network-highlight', ['in', ['get', 'id'], ['literal', []]]);
  syncUrl();
  $('liste').focus();
}

async function applyLayers(): Promise<void> {
  setVisibility(map, state.layers);
  const withEstablishments = state.layers.includes('establishments');
  $('estab-options').hidden = !withEstablishments;
  $('legend-establishments').hidden = !withEstablishments;
  for (const l of state.layers) {
    if (loadedOverlays.has(l) || l === 'practices') continue;
    loadedOverlays.add(l);
    try {
      if (l === 'sites') setOverlay(map, 'sites', await api.sites());
      if (l === 'establishments') setOverlay(map, 'establishments', await api.establishments());
      if (l === 'links') setOverlay(map, 'links', await api.links({}));
    } catch (e) {
      loadedOverlays.delete(l);
      showError(e);
    }
  }
}

function fillSelect(name: string, values: string[]): void {
  const select = $<HTMLSelectElement>(`f-${name}`);
  const first = select.options[0];
  select.replaceChildren(...(first ? [first] : []), ...values.map((v) => new Option(v, v)));
}

function setupForm(): void {
  const form = $<HTMLFormElement>('filters');
  for (const k of FILTER_KEYS) {
    const input = form.elements.namedItem(k) as HTMLInputElement | HTMLSelectElement | null;
    if (input) input.value = state.filters[k] ?? '';
  }
  let timer: number | undefined;
  const changed = () => {
    for (const k of FILTER_KEYS) {
      const input = form.elements.namedItem(k) as HTMLInputElement | HTMLSelectElement | null;
      state.filters[k] = input?.value.trim() || undefined;
    }
    syncUrl();
    void loadPractices();
  };
  form.addEventListener('change', changed);
  $('f-q').addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(changed, 300);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    changed();
  });
  form.addEventListener('reset', () => window.setTimeout(changed, 0));

  for (const l of LAYERS) {
    const box = $<HTMLInputElement>(`l-${l}`);
    box.checked = state.layers.includes(l);
    box.addEventListener('change', () => {
      state.layers = LAYERS.filter((x) => $<HTMLInputElement>(`l-${x}`).checked);
      syncUrl();
      void applyLayers();
    });
  }
  const legend = (id: string, rows: [string, string, string][]) =>
    $(id).replaceChildren(...rows.map(([, label, colour]) => {
      const li = document.createElement('li');
      li.innerHTML = `<span class="key" style="background:${colour}" aria-hidden="true"></span>`;
      li.append(label);
      return li;
    }));
  legend('legend-links', LINK_COLOURS);
  const colour = $<HTMLSelectElement>('e-colour');
  const show = $<HTMLSelectElement>('e-show');
  const restyle = () => legend('legend-establishments', styleEstablishments(map, colour.value, show.value));
  colour.addEventListener('change', restyle);
  show.addEventListener('change', restyle);
  restyle();

  $('near-me').addEventListener('click', () => {
    const msg = $('near-message');
    if (!('geolocation' in navigator)) {
      msg.textContent = 'Votre navigateur ne permet pas la géolocalisation : cliquez sur la carte pour choisir un point.';
      return;
    }
    msg.textContent = 'Recherche de votre position…';
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const poi: [number, number] = [pos.coords.longitude, pos.coords.latitude];
        map.easeTo({ center: poi, zoom: Math.max(map.getZoom(), 10) });
        void setPoi(poi);
      },
      () => {
        msg.textContent = 'Position refusée ou indisponible : cliquez sur la carte ou utilisez « Autour du centre de la carte ».';
      },
      { timeout: 10000 },
    );
  });
  $('near-center').addEventListener('click', () => {
    const c = map.getCenter();
    void setPoi([c.lng, c.lat]);
  });

  const tabs = (mode: 'filters' | 'list' | 'map') => {
    document.body.dataset.tab = mode;
    for (const t of ['filters', 'list', 'map'] as const) $(`tab-${t}`).setAttribute('aria-pressed', String(mode === t));
    if (mode === 'map') map.resize();
  };
  $('tab-filters').addEventListener('click', () => tabs('filters'));
  $('tab-list').addEventListener('click', () => tabs('list'));
  $('tab-map').addEventListener('click', () => tabs('map'));
  tabs('list');
}

map.on('load', () => {
  addOverlays(map);
  addPractices(map, (id) => void openFiche(id, true), query(state.filters));
  addSites(map);
  void applyLayers();
  document.body.dataset.mapLoaded = '1';
  void (async () => {
    try {
      const all = await api.practices({});
      $('demo-notice').hidden = !config.demo;
      for (const f of all.features) titles.set(f.properties.id, f.properties.title);
      const fc = facets(all.features);
      fillSelect('discipline', fc.discipline);
      fillSelect('level', fc.level);
      fillSelect('tool', fc.tool);
      fillSelect('school_year', fc.school_year);
    } catch (e) {
      showError(e);
    }
    setupForm();
    await loadPractices();
    if (state.fiche !== undefined) await openFiche(state.fiche, false);
  })();
});
map.on('moveend', () => {
  syncUrl();
  if (!nearby) renderCount();
});
map.on('click', (e) => {
  if (map.queryRenderedFeatures(e.point, { layers: [POINTS] }).length > 0) return;
  const establishment = state.layers.includes('establishments') ? map.queryRenderedFeatures(e.point, { layers: ['establishments'] })[0] : undefined;
  if (establishment) {
    new Popup({ maxWidth: '18rem' }).setLngLat(e.lngLat).setDOMContent(establishmentPopup(establishment.properties)).addTo(map);
    return;
  }
  void setPoi([e.lngLat.lng, e.lngLat.lat]);
});
