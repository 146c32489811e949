// "Intentions": the encadrement, inspecteurs and referents file an intention and follow their
// dossiers; the DANE's desk lists every dossier (late ones first, then by next due date) with filters,
// assigns them in bulk, and reads the procedure's indicators (with the CSV and the dossiers by
// establishment).
import '../dsfr.css';
import '../style.css';
import { renderAccountMenu, send } from '../api/account';
import { type Answer, ApiError, getJson } from '../api/client';
import { type Dossier, type Listing, type Options, nextStepText, placeText, statusBadge } from '../api/intentions';
import { checkbox, clearErrors, fieldError, showApiError } from '../ui/forms';
import { renderFrame } from '../ui/layout';
import { sentence } from '../ui/text';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu'], ['#list-title', 'Aller aux dossiers']] });

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const alertBox = $<HTMLElement>('alert');
const done = $<HTMLElement>('done');
const status = $<HTMLElement>('status');
const fileForm = $<HTMLFormElement>('file');
const filters = $<HTMLFormElement>('filters');
const bulk = $<HTMLFormElement>('bulk');
const table = $<HTMLTableElement>('dossiers');
let options: Options;

function problem(err: unknown): void {
  done.hidden = true;
  alertBox.textContent = err instanceof ApiError ? `${err.problem.title} : ${sentence(err.message)}` : 'Le serveur est injoignable : réessayez.';
  alertBox.hidden = false;
  alertBox.focus();
}

function say(html: Node[]): void {
  alertBox.hidden = true;
  done.replaceChildren(...html);
  done.hidden = false;
  done.focus();
}

function fillSelect(select: HTMLSelectElement, items: { value: string; label: string }[]): void {
  for (const i of items) select.add(new Option(i.label, i.value));
}

function renderFiling(): void {
  $<HTMLElement>('filing').hidden = false;
  fillSelect($<HTMLSelectElement>('kind'), options.kinds);
  $<HTMLInputElement>('hoped_for').min = options.today;
  const mine = $<HTMLElement>('my-uais');
  const hint = $<HTMLElement>('uais-hint');
  if (options.must_name_establishment) {
    // A chef d'établissement files for the establishments they are bound to: tick boxes, no free UAI.
    $<HTMLElement>('other-uais-group').hidden = true;
    $<HTMLElement>('territory-group').hidden = true;
    hint.textContent = options.establishments.length
      ? 'Cochez au moins un de vos établissements.'
      : "Aucun établissement ne vous est rattaché : demandez à un administrateur de Repère de vous rattacher au vôtre.";
    options.establishments.forEach((e, i) => {
      const { group, input } = checkbox(`uai-${i}`, 'uais', e.uai, `${e.name ?? e.uai} — ${e.commune ?? ''} (${e.uai})`);
      input.checked = options.establishments.length === 1;
      mine.append(group);
    });
  } else {
    hint.textContent = 'Un ou plusieurs établissements, ou un territoire ci-dessous.';
  }
}

function intentionBody(): Record<string, unknown> {
  const data = new FormData(fileForm);
  const ticked = data.getAll('uais').map(String).flatMap((v) => v.split(','));
  const uais = ticked.map((u) => u.trim().toUpperCase()).filter(Boolean);
  const tk = String(data.get('territory-kind') ?? '');
  return {
    kind: data.get('kind'),
    title: data.get('title'),
    description: data.get('description'),
    hoped_for: data.get('hoped_for') || null,
    people: data.get('people') ?? '',
    uais,
    territory: tk ? { kind: tk, value: String(data.get('territory') ?? '') } : null,
  };
}

