// The reporting form: client checks with messages next to the field, server 422s shown the same way,
// possible duplicates shown before submitting, drafts kept, and nothing typed is lost on an error.
import '../dsfr.css';
import '../style.css';
import { renderAccountMenu, send } from '../api/account';
import { type Answer, api, getJson } from '../api/client';
import { LEVEL_ORDER, sortFacets } from '../ui/filters';
import { setupGoto } from '../ui/goto';
import { clearErrors, fieldError, showApiError } from '../ui/forms';
import { renderFrame } from '../ui/layout';
import { countVisit } from '../ui/visit';
import { fold, setupPicker } from '../ui/multi-picker';

renderFrame({ skiplinks: [['#contenu', 'Aller au formulaire']] });
countVisit('contribuer');

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('report');
const alert = $('alert');
const done = $('done');
const dupBox = $('duplicates');
const editing = Number(new URLSearchParams(window.location.search).get('id')) || undefined;
let confirmedDuplicates = false;

const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
const list = (name: string) => value(name).split(',').map((s) => s.trim()).filter(Boolean);
const uaiOf = (text: string) => text.match(/([0-9]{7}[A-Za-z])\)?\s*$/)?.[1]?.toUpperCase() ?? text.trim();

// Disciplines and levels come from the académie's vocabulary only; a tool may be a new one.
const pickers = {
  disciplines: setupPicker($('disciplines'), { label: 'Disciplines choisies', unknown: 'Choisissez une discipline de la liste.' }),
  levels: setupPicker($('levels'), { label: 'Niveaux choisis', unknown: 'Choisissez un niveau de la liste.' }),
  tools: setupPicker($('tools'), { label: 'Outils choisis', free: true, unknown: 'Choisissez un outil de la liste ou tapez son nom.' }),
};

function payload(submit: boolean): Record<string, unknown> {
  return {
    title: value('title'),
    summary: value('summary'),
    description: value('description'),
    uai: uaiOf(value('uai')),
    disciplines: pickers.disciplines.values(),
    levels: pickers.levels.values(),
    tools: pickers.tools.values(),
    themes: list('themes'),
    school_year: value('school_year'),
    innovatheque_url: value('innovatheque_url') || null,
    position: value('position') || value('position_lat') ? { lon: Number(value('position').replace(',', '.')), lat: Number(value('position_lat').replace(',', '.')) } : null,
    contact_consent: (form.elements.namedItem('contact_consent') as HTMLInputElement).checked,
    submit,
  };
}

/** Client checks, each message next to its field; `refused` holds what a picker could not add. */
function check(p: Record<string, unknown>, refused: Partial<Record<keyof typeof pickers, string>>): boolean {
  const missing: [string, string][] = [];
  if (String(p.title).length < 3) missing.push(['title', 'Donnez un titre d\'au moins 3 caractères.']);
  if (!p.summary) missing.push(['summary', 'Résumez l\'usage en une ou deux phrases.']);
  if (!/^[0-9]{7}[A-Z]$/.test(String(p.uai))) missing.push(['uai', 'Choisissez l\'établissement dans la liste (ou saisissez son UAI).']);
  for (const [k, label] of [['disciplines', 'une discipline'], ['levels', 'un niveau'], ['tools', 'un outil']] as const) {
    const why = refused[k];
    if (why) missing.push([k, why]);
    else if ((p[k] as string[]).length === 0) missing.push([k, `Indiquez au moins ${label}.`]);
  }
  const pos = p.position as { lon: number; lat: number } | null;
  if (pos && !(Number.isFinite(pos.lon) && Number.isFinite(pos.lat) && Math.abs(pos.lon) <= 180 && Math.abs(pos.lat) <= 90)) {
    missing.push(['position', 'Donnez une longitude et une latitude en degrés (ex. 7.2619 et 43.7102), ou laissez vide.']);
  }
  if (!p.contact_consent) missing.push(['contact_consent', 'Cet accord est nécessaire pour publier un usage.']);
  for (const [field, message] of missing) fieldError(form, field, message);
  if (missing.length > 0) form.querySelector<HTMLElement>(`[name="${missing[0]![0]}"]`)?.focus();
  return missing.length === 0;
}

async function showDuplicates(p: Record<string, unknown>): Promise<boolean> {
  const q = new URLSearchParams({ uai: String(p.uai), title: String(p.title), tool: (p.tools as string[])[0] ?? '' });
  const { duplicates } = await getJson<Answer<'/api/practices/duplicates'>>(`/api/practices/duplicates?${q}`);
  const others = duplicates.filter((d) => d.id !== editing);
  if (others.length === 0) return false;
  dupBox.replaceChildren();
  const h = document.createElement('h2');
  h.className = 'fr-alert__title';
  h.textContent = 'Cet usage existe peut-être déjà';
  const ul = document.createElement('ul');
  for (const d of others) {
    const li = document.createElement('li');
    // A published report opens on the map, one's own in the form; a colleague's awaiting moderation
    // is not readable yet: its title says enough.
    const href = d.status === 'published' ? `/?fiche=${d.id}` : d.yours ? `/contribuer.html?id=${d.id}` : undefined;
    if (href) {
      const a = document.createElement('a');
      a.href = href;
      a.textContent = d.title;
      li.append(a);
    } else li.append(`« ${d.title} »`);
    const whose = d.status === 'published' ? '' : d.yours ? ', votre remontée' : ', remontée par un collègue, en attente de modération';
    li.append(` (${d.reason}${whose})`);
    ul.append(li);
  }
  const go = document.createElement('button');
  go.type = 'button';
  go.className = 'fr-btn fr-btn--sm fr-mt-1w';
  go.id = 'submit-anyway';
  go.textContent = 'Ce n\'est pas un doublon : soumettre quand même';
  go.addEventListener('click', () => {
    confirmedDuplicates = true;
    dupBox.hidden = true;
    void save(true);
  });
  dupBox.append(h, ul, go);
  dupBox.hidden = false;
  dupBox.focus();
  return true;
}

