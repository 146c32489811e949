// "Tableau de bord": the CARDIE's target for a school year — published reports against the target,
// the projection to the end of the year, earlier years, and for moderators every breakdown as a
// chart (Chart.js) with the same figures in an accessible table and a CSV export, and the
// confidential OPINEE and label compilation by territory.
import '../dsfr.css';
import '../style.css';
import type { Chart } from 'chart.js';
import { moderates, renderAccountMenu } from '../api/account';
import { type Answer, ApiError, getJson } from '../api/client';
import { renderFrame } from '../ui/layout';
import { renderCompilation } from '../ui/opinee';
import { drawChart } from '../ui/charts';
import { addRow } from '../ui/tables';
import { countVisit } from '../ui/visit';
import { renderVisits } from '../ui/visits-table';
import { plural } from '../ui/text';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu']], demo: true });
countVisit('tableau-de-bord');

type Dashboard = Answer<'/api/indicators/target'>;
type Breakdown = 'departement' | 'degree' | 'kind' | 'discipline' | 'tool' | 'month';
type Row = Dashboard[`by_${Breakdown}`][number];

const TITLES: [Breakdown, string][] = [
  ['departement', 'Par département'],
  ['degree', 'Par degré'],
  ['kind', "Par type d'établissement"],
  ['discipline', 'Par discipline (une remontée compte pour chacune de ses disciplines)'],
  ['tool', 'Par outil (une remontée compte pour chacun de ses outils)'],
  ['month', 'Par mois de publication'],
];

const $ = (id: string) => document.getElementById(id)!;
const charts: Chart[] = [];

function currentYear(): string {
  const now = new Date();
  const start = now.getMonth() >= 8 ? now.getFullYear() : now.getFullYear() - 1;
  return `${start}-${start + 1}`;
}

function table(caption: string, rows: Row[]): HTMLTableElement {
  const t = document.createElement('table');
  const cap = t.createCaption();
  cap.textContent = caption;
  t.createTHead().innerHTML = '<tr><th scope="col">Répartition</th><th scope="col">Remontées publiées</th></tr>';
  const body = t.createTBody();
  for (const r of rows) addRow(body, r.label, [r.count.toLocaleString('fr-FR')]);
  return t;
}

function renderBreakdowns(d: Dashboard): void {
  const root = $('breakdowns');
  charts.splice(0).forEach((c) => c.destroy());
  root.replaceChildren();
  for (const [key, title] of TITLES) {
    const rows = d[`by_${key}`] ?? [];
    const section = document.createElement('section');
    section.className = 'fr-mb-4w';
    section.setAttribute('aria-labelledby', `t-${key}`);
    const h = document.createElement('h2');
    h.className = 'fr-h5';
    h.id = `t-${key}`;
    h.textContent = title;
    section.append(h);
    if (rows.length === 0) {
      const p = document.createElement('p');
      p.textContent = 'Aucune remontée publiée cette année.';
      section.append(p);
    } else {
      // The chart repeats the table, which is the accessible version: hidden from screen readers.
      const box = document.createElement('div');
      box.className = 'repere-chart';
      box.setAttribute('aria-hidden', 'true');
      box.style.height = `${Math.max(16, rows.length * 1.6 + 3)}rem`;
      const canvas = document.createElement('canvas');
      box.append(canvas);
      section.append(box);
      void drawChart(canvas, {
        type: 'bar',
        data: { labels: rows.map((r) => r.label), datasets: [{ data: rows.map((r) => r.count), backgroundColor: '#000091' }] },
        // Every label shown (Chart.js would skip every other one), the chart as tall as its rows.
        options: { indexAxis: 'y', animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: { ticks: { autoSkip: false } } } },
      }).then((c) => charts.push(c));
      const wrap = document.createElement('div');
      wrap.className = 'fr-table';
      wrap.append(table(`${title}, ${d.school_year}`, rows));
      section.append(wrap);
    }
    const csv = document.createElement('a');
    csv.className = 'fr-link fr-icon-download-line fr-link--icon-left';
    csv.href = `/api/indicators/target.csv?school_year=${d.school_year}&breakdown=${key}`;
    csv.textContent = `Télécharger en CSV (${title.toLowerCase().split(' (')[0]})`;
    section.append(csv);
    root.append(section);
  }
}

function render(d: Dashboard, full: boolean): void {
  $('summary').hidden = false;
  $('figures').textContent = `${plural(d.published, 'remontée publiée', 'remontées publiées')} en ${d.school_year} pour un objectif de ${d.target} : ${Math.round(d.progress * 100)} %${d.reached ? ', objectif atteint.' : '.'}`;
  const bar = $('progress') as HTMLProgressElement;
  bar.value = Math.min(100, Math.round(d.progress * 100));
  bar.textContent = `${Math.round(d.progress * 100)} %`;
  const p = d.projection;
  $('projection').textContent =
    p.elapsed >= 1
      ? `Année terminée : ${plural(d.published, 'remontée', 'remontées')}.`
      : p.elapsed <= 0
        ? "L'année n'a pas commencé."
        : `${Math.round(p.elapsed * 100)} % de l'année écoulée ; à ce rythme, environ ${Math.round(p.expected_at_year_end)} remontées au 31 août (${p.on_track ? "l'objectif serait atteint" : "l'objectif ne serait pas atteint"}).`;
  const body = ($('years') as HTMLTableElement).tBodies[0]!;
  body.replaceChildren();
  for (const y of d.years) addRow(body, y.school_year, [y.published.toLocaleString('fr-FR'), y.reached ? 'oui' : 'non']);
  $('public-note').hidden = full;
  if (full) renderBreakdowns(d);
}

async function load(year: string, full: boolean): Promise<Dashboard | undefined> {
  $('status').textContent = 'Chargement des indicateurs…';
  $('alert').hidden = true;
  try {
    const d = await getJson<Dashboard>(`/api/indicators/${full ? 'target' : 'summary'}?school_year=${encodeURIComponent(year)}`);
    render(d, full);
    $('status').textContent = `Indicateurs de l'année ${d.school_year}.`;
    document.body.dataset.ready = '1';
    return d;
  } catch (e) {
    $('alert').textContent = e instanceof ApiError ? e.message : 'Les indicateurs n\'ont pas pu être chargés.';
    $('alert').hidden = false;
    $('status').textContent = '';
    return undefined;
  }
}

void (async () => {
  const info = await renderAccountMenu();
  const full = moderates(info?.user);
  const params = new URLSearchParams(location.search);
  const year = params.get('annee') ?? currentYear();
  const d = await load(year, full);
  if (full) {
    void renderCompilation();
    renderVisits();
  }
  const select = $('year') as HTMLSelectElement;
  const years = new Set([currentYear(), year, ...(d?.years.map((y) => y.school_year) ?? [])]);
  for (const y of [...years].sort().reverse()) select.add(new Option(y, y, false, y === year));
  select.addEventListener('change', () => {
    history.replaceState(null, '', `?annee=${select.value}`);
    void load(select.value, full);
  });
})();
