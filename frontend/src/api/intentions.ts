// Suivi des intentions: the shapes the API answers with, and what both pages show the same way
// (dates, status badges, the next step).

export interface Person {
  id: number;
  name: string;
}

export interface Labelled {
  value: string;
  label: string;
}

export interface NextStep {
  kind: string;
  label: string;
  due_on: string | null;
  late: boolean;
}

export interface Summary {
  id: number;
  number: string;
  kind: string;
  kind_label: string;
  title: string;
  status: string;
  status_label: string;
  outcome: string | null;
  outcome_label: string | null;
  departement: string;
  territory: { kind: string; value: string } | null;
  establishments: { uai: string; name: string | null; commune: string | null }[];
  filer: Person;
  referent: Person | null;
  created_at: string;
  updated_at: string;
  next_step: NextStep | null;
  late: boolean;
}

export interface Step {
  kind: string;
  label: string;
  position: number;
  due_on: string | null;
  completed_at: string | null;
  completed_by: Person | null;
  answer: string | null;
  next: boolean;
  late: boolean;
  on_time: boolean | null;
}

export interface TimelineEvent {
  at: string;
  kind: string;
  label: string;
  by: Person | null;
  text: string;
  data: Record<string, unknown>;
}

export interface Dossier extends Summary {
  description: string;
  people: string;
  hoped_for: string | null;
  version: number;
  steps: Step[];
  practices: { id: number; title: string | null }[];
  timeline: TimelineEvent[];
  can: { complete: boolean; replan: boolean; assign: boolean; comment: boolean; link_practices: boolean };
}

export interface Options {
  can_file: boolean;
  desk: boolean;
  configure: boolean;
  must_name_establishment: boolean;
  establishments: { uai: string; name: string | null; commune: string | null }[];
  circonscriptions: string[];
  kinds: Labelled[];
  statuses: Labelled[];
  outcomes: Labelled[];
  referents: (Person & { role_label: string })[];
  today: string;
}

export interface Listing {
  total: number;
  open: number;
  late: number;
  dossiers: Summary[];
}

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
