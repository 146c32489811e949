// "Mes préférences": what the signed-in person is told by e-mail (moderators also choose how they hear
// of new submissions: at once, a daily digest, or never).
import '../dsfr.css';
import '../style.css';
import { renderAccountMenu, send } from '../api/account';
import { type Answer, getJson } from '../api/client';
import { showApiError } from '../ui/forms';
import { renderFrame } from '../ui/layout';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu']] });

type Prefs = Answer<'/api/account/preferences'>;

const form = document.getElementById('prefs') as HTMLFormElement;
const status = document.getElementById('status') as HTMLElement;
const alert = document.getElementById('alert') as HTMLElement;
const done = document.getElementById('done') as HTMLElement;
const box = (name: string) => form.elements.namedItem(name) as HTMLInputElement;

function show(p: Prefs): void {
  document.getElementById('email')!.textContent = p.email;
  document.getElementById('submissions-group')!.hidden = !p.moderates;
  (form.elements.namedItem('submissions') as HTMLSelectElement).value = p.preferences.submissions;
  for (const k of ['decisions', 'messages', 'links'] as const) box(k).checked = p.preferences[k];
}

void renderAccountMenu().then(async (info) => {
  if (!info?.authenticated) {
    window.location.assign(`/connexion.html?retour=${encodeURIComponent('/preferences.html')}`);
    return;
  }
  try {
    show(await getJson<Prefs>('/api/account/preferences'));
    status.hidden = true;
    form.hidden = false;
    document.getElementById('sessions')!.hidden = false;
  } catch {
    status.textContent = 'Vos préférences ne se chargent pas : réessayez dans un instant.';
  }
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  done.hidden = true;
  alert.hidden = true;
  const body = {
    submissions: (form.elements.namedItem('submissions') as HTMLSelectElement).value,
    decisions: box('decisions').checked,
    messages: box('messages').checked,
    links: box('links').checked,
  };
  const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  button.disabled = true;
  send<Prefs>('PUT', '/api/account/preferences', body)
    .finally(() => (button.disabled = false))
    .then((p) => {
      show(p);
      done.textContent = 'Vos préférences sont enregistrées.';
      done.hidden = false;
      done.focus();
    })
    .catch((err: unknown) => showApiError(form, alert, err));
});

document.getElementById('everywhere')!.addEventListener('click', () => {
  if (!window.confirm('Fermer toutes vos sessions, sur tous vos appareils ? Il faudra vous reconnecter partout.')) return;
  send('POST', '/api/auth/logout/everywhere')
    .then(() => window.location.assign('/connexion.html'))
    .catch((err: unknown) => showApiError(form, alert, err));
});
