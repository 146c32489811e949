// The moderation inbox: submitted reports oldest first with their age; publish or reject one or many,
// with a reason from a template that the moderator can edit.
import '../dsfr.css';
import '../style.css';
import { moderates, renderAccountMenu, send } from '../api/account';
import { type Answer, ApiError, apiUrl, getJson } from '../api/client';
import { clearErrors, fieldError } from '../ui/forms';
import { renderFrame } from '../ui/layout';
import { labelCells } from '../ui/tables';
import { countVisit } from '../ui/visit';
import { plural, sentence } from '../ui/text';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu']] });
countVisit('moderation');

/** A report of the inbox: its fields, the version read (sent back with the decision: a report changed
 * since answers 409), where the map will show it, and for an edit of a published report its diff and
 * the version proposed. */
type Pending = Answer<'/api/moderation/inbox'>['practices'][number];
type Fields = Answer<'/api/practices/{id}'>;

/**
 * "Relire": what the public fiche will show once published (the proposed version for an edit), every
 * field, and where it will sit on the map, so the moderator never publishes blind.
 */
function review(p: Pending): HTMLDetailsElement {
  const f = p.proposed ?? p;
  const details = document.createElement('details');
  details.className = 'repere-review';
  const summary = document.createElement('summary');
  summary.textContent = p.kind === 'edit' ? 'Relire la version proposée' : 'Relire la remontée';
  const card = document.createElement('article');
  card.className = 'repere-review__card';
  card.setAttribute('aria-label', `Aperçu de la fiche publique « ${f.title} »`);
  // A strong title, not a heading: the table sits under the page's h1 and its rows are not sections.
  const h = document.createElement('p');
  h.className = 'fr-text--lg fr-text--bold fr-mb-1v';
  h.textContent = f.title;
  const where = document.createElement('p');
  where.className = 'fr-text--sm fr-mb-1w';
  where.textContent = `${p.establishment_name} · ${p.commune_name} · ${f.school_year}`;
  const facts = document.createElement('dl');
  facts.className = 'repere-fiche__facts';
  const fact = (label: string, value: string | Node) => {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.append(value || '—');
    facts.append(dt, dd);
  };
  fact('Résumé', f.summary);
  fact('Description', f.description);
  fact('Disciplines', f.disciplines.join(', '));
  fact('Niveaux', f.levels.join(', '));
  fact('Outils', f.tools.join(', '));
  fact('Thèmes', f.themes.join(', '));
  if (f.innovatheque_url) {
    const a = document.createElement('a');
    a.href = f.innovatheque_url;
    a.textContent = f.innovatheque_url;
    a.rel = 'noopener noreferrer';
    fact('Innovathèque', a);
  }
  const at = p.map_position;
  if (at) {
    const a = document.createElement('a');
    a.className = 'fr-link';
    a.href = `/?carte=15.00/${at.lat.toFixed(5)}/${at.lon.toFixed(5)}`;
    a.target = '_blank';
    a.textContent = `${f.position ? 'Position précise' : "À l'établissement"} (${at.lat.toFixed(4)}, ${at.lon.toFixed(4)}) : voir l'endroit sur la carte`;
    fact('Sur la carte', a);
  } else {
    fact('Sur la carte', "Aucune position : l'établissement n'est pas localisé.");
  }
  card.append(h, where, facts);
  details.append(summary, card);
  return details;
}

const FIELD_LABELS: Record<string, string> = {
  title: 'Titre', summary: 'Résumé', description: 'Description', disciplines: 'Disciplines', levels: 'Niveaux',
  tools: 'Outils', themes: 'Thèmes', school_year: 'Année scolaire', uai: 'Établissement', position: 'Position',
  innovatheque_url: 'Innovathèque',
};

const show = (v: unknown) => (Array.isArray(v) ? v.join(', ') : v === null || v === undefined ? '—' : String(v));

