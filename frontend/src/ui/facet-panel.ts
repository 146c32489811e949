// The filter panel's selects filled from the server's facet counts, and the empty state's offers to
// drop each filter.
import { facetOptions, query, type FacetName, type Facets } from './filters';
import type { Filters } from '../state/url';

export const DEPARTEMENTS: Record<string, string> = { '06': 'Alpes-Maritimes (06)', '83': 'Var (83)' };
/** In a select, where the count follows in brackets. */
const DEPARTEMENT_OPTIONS: Record<string, string> = { '06': '06 – Alpes-Maritimes', '83': '83 – Var' };
const FILTER_LABELS: Record<string, string> = { q: 'recherche', discipline: 'discipline', level: 'niveau', tool: 'outil', school_year: 'année scolaire', departement: 'département' };

/** Each facet's select: its values with their counts, the chosen one kept. */
export function fillFacets(f: Facets, filters: Filters): void {
  const fill = (name: FacetName, label: (v: string) => string) => {
    const select = document.getElementById(`f-${name}`) as HTMLSelectElement;
    const first = select.options[0];
    const chosen = filters[name];
    select.replaceChildren(
      ...(first ? [first] : []),
      ...facetOptions(f[name], chosen).map((v) => new Option(`${label(v.value)} (${v.count.toLocaleString('fr-FR')})`, v.value)),
    );
    select.value = chosen ?? '';
  };
  for (const name of ['discipline', 'level', 'tool', 'school_year'] as const) fill(name, (v) => v);
  fill('departement', (v) => DEPARTEMENT_OPTIONS[v] ?? v);
}

/** The empty state: one button per filter set, which `drop` removes. */
export function suggestRelax(filters: Filters, drop: (key: keyof Filters) => void): HTMLElement[] {
  return Object.entries(query(filters)).map(([k, v]) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'fr-btn fr-btn--tertiary fr-btn--sm';
    b.textContent = `Retirer le filtre ${FILTER_LABELS[k] ?? k} « ${k === 'departement' ? (DEPARTEMENTS[v] ?? v) : v} »`;
    b.addEventListener('click', () => drop(k as keyof Filters));
    li.append(b);
    return li;
  });
}
