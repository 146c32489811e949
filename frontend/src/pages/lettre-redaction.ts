// "Écrire la lettre": an inspector (or the IAN, or the DANE) opens a draft of a discipline they edit,
// writes the title, the levels and the message (Markdown), chooses published practices in order with a
// comment each — from the suggestions (new since the last edition, by level; levels not covered yet
// this year; near establishments that have none) or by number —, previews it, schedules or publishes
// it; a published edition takes errata. Below, each discipline's rhythm and indicators.
import '../dsfr.css';
import '../style.css';
import { renderAccountMenu, send } from '../api/account';
import { type Answer, ApiError, getJson } from '../api/client';
import { clearErrors, fieldError, showApiError } from '../ui/forms';
import { renderFrame } from '../ui/layout';
import { sentence } from '../ui/text';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu']] });

type Edition = Answer<'/api/editions/{id}'>;
type Item = Edition['items'][number];

type Suggestions = Answer<'/api/editions/suggestions'>;
/** What a suggestion shows and adds to the edition. */
type Suggested = Pick<Suggestions['near_establishments_without'][number], 'id' | 'title' | 'commune'>;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const alertBox = $<HTMLElement>('alert');
const done = $<HTMLElement>('done');
const draftForm = $<HTMLFormElement>('draft');
let edition: Edition | undefined;
let items: Item[] = [];

function problem(err: unknown): void {
  done.hidden = true;
  alertBox.textContent = err instanceof ApiError ? `${err.problem.title} : ${sentence(err.message)}` : 'Le serveur est injoignable : réessayez.';
  alertBox.hidden = false;
  alertBox.focus();
}