type AuditEntry = Answer<'/api/practices/{id}/audit'>['entries'][number];

const ACTION_LABELS: Record<string, string> = {
  create: 'création', edit: 'modification', submit: 'soumission', publish: 'publication', reject: 'refus',
  archive: 'archivage', continue: 'poursuite', propose_edit: 'modification proposée',
  publish_revision: 'modification publiée', reject_revision: 'modification refusée',
};

/** "Historique": the report's audit log, loaded on demand. */
function history(id: number): HTMLDetailsElement {
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'Historique';
  const list = document.createElement('ol');
  details.append(summary, list);
  details.addEventListener('toggle', () => {
    if (!details.open || list.childElementCount > 0) return;
    getJson<{ entries: AuditEntry[] }>(`/api/practices/${id}/audit`)
      .then(({ entries }) => {
        if (entries.length === 0) {
          const li = document.createElement('li');
          li.textContent = 'Aucune modification enregistrée (remontée importée ou créée avant le journal).';
          list.replaceChildren(li);
          return;
        }
        list.replaceChildren(
          ...entries.map((e) => {
            const li = document.createElement('li');
            const fields = Object.keys(e.changes ?? {}).filter((k) => k !== 'created').map((k) => FIELD_LABELS[k] ?? k);
            li.textContent = `${new Date(e.at).toLocaleString('fr-FR')} : ${ACTION_LABELS[e.action] ?? e.action}${fields.length ? ` (${fields.join(', ')})` : ''}`;
            return li;
          }),
        );
      })
      .catch(showError);
  });
  return details;
}

