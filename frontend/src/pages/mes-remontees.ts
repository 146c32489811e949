// "Mes remontées": the author's reports with their status and the reason of a refusal.
import '../dsfr.css';
import '../style.css';
import { renderAccountMenu, send } from '../api/account';
import { type Answer, ApiError, getJson } from '../api/client';
import { renderFrame } from '../ui/layout';
import { countVisit } from '../ui/visit';
import { renderMessages } from '../ui/messages';
import { plural } from '../ui/text';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu']] });
countVisit('mes-remontees');

export const STATUS_LABELS: Record<string, string> = {
  draft: 'Brouillon',
  submitted: 'En attente de modération',
  published: 'Publiée',
  rejected: 'Refusée',
  archived: 'Archivée',
};

type Mine = Answer<'/api/practices/mine'>['practices'][number];


const status = document.getElementById('status')!;
const alert = document.getElementById('alert')!;
const table = document.getElementById('mine') as HTMLTableElement;

async function load(): Promise<void> {
  const info = await renderAccountMenu();
  if (!info?.authenticated) {
    status.innerHTML = '<a href="/connexion.html?retour=/mes-remontees.html">Connectez-vous</a> pour voir vos remontées.';
    return;
  }
  const { practices } = await getJson<{ practices: Mine[] }>('/api/practices/mine');
  status.textContent = practices.length === 0 ? 'Vous n\'avez encore signalé aucun usage.' : `${plural(practices.length, 'remontée', 'remontées')}.`;
  const body = table.tBodies[0]!;
  body.replaceChildren(
    ...practices.map((p) => {
      const tr = document.createElement('tr');
      const cell = (text: string) => {
        const td = document.createElement('td');
        td.textContent = text;
        return td;
      };
      const actions = document.createElement('td');
      if (['draft', 'submitted', 'rejected', 'published'].includes(p.status)) {
        const a = document.createElement('a');
        a.className = 'fr-link fr-mr-1w';
        a.href = `/contribuer.html?id=${p.id}`;
        a.textContent = p.status === 'published' ? 'Proposer une modification' : 'Modifier';
        actions.append(a);
      }
      const act = (action: string, label: string) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'fr-btn fr-btn--sm fr-btn--tertiary fr-ml-1w fr-mb-1w';
        b.textContent = label;
        b.addEventListener('click', () => {
          send('POST', `/api/practices/${p.id}/${action}`).then(load).catch((e: unknown) => {
            alert.textContent = e instanceof ApiError ? e.message : 'Erreur inattendue.';
            alert.hidden = false;
          });
        });
        actions.append(b);
      };
      if (['draft', 'rejected'].includes(p.status)) act('submit', 'Soumettre');
      if (p.status === 'published') {
        act('continue', 'Poursuivi cette année');
        act('archive', 'Archiver');
      }
      if (p.status === 'archived') act('continue', 'Poursuivi : republier');
      if (p.status === 'published') {
        const a = document.createElement('a');
        a.className = 'fr-link';
        a.href = `/?fiche=${p.id}`;
        a.textContent = 'Voir la fiche';
        actions.append(a);
      }
      const label = (STATUS_LABELS[p.status] ?? p.status) + (p.pending_revision ? ' (modification en attente de modération)' : '');
      tr.append(cell(p.title), cell(p.school_year), cell(label), cell(p.rejection_reason ?? ''), actions);
      return tr;
    }),
  );
  table.hidden = practices.length === 0;
  await renderMessages(document.getElementById('messages')!);
}

load().catch((e: unknown) => {
  alert.textContent = e instanceof ApiError ? e.message : 'Erreur inattendue.';
  alert.hidden = false;
});
