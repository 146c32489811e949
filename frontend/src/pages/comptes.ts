// "Comptes" (admins): invite, list every account with its role, way in, last sign-in and status;
// change a role, deactivate or reactivate (the server ends the sessions at once), re-send an
// invitation; and the outbox: what waits, what failed and why.
import '../dsfr.css';
import '../style.css';
import { renderAccountMenu, send } from '../api/account';
import { type Answer, ApiError, getJson } from '../api/client';
import { clearErrors, fieldError, showApiError } from '../ui/forms';
import { renderFrame } from '../ui/layout';
import { labelCells } from '../ui/tables';
import { sentence } from '../ui/text';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu']] });

type Accounts = Answer<'/api/accounts'>;
type Listed = Accounts['accounts'][number];
type Outbox = Answer<'/api/outbox'>;

const METHODS: Record<Listed['sign_in_method'], string> = {
  password: 'Mot de passe',
  provider: "Fournisseur d'identité",
  both: "Mot de passe et fournisseur d'identité",
  none: '—',
};

const alert = document.getElementById('alert') as HTMLElement;
const done = document.getElementById('done') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;
const table = document.getElementById('accounts') as HTMLTableElement;
const inviteForm = document.getElementById('invite') as HTMLFormElement;
let me = '';

const when = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' }) : '—';

function say(message: string): void {
  alert.hidden = true;
  // Announced (role=status) without taking the admin away from the row they work on.
  done.textContent = message;
  done.hidden = false;
}

function problem(err: unknown): void {
  done.hidden = true;
  alert.textContent = err instanceof ApiError ? `${err.problem.title} : ${sentence(err.message)}` : 'Le serveur est injoignable : réessayez.';
  alert.hidden = false;
  alert.focus();
}

function button(label: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'fr-btn fr-btn--secondary fr-btn--sm fr-mr-1w fr-mb-1w';
  b.textContent = label;
  b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

function row(a: Listed, roles: Accounts['roles']): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const who = document.createElement('td');
  who.textContent = a.display_name ? `${a.display_name} — ${a.email}` : a.email;
  const role = document.createElement('td');
  const select = document.createElement('select');
  select.className = 'fr-select';
  select.setAttribute('aria-label', `Rôle de ${a.email}`);
  for (const r of roles) select.add(new Option(r.label, r.value, false, r.value === a.role));
  select.disabled = a.email === me;
  select.addEventListener('change', () => {
    const label = select.selectedOptions[0]?.textContent ?? select.value;
    if (!window.confirm(`Donner à ${a.email} le rôle « ${label} » ?`)) {
      select.value = a.role;
      return;
    }
    select.disabled = true;
    send<Listed>('PUT', `/api/accounts/${a.id}`, { role: select.value })
      .then((u) => {
        a.role = u.role;
        say(`${u.email} a maintenant le rôle « ${u.role_label} ».`);
      })
      .finally(() => (select.disabled = false))
      .catch((err: unknown) => {
        select.value = a.role;
        problem(err);
      });
  });
  role.append(select);
  const method = document.createElement('td');
  method.textContent = METHODS[a.sign_in_method];
  const last = document.createElement('td');
  last.textContent = when(a.last_sign_in_at);
  const state = document.createElement('td');
  const badge = document.createElement('p');
  badge.className = `fr-badge fr-badge--sm ${a.status === 'active' ? 'fr-badge--success' : a.status === 'invited' ? 'fr-badge--info' : 'fr-badge--error'}`;
  badge.textContent = a.status_label;
  state.append(badge);
  if (a.status === 'invited' && a.invitation_expires_at) {
    const hint = document.createElement('p');
    hint.className = 'fr-hint-text fr-mb-0';
    hint.textContent = new Date(a.invitation_expires_at) < new Date() ? 'Lien expiré' : `Lien valable jusqu'au ${when(a.invitation_expires_at)}`;
    state.append(hint);
  }
  const actions = document.createElement('td');
  if (a.email !== me) {
    if (a.status === 'active') {
      actions.append(button('Désactiver', `Désactiver ${a.email} (ses sessions sont fermées, ses remontées restent)`, () => {
        if (!window.confirm(`Désactiver le compte ${a.email} ? Ses sessions seront fermées ; ses remontées restent publiées.`)) return;
        void change(a, { status: 'deactivated' }, `Le compte ${a.email} est désactivé.`);
      }));
    } else if (a.status === 'deactivated') {
      actions.append(button('Réactiver', `Réactiver ${a.email}`, () => void change(a, { status: 'active' }, `Le compte ${a.email} est réactivé.`)));
    }
  }
  if (a.status === 'invited') {
    actions.append(button("Renvoyer l'invitation", `Renvoyer l'invitation à ${a.email} (l'ancien lien ne servira plus)`, () => {
      send('POST', `/api/accounts/${a.id}/invitation`, {})
        .then(() => say(`Une nouvelle invitation est partie pour ${a.email}.`))
        .then(loadOutbox)
        .catch(problem);
    }));
  }
  for (const [td, label] of [[who, 'Compte'], [role, 'Rôle'], [method, 'Connexion'], [last, 'Dernière connexion'], [state, 'Statut']] as const) td.dataset.label = label;
  tr.append(who, role, method, last, state, actions);
  return tr;
}

async function change(a: Listed, body: Record<string, string>, message: string): Promise<void> {
  try {
    await send('PUT', `/api/accounts/${a.id}`, body);
    say(message);
    await Promise.all([load(), loadOutbox()]);
  } catch (err) {
    problem(err);
  }
}

