// Suivi des intentions: the shapes the API answers with, and what both pages show the same way
// (dates, status badges, the next step). The shapes are the server's, generated from its OpenAPI document.
import type { Answer } from './client';

export type Listing = Answer<'/api/intentions'>;
export type Summary = Listing['dossiers'][number];
export type Dossier = Answer<'/api/intentions/{id}'>;
export type Step = Dossier['steps'][number];
export type TimelineEvent = Dossier['timeline'][number];
export type Person = Dossier['filer'];
export type NextStep = NonNullable<Summary['next_step']>;
export type Options = Answer<'/api/intentions/options'>;
export type Labelled = Options['kinds'][number];

/** `2026-04-07` → `07/04/2026`. */
export const frDay = (day: string | null): string => (day ? day.split('-').reverse().join('/') : '—');

/** An RFC 3339 instant as a French date and time. */
export const frWhen = (iso: string | null): string =>
  iso ? new Date(iso).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' }) : '—';

/** The DSFR badge of a dossier's status (closed ones say how they ended). */
export function statusBadge(d: Summary): HTMLElement {
  const b = document.createElement('p');
  const tone = d.status === 'close' ? 'fr-badge--success' : d.late ? 'fr-badge--error' : 'fr-badge--info';
  b.className = `fr-badge fr-badge--sm fr-badge--no-icon ${tone}`;
  b.textContent = d.status === 'close' && d.outcome_label ? `Close — ${d.outcome_label.toLowerCase()}` : d.status_label;
  return b;
}

/** "Analyse par un référent — au plus tard le 17/04/2026", or "— attendue le 17/04/2026, en retard". */
export function nextStepText(n: NextStep | null): string {
  if (!n) return 'Aucune : dossier clos';
  if (!n.due_on) return `${n.label} — sans échéance`;
  return n.late ? `${n.label} — attendue le ${frDay(n.due_on)}, en retard` : `${n.label} — au plus tard le ${frDay(n.due_on)}`;
}

/** Where the intention applies: its establishments, else its territory. */
export function placeText(d: Summary): string {
  if (d.establishments.length) return d.establishments.map((e) => (e.name ? `${e.name} (${e.uai})` : e.uai)).join(', ');
  if (d.territory) return `${d.territory.kind === 'departement' ? 'Département' : d.territory.kind === 'commune' ? 'Commune' : 'Circonscription'} ${d.territory.value}`;
  return '—';
}
