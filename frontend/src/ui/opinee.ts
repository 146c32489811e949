// OPINEE levels and labels on the establishment fiche: the latest year's seven levels as a bar chart
// (Chart.js) with every year in an accessible table, and, for admins, a form to record or remove a
// year's levels and label (errors shown next to the field at fault).
import { send } from '../api/account';
import type { Answer, EstablishmentProps } from '../api/client';
import { clearErrors, fieldError, showApiError } from './forms';
import { addRow } from './tables';
import { drawChart } from './charts';

/** The seven OPINEE fields (API key, French label), equipment first. */
export const OPINEE_FIELDS: [string, string][] = [
  ['equipment_devices', 'Équipement : terminaux'],
  ['equipment_network', 'Équipement : réseau et connectivité'],
  ['equipment_resources', 'Équipement : ressources et services'],
  ['usage_teaching', 'Usages : pédagogie en classe'],
  ['usage_pupils', 'Usages : élèves'],
  ['usage_training', 'Usages : formation des personnels'],
  ['usage_communication', 'Usages : vie scolaire et familles'],
];

/** The OPINEE profile of a school year, as the establishment's item carries it (generated types). */
export type Profile = NonNullable<EstablishmentProps['opinee_history']>[number];

const $ = (id: string) => document.getElementById(id)!;

/** Draws the chart and the table of `history` (oldest first) into the fiche's OPINEE section. */
export function renderOpinee(history: Profile[]): void {
  const withLevels = history.filter((p) => p.levels);
  const table = $('opinee-table') as HTMLTableElement;
  const head = table.tHead!.rows[0]!;
  head.replaceChildren(head.cells[0]!);
  const body = table.tBodies[0]!;
  body.replaceChildren();
  $('opinee-empty').hidden = withLevels.length > 0;
  table.parentElement!.hidden = withLevels.length === 0;
  $('opinee-chart').hidden = withLevels.length === 0;
  if (withLevels.length === 0) return;
  for (const p of withLevels) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = p.school_year;
    head.append(th);
  }
  for (const [key, label] of OPINEE_FIELDS) addRow(body, label, withLevels.map((p) => String(p.levels![key] ?? '')));
  const latest = withLevels.slice(-2);
  const box = $('opinee-chart');
  box.replaceChildren();
  const canvas = document.createElement('canvas');
  box.append(canvas);
  void drawChart(canvas, {
    type: 'bar',
    data: {
      // « Usages : élèves » on two lines, so that a phone shows the labels whole.
      labels: OPINEE_FIELDS.map(([, l]) => { const [group, field] = l.split(' : '); return field ? [`${group} :`, field] : l; }),
      datasets: latest.map((p, i) => ({
        label: p.school_year,
        data: OPINEE_FIELDS.map(([k]) => p.levels![k] ?? 0),
        backgroundColor: i === latest.length - 1 ? '#000091' : '#c9c9ee',
      })),
    },
    options: { indexAxis: 'y', animation: false, maintainAspectRatio: false, scales: { x: { min: 0, max: 10 }, y: { ticks: { autoSkip: false } } } },
  });
}

/** The school years an admin may fill: the current one and the four before it. */
function years(today = new Date()): string[] {
  const start = today.getMonth() >= 8 ? today.getFullYear() : today.getFullYear() - 1;
  return [0, 1, 2, 3, 4].map((i) => `${start - i}-${start - i + 1}`);
}

