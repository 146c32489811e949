// "Débit des établissements" (collectivités, admins): a threshold control; the establishments under it
// in red on the map, listed with their practices and counted by commune; classes of measured and
// potential values; CSV exports. Figures come from /api/indicators/bandwidth.
import '../dsfr.css';
import 'maplibre-gl/dist/maplibre-gl.css';
import '../style.css';
import { AttributionControl, type ExpressionSpecification, type LngLat, Map as MlMap, NavigationControl, Popup, setWorkerUrl } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { renderAccountMenu } from '../api/account';
import { type Answer, ApiError, api, getJson } from '../api/client';
import { FRENCH } from '../map/locale';
import { chooseBasemap } from '../map/basemap';
import { loadBasemapShapes } from '../map/style';
import { establishmentPopup } from '../map/overlays';
import { addFibreLayer, communePopup, percent } from '../map/fibre';
import { renderFrame } from '../ui/layout';
import { countVisit } from '../ui/visit';
import { addRow } from '../ui/tables';
import { plural } from '../ui/text';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu']], demo: true });
countVisit('debit');
setWorkerUrl(workerUrl);

type View = Answer<'/api/indicators/bandwidth'>;
type BelowEstablishment = View['below']['establishments'][number];

const $ = (id: string) => document.getElementById(id)!;
const rowsOf = (id: string) => ($(id) as HTMLTableElement).tBodies[0]!;
let map: MlMap | undefined;
/** The view last fetched, drawn again on the map once the map is ready. */
let shown: View | undefined;
/** UAIs of the establishments that have a position (the others cannot be drawn). */
let located = new Set<string>();

const select = (id: string) => $(id) as HTMLSelectElement;
const TERRITORY_KEYS = ['departement', 'commune', 'epci'] as const;

function query(): string {
  const q = new URLSearchParams({ threshold: ($('threshold') as HTMLInputElement).value, source: select('source').value });
  for (const k of TERRITORY_KEYS) if (select(k).value) q.set(k, select(k).value);
  return q.toString();
}

/** The controls as the address gives them (a shared link opens on the same view). */
function fromUrl(): void {
  const q = new URLSearchParams(window.location.search);
  const t = q.get('threshold');
  if (t) ($('threshold') as HTMLInputElement).value = t;
  for (const k of ['source', ...TERRITORY_KEYS]) {
    const v = q.get(k);
    if (!v) continue;
    // Communes and EPCIs are listed once the first answer is in: keep the asked one meanwhile.
    if (![...select(k).options].some((o) => o.value === v)) select(k).add(new Option(v, v));
    select(k).value = v;
  }
}

/** The communes and EPCIs of the chosen département, the chosen one kept. */
function fillTerritories(v: View): void {
  for (const [id, list, all] of [['commune', v.communes, 'Toutes'], ['epci', v.epcis, 'Tous']] as const) {
    const s = select(id);
    const chosen = s.value;
    s.replaceChildren(new Option(all, ''), ...list.map((t) => new Option(`${t.name} (${t.establishments})`, t.code, false, t.code === chosen)));
    if (chosen && !list.some((t) => t.code === chosen)) s.value = '';
  }
  $('epci-group').hidden = !v.epci_known;
}

/** The commune codes the view is limited to (by commune or EPCI), or undefined for all. */
function scopeCommunes(v: View): string[] | undefined {
  const commune = select('commune').value;
  if (commune) return [commune];
  const epci = select('epci').value;
  return epci ? v.epcis.find((t) => t.code === epci)?.communes ?? [] : undefined;
}

/** What the school's line and its commune's fibre say, with the commune's share of connectable premises. */
function fibreCell(e: BelowEstablishment): string {
  const share = e.commune_fibre_rate !== null && ['fibre_not_connected', 'no_fibre'].includes(e.fibre) ? ` (commune : ${percent(e.commune_fibre_rate)} des locaux raccordables)` : '';
  return `${e.fibre_label}${share}`;
}

/** A popup at `at`; on a narrow map the point is first brought to the middle so that the popup fits. */
function openPopup(m: MlMap, at: LngLat, content: HTMLElement): void {
  const narrow = m.getContainer().clientWidth < 500;
  if (narrow) m.jumpTo({ center: at });
  new Popup({ maxWidth: 'min(18rem, 80vw)', ...(narrow ? { anchor: 'bottom' as const } : {}) }).setLngLat(at).setDOMContent(content).addTo(m);
}