fileForm.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(fileForm);
  const button = fileForm.querySelector<HTMLButtonElement>('button[type=submit]')!;
  if (!(fileForm.elements.namedItem('kind') as HTMLSelectElement).value) {
    fieldError(fileForm, 'kind', "Choisissez le type d'intention.");
    $<HTMLElement>('kind').focus();
    return;
  }
  const territory = fileForm.elements.namedItem('territory') as HTMLInputElement;
  if (territory.value.trim() && !(fileForm.elements.namedItem('territory-kind') as HTMLSelectElement).value) {
    fieldError(fileForm, 'territory-kind', 'Choisissez le type de territoire (département, commune ou circonscription).');
    $<HTMLElement>('territory-kind').focus();
    return;
  }
  for (const [name, label] of [['title', 'le titre'], ['description', 'la description']] as const) {
    const input = fileForm.elements.namedItem(name) as HTMLInputElement;
    if (!input.value.trim()) {
      fieldError(fileForm, name, `Indiquez ${label}.`);
      input.focus();
      return;
    }
  }
  button.disabled = true;
  void send<Dossier>('POST', '/api/intentions', intentionBody())
    .then((d) => {
      fileForm.reset();
      // A chef with one establishment keeps it ticked for the next intention.
      if (options.establishments.length === 1) $<HTMLInputElement>('uai-0').checked = true;
      const a = document.createElement('a');
      a.href = `/intention.html?id=${d.id}`;
      a.textContent = `Suivre le dossier ${d.number}`;
      const first = d.steps[0];
      say([document.createTextNode(`Intention déposée : dossier ${d.number}. La DANE en accuse réception au plus tard le ${first?.due_on?.split('-').reverse().join('/') ?? '—'}. `), a]);
      return loadList();
    })
    .catch((err: unknown) => showApiError(fileForm, alertBox, err))
    .finally(() => (button.disabled = false));
});

function listUrl(): string {
  if (!options.desk) return '/api/intentions';
  const q = new URLSearchParams();
  for (const [k, v] of new FormData(filters)) if (String(v)) q.set(k, String(v));
  const s = q.toString();
  return `/api/intentions${s ? `?${s}` : ''}`;
}

async function loadList(): Promise<void> {
  const listStatus = $<HTMLElement>('list-status');
  listStatus.textContent = 'Chargement des dossiers…';
  let list: Listing;
  try {
    list = await getJson<Listing>(listUrl());
  } catch (err) {
    listStatus.textContent = '';
    problem(err);
    return;
  }
  const body = table.tBodies[0]!;
  body.replaceChildren();
  for (const d of list.dossiers) {
    const tr = body.insertRow();
    if (options.desk) {
      const c = tr.insertCell();
      c.dataset.label = 'Choisir';
      const sr = document.createElement('span');
      sr.className = 'fr-sr-only';
      sr.textContent = ` le dossier ${d.number}`;
      const { group, input } = checkbox(`pick-${d.id}`, 'ids', String(d.id), ['Choisir', sr], true);
      input.disabled = d.status === 'close';
      c.append(group);
    }
    const th = document.createElement('th');
    th.scope = 'row';
    const a = document.createElement('a');
    a.href = `/intention.html?id=${d.id}`;
    a.textContent = `${d.number} — ${d.title}`;
    th.append(a, document.createElement('br'), document.createTextNode(d.kind_label));
    tr.append(th);
    const cells: [string, Node | string][] = [
      ['Établissements ou territoire', placeText(d)],
      ['Statut', statusBadge(d)],
      ['Prochaine étape', nextStepText(d.next_step)],
      ['Référent', d.referent?.name ?? 'Aucun'],
    ];
    for (const [label, value] of cells) {
      const c = tr.insertCell();
      c.dataset.label = label;
      c.append(value);
    }
  }
  table.hidden = list.dossiers.length === 0;
  $<HTMLElement>('bulk-actions').hidden = !options.desk || list.dossiers.length === 0;
  const filtered = [...new FormData(filters).values()].some((v) => String(v) !== '');
  // Someone whose role neither files nor answers (a contributor, a collectivité) is told who does.
  const notForYou = !options.desk && !options.can_file && list.total === 0;
  $<HTMLElement>('not-for-you').hidden = !notForYou;
  listStatus.textContent =
    list.total === 0
      ? options.desk
        ? filtered
          ? 'Aucun dossier ne correspond à ces filtres.'
          : "Aucun dossier pour l'instant : les intentions déposées apparaîtront ici."
        : options.can_file
          ? "Vous n'avez déposé aucune intention : le formulaire ci-dessus est fait pour cela."
          : notForYou
            ? ''
            : 'Aucun dossier ne vous est confié.'
      : `${list.total} dossier${list.total > 1 ? 's' : ''}, dont ${list.open} ouvert${list.open > 1 ? 's' : ''} et ${list.late} en retard.`;
}