/** Shows the admins' form; `reload` redraws the fiche after a change. */
export function setupOpineeForm(uai: string, history: () => Profile[], reload: () => Promise<void>): void {
  const form = $('opinee-form') as HTMLFormElement;
  const alert = $('opinee-alert');
  const done = $('opinee-done');
  const year = form.elements.namedItem('school_year') as HTMLSelectElement;
  year.replaceChildren(...years().map((y) => new Option(y, y)));
  const latest = history().at(-1)?.school_year;
  if (latest && years().includes(latest)) year.value = latest;
  const fill = () => {
    const p = history().find((h) => h.school_year === year.value);
    for (const [key] of OPINEE_FIELDS) (form.elements.namedItem(key) as HTMLInputElement).value = p?.levels ? String(p.levels[key]) : '';
    (form.elements.namedItem('label') as HTMLSelectElement).value = p?.label ? String(p.label) : '';
    ($('opinee-delete') as HTMLButtonElement).disabled = !p;
  };
  year.addEventListener('change', fill);
  fill();
  form.hidden = false;
  const url = () => `/api/establishments/${encodeURIComponent(uai)}/opinee/${year.value}`;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    alert.hidden = true;
    done.textContent = '';
    const raw = OPINEE_FIELDS.map(([k]) => [k, (form.elements.namedItem(k) as HTMLInputElement).value.trim()] as const);
    const filled = raw.filter(([, v]) => v !== '');
    let ok = true;
    if (filled.length > 0 && filled.length < raw.length) {
      for (const [k, v] of raw) if (v === '') ok = fieldError(form, k, 'Les 7 niveaux vont ensemble : renseignez-les tous ou aucun.') && false;
    }
    for (const [k, v] of filled) {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 10) ok = fieldError(form, k, 'Un niveau entier de 0 à 10.') && false;
    }
    const label = (form.elements.namedItem('label') as HTMLSelectElement).value;
    if (ok && filled.length === 0 && label === '') {
      fieldError(form, 'label', 'Renseignez les niveaux OPINEE, un label, ou les deux.');
      ok = false;
    }
    if (!ok) {
      form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    const levels = filled.length ? Object.fromEntries(filled.map(([k, v]) => [k, Number(v)])) : null;
    try {
      await send('PUT', url(), { levels, label: label ? Number(label) : null });
      await reload();
      fill();
      done.textContent = `Profil ${year.value} enregistré.`;
    } catch (e) {
      showApiError(form, alert, e);
    }
  });
  $('opinee-delete').addEventListener('click', async () => {
    if (!window.confirm(`Retirer les niveaux OPINEE et le label de ${year.value} ?`)) return;
    clearErrors(form);
    try {
      await send('DELETE', url());
      await reload();
      fill();
      done.textContent = `Profil ${year.value} retiré.`;
    } catch (e) {
      showApiError(form, alert, e);
    }
  });
}

type Compilation = Answer<'/api/indicators/opinee'>;
type Group = Compilation['total'];

const decimal = (v: number | null) => (v === null ? '—' : v.toLocaleString('fr-FR'));

/**
 * The confidential compilation by territory (moderators and admins), on the dashboard: a territory
 * select, one table row per territory plus the total, and the CSV export.
 */
export async function renderCompilation(): Promise<void> {
  const section = $('opinee');
  const select = $('opinee-territory') as HTMLSelectElement;
  const status = $('opinee-status');
  const draw = async () => {
    status.textContent = 'Chargement de la compilation OPINEE…';
    try {
      const resp = await fetch(`/api/indicators/opinee?territory=${select.value}`, { headers: { accept: 'application/json' } });
      if (!resp.ok) throw new Error(String(resp.status));
      const c = (await resp.json()) as Compilation;
      const table = $('opinee-compilation') as HTMLTableElement;
      table.caption!.textContent = `OPINEE et labels par territoire, ${c.school_year} (moyennes sur 10)`;
      const body = table.tBodies[0]!;
      body.replaceChildren();
      for (const g of [...c.territories, c.total]) {
        addRow(body, g.label, [g.establishments, g.with_levels].map((n) => n.toLocaleString('fr-FR')).concat([decimal(g.equipment), decimal(g.usage), String(g.labels['1']), String(g.labels['2']), String(g.labels['3'])]));
      }
      ($('opinee-csv') as HTMLAnchorElement).href = `/api/indicators/opinee.csv?territory=${select.value}&school_year=${c.school_year}`;
      status.textContent = c.territories.length ? `Compilation ${c.school_year}.` : 'Aucun établissement.';
    } catch {
      status.textContent = "La compilation OPINEE n'a pas pu être chargée.";
    }
  };
  select.addEventListener('change', () => void draw());
  section.hidden = false;
  await draw();
}