async function load(): Promise<void> {
  const data = await getJson<Accounts>('/api/accounts');
  const roleSelect = inviteForm.elements.namedItem('role') as HTMLSelectElement;
  if (!roleSelect.options.length) for (const r of data.roles) roleSelect.add(new Option(r.label, r.value, r.value === 'contributor', r.value === 'contributor'));
  table.tBodies[0]!.replaceChildren(...data.accounts.map((a) => row(a, data.roles)));
  fillScopeAccounts(data.accounts);
  table.hidden = false;
  status.textContent = `${data.accounts.length} compte${data.accounts.length > 1 ? 's' : ''}.`;
}

async function loadOutbox(): Promise<void> {
  const o = await getJson<Outbox>('/api/outbox');
  const summary = document.getElementById('outbox-summary')!;
  const waiting = `${o.pending} en attente${o.failing ? `, dont ${o.failing} en échec (nouvel essai prévu)` : ''}, ${o.sent} envoyé${o.sent > 1 ? 's' : ''}.`;
  summary.textContent = o.smtp_configured
    ? waiting
    : `Aucun serveur d'envoi (SMTP) n'est configuré : les courriels attendent ici, rien n'est perdu. ${waiting}`;
  const t = document.getElementById('outbox') as HTMLTableElement;
  t.tBodies[0]!.replaceChildren(
    ...o.mails.map((m) => {
      const tr = document.createElement('tr');
      const state = m.sent_at
        ? `Envoyé le ${when(m.sent_at)}`
        : m.attempts
          ? `Échec (${m.attempts} essai${m.attempts > 1 ? 's' : ''}) : ${m.last_error ?? ''} — nouvel essai le ${when(m.next_attempt_at)}`
          : 'En attente';
      for (const text of [m.to, m.subject, when(m.created_at), state]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
  // On a phone each row is a card whose cells say what they are (style.css, .repere-cards).
  labelCells(t);
  t.hidden = o.mails.length === 0;
}

inviteForm.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(inviteForm);
  const email = (inviteForm.elements.namedItem('email') as HTMLInputElement).value.trim();
  const display_name = (inviteForm.elements.namedItem('display_name') as HTMLInputElement).value.trim();
  const role = (inviteForm.elements.namedItem('role') as HTMLSelectElement).value;
  if (!email) {
    fieldError(inviteForm, 'email', "Saisissez l'adresse de la personne à inviter.");
    return;
  }
  const submit = inviteForm.querySelector<HTMLButtonElement>('button[type=submit]')!;
  submit.disabled = true;
  done.hidden = true;
  alert.hidden = true;
  send<{ email: string }>('POST', '/api/accounts/invitations', { email, role, display_name })
    .then(async (r) => {
      inviteForm.reset();
      say(`Invitation envoyée à ${r.email} : le lien est valable 7 jours.`);
      await Promise.all([load(), loadOutbox()]);
      // The sender delivers within seconds: show it left.
      setTimeout(() => void loadOutbox(), 3000);
    })
    .catch((err: unknown) => showApiError(inviteForm, alert, err))
    .finally(() => (submit.disabled = false));
});

// Rattachements: what an encadrement, inspecteur or referent account is bound to.
const scopesForm = document.getElementById('scopes') as HTMLFormElement;
const scopeAccount = scopesForm.elements.namedItem('account') as HTMLSelectElement;
const SCOPE_FIELDS = ['uais', 'circonscriptions', 'disciplines'] as const;
type Scopes = Record<(typeof SCOPE_FIELDS)[number] | 'departements', string[]>;

function fillScopeAccounts(accounts: Listed[]): void {
  const chosen = scopeAccount.value;
  const bound = accounts.filter((a) => ['encadrement', 'inspecteur', 'referent'].includes(a.role));
  scopeAccount.replaceChildren(...bound.map((a) => new Option(`${a.display_name || a.email} — ${a.role_label}`, String(a.id), false, String(a.id) === chosen)));
  scopesForm.hidden = bound.length === 0;
  document.getElementById('scopes-title')!.hidden = scopesForm.hidden;
  if (bound.length) void loadScopes();
}

async function loadScopes(): Promise<void> {
  const s = await getJson<Scopes>(`/api/accounts/${scopeAccount.value}/scopes`);
  for (const f of SCOPE_FIELDS) (scopesForm.elements.namedItem(f) as HTMLInputElement).value = s[f].join(', ');
}

scopeAccount.addEventListener('change', () => void loadScopes().catch(problem));
scopesForm.addEventListener('submit', (e) => {
  e.preventDefault();
  clearErrors(scopesForm);
  const list = (f: string) => (scopesForm.elements.namedItem(f) as HTMLInputElement).value.split(',').map((v) => v.trim()).filter(Boolean);
  const body = Object.fromEntries(SCOPE_FIELDS.map((f) => [f, f === 'uais' ? list(f).map((u) => u.toUpperCase()) : list(f)]));
  send<Scopes>('PUT', `/api/accounts/${scopeAccount.value}/scopes`, body)
    .then(() => say(`Rattachements enregistrés pour ${scopeAccount.selectedOptions[0]?.textContent ?? 'ce compte'}.`))
    .catch((err: unknown) => showApiError(scopesForm, alert, err));
});

void renderAccountMenu().then(async (info) => {
  if (!info?.authenticated) {
    window.location.assign(`/connexion.html?retour=${encodeURIComponent('/comptes.html')}`);
    return;
  }
  if (info.user?.role !== 'admin') {
    status.textContent = 'Cette page est réservée aux administrateurs.';
    return;
  }
  document.getElementById('admin-only')!.hidden = false;
  me = info.user.email;
  try {
    await Promise.all([load(), loadOutbox()]);
  } catch (err) {
    status.textContent = '';
    problem(err);
  }
});