filters.addEventListener('submit', (e) => {
  e.preventDefault();
  void loadList();
});

bulk.addEventListener('submit', (e) => {
  e.preventDefault();
  const ids = [...bulk.querySelectorAll<HTMLInputElement>('input[name=ids]:checked')].map((i) => Number(i.value));
  if (!ids.length) {
    problem(new ApiError({ title: 'Aucun dossier choisi', status: 422, detail: 'cochez les dossiers à confier' }));
    return;
  }
  const select = $<HTMLSelectElement>('bulk-referent');
  void send<{ assigned: number; referent: { name: string } }>('POST', '/api/intentions/assign', { ids, referent_id: Number(select.value) })
    .then((r) => {
      say([document.createTextNode(`${r.assigned} dossier${r.assigned > 1 ? 's' : ''} confié${r.assigned > 1 ? 's' : ''} à ${r.referent.name}.`)]);
      return loadList();
    })
    .catch(problem);
});

type Indicators = Answer<'/api/intentions/indicators'>;

type Places = import('../ui/intentions-map').IntentionPlaces;

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)} %`);
const days = (x: number | null) => (x === null ? '—' : `${x} j ouvrés`);

async function loadIndicators(): Promise<void> {
  $<HTMLElement>('indicators').hidden = false;
  const [ind, places] = await Promise.all([getJson<Indicators>('/api/intentions/indicators'), getJson<Places>('/api/intentions/map')]);
  $<HTMLElement>('indicators-summary').textContent =
    `${ind.total} intention${ind.total > 1 ? 's' : ''} ; ${ind.open_now} dossier${ind.open_now > 1 ? 's' : ''} ouvert${ind.open_now > 1 ? 's' : ''}, ${ind.late_now} en retard ; étapes faites dans les délais : ${pct(ind.on_time_share)}.`;
  const body = $<HTMLTableElement>('steps-table').tBodies[0]!;
  body.replaceChildren();
  for (const s of ind.steps) {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = s.label;
    tr.append(th);
    for (const [label, v] of [['Faites', String(s.completed)], ['Dans les délais', `${s.on_time} (${pct(s.on_time_share)})`], ['Délai médian', days(s.median_days)], ['90ᵉ centile', days(s.p90_days)]]) {
      const c = tr.insertCell();
      c.dataset.label = label!;
      c.textContent = v!;
    }
  }
  const pbody = $<HTMLTableElement>('places-table').tBodies[0]!;
  pbody.replaceChildren();
  for (const f of places.features) {
    const p = f.properties;
    const tr = pbody.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = `${p.name} (${p.uai})`;
    tr.append(th);
    for (const [label, v] of [['Commune', p.commune], ['Intentions', String(p.count)], ['Ouvertes', String(p.open)], ['En retard', String(p.late)]]) {
      const c = tr.insertCell();
      c.dataset.label = label!;
      c.textContent = v!;
    }
  }
  $<HTMLTableElement>('places-table').hidden = places.features.length === 0;
  // The map library is loaded only here, for the DANE.
  const { showIntentionsMap } = await import('../ui/intentions-map');
  await showIntentionsMap('intentions-map', places);
}

type Procedure = Answer<'/api/intentions/procedure'>;

const procedureForm = $<HTMLFormElement>('procedure-form');
const NUMBERS = ['acknowledgement_days', 'analysis_days', 'answer_days', 'closure_days', 'remind_before_days'] as const;

async function loadProcedure(): Promise<void> {
  const p = await getJson<Procedure>('/api/intentions/procedure');
  $<HTMLElement>('procedure').hidden = false;
  for (const k of NUMBERS) $<HTMLInputElement>(k).value = p[k] === null ? '' : String(p[k]);
  $<HTMLInputElement>('lead_email').value = p.lead_email ?? '';
  $<HTMLInputElement>('exclude_school_holidays').checked = p.exclude_school_holidays;
  $<HTMLTextAreaElement>('school_holidays').value = p.school_holidays.map(([a, b]) => `${a} ${b}`).join('\n');
}

procedureForm.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(procedureForm);
  const lines = $<HTMLTextAreaElement>('school_holidays').value.split('\n').map((l) => l.trim()).filter(Boolean);
  const periods = lines.map((l) => l.split(/[\s;,]+/));
  const realDay = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);
  if (periods.some((p) => p.length !== 2 || p.some((d) => !realDay(d)))) {
    fieldError(procedureForm, 'school_holidays', 'Une période par ligne : deux dates réelles AAAA-MM-JJ séparées par une espace (ex. 2027-02-06 2027-02-21).');
    $<HTMLElement>('school_holidays').focus();
    return;
  }
  const n = (k: string) => ($<HTMLInputElement>(k).value.trim() === '' ? null : Number($<HTMLInputElement>(k).value));
  const body: Procedure = {
    acknowledgement_days: n('acknowledgement_days') ?? 0,
    analysis_days: n('analysis_days') ?? 0,
    answer_days: n('answer_days') ?? 0,
    closure_days: n('closure_days'),
    remind_before_days: n('remind_before_days') ?? 0,
    exclude_school_holidays: $<HTMLInputElement>('exclude_school_holidays').checked,
    school_holidays: periods as [string, string][],
    lead_email: $<HTMLInputElement>('lead_email').value.trim() || null,
  };
  done.hidden = true;
  void send<Procedure>('PUT', '/api/intentions/procedure', body)
    .then(() => say([document.createTextNode('Procédure enregistrée : elle planifie les dossiers déposés à partir de maintenant.')]))
    .catch((err: unknown) => showApiError(procedureForm, alertBox, err));
});

async function main(): Promise<void> {
  const info = await renderAccountMenu();
  if (!info?.authenticated) {
    window.location.assign(`/connexion.html?retour=${encodeURIComponent('/intentions.html')}`);
    return;
  }
  try {
    options = await getJson<Options>('/api/intentions/options');
  } catch (err) {
    status.textContent = '';
    problem(err);
    return;
  }
  status.textContent = '';
  status.hidden = true;
  if (options.can_file) renderFiling();
  if (options.desk) {
    $<HTMLElement>('list-title').textContent = 'Guichet de la DANE : tous les dossiers';
    $<HTMLElement>('intro').textContent =
      "Le guichet de la DANE : chaque intention déposée est un dossier dont les étapes ont une échéance en jours ouvrés. Les retards apparaissent en premier ; confiez les dossiers aux référents, puis répondez à chaque étape.";
    filters.hidden = false;
    fillSelect($<HTMLSelectElement>('f-status'), options.statuses);
    fillSelect($<HTMLSelectElement>('f-kind'), options.kinds);
    const ref = $<HTMLSelectElement>('f-referent');
    const bulkRef = $<HTMLSelectElement>('bulk-referent');
    for (const r of options.referents) {
      ref.add(new Option(r.name, String(r.id)));
      bulkRef.add(new Option(`${r.name} — ${r.role_label}`, String(r.id)));
    }
    void loadIndicators().catch(problem);
    if (options.configure) void loadProcedure().catch(problem);
  } else {
    table.querySelectorAll('.desk-only').forEach((c) => c.remove());
  }
  await loadList();
}

void main();
