// The moderators' view of the visit counts: per page, per fiche, per embedding site and per day, for
// a period, as tables, with the CSV of every counter.
import { type Answer, ApiError, getJson } from '../api/client';
import { clearErrors, fieldError } from './forms';
import { addRow } from './tables';

type Visits = Answer<'/api/visits'>;

export const PAGE_LABELS: Record<string, string> = {
  carte: 'Carte',
  fiche: "Fiches d'usage",
  embed: 'Carte intégrée à un autre site',
  reseaux: 'Réseaux',
  'tableau-de-bord': 'Tableau de bord',
  debit: 'Débit',
  etablissement: 'Établissement',
  contribuer: 'Signaler un usage',
  'mes-remontees': 'Mes remontées',
  moderation: 'Modération',
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const n = (v: number) => v.toLocaleString('fr-FR');

function table(caption: string, head: string, rows: [string, number][]): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'fr-table';
  const t = document.createElement('table');
  t.createCaption().textContent = caption;
  t.createTHead().innerHTML = `<tr><th scope="col">${head}</th><th scope="col">Visites</th></tr>`;
  const body = t.createTBody();
  for (const [label, count] of rows) addRow(body, label, [n(count)]);
  wrap.append(t);
  return wrap;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

async function load(): Promise<void> {
  const form = $<HTMLFormElement>('visits-period');
  clearErrors(form);
  const q = new URLSearchParams();
  for (const k of ['from', 'to']) {
    const v = $<HTMLInputElement>(`visits-${k}`).value;
    if (v) q.set(k, v);
  }
  $('visits-status').textContent = 'Chargement des visites…';
  try {
    const v = await getJson<Visits>(`/api/visits?${q}`);
    const period = `du ${new Date(v.from).toLocaleDateString('fr-FR')} au ${new Date(v.to).toLocaleDateString('fr-FR')}`;
    $('visits-status').textContent = v.total === 0 ? `Aucune visite comptée ${period}.` : `${n(v.total)} visites ${period}.`;
    const tables: HTMLElement[] = [];
    if (v.total > 0) {
      tables.push(table(`Visites par page, ${period}`, 'Page', v.by_page.map((r) => [PAGE_LABELS[r.page] ?? r.page, r.count])));
      if (v.by_practice.length > 0) tables.push(table(`Fiches les plus vues, ${period}`, 'Fiche', v.by_practice.map((r) => [r.title ?? `Usage ${r.practice_id} (retiré)`, r.count])));
      if (v.by_site.length > 0) tables.push(table(`Vues depuis les sites qui intègrent la carte, ${period}`, 'Site', v.by_site.map((r) => [r.site === 'autre' ? 'Autre site' : r.site, r.count])));
      tables.push(table(`Visites par jour, ${period}`, 'Jour', v.by_day.map((r) => [new Date(r.day).toLocaleDateString('fr-FR'), r.count])));
    }
    $('visits-tables').replaceChildren(...tables);
    $<HTMLAnchorElement>('visits-csv').href = `/api/visits.csv?from=${v.from}&to=${v.to}`;
    $<HTMLAnchorElement>('visits-csv').hidden = false;
  } catch (e) {
    // The tables of another period must not pass for this one.
    $('visits-tables').replaceChildren();
    $<HTMLAnchorElement>('visits-csv').hidden = true;
    $('visits-status').textContent = '';
    if (e instanceof ApiError && e.param && fieldError(form, e.param, e.problem.invalid_params?.[0]?.reason ?? e.message)) return;
    $('visits-status').textContent = e instanceof ApiError ? e.message : "Les visites n'ont pas pu être chargées.";
  }
}

/** Shows the visits section (moderators only) for the last 30 days. */
export function renderVisits(): void {
  $('visits').hidden = false;
  const to = new Date();
  $<HTMLInputElement>('visits-to').value = iso(to);
  $<HTMLInputElement>('visits-from').value = iso(new Date(to.getTime() - 29 * 86_400_000));
  $('visits-period').addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  void load();
}
