// Letting people in, walked in Chromium against the real components: an OpenID provider (the
// `oidc-provider` package) and an SMTP sink (Python aiosmtpd). "S'identifier avec ProConnect" → the
// provider's login page → back on Repère as a new contributor; forged state, replayed code, another
// client's code and an address outside the académie are refused with a French message and create
// nothing; an invitation and a password reset are followed from the mail they send, on a phone too.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IdentityProvider, type Sink, freePort, linkAfter, startProvider, startSink } from './access-support';
import { axe, launch, signIn, watchPolicy } from './browser';
import { ADMIN, CONTRIBUTOR, PASSWORD, type Server, startServer } from './server';

let server: Server;
let provider: IdentityProvider;
let sink: Sink;
let browser: Browser;
const errors: string[] = [];
const NEW_PASSWORD = 'une nouvelle phrase assez longue';

beforeAll(async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  provider = await startProvider(`${base}/api/auth/oidc/callback`);
  sink = await startSink();
  server = await startServer({
    port,
    env: {
      REPERE_SMTP_URL: sink.url,
      REPERE_SMTP_RETRY: '1',
      REPERE_OIDC_ISSUER: provider.issuer,
      REPERE_OIDC_CLIENT_ID: 'repere',
      REPERE_OIDC_CLIENT_SECRET: 'secret-repere-de-test-assez-long',
      REPERE_OIDC_SCOPES: 'openid email profile',
    },
  });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await provider?.stop();
  await sink?.stop();
  expect(errors, 'no uncaught page errors').toEqual([]);
});

/** A page that may reach Repère and the provider, nothing else. */
async function page(viewport = { width: 1280, height: 800 }): Promise<{ page: Page; close: () => Promise<void> }> {
  const ctx = await browser.newContext({ viewport, locale: 'fr-FR' });
  await ctx.route((u) => !u.href.startsWith(server.base) && !u.href.startsWith(provider.issuer), (r) => r.abort());
  const p = await ctx.newPage();
  p.on('pageerror', (e) => errors.push(e.message));
  watchPolicy(p, errors);
  return { page: p, close: () => ctx.close() };
}

/** Through the provider's login page as `login`. */
async function providerLogin(p: Page, login: string): Promise<void> {
  await p.waitForURL((u) => u.href.startsWith(provider.issuer));
  await p.fill('input[name=login]', login);
  await p.fill('input[name=password]', 'peu importe');
  await p.click('button[type=submit]');
}

async function accounts(): Promise<{ email: string; role: string; sign_in_method: string; status: string }[]> {
  const { page: p, close } = await page();
  await signIn(p, server.base, ADMIN, '/tableau-de-bord.html');
  const list = await p.evaluate(async () => (await (await fetch('/api/accounts')).json()) as { accounts: { email: string; role: string; sign_in_method: string; status: string }[] });
  await close();
  return list.accounts;
}

async function refusalShown(p: Page): Promise<string> {
  await p.waitForURL((u) => u.pathname === '/connexion.html' && u.searchParams.has('erreur'));
  await p.waitForSelector('#alert:not([hidden])');
  return (await p.textContent('#alert')) ?? '';
}

describe('sign-in through the identity provider', () => {
  it('creates a contributor on first sign-in and finds the same account again', async () => {
    const { page: p, close } = await page();
    await p.goto(`${server.base}/connexion.html?retour=${encodeURIComponent('/mes-remontees.html')}`);
    const button = p.locator('a.fr-connect');
    await button.waitFor();
    expect(await button.textContent()).toContain('ProConnect');
    expect(await axe(p)).toEqual([]);
    await button.click();
    await providerLogin(p, 'claire.martin@ac-nice.fr');
    await p.waitForURL(`${server.base}/mes-remontees.html`);
    const me = await p.evaluate(async () => (await (await fetch('/api/auth/session')).json()) as { user: { email: string; role: string; display_name: string } });
    expect(me.user).toMatchObject({ email: 'claire.martin@ac-nice.fr', role: 'contributor', display_name: 'Claire Martin' });
    await close();
    // Again, in a new browser: the same account (bound to the provider's subject), not a second one.
    const again = await page();
    await again.page.goto(`${server.base}/connexion.html`);
    await again.page.click('a.fr-connect');
    await providerLogin(again.page, 'claire.martin@ac-nice.fr');
    await again.page.waitForURL(`${server.base}/`);
    await again.close();
    const list = await accounts();
    expect(list.filter((a) => a.email === 'claire.martin@ac-nice.fr')).toEqual([expect.objectContaining({ sign_in_method: 'provider', status: 'active' })]);
  });

  it('refuses a forged state, a replayed code, another client\'s code and a foreign address, creating nothing', async () => {
    // Forged state: no sign-in under way in this browser.
    const { page: p, close } = await page();
    await p.goto(`${server.base}/api/auth/oidc/callback?code=abc&state=forge`);
    expect(await refusalShown(p)).toContain('a expiré ou a été ouverte dans un autre onglet');

    // A code used once, replayed with a fresh state: the provider refuses it.
    let callback = '';
    p.on('request', (r) => {
      if (r.url().startsWith(`${server.base}/api/auth/oidc/callback`)) callback = r.url();
    });
    await p.goto(`${server.base}/connexion.html`);
    await p.click('a.fr-connect');
    await providerLogin(p, 'rejoue@ac-nice.fr');
    await p.waitForURL(`${server.base}/`);
    const usedCode = new URL(callback).searchParams.get('code')!;
    // Leave the map quietly first: a request of the map still running when the sign-in starts would
    // save the session as it loaded it (sessions are last-writer-wins).
    await p.goto(`${server.base}/connexion.html`);
    await p.waitForLoadState('networkidle');
    // A new sign-in starts (its redirect read without following it: the provider would answer at once).
    const start = await p.context().request.get(`${server.base}/api/auth/oidc/start`, { maxRedirects: 0 });
    const state = new URL(start.headers().location!).searchParams.get('state')!;
    await p.goto(`${server.base}/api/auth/oidc/callback?code=${usedCode}&state=${state}`);
    expect(await refusalShown(p)).toContain("n'a pas confirmé la connexion");
    await close();

    // A code issued to another client, delivered to Repère's callback with its own state.
    const other = await page();
    await other.page.goto(`${server.base}/connexion.html`);
    const started = await other.page.context().request.get(`${server.base}/api/auth/oidc/start`, { maxRedirects: 0 });
    const toOther = new URL(started.headers().location!);
    toOther.searchParams.set('client_id', 'autre');
    await other.page.goto(toOther.href);
    await providerLogin(other.page, 'intrus@ac-nice.fr');
    expect(await refusalShown(other.page)).toContain("n'a pas confirmé la connexion");
    await other.close();

    // An address outside the académie.
    const foreign = await page();
    await foreign.page.goto(`${server.base}/connexion.html`);
    await foreign.page.click('a.fr-connect');
    await providerLogin(foreign.page, 'quelquun@exemple.com');
    expect(await refusalShown(foreign.page)).toContain("n'est pas une adresse de l'académie");
    expect(await axe(foreign.page)).toEqual([]);
    await foreign.close();

    const list = await accounts();
    expect(list.map((a) => a.email)).not.toContain('quelquun@exemple.com');
    expect(list.map((a) => a.email)).not.toContain('intrus@ac-nice.fr');
  });
});