async function save(submit: boolean): Promise<void> {
  clearErrors(form);
  alert.hidden = true;
  done.hidden = true;
  // What is still typed in a picker counts, as if Entrée had been pressed.
  const refused: Partial<Record<keyof typeof pickers, string>> = {};
  for (const k of Object.keys(pickers) as (keyof typeof pickers)[]) {
    const why = pickers[k].flush();
    if (why) refused[k] = why;
  }
  const p = payload(submit);
  if (!check(p, refused)) return;
  try {
    if (submit && !confirmedDuplicates && (await showDuplicates(p))) return;
    const saved = editing
      ? await send<{ id: number; status: string }>('PUT', `/api/practices/${editing}`, p)
      : await send<{ id: number; status: string }>('POST', '/api/practices', p);
    form.hidden = true;
    done.innerHTML = '';
    const msg = document.createElement('p');
    msg.textContent =
      saved.status === 'submitted'
        ? 'Merci ! Votre remontée est soumise : la CARDIE/DANE la relira avant publication.'
        : saved.status === 'published'
          ? 'Votre modification est transmise à la modération ; la version publiée reste visible en attendant.'
          : 'Votre brouillon est enregistré.';
    const link = document.createElement('a');
    link.href = '/mes-remontees.html';
    link.textContent = 'Voir mes remontées';
    done.append(msg, link);
    done.hidden = false;
    done.focus();
  } catch (e) {
    showApiError(form, alert, e);
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const submitter = (e as SubmitEvent).submitter as HTMLButtonElement | null;
  void save(submitter?.value !== 'draft');
});

async function boot(): Promise<void> {
  const info = await renderAccountMenu();
  if (!info?.authenticated) {
    form.hidden = true;
    alert.innerHTML = '';
    const a = document.createElement('a');
    a.href = `/connexion.html?retour=${encodeURIComponent(window.location.pathname + window.location.search)}`;
    a.textContent = 'Connectez-vous';
    alert.append(a, ' pour signaler un usage.');
    alert.className = 'fr-alert fr-alert--info fr-alert--sm';
    alert.hidden = false;
    return;
  }
  const year = new Date().getMonth() >= 8 ? new Date().getFullYear() : new Date().getFullYear() - 1;
  const select = $<HTMLSelectElement>('school_year');
  // Only years that have begun: the server refuses the next one.
  select.replaceChildren(...[year, year - 1, year - 2, year - 3].map((y) => new Option(`${y}-${y + 1}`, `${y}-${y + 1}`, false, y === year)));
  // The establishment is searched as the user types (words in any order), never the whole list.
  setupGoto($<HTMLInputElement>('uai'), $<HTMLUListElement>('uai-list'), $('uai-status'), () => undefined, {
    kind: 'establishment',
    text: (p) => `${p.label} — ${p.detail.split(' · ')[0]} (${p.uai})`,
    chosen: (p) => `Établissement choisi : ${p.label} (${p.uai}).`,
  });
  const all = await api.facets({});
  const fc = sortFacets(all.facets);
  pickers.disciplines.vocabulary(fc.discipline.map((v) => v.value));
  // Every school level, even one no published practice has yet.
  const levels = [...LEVEL_ORDER.filter((l) => !fc.level.some((v) => fold(v.value) === fold(l))).map((value) => ({ value, count: 0 })), ...fc.level];
  pickers.levels.vocabulary(sortFacets({ level: levels }).level.map((v) => v.value));
  pickers.tools.vocabulary(fc.tool.map((v) => v.value));
  if (editing) {
    $('page-title').textContent = 'Modifier ma remontée';
    const p = await getJson<Record<string, unknown>>(`/api/practices/${editing}`);
    for (const k of ['title', 'summary', 'description', 'uai', 'school_year', 'innovatheque_url']) {
      (form.elements.namedItem(k) as HTMLInputElement).value = String(p[k] ?? '');
    }
    const position = p.position as { lon: number; lat: number } | null;
    if (position) {
      (form.elements.namedItem('position') as HTMLInputElement).value = String(position.lon);
      (form.elements.namedItem('position_lat') as HTMLInputElement).value = String(position.lat);
    }
    for (const k of Object.keys(pickers) as (keyof typeof pickers)[]) pickers[k].set(p[k] as string[]);
    (form.elements.namedItem('themes') as HTMLInputElement).value = (p.themes as string[]).join(', ');
    // The report was written with this agreement: an edit keeps it (the box stays visible to withdraw it).
    (form.elements.namedItem('contact_consent') as HTMLInputElement).checked = true;
    // A report of an older year keeps its year in the list.
    const written = String(p.school_year);
    if (![...select.options].some((o) => o.value === written)) select.append(new Option(written, written));
    select.value = written;
  }
  document.body.dataset.ready = '1';
}

boot().catch((e: unknown) => showApiError(form, alert, e));
