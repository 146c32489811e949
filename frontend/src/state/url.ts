// The page state that lives in the URL (permalink): map view, filters, layers, open fiche and point of
// interest. `encode` and `decode` round-trip; unknown or malformed values are dropped, never trusted.

export const FILTER_KEYS = ['q', 'discipline', 'level', 'tool', 'school_year', 'departement'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

export const LAYERS = ['practices', 'sites', 'establishments', 'links'] as const;
export type Layer = (typeof LAYERS)[number];
export const DEFAULT_LAYERS: Layer[] = ['practices', 'sites'];

export interface View {
  lon: number;
  lat: number;
  zoom: number;
}

export interface State {
  view?: View;
  filters: Filters;
  layers: Layer[];
  fiche?: number;
  poi?: [number, number];
}

const num = (s: string | null): number | undefined => {
  if (s === null || s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
};

export function encode(state: State): string {
  const q = new URLSearchParams();
  if (state.view) q.set('carte', `${state.view.zoom.toFixed(2)}/${state.view.lat.toFixed(5)}/${state.view.lon.toFixed(5)}`);
  for (const k of FILTER_KEYS) {
    const v = state.filters[k];
    if (v) q.set(k, v);
  }
  const sameLayers = state.layers.length === DEFAULT_LAYERS.length && DEFAULT_LAYERS.every((l) => state.layers.includes(l));
  if (!sameLayers) q.set('couches', state.layers.join(','));
  if (state.fiche !== undefined) q.set('fiche', String(state.fiche));
  if (state.poi) q.set('autour', `${state.poi[1].toFixed(5)},${state.poi[0].toFixed(5)}`);
  return q.toString();
}

export function decode(search: string): State {
  const q = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const state: State = { filters: {}, layers: [...DEFAULT_LAYERS] };
  const carte = q.get('carte')?.split('/');
  if (carte && carte.length === 3) {
    const [zoom, lat, lon] = carte.map((x) => num(x));
    if (zoom !== undefined && lat !== undefined && lon !== undefined && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && zoom >= 0 && zoom <= 22) {
      state.view = { lon, lat, zoom };
    }
  }
  for (const k of FILTER_KEYS) {
    const v = q.get(k)?.trim();
    if (v) state.filters[k] = v;
  }
  const couches = q.get('couches');
  if (couches !== null) {
    state.layers = couches.split(',').filter((l): l is Layer => (LAYERS as readonly string[]).includes(l));
  }
  const fiche = num(q.get('fiche'));
  if (fiche !== undefined && Number.isInteger(fiche) && fiche > 0) state.fiche = fiche;
  const autour = q.get('autour')?.split(',').map((x) => num(x));
  if (autour && autour.length === 2) {
    const [lat, lon] = autour;
    if (lat !== undefined && lon !== undefined && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) state.poi = [lon, lat];
  }
  return state;
}

/**
 * `target` as a path of this site (`/page?x#y`), or undefined when it would lead elsewhere
 * (`//host`, `/\\host`, `https://…`, `javascript:`): resolved with `URL` against `origin`, as the browser
 * would, and kept only when the origin does not change.
 */
export function sameOriginPath(target: string | null | undefined, origin: string): string | undefined {
  if (!target || !target.startsWith('/')) return undefined;
  let url: URL;
  try {
    url = new URL(target, origin);
  } catch {
    return undefined;
  }
  return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : undefined;
}
