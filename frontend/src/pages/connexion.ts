// Sign-in page: the identity provider's button (ProConnect or the académie's) when one is configured,
// local passwords when they are accepted; one generic message on bad credentials, a clear one when rate
// limited, and the reason when the provider's sign-in was refused (`?erreur=`).
import '../dsfr.css';
import '../style.css';
// The identity provider's button: only the pages that show it load its styles (not the map page).
import '@gouvfr/dsfr/dist/component/connect/connect.main.min.css';
import { login, renderAccountMenu, session } from '../api/account';
import { clearErrors, fieldError, showApiError } from '../ui/forms';
import { renderFrame } from '../ui/layout';
import { sameOriginPath } from '../state/url';

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

/** Why the provider's sign-in was refused, as the server's codes say it. */
export const REFUSALS: Record<string, string> = {
  etat: 'La connexion a expiré ou a été ouverte dans un autre onglet. Recommencez depuis ce bouton.',
  fournisseur: "Le fournisseur d'identité n'a pas confirmé la connexion (il est peut-être indisponible). Réessayez dans un instant.",
  jeton: "La réponse du fournisseur d'identité n'a pas pu être vérifiée. Recommencez ; si cela se reproduit, prévenez la DANE.",
  adresse: "Le fournisseur d'identité n'a pas transmis votre adresse électronique : Repère ne peut pas vous ouvrir de compte.",
  domaine: "Votre adresse n'est pas une adresse de l'académie : demandez une invitation à la DANE.",
  existant: 'Un compte Repère existe déjà pour cette adresse : connectez-vous avec votre mot de passe, ou demandez à la DANE de vous renvoyer une invitation pour y lier votre identité professionnelle.',
  desactive: 'Ce compte est désactivé : adressez-vous à la DANE.',
  invitation: "Ce lien d'invitation n'est plus valable (déjà utilisé ou expiré) : demandez-en un nouveau.",
};

const form = document.getElementById('login') as HTMLFormElement;
const alert = document.getElementById('alert') as HTMLElement;
const retour = sameOriginPath(new URLSearchParams(window.location.search).get('retour'), window.location.origin);

const refused = new URLSearchParams(window.location.search).get('erreur');
if (refused) {
  alert.textContent = REFUSALS[refused] ?? 'La connexion a été refusée.';
  alert.hidden = false;
  alert.focus();
}

void session().then((info) => {
  const methods = info.sign_in;
  if (methods?.provider) {
    document.getElementById('provider')!.hidden = false;
    document.getElementById('provider-name')!.textContent = methods.provider;
    document.getElementById('provider-help')!.hidden = methods.provider !== 'ProConnect';
    const a = document.getElementById('provider-button') as HTMLAnchorElement;
    a.href = `/api/auth/oidc/start${retour ? `?retour=${encodeURIComponent(retour)}` : ''}`;
  }
  form.hidden = methods ? !methods.password : false;
  document.getElementById('or')!.hidden = !(methods?.provider && methods.password);
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(form);
  const email = (form.elements.namedItem('email') as HTMLInputElement).value.trim();
  const password = (form.elements.namedItem('password') as HTMLInputElement).value;
  let ok = true;
  if (!email) ok = !fieldError(form, 'email', 'Saisissez votre adresse électronique.') && false;
  if (!password) ok = !fieldError(form, 'password', 'Saisissez votre mot de passe.') && false;
  if (!ok) return;
  const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  button.disabled = true;
  login(email, password)
    .then((info) => window.location.assign(retour ?? home(info.user?.role)))
    .catch((err: unknown) => {
      button.disabled = false;
      showApiError(form, alert, err);
    });
});
