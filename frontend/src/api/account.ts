// The signed-in account: session, CSRF token, and state-changing requests that carry it.
import { type Answer, ApiError, toError } from './client';

/** The session as `/api/auth/session` answers it: the account (if any), the CSRF token, the ways in. */
export type SessionInfo = Answer<'/api/auth/session'>;
export type Account = NonNullable<SessionInfo['user']>;

let current: SessionInfo | undefined;

export async function session(refresh = false): Promise<SessionInfo> {
  if (current && !refresh) return current;
  const resp = await fetch('/api/auth/session', { headers: { accept: 'application/json' } });
  if (!resp.ok) throw await toError(resp);
  current = (await resp.json()) as SessionInfo;
  return current;
}

export const moderates = (a: Account | null | undefined): boolean => a?.role === 'moderator' || a?.role === 'admin';

/** Sets the session after a sign-in that the server answered with it (reset, invitation). */
export function signedIn(info: SessionInfo): void {
  current = info;
}

/** A POST/PUT/DELETE with the session's CSRF token; problem+json errors become ApiError. */
export async function send<T>(method: 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<T> {
  const { csrf_token } = await session();
  let resp: Response;
  try {
    resp = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf_token, accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError({ title: 'Réseau', status: 0, detail: 'Le serveur est injoignable. Vos saisies sont conservées : réessayez.' });
  }
  if (!resp.ok) throw await toError(resp);
  if (resp.status === 204) return undefined as T;
  return (await resp.json()) as T;
}

export async function login(email: string, password: string): Promise<SessionInfo> {
  current = await send<SessionInfo>('POST', '/api/auth/login', { email, password });
  return current;
}

export async function logout(): Promise<void> {
  await send('POST', '/api/auth/logout');
  current = undefined;
}

/** Fills the header's account menu. */
export async function renderAccountMenu(): Promise<SessionInfo | undefined> {
  const nav = document.getElementById('account');
  if (!nav) return undefined;
  let info: SessionInfo | undefined;
  try {
    info = await session();
  } catch {
    info = undefined;
  }
  const links: [string, string][] = [['/', 'Carte'], ['/reseaux.html', 'Réseaux'], ['/tableau-de-bord.html', 'Tableau de bord']];
  if (info?.authenticated) {
    links.push(['/contribuer.html', 'Signaler un usage'], ['/mes-remontees.html', 'Mes remontées']);
    if (moderates(info.user)) links.push(['/moderation.html', 'Modération']);
    if (info.user && ['encadrement', 'inspecteur', 'referent', 'moderator', 'admin'].includes(info.user.role)) links.push(['/intentions.html', 'Intentions']);
    if (info.user && ['inspecteur', 'referent', 'moderator', 'admin'].includes(info.user.role)) links.push(['/lettre-redaction.html', 'Lettre']);
    if (info.user && (info.user.role === 'collectivite' || info.user.role === 'admin')) links.push(['/debit.html', 'Débit']);
    if (info.user?.role === 'admin') links.push(['/comptes.html', 'Comptes']);
  }
  const ul = document.createElement('ul');
  ul.className = 'fr-btns-group';
  for (const [href, label] of links) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.className = 'fr-btn fr-btn--tertiary-no-outline fr-btn--sm';
    a.href = href;
    a.textContent = label;
    if (window.location.pathname === href) a.setAttribute('aria-current', 'page');
    li.append(a);
    ul.append(li);
  }
  const li = document.createElement('li');
  if (info?.authenticated && info.user) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'fr-btn fr-btn--tertiary fr-btn--sm';
    b.id = 'logout';
    // Short, so that the académie's logo keeps its room in the header; the account is in the title.
    b.textContent = 'Se déconnecter';
    b.title = `Se déconnecter (${info.user.email})`;
    b.addEventListener('click', () => void logout().then(() => window.location.assign('/')));
    li.append(b);
  } else {
    const a = document.createElement('a');
    a.className = 'fr-btn fr-btn--tertiary fr-btn--sm';
    a.href = `/connexion.html?retour=${encodeURIComponent(window.location.pathname + window.location.search)}`;
    a.textContent = 'Se connecter';
    li.append(a);
  }
  ul.append(li);
  nav.replaceChildren(ul);
  return info;
}