describe('invitations and resets by e-mail', () => {
  it('an admin invites from Comptes; the link sets a password and signs in, on a phone', async () => {
    const { page: p, close } = await page();
    await signIn(p, server.base, ADMIN, '/tableau-de-bord.html');
    await p.click('a[href="/comptes.html"]');
    await p.waitForSelector('#accounts:not([hidden])');
    // A bad address is named next to its field.
    await p.fill('#invite-email', 'pas-une-adresse');
    await p.click('#invite button[type=submit]');
    await p.waitForSelector('#invite-email-error');
    await p.fill('#invite-email', 'nouveau.prof@ac-nice.fr');
    await p.fill('#invite-name', 'Nouveau Prof');
    await p.selectOption('#invite-role', 'contributor');
    await p.click('#invite button[type=submit]');
    await p.waitForSelector('#done:not([hidden])');
    expect(await p.textContent('#done')).toContain('nouveau.prof@ac-nice.fr');
    await p.waitForSelector('#accounts td:has-text("nouveau.prof@ac-nice.fr")');
    expect(await axe(p)).toEqual([]);
    await close();

    const [mail] = await sink.waitFor('nouveau.prof@ac-nice.fr', 1);
    const link = linkAfter(mail!, "Accepter l'invitation :");
    const phone = await page({ width: 390, height: 844 });
    await phone.page.goto(link);
    await phone.page.waitForSelector('#welcome:not([hidden])');
    expect(await phone.page.textContent('#who')).toBe('nouveau.prof@ac-nice.fr');
    expect(await phone.page.isVisible('a.fr-connect')).toBe(true);
    expect(await axe(phone.page)).toEqual([]);
    await phone.page.fill('#password', 'court');
    await phone.page.fill('#confirm', 'court');
    await phone.page.click('#accept button[type=submit]');
    await phone.page.waitForSelector('#password-error');
    await phone.page.fill('#password', NEW_PASSWORD);
    await phone.page.fill('#confirm', NEW_PASSWORD);
    await phone.page.click('#accept button[type=submit]');
    await phone.page.waitForURL(`${server.base}/mes-remontees.html`);
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // The link has served: opened again, it says so.
    await phone.page.goto(link);
    await phone.page.waitForSelector('#alert:not([hidden])');
    expect(await phone.page.textContent('#alert')).toContain('déjà servi');
    await phone.close();
  });

  it('a forgotten password is reset from the mailed link', async () => {
    const { page: p, close } = await page();
    await p.goto(`${server.base}/connexion.html`);
    await p.click('a[href="/mot-de-passe.html"]');
    await p.fill('#email', CONTRIBUTOR);
    await p.click('#forgot button[type=submit]');
    await p.waitForSelector('#done:not([hidden])');
    expect(await p.textContent('#done')).toContain('Si un compte actif existe');
    expect(await axe(p)).toEqual([]);
    const [mail] = await sink.waitFor(CONTRIBUTOR, 1);
    await p.goto(linkAfter(mail!, 'Choisir un nouveau mot de passe :'));
    await p.waitForSelector('#reset:not([hidden])');
    expect(p.url(), 'the token leaves the address bar').not.toContain('jeton');
    await p.fill('#password', NEW_PASSWORD);
    await p.fill('#confirm', 'une autre saisie différente');
    await p.click('#reset button[type=submit]');
    await p.waitForSelector('#confirm-error');
    await p.fill('#confirm', NEW_PASSWORD);
    await p.click('#reset button[type=submit]');
    await p.waitForURL(`${server.base}/mes-remontees.html`);
    await close();
  });
});
