// "S'abonner à la lettre des usages": an académie address chooses disciplines (and levels). Signed in
// with that address, the subscription starts at once; otherwise a confirmation link is mailed, which
// comes back here (#confirmer=…) to start it. Signed-in people see their subscriptions.
import '../dsfr.css';
import '../style.css';
import { renderAccountMenu, send } from '../api/account';
import { ApiError, api, getJson } from '../api/client';
import { checkbox, clearErrors, fieldError, showApiError } from '../ui/forms';
import { renderFrame } from '../ui/layout';
import { sentence } from '../ui/text';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu']] });

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('subscribe');
const alertBox = $<HTMLElement>('alert');
const done = $<HTMLElement>('done');
let signedIn = false;

function say(message: string): void {
  alertBox.hidden = true;
  done.textContent = message;
  done.hidden = false;
  done.focus();
}

function problem(err: unknown): void {
  done.hidden = true;
  alertBox.textContent = err instanceof ApiError ? sentence(err.problem.invalid_params?.[0]?.reason ?? err.message) : 'Le serveur est injoignable : réessayez.';
  alertBox.hidden = false;
  alertBox.focus();
}

async function confirmFromLink(): Promise<void> {
  if (!window.location.hash.startsWith('#confirmer=')) return;
  const m = window.location.hash.match(/^#confirmer=([0-9a-f]{64})$/);
  if (!m) {
    history.replaceState(null, '', window.location.pathname);
    problem(new ApiError({ title: 'Lien incomplet', status: 422, detail: "ce lien de confirmation est incomplet : copiez-le en entier depuis le courriel, ou abonnez-vous de nouveau" }));
    return;
  }
  // The token leaves the address bar at once (history, screenshots).
  history.replaceState(null, '', window.location.pathname);
  try {
    const r = await send<{ confirmed: string[] }>('POST', '/api/letter/confirm', { token: m[1] });
    say(`Abonnement confirmé : vous recevrez la lettre « ${r.confirmed.join(' », « ')} ».`);
  } catch (err) {
    problem(err);
  }
}

async function loadMine(): Promise<void> {
  const r = await getJson<{ email: string; subscriptions: { discipline: string; status: string; unsubscribe: string }[] }>('/api/letter/subscriptions');
  const ul = $<HTMLUListElement>('mine-list');
  ul.replaceChildren();
  for (const s of r.subscriptions) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.className = 'fr-link';
    a.href = s.unsubscribe;
    a.textContent = 'me désabonner';
    li.append(`${s.discipline}${s.status === 'pending' ? ' (en attente de confirmation)' : ''} — `, a);
    ul.append(li);
  }
  $<HTMLElement>('mine').hidden = r.subscriptions.length === 0;
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(form);
  const email = $<HTMLInputElement>('email').value.trim();
  const disciplines = [...form.querySelectorAll<HTMLInputElement>('input[name=disciplines]:checked')].map((i) => i.value);
  if (!email) {
    fieldError(form, 'email', 'Indiquez votre adresse académique.');
    $<HTMLElement>('email').focus();
    return;
  }
  if (!disciplines.length) {
    fieldError(form, 'disciplines', 'Choisissez au moins une discipline.');
    form.querySelector<HTMLElement>('input[name=disciplines]')?.focus();
    return;
  }
  const levels = $<HTMLInputElement>('levels').value.split(',').map((l) => l.trim()).filter(Boolean);
  void send<{ subscribed: string[]; confirmation_sent: boolean; message?: string }>('POST', '/api/letter/subscriptions', { email, disciplines, levels })
    .then((r) => {
      say(r.confirmation_sent ? (r.message ?? 'Un lien de confirmation vient de partir.') : `Abonnement enregistré : « ${r.subscribed.join(' », « ')} ».`);
      return signedIn ? loadMine().catch(() => undefined) : undefined;
    })
    .catch((err: unknown) => showApiError(form, alertBox, err));
});

void (async () => {
  const info = await renderAccountMenu();
  if (info?.authenticated && info.user) {
    signedIn = true;
    $<HTMLInputElement>('email').value = info.user.email;
    void loadMine().catch(() => undefined);
  }
  await confirmFromLink();
  try {
    const f = await api.facets({});
    const box = $<HTMLElement>('disciplines');
    box.replaceChildren();
    [...(f.facets.discipline ?? [])].sort((a, b) => a.value.localeCompare(b.value, 'fr')).forEach((d, i) => {
      box.append(checkbox(`d-${i}`, 'disciplines', d.value, d.value).group);
    });
  } catch (err) {
    problem(err);
  }
})();
