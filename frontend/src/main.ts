// Boots the map page: reads the URL state, builds the map and its layers, wires filters, list, nearby
// and fiche, and keeps the URL (permalink) in step with what is shown.
import './dsfr.css';
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
import { type LngLat, Map as MlMap, NavigationControl, Popup, ScaleControl, AttributionControl, setWorkerUrl } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { ApiError, api, getJson, type Feature, type FeatureCollection, type PracticeProps } from './api/client';
import { FILTER_KEYS, LAYERS, decode, encode, type Layer, type State } from './state/url';
import { active, countLabel, query, sortFacets } from './ui/filters';
import { fillFacets, suggestRelax } from './ui/facet-panel';
import { Mark } from './map/markers';
import { renderList } from './ui/list';
import { setupGoto, type Place } from './ui/goto';
import { FRENCH } from './map/locale';
import { chooseBasemap } from './map/basemap';
import { loadBasemapShapes } from './map/style';
import { renderFrame } from './ui/layout';
import { renderAccountMenu, send } from './api/account';
import { EMBEDDED, renderEmbedFrame, updateEmbedLink } from './ui/embed';
import { countVisit } from './ui/visit';
import { addPractices, highlight, setPractices, CLUSTERS, POINTS } from './map/practices';
import { chooser, pickAt, type Picked } from './map/pick';
import { LINK_COLOURS, LINKS_MIN_ZOOM, SITES, addOverlays, addSites, establishmentPopup, setNetwork, setOverlay, setVisibility, sitePopup, styleEstablishments } from './map/overlays';

setWorkerUrl(workerUrl);
if (EMBEDDED) renderEmbedFrame();
else renderFrame({ skiplinks: [['#liste', 'Aller à la liste des usages'], ['#filtres', 'Aller aux filtres']] });
// The embedded map is anonymous: it never asks for a session.
const account = EMBEDDED ? Promise.resolve(undefined) : renderAccountMenu();
countVisit(EMBEDDED ? 'embed' : 'carte');

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const state: State = decode(window.location.search);
/** Practices per page of the list: only what the view shows is ever downloaded. */
const PAGE = 20;
/** The practices listed (the pages of the current view loaded so far) and how many the view holds. */
let listed: Feature<'Practice'>[] = [];
let inView = 0;
/** How many practices pass the filters, anywhere. */
let total = 0;
let nearby: Feature<'Practice'>[] | undefined;
/** Bumped by every new list request, so a slow answer never overwrites a newer one. */
let listRequest = 0;
const loadedOverlays = new Set<Layer>();

const config = await api.config().catch(() => ({ basemap_style_url: null, demo: false }));
const basemap = await chooseBasemap(config.basemap_style_url);
if (basemap.notice) {
  const n = $('basemap-notice');
  n.textContent = basemap.notice;
  n.hidden = false;
}
/** The académie (Alpes-Maritimes and Var), shown whole on a first visit, whatever the screen. */
const ACADEMIE: [[number, number], [number, number]] = [[5.65, 42.98], [7.72, 44.37]];
// On a phone the map starts hidden behind its tab, where it cannot fit anything: it fits when shown.
let fitOnShow = !state.view && $('map').offsetWidth === 0;
const map = new MlMap({
  container: 'map',
  style: basemap.style,
  ...(state.view ? { center: [state.view.lon, state.view.lat] as [number, number], zoom: state.view.zoom } : { bounds: ACADEMIE, fitBoundsOptions: { padding: 16 } }),
  attributionControl: false,
  canvasContextAttributes: { preserveDrawingBuffer: true },
  locale: FRENCH,
});
(window as unknown as { map: MlMap }).map = map;
const poiMark = new Mark(map, 'repere-poi', 'bottom');
const targetMark = new Mark(map, 'repere-target');
map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
map.addControl(new AttributionControl({ compact: true, customAttribution: 'Natural Earth' }), 'bottom-right');

function syncUrl(): void {
  const c = map.getCenter();
  state.view = { lon: c.lng, lat: c.lat, zoom: map.getZoom() };
  const search = encode(state);
  window.history.replaceState(null, '', search ? `?${search}` : window.location.pathname);
  updateEmbedLink(search);
}

function showError(e: unknown): void {
  const box = $('error');
  box.textContent = e instanceof ApiError ? `${e.problem.title} : ${e.problem.detail}` : 'Une erreur inattendue est survenue.';
  box.hidden = false;
}

