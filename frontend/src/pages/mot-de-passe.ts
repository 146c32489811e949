// Forgotten password: ask for the link (the same answer whether the address has an account or not),
// then, from the mailed link (`#jeton=`, never sent to the server in a URL), choose the new password.
import '../dsfr.css';
import '../style.css';
import { renderAccountMenu, send, signedIn, type SessionInfo } from '../api/account';
import { clearErrors, fieldError, showApiError } from '../ui/forms';
import { flash, renderFrame } from '../ui/layout';
import { ApiError } from '../api/client';
import { sentence } from '../ui/text';
import { checkNewPassword, pageToken } from '../ui/password';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu']] });
void renderAccountMenu();

const alert = document.getElementById('alert') as HTMLElement;
const done = document.getElementById('done') as HTMLElement;
const forgot = document.getElementById('forgot') as HTMLFormElement;
const reset = document.getElementById('reset') as HTMLFormElement;
const token = pageToken();

if (token) {
  document.getElementById('title')!.textContent = 'Choisir un nouveau mot de passe';
  document.title = 'Choisir un nouveau mot de passe — Repère';
  reset.hidden = false;
  // The token leaves the address bar (and the history) once read.
  history.replaceState(null, '', window.location.pathname);
} else {
  forgot.hidden = false;
}

forgot.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(forgot);
  alert.hidden = true;
  const email = (forgot.elements.namedItem('email') as HTMLInputElement).value.trim();
  if (!email) {
    fieldError(forgot, 'email', 'Saisissez votre adresse électronique.');
    return;
  }
  const button = forgot.querySelector('button')!;
  button.disabled = true;
  send<{ message: string }>('POST', '/api/auth/password/forgot', { email })
    .then((r) => {
      done.textContent = r.message;
      done.hidden = false;
      forgot.hidden = true;
      done.focus();
    })
    .catch((err: unknown) => showApiError(forgot, alert, err))
    .finally(() => (button.disabled = false));
});

reset.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(reset);
  alert.hidden = true;
  const password = checkNewPassword(reset);
  if (password === undefined || !token) return;
  const button = reset.querySelector('button')!;
  button.disabled = true;
  send<SessionInfo>('POST', '/api/auth/password/reset', { token, password })
    .then((info) => {
      signedIn(info);
      flash('Votre mot de passe est changé et vous êtes connecté ; vos autres sessions sont fermées.');
      window.location.assign('/mes-remontees.html');
    })
    .catch((err: unknown) => {
      if (err instanceof ApiError && err.param === 'token') {
        // The link itself is at fault: say so plainly, and offer a new one.
        reset.hidden = true;
        const a = document.createElement('a');
        a.href = '/mot-de-passe.html';
        a.className = 'fr-link';
        a.textContent = 'Recevoir un nouveau lien';
        alert.replaceChildren(`${sentence(err.problem.invalid_params?.[0]?.reason ?? err.message)} `, a);
        alert.hidden = false;
        alert.focus();
        return;
      }
      showApiError(reset, alert, err);
    })
    .finally(() => (button.disabled = false));
});
