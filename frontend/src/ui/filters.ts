// Filter logic shared by the map, the list and the count: facet values from the practices, and the
// API query for the current filters.
import type { Feature, PracticeProps } from '../api/client';
import { FILTER_KEYS, type Filters } from '../state/url';

export interface Facets {
  discipline: string[];
  level: string[];
  tool: string[];
  school_year: string[];
  departement: string[];
}

const LEVEL_ORDER = ['Petite section', 'Moyenne section', 'Grande section', 'CP', 'CE1', 'CE2', 'CM1', 'CM2', '6e', '5e', '4e', '3e', 'Seconde', 'Première', 'Terminale', 'CAP', 'Seconde professionnelle', 'Première professionnelle', 'Terminale professionnelle', 'BTS'];

const collator = new Intl.Collator('fr', { sensitivity: 'base' });

/** Distinct values of each facet among `features`, sorted the way a French reader expects. */
export function facets(features: Feature<PracticeProps>[]): Facets {
  const sets = { discipline: new Set<string>(), level: new Set<string>(), tool: new Set<string>(), school_year: new Set<string>(), departement: new Set<string>() };
  for (const f of features) {
    const p = f.properties;
    p.disciplines.forEach((d) => sets.discipline.add(d));
    p.levels.forEach((l) => sets.level.add(l));
    p.tools.forEach((t) => sets.tool.add(t));
    sets.school_year.add(p.school_year);
    sets.departement.add(p.departement);
  }
  const rank = (l: string) => {
    const i = LEVEL_ORDER.indexOf(l);
    return i < 0 ? LEVEL_ORDER.length : i;
  };
  return {
    discipline: [...sets.discipline].sort(collator.compare),
    level: [...sets.level].sort((a, b) => rank(a) - rank(b) || collator.compare(a, b)),
    tool: [...sets.tool].sort(collator.compare),
    school_year: [...sets.school_year].sort().reverse(),
    departement: [...sets.departement].sort(),
  };
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