function renderCount(): void {
  const shown = nearby ?? listed;
  const count = $('count');
  const more = $<HTMLButtonElement>('more');
  more.hidden = true;
  if (total === 0) {
    count.textContent = `${countLabel(0)}${active(state.filters) ? ' à ces filtres.' : '.'}`;
    $('relax').replaceChildren(...suggestRelax(state.filters, (k) => {
      state.filters[k] = undefined;
      const input = $<HTMLFormElement>('filters').elements.namedItem(k) as HTMLInputElement | HTMLSelectElement | null;
      if (input) input.value = '';
      syncUrl();
      void loadPractices();
    }));
  } else if (nearby) {
    count.textContent = `${countLabel(total)} ; les ${shown.length} plus proches du point choisi, classés par distance :`;
    $('relax').replaceChildren();
  } else {
    count.textContent = inView === 0
      ? `${countLabel(total)}, aucun dans la vue de la carte : dézoomez ou déplacez la carte.`
      : `${countLabel(total)}, dont ${inView.toLocaleString('fr-FR')} dans la vue de la carte${inView > listed.length ? ` (${listed.length} affichés)` : ''}.`;
    $('relax').replaceChildren();
    const rest = inView - listed.length;
    if (rest > 0) {
      more.hidden = false;
      more.textContent = `Voir ${Math.min(rest, PAGE)} usages de plus (${rest.toLocaleString('fr-FR')} restants)`;
    }
  }
  // The exports give what the list shows: the filters and the view (every page, not only the loaded ones).
  const exported = new URLSearchParams({ ...query(state.filters), bbox: viewBbox(), limit: '10000' });
  $<HTMLAnchorElement>('export-geojson').href = `/api/collections/practices/items?${exported}`;
  exported.set('f', 'csv');
  $<HTMLAnchorElement>('export-csv').href = `/api/collections/practices/items?${exported}`;
  $('export').hidden = total === 0 || nearby !== undefined;
  document.body.dataset.total = String(total);
  document.body.dataset.listed = String(shown.length);
  document.body.dataset.inView = String(inView);
  renderList($('list'), shown, (id) => void openFiche(id, true));
}

/** The bbox of the map's view, for the list. */
function viewBbox(): string {
  const b = map.getBounds();
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)].map((v) => v.toFixed(5)).join(',');
}

/** Loads the list's first page for the current view (or, with `append`, the next page). */
async function loadList(append = false): Promise<void> {
  const request = ++listRequest;
  const page = await api.practices({ ...query(state.filters), bbox: viewBbox(), limit: PAGE, offset: append ? listed.length : 0 });
  if (request !== listRequest) return;
  listed = append ? [...listed, ...page.features] : page.features;
  inView = page.numberMatched ?? listed.length;
  renderCount();
}

let loadGeneration = 0;

async function loadPractices(): Promise<void> {
  const generation = ++loadGeneration;
  $('error').hidden = true;
  $('count').textContent = 'Chargement des usages…';
  document.body.dataset.ready = '0';
  try {
    setPractices(map, query(state.filters));
    const [f] = await Promise.all([api.facets(query(state.filters)), loadList()]);
    // A newer change of the filters is on its way: its answer is the one to show.
    if (generation !== loadGeneration) return;
    total = f.numberMatched;
    fillFacets(sortFacets(f.facets), state.filters);
    if (state.poi) {
      await loadNearby(state.poi);
      drawPoi(state.poi);
    }
    renderCount();
  } catch (e) {
    showError(e);
    $('count').textContent = 'Les usages n\'ont pas pu être chargés.';
  } finally {
    if (generation === loadGeneration) document.body.dataset.ready = '1';
  }
}

async function loadNearby(poi: [number, number]): Promise<void> {
  const fc = await api.nearby(poi[0], poi[1], query(state.filters), 20);
  nearby = fc.features;
}

/** The chosen "autour de" point, drawn on the map (none: the mark goes). */
function drawPoi(poi: [number, number] | undefined): void {
  poiMark.place(poi, 'Point choisi : les usages sont classés par distance à ce point');
  $('near-clear').hidden = !poi;
}

async function setPoi(poi: [number, number] | undefined): Promise<void> {
  state.poi = poi;
  nearby = undefined;
  syncUrl();
  drawPoi(poi);
  renderCount();
  if (poi) {
    try {
      await loadNearby(poi);
      $('near-message').textContent = 'Usages classés par distance au point choisi (repère bleu sur la carte).';
    } catch (e) {
      showError(e);
    }
  } else {
    $('near-message').textContent = '';
    await loadList().catch(showError);
  }
  renderCount();
}

interface Neighbourhood {
  nodes: { id: number; title: string }[];
  links: { id: number; line: [number, number][] | null }[];
}

/** The fiche whose view was counted last (reopening it after recording a link is not a new view). */
let countedFiche: number | undefined;