function render(v: View): void {
  $('status').textContent = `${v.below.count} établissement${v.below.count > 1 ? 's' : ''} sous le seuil de ${v.threshold_mbps} Mbit/s sur ${v.establishments} ; ${v.without_value} sans valeur ; ${v.below.practices} usage${v.below.practices > 1 ? 's' : ''} remonté${v.below.practices > 1 ? 's' : ''} dans ces établissements.`;
  document.body.dataset.below = String(v.below.count);
  fillTerritories(v);
  window.history.replaceState(null, '', `?${query()}`);
  const classes = rowsOf('classes');
  classes.replaceChildren();
  v.classes.measured.forEach((m, i) => addRow(classes, m.label, [String(m.count), String(v.classes.potential[i]?.count ?? 0)]));
  const below = rowsOf('below');
  below.replaceChildren();
  for (const e of v.below.establishments) {
    const tr = addRow(below, '', [e.commune_name, e.down_mbps.toLocaleString('fr-FR'), new Date(e.date).toLocaleDateString('fr-FR'), v.fibre_known ? fibreCell(e) : 'non importée', '']);
    const link = document.createElement('a');
    link.href = `/etablissement.html?uai=${encodeURIComponent(e.uai)}`;
    link.textContent = e.name;
    tr.cells[0]!.append(link);
    const td = tr.cells[5]!;
    if (e.practices.length === 0) td.textContent = 'aucun';
    e.practices.forEach((p, i) => {
      if (i > 0) td.append(', ');
      const a = document.createElement('a');
      a.href = `/?fiche=${p.id}`;
      a.textContent = p.title;
      td.append(a);
    });
  }
  const fibre = rowsOf('fibre');
  fibre.replaceChildren();
  for (const c of v.below.by_fibre) if (c.count > 0 || c.key !== 'unknown') addRow(fibre, c.label, [String(c.count)]);
  $('fibre-block').hidden = !v.fibre_known;
  $('fibre-help').hidden = !v.fibre_known;
  $('fibre-missing').hidden = v.fibre_known;
  const communes = rowsOf('communes');
  communes.replaceChildren();
  for (const c of v.below.by_commune) addRow(communes, c.label, [String(c.count)]);
  const epcis = rowsOf('epcis');
  epcis.replaceChildren();
  for (const c of v.below.by_epci) addRow(epcis, c.label, [String(c.count)]);
  $('epci-block').hidden = !v.epci_known;
  $('epci-csv-item').hidden = !v.epci_known;
  $('epci-missing').hidden = v.epci_known;
  $('epci-note').textContent = v.below.without_epci ? `${plural(v.below.without_epci, 'établissement', 'établissements')} sous le seuil dans une commune sans EPCI connu.` : '';
  const q = query();
  for (const t of ['establishments', 'commune', 'departement', 'epci']) ($(`csv-${t}`) as HTMLAnchorElement).href = `/api/indicators/bandwidth.csv?${q}&territory=${t}`;
  if (map?.getLayer('below')) {
    // Only the chosen département, and the map fitted to it (to both when none is chosen).
    // Only the chosen territory, and the map fitted to it (to both départements when none is chosen).
    const dep = select('departement').value;
    const communes = scopeCommunes(v);
    const filters: ExpressionSpecification[] = [];
    if (dep) filters.push(['==', ['get', 'departement'], dep]);
    if (communes) filters.push(['in', ['get', 'commune_code'], ['literal', communes]]);
    map.setFilter('all', filters.length > 0 ? ['all', ...filters] : null);
    const scope = positions.filter((p) => (!dep || p.dep === dep) && (!communes || communes.includes(p.commune)));
    const key = `${dep}|${communes?.join(',') ?? ''}`;
    if (scope.length > 0 && key !== fittedTo) {
      const xs = scope.map((p) => p.at[0]);
      const ys = scope.map((p) => p.at[1]);
      map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 24, duration: 0, maxZoom: 13 });
      fittedTo = key;
    }
    const drawn = v.below.establishments.filter((e) => located.has(e.uai));
    map.setFilter('below', ['in', ['get', 'uai'], ['literal', drawn.map((e) => e.uai)]]);
    const missing = v.below.count - drawn.length;
    $('map-note').textContent = missing > 0 ? `${missing} établissement${missing > 1 ? 's' : ''} sous le seuil sans position connue : dans la liste, pas sur la carte.` : '';
    document.body.dataset.mapped = String(drawn.length);
    document.body.dataset.mapVersion = String(Number(document.body.dataset.mapVersion ?? '0') + 1);
  }
}