function diffCell(p: Pending): HTMLTableCellElement {
  const td = document.createElement('td');
  const title = document.createElement('span');
  title.textContent = p.title;
  td.append(title);
  td.append(review(p));
  queueMicrotask(() => td.append(history(p.id)));
  if (p.kind === 'edit' && p.diff) {
    const badge = document.createElement('p');
    badge.className = 'fr-badge fr-badge--info fr-badge--sm fr-ml-1w';
    badge.textContent = 'Modification';
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = 'Voir les changements';
    const list = document.createElement('ul');
    for (const [field, change] of Object.entries(p.diff)) {
      const li = document.createElement('li');
      li.textContent = `${FIELD_LABELS[field] ?? field} : « ${show(change.old)} » → « ${show(change.new)} »`;
      list.append(li);
    }
    details.append(summary, list);
    td.append(badge, details);
  }
  return td;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
const alert = $('alert');
const table = $<HTMLTableElement>('inbox');
const decisions = $<HTMLFormElement>('decisions');
const filters = $<HTMLFormElement>('inbox-filters');

const ageLabel = (d: number) => (d === 0 ? 'aujourd\'hui' : d === 1 ? '1 jour' : `${d} jours`);

async function load(): Promise<void> {
  const q = { departement: ($('departement') as HTMLSelectElement).value, school_year: ($('school_year') as HTMLInputElement).value.trim() };
  const { practices } = await getJson<{ practices: Pending[] }>(apiUrl('/moderation/inbox', q));
  seen.clear();
  for (const p of practices) seen.set(String(p.id), p.version);
  status.textContent = practices.length === 0 ? 'Aucune remontée en attente.' : `${plural(practices.length, 'remontée', 'remontées')} en attente.`;
  table.tBodies[0]!.replaceChildren(
    ...practices.map((p) => {
      const tr = document.createElement('tr');
      const pick = document.createElement('td');
      pick.innerHTML = `<div class="fr-checkbox-group repere-pick"><input type="checkbox" id="pick-${p.id}" name="ids" value="${p.id}"><label class="fr-label" for="pick-${p.id}"><span class="fr-sr-only">Choisir « ${p.title.replace(/[<>&"]/g, '')} »</span></label></div>`;
      const cell = (t: string) => Object.assign(document.createElement('td'), { textContent: t });
      tr.append(pick, diffCell(p), cell(`${p.establishment_name} (${p.commune_name})`), cell(p.school_year), cell(ageLabel(p.age_days)));
      return tr;
    }),
  );
  // On a phone each row is a card whose cells say what they are (style.css, .repere-cards).
  labelCells(table);
  table.hidden = practices.length === 0;
  countChosen();
}

/** Says how many reports are ticked, beside the buttons that act on them (they stay in view). */
function countChosen(): void {
  const n = decisions.querySelectorAll('input[name="ids"]:checked').length;
  $('chosen').textContent = n === 0 ? 'Aucune remontée choisie.' : `${plural(n, 'remontée choisie', 'remontées choisies')}.`;
}

decisions.addEventListener('change', (e) => {
  if ((e.target as HTMLInputElement).name === 'ids') countChosen();
});

$<HTMLSelectElement>('template').addEventListener('change', (e) => {
  const v = (e.target as HTMLSelectElement).value;
  if (v) ($('reason') as HTMLTextAreaElement).value = v;
});

/** The version of each listed report as read, by id. */
const seen = new Map<string, string>();

filters.addEventListener('submit', (e) => {
  e.preventDefault();
  load().catch(showError);
});

decisions.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(decisions);
  alert.hidden = true;
  // The previous decision's confirmation is not this one's.
  $('decided').textContent = '';
  const action = ((e as SubmitEvent).submitter as HTMLButtonElement | null)?.value ?? 'publish';
  const ids = [...decisions.querySelectorAll<HTMLInputElement>('input[name="ids"]:checked')].map((i) => Number(i.value));
  const reason = ($('reason') as HTMLTextAreaElement).value.trim();
  if (ids.length === 0) {
    status.textContent = 'Choisissez au moins une remontée.';
    $('decided').textContent = 'Choisissez au moins une remontée.';
    return;
  }
  if (action === 'reject' && !reason) {
    fieldError(decisions, 'reason', 'Indiquez le motif du refus : il sera montré à l\'auteur.');
    $('reason').focus();
    return;
  }
  const versions = Object.fromEntries(ids.map((id) => [String(id), seen.get(String(id)) ?? '']).filter(([, v]) => v));
  // A reason goes with a refusal only.
  send<{ results: { id: number; status?: string; error?: string }[] }>('POST', '/api/moderation/decisions', { ids, action, reason: action === 'reject' ? reason : undefined, versions })
    .then(async (r) => {
      const failed = r.results.filter((x) => x.error);
      await load();
      const done = r.results.length - failed.length;
      const verb = action === 'publish' ? (done > 1 ? 'publiées' : 'publiée') : (done > 1 ? 'refusées' : 'refusée');
      const message = `${plural(done, 'remontée', 'remontées')} ${verb}.${failed.length ? ` ${plural(failed.length, 'décision impossible', 'décisions impossibles')} : ${failed.map((f) => sentence(f.error ?? '')).join(' ')}` : ''}`;
      status.textContent = `${message} ${status.textContent}`;
      // Said again beside the buttons, where the moderator is looking.
      $('decided').textContent = message;
      // The reason was for the reports just refused: the next decision starts blank.
      if (action === 'reject' && done > 0) ($('reason') as HTMLTextAreaElement).value = '';
    })
    .catch(showError);
});

function showError(e: unknown): void {
  alert.textContent = e instanceof ApiError ? `${e.problem.title} : ${e.message}` : 'Erreur inattendue.';
  alert.hidden = false;
}

void (async () => {
  const info = await renderAccountMenu();
  if (!info?.authenticated || !moderates(info.user)) {
    status.innerHTML = 'Cette page est réservée aux modérateurs (CARDIE/DANE). <a href="/connexion.html?retour=/moderation.html">Se connecter</a>';
    decisions.hidden = true;
    filters.hidden = true;
    return;
  }
  await load();
})().catch(showError);
