// One dossier: what was asked, the steps with their due dates (working days) and written answers, the
// full timeline; and, for those the access table allows, completing the next step (the closure with
// its outcome), assigning a referent, re-planning a step with a reason, linking the practices reported
// afterwards, writing a message.
import '../dsfr.css';
import '../style.css';
import { renderAccountMenu, send } from '../api/account';
import { ApiError, getJson } from '../api/client';
import { type Dossier, type Options, frDay, frWhen, placeText, statusBadge } from '../api/intentions';
import { clearErrors, fieldError, showApiError } from '../ui/forms';
import { renderFrame } from '../ui/layout';
import { sentence } from '../ui/text';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu'], ['#timeline', "Aller à l'historique"]] });

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const alertBox = $<HTMLElement>('alert');
const done = $<HTMLElement>('done');
const id = Number(new URLSearchParams(window.location.search).get('id'));
let dossier: Dossier;
let options: Options | undefined;

function problem(err: unknown): void {
  done.hidden = true;
  alertBox.textContent = err instanceof ApiError ? `${err.problem.title} : ${sentence(err.message)}` : 'Le serveur est injoignable : réessayez.';
  alertBox.hidden = false;
  alertBox.focus();
}

function fact(dl: HTMLElement, term: string, value: string): void {
  if (!value) return;
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  dl.append(dt, dd);
}

function render(d: Dossier): void {
  dossier = d;
  document.title = `${d.number} — ${d.title} — Repère`;
  $<HTMLElement>('title').textContent = `${d.number} — ${d.title}`;
  $<HTMLElement>('badge').replaceChildren(statusBadge(d));
  const facts = $<HTMLElement>('facts');
  facts.replaceChildren();
  fact(facts, 'Type', d.kind_label);
  fact(facts, 'Établissements ou territoire', placeText(d));
  fact(facts, 'Déposée par', `${d.filer.name}, le ${frWhen(d.created_at)}`);
  fact(facts, 'Description', d.description);
  fact(facts, 'Date souhaitée', d.hoped_for ? frDay(d.hoped_for) : '');
  fact(facts, 'Personnes impliquées', d.people);
  fact(facts, 'Référent', d.referent?.name ?? 'Pas encore assigné');
  if (d.practices.length) fact(facts, 'Usages signalés ensuite', d.practices.map((p) => `${p.title ?? 'usage'} (n° ${p.id})`).join(', '));

  const body = $<HTMLTableElement>('steps').tBodies[0]!;
  body.replaceChildren();
  for (const s of d.steps) {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = s.label + (s.next ? ' (en cours)' : '');
    tr.append(th);
    const due = s.due_on ? frDay(s.due_on) + (s.late ? ' — en retard' : '') : 'Sans échéance';
    const made = s.completed_at ? `${frWhen(s.completed_at)}${s.completed_by ? ` par ${s.completed_by.name}` : ''}${s.on_time === false ? ' (hors délai)' : ''}` : '—';
    for (const [label, v] of [['Échéance', due], ['Faite', made], ['Réponse', s.answer ?? '—']]) {
      const c = tr.insertCell();
      c.dataset.label = label!;
      c.textContent = v!;
    }
  }

  const next = d.steps.find((s) => s.next);
  const complete = $<HTMLFormElement>('complete');
  complete.hidden = !d.can.complete || !next;
  if (next) {
    $<HTMLElement>('complete-title').textContent = `Faire l'étape « ${next.label} »`;
    $<HTMLElement>('outcome-group').hidden = next.kind !== 'cloture';
  }
  $<HTMLFormElement>('assign').hidden = !d.can.assign || !options?.referents.length;
  // The menu shows who holds the dossier now: a stray click does not reassign it.
  if (d.referent) $<HTMLSelectElement>('referent_id').value = String(d.referent.id);
  const replan = $<HTMLFormElement>('replan');
  replan.hidden = !d.can.replan;
  const stepSelect = $<HTMLSelectElement>('replan-step');
  stepSelect.replaceChildren(...d.steps.filter((s) => !s.completed_at).map((s) => new Option(`${s.label} (${s.due_on ? frDay(s.due_on) : 'sans échéance'})`, s.kind)));
  if (!stepSelect.options.length) replan.hidden = true;
  $<HTMLFormElement>('practices').hidden = !d.can.link_practices || d.outcome !== 'realisee';
  $<HTMLInputElement>('practice_ids').value = d.practices.map((p) => p.id).join(', ');
  $<HTMLFormElement>('message').hidden = !d.can.comment;

  const ol = $<HTMLElement>('timeline');
  ol.replaceChildren();
  for (const e of d.timeline) {
    const li = document.createElement('li');
    const head = document.createElement('p');
    head.className = 'fr-text--sm fr-mb-0';
    const strong = document.createElement('strong');
    const stepLabel = typeof e.data.step === 'string' ? d.steps.find((s) => s.kind === e.data.step)?.label : undefined;
    strong.textContent = stepLabel ? `${e.label} : ${stepLabel}` : e.label;
    head.append(strong, document.createTextNode(` — ${frWhen(e.at)}${e.by ? `, ${e.by.name}` : ''}`));
    li.append(head);
    let text = e.text;
    if (e.kind === 'replanned') text = `Échéance du ${frDay(String(e.data.from ?? ''))} au ${frDay(String(e.data.to ?? ''))}. Motif : ${e.text}`;
    if (e.kind === 'assigned') text = `Confié à ${e.text}.`;
    if (text) {
      const p = document.createElement('p');
      p.className = 'repere-quote';
      p.textContent = text;
      li.append(p);
    }
    ol.append(li);
  }
  $<HTMLElement>('dossier').hidden = false;
}