async function load(): Promise<void> {
  const input = $('threshold') as HTMLInputElement;
  const error = $('threshold-error');
  const t = Number(input.value);
  if (!input.value || !(t > 0 && t <= 100000)) {
    error.textContent = 'Indiquez un seuil entre 1 et 100 000 Mbit/s.';
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  error.hidden = true;
  input.removeAttribute('aria-invalid');
  $('status').textContent = 'Chargement…';
  document.body.dataset.ready = '0';
  try {
    shown = await getJson<View>(`/api/indicators/bandwidth?${query()}`);
    render(shown);
    $('view').hidden = false;
    $('alert').hidden = true;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      $('access').hidden = false;
      $('status').textContent = '';
    } else {
      $('alert').textContent = e instanceof ApiError ? e.message : 'La vue n\'a pas pu être chargée.';
      $('alert').hidden = false;
    }
  } finally {
    document.body.dataset.ready = '1';
  }
}

let positions: { dep: string; commune: string; at: [number, number] }[] = [];
let fittedTo: string | undefined;

async function setupMap(): Promise<void> {
  const config = await api.config().catch(() => ({ basemap_style_url: null, demo: false }));
  const basemap = await chooseBasemap(config.basemap_style_url);
  map = new MlMap({ container: 'debit-map', style: basemap.style, center: [6.6, 43.6], zoom: 7.3, attributionControl: false, locale: FRENCH });
  (window as unknown as { map: MlMap }).map = map;
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new AttributionControl({ compact: true, customAttribution: 'Natural Earth' }), 'bottom-right');
  const establishments = await api.establishments();
  await new Promise<void>((res) => (map!.loaded() ? res() : map!.once('load', () => res())));
  void loadBasemapShapes(map);
  const withPosition = { ...establishments, features: establishments.features.filter((f) => f.geometry !== null) };
  located = new Set(withPosition.features.map((f) => String(f.properties.uai)));
  positions = withPosition.features.map((f) => ({ dep: String(f.properties.departement ?? ''), commune: String(f.properties.commune_code ?? ''), at: (f.geometry as GeoJSON.Point).coordinates as [number, number] }));
  map.addSource('establishments', { type: 'geojson', data: withPosition as unknown as GeoJSON.FeatureCollection });
  map.addLayer({ id: 'all', type: 'circle', source: 'establishments', paint: { 'circle-color': '#000091', 'circle-radius': 4, 'circle-opacity': 0.8, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
  // The communes' fibre under the establishments (where the outlines were imported).
  document.body.dataset.fibreLayer = String(await addFibreLayer(map, 'all').catch(() => false));
  map.addLayer({ id: 'below', type: 'circle', source: 'establishments', filter: ['in', ['get', 'uai'], ['literal', []]], paint: { 'circle-color': '#e1000f', 'circle-radius': 6, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
  // A school on the map: its name, its bandwidth and the link to its fiche.
  const m = map;
  m.on('click', (e) => {
    const f = m.queryRenderedFeatures([[e.point.x - 5, e.point.y - 5], [e.point.x + 5, e.point.y + 5]], { layers: ['below', 'all'] })[0];
    if (f) {
      openPopup(m, e.lngLat, establishmentPopup(f.properties));
      return;
    }
    const commune = m.getLayer('communes-fibre') ? m.queryRenderedFeatures(e.point, { layers: ['communes-fibre'] })[0] : undefined;
    if (commune) openPopup(m, e.lngLat, communePopup(commune));
  });
  for (const layer of ['below', 'all', ...(m.getLayer('communes-fibre') ? ['communes-fibre'] : [])]) {
    m.on('mouseenter', layer, () => (m.getCanvas().style.cursor = 'pointer'));
    m.on('mouseleave', layer, () => (m.getCanvas().style.cursor = ''));
  }
}

// Another département: its communes and EPCIs replace the chosen ones, listed at once.
select('departement').addEventListener('change', () => {
  select('commune').value = '';
  select('epci').value = '';
  void load();
});
// One territory at a time: a commune or an EPCI; the view follows the choice.
select('commune').addEventListener('change', () => {
  if (select('commune').value) select('epci').value = '';
  void load();
});
select('epci').addEventListener('change', () => {
  if (select('epci').value) select('commune').value = '';
  void load();
});
fromUrl();
$('controls').addEventListener('submit', (e) => {
  e.preventDefault();
  void load();
});
void (async () => {
  await renderAccountMenu();
  await load();
  if (shown) {
    await setupMap();
    render(shown);
  }
})();
