// Sign-in page: one generic message on bad credentials, a clear one when rate limited.
import '../dsfr.css';
import '../style.css';
import { login, renderAccountMenu } from '../api/account';
import { clearErrors, fieldError, showApiError } from '../ui/forms';
import { renderFrame } from '../ui/layout';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu']] });
void renderAccountMenu();

/** Where each role works, when the sign-in was not asked for by a page (`retour`). */
const HOME: Record<string, string> = {
  contributor: '/mes-remontees.html',
  moderator: '/moderation.html',
  collectivite: '/debit.html',
  admin: '/tableau-de-bord.html',
};
const home = (role: string | undefined) => HOME[role ?? ''] ?? '/';

const form = document.getElementById('login') as HTMLFormElement;
const alert = document.getElementById('alert') as HTMLElement;

form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(form);
  const email = (form.elements.namedItem('email') as HTMLInputElement).value.trim();
  const password = (form.elements.namedItem('password') as HTMLInputElement).value;
  let ok = true;
  if (!email) ok = !fieldError(form, 'email', 'Saisissez votre adresse électronique.') && false;
  if (!password) ok = !fieldError(form, 'password', 'Saisissez votre mot de passe.') && false;
  if (!ok) return;
  login(email, password)
    .then((info) => {
      const back = new URLSearchParams(window.location.search).get('retour');
      window.location.assign(back && back.startsWith('/') && !back.startsWith('//') ? back : home(info.user?.role));
    })
    .catch((err: unknown) => showApiError(form, alert, err));
});