function say(message: string): void {
  alertBox.hidden = true;
  done.textContent = message;
  done.hidden = false;
  done.focus();
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' }) : '');

function button(label: string, title: string, onClick: () => void, primary = false): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `fr-btn fr-btn--sm fr-mr-1w ${primary ? '' : 'fr-btn--tertiary'}`;
  b.textContent = label;
  b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

function renderItems(): void {
  const frozen = edition?.status === 'publiee';
  const ol = $<HTMLOListElement>('items');
  ol.replaceChildren();
  items.forEach((it, i) => {
    const li = document.createElement('li');
    li.className = 'fr-mb-2w';
    const title = document.createElement('p');
    title.className = 'fr-text--bold fr-mb-1v';
    title.textContent = `${it.title ?? `Usage n° ${it.practice_id}`}${it.commune ? ` — ${it.commune}` : ''}`;
    const group = document.createElement('div');
    group.className = 'fr-input-group fr-mb-1v';
    const label = document.createElement('label');
    label.className = 'fr-label';
    label.htmlFor = `comment-${i}`;
    label.textContent = `Votre commentaire sur « ${it.title ?? it.practice_id} » (facultatif)`;
    const input = document.createElement('input');
    input.className = 'fr-input';
    input.id = `comment-${i}`;
    input.value = it.comment;
    input.maxLength = 1000;
    input.disabled = frozen;
    input.addEventListener('input', () => (it.comment = input.value));
    group.append(label, input);
    const move = (to: number) => {
      const [x] = items.splice(i, 1);
      items.splice(to, 0, x!);
      renderItems();
      $<HTMLElement>(`comment-${to}`).focus();
    };
    const actions = document.createElement('p');
    actions.hidden = frozen;
    if (i > 0) actions.append(button('Monter', `Monter « ${it.title ?? it.practice_id} »`, () => move(i - 1)));
    if (i < items.length - 1) actions.append(button('Descendre', `Descendre « ${it.title ?? it.practice_id} »`, () => move(i + 1)));
    actions.append(button('Retirer', `Retirer « ${it.title ?? it.practice_id} » de l'édition`, () => {
      items.splice(i, 1);
      renderItems();
      $<HTMLElement>('add-id').focus();
    }));
    li.append(title, group, actions);
    ol.append(li);
  });
  $<HTMLElement>('items-empty').hidden = items.length > 0;
}

function add(p: { id: number; title: string | null; commune?: string | null }): void {
  if (items.some((x) => x.practice_id === p.id)) {
    say(`« ${p.title ?? p.id} » est déjà dans l'édition.`);
    return;
  }
  items.push({ practice_id: p.id, comment: '', title: p.title, commune: p.commune ?? null, establishment: null, levels: null, published: true });
  renderItems();
  say(`« ${p.title ?? p.id} » ajouté à l'édition (${items.length} usage${items.length > 1 ? 's' : ''}).`);
}

function suggestionList<S extends Suggested>(list: S[], extra: (s: S) => string): HTMLUListElement {
  const ul = document.createElement('ul');
  for (const s of list) {
    const li = document.createElement('li');
    li.append(`${s.title} — ${s.commune}${extra(s)} `, button('Ajouter', `Ajouter « ${s.title} » à l'édition`, () => add({ id: s.id, title: s.title, commune: s.commune })));
    ul.append(li);
  }
  return ul;
}

async function loadSuggestions(discipline: string): Promise<void> {
  const s = await getJson<Suggestions>(`/api/editions/suggestions?discipline=${encodeURIComponent(discipline)}`);
  $<HTMLElement>('uncovered').textContent = s.uncovered_levels.length
    ? `${s.editions_this_year} édition${s.editions_this_year > 1 ? 's' : ''} publiée${s.editions_this_year > 1 ? 's' : ''} cette année ; niveaux pas encore couverts : ${s.uncovered_levels.join(', ')}.`
    : `${s.editions_this_year} édition${s.editions_this_year > 1 ? 's' : ''} publiée${s.editions_this_year > 1 ? 's' : ''} cette année ; tous les niveaux sont couverts.`;
  const box = $<HTMLElement>('by-level');
  box.replaceChildren();
  if (!s.by_level.length) box.textContent = "Aucun usage de la discipline qui n'ait déjà été présenté.";
  else if (s.fallback) {
    const p = document.createElement('p');
    p.className = 'fr-text--sm';
    p.textContent = "Aucun usage publié depuis la dernière édition : voici ceux de la discipline qu'aucune édition n'a encore présentés.";
    box.append(p);
  }
  const inDraft = (x: Suggested) => !items.some((i) => i.practice_id === x.id);
  for (const g of s.by_level.map((g) => ({ ...g, practices: g.practices.filter(inDraft) })).filter((g) => g.practices.length)) {
    const h = document.createElement('h4');
    h.className = 'fr-h6 fr-mb-1v';
    h.textContent = `${g.level}${s.uncovered_levels.includes(g.level) ? ' (pas encore couvert)' : ''}`;
    box.append(h, suggestionList(g.practices, () => ''));
  }
  $<HTMLElement>('near').replaceWith(Object.assign(suggestionList(s.near_establishments_without, (x) => ` (${x.establishments_without} établissement${x.establishments_without > 1 ? 's' : ''} sans usage à 15 km)`), { id: 'near' }));
}

function open(e: Edition): void {
  edition = e;
  items = e.items.map((i) => ({ ...i }));
  $<HTMLElement>('editor').hidden = false;
  $<HTMLElement>('editor-title').textContent = `Édition « ${e.title || 'sans titre'} » — ${e.discipline}`;
  const state = $<HTMLElement>('editor-state');
  if (e.status === 'publiee') {
    const a = document.createElement('a');
    a.href = e.url;
    a.textContent = "Lire l'édition publiée";
    state.replaceChildren(`Publiée le ${when(e.published_at)} : figée (une correction se fait par un erratum). `, a);
  } else {
    state.textContent = e.status === 'programmee' ? `Programmée pour le ${when(e.scheduled_for)} : modifiable jusque-là.` : 'Brouillon : seuls les éditeurs de la discipline le voient.';
  }
  const local = (iso: string) => {
    const d = new Date(iso);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  };
  $<HTMLInputElement>('at').value = e.scheduled_for ? local(e.scheduled_for) : '';
  $<HTMLInputElement>('title').value = e.title;
  $<HTMLInputElement>('levels').value = e.levels.join(', ');
  $<HTMLTextAreaElement>('message').value = e.message;
  $<HTMLAnchorElement>('preview').href = `/api/editions/${e.id}/preview`;
  const frozen = e.status === 'publiee';
  for (const el of draftForm.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLButtonElement>('input, textarea, button')) el.disabled = frozen;
  $<HTMLFormElement>('publish').hidden = frozen;
  $<HTMLElement>('add-row').hidden = frozen;
  $<HTMLElement>('save').hidden = frozen;
  $<HTMLFormElement>('erratum').hidden = !frozen;
  $<HTMLElement>('suggestions').hidden = frozen;
  renderItems();
  if (!frozen) void loadSuggestions(e.discipline).catch(problem);
}

async function save(): Promise<Edition> {
  const e = edition!;
  const body = {
    version: e.version,
    title: $<HTMLInputElement>('title').value,
    levels: $<HTMLInputElement>('levels').value.split(',').map((l) => l.trim()).filter(Boolean),
    message: $<HTMLTextAreaElement>('message').value,
    items: items.map((i) => ({ practice_id: i.practice_id, comment: i.comment })),
  };
  const saved = await send<Edition>('PUT', `/api/editions/${e.id}`, body);
  edition = saved;
  return saved;
}

draftForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  clearErrors(draftForm);
  done.hidden = true;
  void save()
    .then((e) => {
      open(e);
      say('Brouillon enregistré.');
      return loadEditions();
    })
    .catch((err: unknown) => showApiError(draftForm, alertBox, err));
});