async function openFiche(id: number, focus: boolean): Promise<Feature<'Practice'> | undefined> {
  const panel = $('fiche');
  try {
    const [f, links, network] = await Promise.all([
      api.practice(id),
      api.links({ practice: String(id) }),
      getJson<Neighbourhood>(`/api/practices/${id}/neighbourhood?depth=6`).catch(() => undefined),
    ]);
    const titles = new Map((network?.nodes ?? []).map((n) => [n.id, n.title]));
    if (countedFiche !== id) countVisit('fiche', id);
    countedFiche = id;
    state.fiche = id;
    syncUrl();
    const signedIn = (await account)?.authenticated ?? false;
    // The fiche's code comes with the first fiche opened, not with the page.
    const { renderFiche } = await import('./ui/fiche');
    renderFiche(panel, f, links.features, titles, {
      close: closeFiche,
      show: (other) => void openFiche(other, true).then((g) => g && flyTo(g)),
      search: async (text) =>
        (await api.practices({ q: text, limit: 10 })).features.map((g) => ({ id: g.properties.id, title: g.properties.title })),
      contact: signedIn ? (pid, body) => send('POST', `/api/practices/${pid}/messages`, { body }) : undefined,
      link: signedIn
        ? async (from, to, kind, note) => {
            await send('POST', '/api/links', { from_practice: from, to_practice: to, kind, note: note || null });
            await refreshLinks();
            await openFiche(from, false);
          }
        : undefined,
      embedded: EMBEDDED,
      suggestions: async (pid) => (await getJson<{ suggestions: { id: number; title: string; reason: string }[] }>(`/api/practices/${pid}/suggestions?k=5`)).suggestions,
    });
    setNetwork(map, network?.links ?? []);
    document.body.dataset.network = String(network?.links.length ?? 0);
    highlight(map, id);
    if (focus) panel.focus();
    panel.scrollTop = 0;
    return f;
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
    return undefined;
  }
}

/**
 * Shows a practice on the map, whatever the filters show: centred in the part of the map the fiche
 * leaves free, marked (it may be filtered out of the layer), and on a phone with the map tab shown.
 */
function flyTo(f: Feature<'Practice'>): void {
  if (f.geometry?.type !== 'Point') return;
  const at = f.geometry.coordinates as [number, number];
  targetMark.place(at, `Emplacement de « ${f.properties.title} »`);
  const phone = getComputedStyle($('tab-map').parentElement!).display !== 'none';
  if (phone) {
    $('fiche').hidden = true;
    $('tab-map').click();
  }
  const fiche = $('fiche');
  const right = !phone && !fiche.hidden ? fiche.offsetWidth : 0;
  map.easeTo({ center: at, zoom: Math.max(map.getZoom(), 12), padding: { top: 0, bottom: 0, left: 0, right } });
}

/** Reloads the links layer after a link was recorded, if it was loaded (the fiche's network comes with it). */
async function refreshLinks(): Promise<void> {
  if (loadedOverlays.has('links')) setOverlay(map, 'links', await api.links({}));
}

function closeFiche(): void {
  const panel = $('fiche');
  panel.hidden = true;
  state.fiche = undefined;
  countedFiche = undefined;
  highlight(map, undefined);
  setNetwork(map, []);
  syncUrl();
  $('liste').focus();
}

/** Says why the links layer shows nothing when zoomed out. */
function linksHint(): void {
  $('links-hint').hidden = !state.layers.includes('links') || map.getZoom() >= LINKS_MIN_ZOOM;
}

