// Filter logic shared by the map, the list and the count: the facet values the server counted for the
// current selection (/api/practices/facets), in the order a French reader expects, and the API query for
// the current filters.
import type { Answer } from '../api/client';
import { FILTER_KEYS, type Filters } from '../state/url';

export type FacetName = 'discipline' | 'level' | 'tool' | 'school_year' | 'departement';
export type FacetValue = NonNullable<Answer<'/api/practices/facets'>['facets']['discipline']>[number];
export type Facets = Record<FacetName, FacetValue[]>;

/** The school levels, in school order: the vocabulary of the reporting form's levels. */
export const LEVEL_ORDER = ['Petite section', 'Moyenne section', 'Grande section', 'CP', 'CE1', 'CE2', 'CM1', 'CM2', '6e', '5e', '4e', '3e', 'Seconde', 'Première', 'Terminale', 'CAP', 'Seconde professionnelle', 'Première professionnelle', 'Terminale professionnelle', 'BTS'];

const collator = new Intl.Collator('fr', { sensitivity: 'base' });

/** The facet values sorted for a French reader: levels in school order, latest school year first. */
export function sortFacets(f: Partial<Facets>): Facets {
  const rank = (l: string) => {
    const i = LEVEL_ORDER.indexOf(l);
    return i < 0 ? LEVEL_ORDER.length : i;
  };
  const by = (cmp: (a: string, b: string) => number) => (list: FacetValue[] | undefined) => [...(list ?? [])].sort((a, b) => cmp(a.value, b.value));
  return {
    discipline: by(collator.compare)(f.discipline),
    level: by((a, b) => rank(a) - rank(b) || collator.compare(a, b))(f.level),
    tool: by(collator.compare)(f.tool),
    school_year: by((a, b) => b.localeCompare(a))(f.school_year),
    departement: by((a, b) => a.localeCompare(b))(f.departement),
  };
}

/**
 * The options of a facet's select: every value with a count, the chosen one kept even at 0 (so the
 * user sees what filters out everything and can undo it).
 */
export function facetOptions(values: FacetValue[], chosen: string | undefined): FacetValue[] {
  const out = values.filter((v) => v.count > 0);
  if (chosen && !out.some((v) => collator.compare(v.value, chosen) === 0)) out.unshift({ value: chosen, count: 0 });
  return out;
}

/** The API parameters for `filters` (empty values dropped). */
export function query(filters: Filters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FILTER_KEYS) {
    const v = filters[k]?.trim();
    if (v) out[k] = v;
  }
  return out;
}

/** Whether any filter is set. */
export function active(filters: Filters): boolean {
  return Object.keys(query(filters)).length > 0;
}

/** "1 usage", "12 usages", "aucun usage". */
export function countLabel(n: number): string {
  if (n === 0) return 'Aucun usage ne correspond';
  return `${n.toLocaleString('fr-FR')} usage${n > 1 ? 's' : ''}`;
}

/** Distance for the list: "850 m", "12,4 km". */
export function distanceLabel(m: number): string {
  if (m < 1000) return `${Math.round(m)} m`;
  return `${(m / 1000).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} km`;
}