$<HTMLInputElement>('add-id').addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    $<HTMLButtonElement>('add').click();
  }
});

$<HTMLButtonElement>('add').addEventListener('click', () => {
  clearErrors(draftForm);
  const n = Number($<HTMLInputElement>('add-id').value.trim());
  if (!Number.isInteger(n) || n <= 0) {
    fieldError(draftForm, 'items', "Indiquez le numéro d'un usage publié (il figure dans l'adresse de sa fiche).");
    $<HTMLElement>('add-id').focus();
    return;
  }
  void getJson<{ properties: { title: string; commune_name?: string } }>(`/api/collections/practices/items/${n}`)
    .then((f) => {
      add({ id: n, title: f.properties.title, commune: f.properties.commune_name ?? null });
      $<HTMLInputElement>('add-id').value = '';
    })
    .catch(() => {
      fieldError(draftForm, 'items', `Aucun usage publié n° ${n}.`);
      $<HTMLElement>('add-id').focus();
    });
});

$<HTMLFormElement>('publish').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget as HTMLFormElement;
  clearErrors(form);
  clearErrors(draftForm);
  done.hidden = true;
  const local = $<HTMLInputElement>('at').value;
  // The field holds a local (Paris) time: sent as an instant, so 08:30 stays 08:30.
  const at = local ? new Date(local).toISOString() : '';
  if (local && new Date(local).getTime() <= Date.now()) {
    fieldError(form, 'at', 'Cette date est passée : choisissez une date à venir, ou videz le champ pour publier maintenant.');
    $<HTMLElement>('at').focus();
    return;
  }
  if (!at && !window.confirm(`Publier maintenant et l'envoyer aux abonnés de « ${edition!.discipline} » ? Elle sera ensuite figée.`)) return;
  // What is on screen is saved first: the edition published is the one the editor sees.
  void save()
    .then((e) => send<Edition>('POST', `/api/editions/${e.id}/publish`, { at: at || undefined }))
    .then((e) => {
      open(e);
      say(e.status === 'publiee' ? 'Édition publiée : elle part aux abonnés.' : `Édition programmée pour le ${when(e.scheduled_for)}.`);
      return Promise.all([loadEditions(), loadIndicators()]);
    })
    .catch((err: unknown) => showApiError(err instanceof ApiError && ['title', 'message', 'levels', 'items'].includes(err.param ?? '') ? draftForm : form, alertBox, err));
});

$<HTMLFormElement>('erratum').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const form = ev.currentTarget as HTMLFormElement;
  clearErrors(form);
  void send<Edition>('POST', `/api/editions/${edition!.id}/errata`, { text: $<HTMLTextAreaElement>('erratum-text').value })
    .then((e) => {
      form.reset();
      open(e);
      say("Erratum ajouté : il s'affiche en tête de l'édition.");
    })
    .catch((err: unknown) => showApiError(form, alertBox, err));
});

let plans: { discipline: string; rhythm: string; levels: string[] }[] = [];

