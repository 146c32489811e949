// Choosing a password (reset, invitation): the token of a mailed link, and the checks the server makes
// too (length, confirmation), shown next to the field before anything is sent.
import { fieldError } from './forms';

/** Shortest accepted password, as the server's policy says. */
export const PASSWORD_MIN = 12;

/** The token of a link `…#jeton=TOKEN`. */
export function tokenFromHash(hash: string): string | undefined {
  const m = /(?:^#|&)jeton=([0-9a-f]+)/.exec(hash);
  return m?.[1];
}

/**
 * The token of the link this page was opened from. A link opened in a tab that already shows the page
 * changes only the fragment: the page is then read afresh with the new token.
 */
export function pageToken(): string | undefined {
  window.addEventListener('hashchange', () => {
    if (tokenFromHash(window.location.hash)) window.location.reload();
  });
  return tokenFromHash(window.location.hash);
}

/** The new password of `form` (fields `password` and `confirm`), or undefined after showing why not. */
export function checkNewPassword(form: HTMLFormElement): string | undefined {
  const password = (form.elements.namedItem('password') as HTMLInputElement).value;
  const confirm = (form.elements.namedItem('confirm') as HTMLInputElement).value;
  if ([...password].length < PASSWORD_MIN) {
    fieldError(form, 'password', `Le mot de passe doit compter au moins ${PASSWORD_MIN} caractères.`);
    (form.elements.namedItem('password') as HTMLInputElement).focus();
    return undefined;
  }
  if (password !== confirm) {
    fieldError(form, 'confirm', 'Les deux saisies ne sont pas identiques.');
    (form.elements.namedItem('confirm') as HTMLInputElement).focus();
    return undefined;
  }
  return password;
}
