// Accepting an invitation from its mailed link (`#jeton=`): whom it is for, then a password to choose,
// or the identity provider's button, which binds the professional identity to the invited account.
import '../dsfr.css';
import '../style.css';
// The identity provider's button: only the pages that show it load its styles (not the map page).
import '@gouvfr/dsfr/dist/component/connect/connect.main.min.css';
import { renderAccountMenu, send, signedIn, type SessionInfo } from '../api/account';
import { type Answer, ApiError, getJson } from '../api/client';
import { clearErrors, showApiError } from '../ui/forms';
import { flash, renderFrame } from '../ui/layout';
import { checkNewPassword, pageToken } from '../ui/password';
import { sentence } from '../ui/text';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu']] });
void renderAccountMenu();

type Invitation = Answer<'/api/auth/invitation'>;

const HOME: Record<string, string> = { contributor: '/mes-remontees.html', moderator: '/moderation.html', collectivite: '/debit.html', admin: '/tableau-de-bord.html' };
const status = document.getElementById('status') as HTMLElement;
const alert = document.getElementById('alert') as HTMLElement;
const form = document.getElementById('accept') as HTMLFormElement;
const token = pageToken();

function fail(message: string, links: [string, string][] = []): void {
  status.hidden = true;
  const parts: (string | HTMLElement)[] = [message];
  for (const [href, label] of links) {
    const a = document.createElement('a');
    a.className = 'fr-link fr-ml-1w';
    a.href = href;
    a.textContent = label;
    parts.push(' ', a);
  }
  alert.replaceChildren(...parts);
  alert.hidden = false;
  alert.focus();
}

if (!token) {
  fail("Ce lien d'invitation est incomplet : ouvrez-le depuis le courriel reçu, en entier.");
} else {
  getJson<Invitation>(`/api/auth/invitation?token=${token}`)
    .then((inv) => {
      status.hidden = true;
      document.getElementById('welcome')!.hidden = false;
      document.getElementById('who')!.textContent = inv.email;
      document.getElementById('role')!.textContent = inv.role_label;
      (form.elements.namedItem('display_name') as HTMLInputElement).value = inv.display_name;
      if (inv.provider) {
        document.getElementById('provider')!.hidden = false;
        document.getElementById('provider-name')!.textContent = inv.provider;
        const a = document.getElementById('provider-button') as HTMLAnchorElement;
        a.href = `/api/auth/oidc/start?invitation=${token}&retour=${encodeURIComponent(HOME[inv.role] ?? '/')}`;
      }
      form.hidden = !inv.password;
      document.getElementById('or')!.hidden = !(inv.provider && inv.password);
    })
    .catch((err: unknown) => {
      const reason = err instanceof ApiError ? err.problem.invalid_params?.[0]?.reason ?? err.message : undefined;
      if (reason?.includes('déjà servi')) {
        fail('Cette invitation a déjà servi : votre compte est sans doute déjà actif.', [['/connexion.html', 'Se connecter'], ['/mot-de-passe.html', 'Mot de passe oublié ?']]);
      } else {
        fail(reason ? `${sentence(reason)} La DANE peut vous renvoyer une invitation.` : 'Le serveur est injoignable : réessayez dans un instant.');
      }
    });
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(form);
  alert.hidden = true;
  const password = checkNewPassword(form);
  if (password === undefined || !token) return;
  const display_name = (form.elements.namedItem('display_name') as HTMLInputElement).value.trim();
  const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  button.disabled = true;
  send<SessionInfo>('POST', '/api/auth/invitation', { token, password, display_name })
    .finally(() => (button.disabled = false))
    .then((info) => {
      signedIn(info);
      flash('Votre compte Repère est activé et vous êtes connecté.');
      history.replaceState(null, '', window.location.pathname);
      window.location.assign(HOME[info.user?.role ?? ''] ?? '/');
    })
    .catch((err: unknown) => showApiError(form, alert, err));
});