function showPlan(): void {
  const d = $<HTMLSelectElement>('plan-discipline').value;
  const p = plans.find((x) => x.discipline.toLowerCase() === d.toLowerCase());
  $<HTMLSelectElement>('rhythm').value = p?.rhythm ?? 'trimestriel';
  $<HTMLInputElement>('plan-levels').value = p?.levels.join(', ') ?? '';
}

$<HTMLSelectElement>('plan-discipline').addEventListener('change', showPlan);

async function loadEditions(): Promise<{ disciplines: string[] }> {
  const data = await getJson<{ disciplines: string[]; editions: Edition[]; plans: typeof plans }>('/api/editions');
  plans = data.plans;
  const body = $<HTMLTableElement>('editions').tBodies[0]!;
  body.replaceChildren();
  for (const e of data.editions) {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = e.title || 'Sans titre';
    tr.append(th);
    for (const [label, v] of [['Discipline', e.discipline], ['État', `${e.status_label}${e.published_at ? ` le ${when(e.published_at)}` : e.scheduled_for ? ` pour le ${when(e.scheduled_for)}` : ''}`]]) {
      const c = tr.insertCell();
      c.dataset.label = label!;
      c.textContent = v!;
    }
    tr.insertCell().append(button('Ouvrir', `Ouvrir l'édition « ${e.title || 'sans titre'} »`, () => {
      open(e);
      $<HTMLElement>('title').focus();
    }, true));
  }
  $<HTMLTableElement>('editions').hidden = data.editions.length === 0;
  return data;
}

$<HTMLFormElement>('create').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const discipline = $<HTMLSelectElement>('new-discipline').value;
  void send<Edition>('POST', '/api/editions', { discipline })
    .then(async (e) => {
      await loadEditions();
      open(e);
      say(`Brouillon ouvert pour « ${discipline} ».`);
      $<HTMLElement>('title').focus();
    })
    .catch(problem);
});

type IndicatorRow = Answer<'/api/letter/indicators'>['disciplines'][number];

async function loadIndicators(): Promise<void> {
  const ind = await getJson<{ disciplines: IndicatorRow[] }>('/api/letter/indicators');
  const body = $<HTMLTableElement>('indicators').tBodies[0]!;
  body.replaceChildren();
  for (const r of ind.disciplines.filter((d) => d.editions > 0 || d.subscribers > 0 || d.behind)) {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = `${r.discipline}${r.behind ? ' — en retard sur la règle' : ''}`;
    tr.append(th);
    for (const [label, v] of [['Éditions', String(r.editions)], ['Niveaux manquants', r.missing_levels.join(', ') || 'aucun'], ['Usages présentés', String(r.practices_featured)], ['Abonnés', String(r.subscribers)], ['Visites depuis la lettre', String(r.visits_from_editions)], ['Liens ensuite', String(r.links_after)]]) {
      const c = tr.insertCell();
      c.dataset.label = label!;
      c.textContent = v!;
    }
  }
}

$<HTMLFormElement>('plan').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const d = $<HTMLSelectElement>('plan-discipline').value;
  const levels = $<HTMLInputElement>('plan-levels').value.split(',').map((l) => l.trim()).filter(Boolean);
  void send('PUT', `/api/letter/plans/${encodeURIComponent(d)}`, { rhythm: $<HTMLSelectElement>('rhythm').value, levels })
    .then(() => say(`Rythme enregistré pour « ${d} » : vous serez prévenu une semaine avant chaque édition attendue.`))
    .then(() => Promise.all([loadIndicators(), loadEditions()]))
    .catch(problem);
});

void (async () => {
  const info = await renderAccountMenu();
  const status = $<HTMLElement>('status');
  if (!info?.authenticated) {
    window.location.assign(`/connexion.html?retour=${encodeURIComponent('/lettre-redaction.html')}`);
    return;
  }
  try {
    const data = await loadEditions();
    for (const id of ['new-discipline', 'plan-discipline']) {
      const select = $<HTMLSelectElement>(id);
      for (const d of data.disciplines) select.add(new Option(d, d));
    }
    showPlan();
    status.hidden = true;
    $<HTMLElement>('desk').hidden = false;
    $<HTMLElement>('planning').hidden = false;
    await loadIndicators();
  } catch (err) {
    status.textContent = err instanceof ApiError && err.status === 403 ? sentence(err.message) : '';
    if (!(err instanceof ApiError && err.status === 403)) problem(err);
  }
})();