/** Sends a change of the dossier from `form`; on success shows `message` and the dossier as it is now. */
function act(form: HTMLFormElement, method: 'POST' | 'PUT', url: () => string, body: () => unknown, message: string): void {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    done.hidden = true;
    alertBox.hidden = true;
    const missing = required[form.id]?.find(([field]) => !value(field));
    if (missing) {
      fieldError(form, form.querySelector<HTMLElement>(`#${missing[0]}`)?.getAttribute('name') ?? missing[0], missing[1]);
      $<HTMLElement>(missing[0]).focus();
      return;
    }
    const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
    button.disabled = true;
    void send<Dossier>(method, url(), body())
      .then((d) => {
        form.reset();
        render(d);
        alertBox.hidden = true;
        done.textContent = message;
        done.hidden = false;
        done.focus();
      })
      .catch((err: unknown) => showApiError(form, alertBox, err))
      .finally(() => (button.disabled = false));
  });
}

const value = (id: string) => ($<HTMLInputElement>(id).value ?? '').trim();

/** What each form needs before it is sent: (input id, message next to it). */
const required: Record<string, [string, string][]> = {
  replan: [['due_on', 'Indiquez la nouvelle échéance.'], ['reason', 'Indiquez le motif du report.']],
  message: [['text', 'Écrivez le message.']],
};

act(
  $<HTMLFormElement>('complete'),
  'POST',
  () => `/api/intentions/${id}/steps/${dossier.steps.find((s) => s.next)?.kind ?? ''}`,
  () => ({ answer: value('answer'), outcome: value('outcome') || undefined }),
  'Étape enregistrée : la personne qui a déposé l’intention en est prévenue.',
);
act($<HTMLFormElement>('assign'), 'POST', () => `/api/intentions/${id}/assign`, () => ({ referent_id: Number(value('referent_id')) }), 'Dossier confié.');
act(
  $<HTMLFormElement>('replan'),
  'POST',
  () => `/api/intentions/${id}/steps/${value('replan-step')}/replan`,
  () => ({ due_on: value('due_on'), reason: value('reason') }),
  'Échéance replanifiée.',
);
act(
  $<HTMLFormElement>('practices'),
  'PUT',
  () => `/api/intentions/${id}/practices`,
  () => ({ practice_ids: value('practice_ids').split(',').map((s) => s.trim()).filter(Boolean).map(Number) }),
  'Usages liés au dossier.',
);
act($<HTMLFormElement>('message'), 'POST', () => `/api/intentions/${id}/messages`, () => ({ text: value('text') }), 'Message ajouté à l’historique.');

// The answer is required: say so next to the field rather than sending an empty one.
$<HTMLFormElement>('complete').addEventListener(
  'submit',
  (e) => {
    const form = e.currentTarget as HTMLFormElement;
    if (!value('answer')) {
      e.stopImmediatePropagation();
      e.preventDefault();
      clearErrors(form);
      fieldError(form, 'answer', 'Écrivez la réponse.');
      $<HTMLElement>('answer').focus();
    }
  },
  { capture: true },
);

async function main(): Promise<void> {
  const info = await renderAccountMenu();
  if (!info?.authenticated) {
    window.location.assign(`/connexion.html?retour=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    return;
  }
  const status = $<HTMLElement>('status');
  if (!Number.isInteger(id) || id <= 0) {
    status.textContent = 'Aucun dossier demandé : ouvrez un dossier depuis la liste des intentions.';
    return;
  }
  try {
    const [d, o] = await Promise.all([getJson<Dossier>(`/api/intentions/${id}`), getJson<Options>('/api/intentions/options')]);
    options = o;
    if (o.desk) $<HTMLElement>('back').textContent = '← Tous les dossiers';
    const referent = $<HTMLSelectElement>('referent_id');
    for (const r of o.referents) referent.add(new Option(`${r.name} — ${r.role_label}`, String(r.id)));
    const outcome = $<HTMLSelectElement>('outcome');
    for (const x of o.outcomes) outcome.add(new Option(x.label, x.value));
    $<HTMLInputElement>('due_on').min = o.today;
    status.hidden = true;
    render(d);
  } catch (err) {
    status.textContent = '';
    problem(err);
  }
}

void main();