async function applyLayers(): Promise<void> {
  setVisibility(map, state.layers);
  const withEstablishments = state.layers.includes('establishments');
  $('estab-options').hidden = !withEstablishments;
  $('legend-establishments').hidden = !withEstablishments;
  $('legend-links').hidden = !state.layers.includes('links');
  linksHint();
  for (const l of state.layers) {
    if (loadedOverlays.has(l) || l === 'practices' || l === 'sites') continue;
    loadedOverlays.add(l);
    try {
      if (l === 'establishments') setOverlay(map, 'establishments', await api.establishments());
      if (l === 'links') setOverlay(map, 'links', await api.links({}));
    } catch (e) {
      loadedOverlays.delete(l);
      showError(e);
    }
  }
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
      msg.textContent = 'Votre navigateur ne donne pas votre position : cliquez sur la carte à l\'endroit voulu, ou centrez la carte sur votre commune puis choisissez « Autour du centre de la carte ».';
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
        msg.textContent = 'Position refusée ou indisponible : cliquez sur la carte à l\'endroit voulu, ou centrez la carte sur votre commune puis choisissez « Autour du centre de la carte ».';
      },
      { timeout: 10000 },
    );
  });
  $('near-clear').addEventListener('click', () => void setPoi(undefined));
  let place: Place | undefined;
  setupGoto($<HTMLInputElement>('goto'), $<HTMLUListElement>('goto-list'), $('goto-status'), (p) => {
    place = p;
    // Distances to an earlier point would describe another place: the list follows the new view.
    if (state.poi) void setPoi(undefined);
    if (p.bbox && (p.bbox[2] - p.bbox[0] > 0.005 || p.bbox[3] - p.bbox[1] > 0.005)) {
      map.fitBounds([[p.bbox[0], p.bbox[1]], [p.bbox[2], p.bbox[3]]], { padding: 40, maxZoom: 13 });
    } else {
      map.easeTo({ center: p.center, zoom: p.kind === 'commune' ? 13 : 15 });
    }
    const near = $('goto-near');
    near.textContent = `Usages autour de ${p.label}`;
    near.hidden = false;
  });
  $('goto-near').addEventListener('click', () => {
    if (place) void setPoi(place.center);
  });
  $('near-center').addEventListener('click', () => {
    const c = map.getCenter();
    void setPoi([c.lng, c.lat]);
  });

  const tabs = (mode: 'filters' | 'list' | 'map') => {
    document.body.dataset.tab = mode;
    for (const t of ['filters', 'list', 'map'] as const) $(`tab-${t}`).setAttribute('aria-pressed', String(mode === t));
    if (mode === 'map') {
      map.resize();
      if (fitOnShow) map.fitBounds(ACADEMIE, { padding: 16, duration: 0 });
      fitOnShow = false;
    }
  };
  $('more').addEventListener('click', () => {
    const before = listed.length;
    void loadList(true).then(() => {
      // The keyboard goes on from the first practice added, not back to the top of the page.
      $('list').querySelectorAll<HTMLButtonElement>('.repere-item')[before]?.focus();
    }, showError);
  });
  $('print').addEventListener('click', () => window.print());
  // The dialog's code comes when it is first asked for.
  $('embed').addEventListener('click', (e) => {
    const button = e.currentTarget as HTMLButtonElement;
    if (button.dataset.wired) return;
    button.dataset.wired = '1';
    void import('./ui/embed-dialog').then(({ setupEmbedDialog }) => {
      setupEmbedDialog(button, () => {
        syncUrl();
        return encode(state);
      });
      button.click();
    });
  });
  // The printed map is another size: redraw it for the page, then back.
  window.addEventListener('beforeprint', () => {
    const filters = Object.entries(query(state.filters)).map(([k, v]) => `${k} = ${v}`).join(' ; ');
    $('print-context').textContent = `Repère — usages numériques innovants, académie de Nice. ${filters ? `Filtres : ${filters}.` : 'Sans filtre.'} Imprimé le ${new Date().toLocaleDateString('fr-FR')}.`;
    map.resize();
  });
  window.addEventListener('afterprint', () => map.resize());
  $('tab-filters').addEventListener('click', () => tabs('filters'));
  $('tab-list').addEventListener('click', () => tabs('list'));
  $('tab-map').addEventListener('click', () => tabs('map'));
  tabs('list');
}

map.on('load', () => {
  void loadBasemapShapes(map);
  addOverlays(map);
  addPractices(map, query(state.filters));
  addSites(map);
  void applyLayers();
  document.body.dataset.mapLoaded = '1';
  $('demo-notice').hidden = !config.demo;
  setupForm();
  void (async () => {
    await loadPractices();
    // The moment the map and the first page of the list are there (read by scripts/bench-page.sh).
    performance.mark('repere-usable');
    if (state.fiche !== undefined) await openFiche(state.fiche, false);
  })();
});
let moveTimer: number | undefined;
map.on('zoomend', () => linksHint());
map.on('moveend', () => {
  syncUrl();
  if (nearby || document.body.dataset.ready !== '1') return;
  window.clearTimeout(moveTimer);
  moveTimer = window.setTimeout(() => void loadList().catch(showError), 250);
});
/** Acts on one thing clicked on the map. */
function act(item: Picked, at: LngLat, popup?: Popup): void {
  popup?.remove();
  const show = (content: HTMLElement) => new Popup({ maxWidth: '20rem' }).setLngLat(at).setDOMContent(content).addTo(map);
  switch (item.kind) {
    case 'practice':
      void openFiche(item.id, true);
      break;
    case 'cluster':
      map.easeTo({ center: item.center, zoom: item.zoom });
      break;
    case 'site':
      show(sitePopup(item.props, map, at));
      break;
    case 'establishment':
      if (item.props) show(establishmentPopup(item.props));
      else window.location.href = `/etablissement.html?uai=${encodeURIComponent(item.uai)}`;
      break;
  }
}

map.on('click', (e) => {
  const items = pickAt(map, e.point, [POINTS, CLUSTERS, SITES, 'establishments']);
  if (items.length === 0) {
    void setPoi([e.lngLat.lng, e.lngLat.lat]);
    return;
  }
  if (items.length === 1) {
    act(items[0]!, e.lngLat);
    return;
  }
  const popup = new Popup({ maxWidth: '22rem' }).setLngLat(e.lngLat);
  popup.setDOMContent(chooser(items, (item) => act(item, e.lngLat, popup))).addTo(map);
});
