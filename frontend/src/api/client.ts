// Typed client of Repère's API. Every failure becomes an ApiError carrying the problem+json details
// (title, detail and the parameter at fault), so the UI can show a French message next to the field.
import type { Facets } from '../ui/filters';
import type { components, paths } from './schema';

/** The JSON answer of `GET path` as the server's OpenAPI document describes it (generated types). */
export type Answer<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: infer C } } } } ? C[keyof C] : never;

/** The response schemas the server describes itself with (schema.d.ts, generated: never by hand). */
type Schemas = components['schemas'];

/** RFC 9457 problem details: every failure of the API. */
export type Problem = Schemas['Problem'];

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }

  /** The parameter the server blamed, if any. */
  get param(): string | undefined {
    return this.problem.invalid_params?.[0]?.name;
  }
}

export type Position = [number, number];

/** The collections whose features the document describes (`PracticeFeature`, `PracticeCollection`, …). */
export type Layer = 'Practice' | 'Establishment' | 'Site' | 'Link';

/** A GeoJSON feature of a collection (generated from the document). */
export type Feature<L extends Layer> = Schemas[`${L}Feature`];

/** A page of a collection's items (generated from the document). */
export type FeatureCollection<L extends Layer> = Schemas[`${L}Collection`];

/** A published practice's public properties (`distance_m` on nearby answers only). */
export type PracticeProps = Schemas['PracticeProperties'];

/** What its author writes of a practice (the public properties and the moderators' view share them). */
export type PracticeFields = Pick<
  PracticeProps,
  'title' | 'summary' | 'description' | 'disciplines' | 'levels' | 'tools' | 'themes' | 'school_year' | 'innovatheque_url'
>;

/** A Fab' École or tiers-lieu. */
export type SiteProps = Schemas['SiteProperties'];

/** An establishment (its histories only on its own item, see pages/etablissement.ts). */
export type EstablishmentProps = Schemas['EstablishmentProperties'];

/** A link between two published practices. */
export type LinkProps = Schemas['LinkProperties'];

/** Turns a non-2xx response into an ApiError, reading problem+json when the server sent it. */
export async function toError(resp: Response): Promise<ApiError> {
  const type = resp.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      const body = (await resp.json()) as Partial<Problem>;
      return new ApiError({
        title: body.title ?? 'Erreur',
        status: body.status ?? resp.status,
        detail: body.detail ?? `Le serveur a répondu ${resp.status}.`,
        invalid_params: body.invalid_params,
      });
    } catch {
      // fall through to the generic message
    }
  }
  return new ApiError({ title: 'Erreur', status: resp.status, detail: `Le serveur a répondu ${resp.status}.` });
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** GET a JSON resource; network failures become an ApiError with status 0 and a French message. */
export async function getJson<T>(url: string, fetcher: Fetch = fetch): Promise<T> {
  let resp: Response;
  try {
    resp = await fetcher(url, { headers: { accept: 'application/geo+json, application/json' } });
  } catch {
    throw new ApiError({ title: 'Réseau', status: 0, detail: 'Le serveur est injoignable. Vérifiez votre connexion puis réessayez.' });
  }
  if (!resp.ok) throw await toError(resp);
  return (await resp.json()) as T;
}

/** Builds `/api/...?k=v` from defined, non-empty parameters. */
export function apiUrl(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return `/api${path}${s ? `?${s}` : ''}`;
}

/** The API's largest page: only the opt-in layers below ask for it, never the practices. */
const WHOLE_LAYER = 10000;

let configOnce: Promise<Answer<'/api/config'>> | undefined;

export const api = {
  /** One page of practices: `params` holds the filters and `limit`, `offset`, `bbox`. */
  practices: (params: Record<string, string | number>, fetcher?: Fetch) =>
    getJson<FeatureCollection<'Practice'>>(apiUrl('/collections/practices/items', params), fetcher),
  /** Each facet's values with how many practices they would show under the other filters. */
  facets: (filters: Record<string, string>, fetcher?: Fetch) =>
    getJson<{ numberMatched: number; facets: Partial<Facets> }>(apiUrl('/practices/facets', filters), fetcher),
  practice: (id: number | string, fetcher?: Fetch) =>
    getJson<Feature<'Practice'>>(apiUrl(`/collections/practices/items/${encodeURIComponent(String(id))}`, {}), fetcher),
  /**
   * Every establishment (the opt-in map layer coloured by bandwidth, OPINEE or label; the Débit view;
   * the reporting form's picker): bounded by the académie's schools, not by the catalogue.
   */
  establishments: (fetcher?: Fetch) =>
    getJson<FeatureCollection<'Establishment'>>(apiUrl('/collections/establishments/items', { limit: WHOLE_LAYER }), fetcher),
  /** Links: those of one practice (`practice`), or every link for the opt-in links layer. */
  links: (params: Record<string, string>, fetcher?: Fetch) =>
    getJson<FeatureCollection<'Link'>>(apiUrl('/collections/links/items', { ...params, limit: params.practice ? 500 : WHOLE_LAYER }), fetcher),
  nearby: (lon: number, lat: number, filters: Record<string, string>, k = 20, fetcher?: Fetch) =>
    getJson<FeatureCollection<'Practice'>>(apiUrl('/nearby', { ...filters, lon, lat, k }), fetcher),
  /** The map's settings, asked once per page: the frame's demo notice and the basemap share the answer. */
  config: () => (configOnce ??= getJson<Answer<'/api/config'>>('/api/config')),
};
