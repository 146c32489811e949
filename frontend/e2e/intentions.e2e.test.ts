// Suivi des intentions walked in Chromium: a chef d'établissement (on a phone) files an intention for
// their collège; the DANE (desktop) finds it at the desk, assigns it to a referent in bulk and answers
// each step up to the closure; the chef then reads the whole timeline. axe finds nothing on the new
// pages, for either of them.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axe, plainPage, signIn, useHarness } from './browser';
import { ADMIN, CHEF, REFERENT } from './server';

const h = useHarness();
const PHONE = { width: 390, height: 844 };

/** A same-origin API call from the signed-in page, with the session's CSRF token. */
async function api(page: Page, method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  return page.evaluate(
    async ([method, url, body]) => {
      const s = await (await fetch('/api/auth/session')).json();
      const r = await fetch(url as string, { method: method as string, headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf_token }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: r.status, json: await r.json().catch(() => null) };
    },
    [method, url, body] as const,
  );
}

describe('suivi des intentions', () => {
  it('a chef files, the DANE assigns and answers each step, the chef reads the timeline', async () => {
    // The admin binds the chef to their collège.
    const admin = await plainPage(h);
    await signIn(admin.page, h.server.base, ADMIN, '/intentions.html');
    const accounts = (await api(admin.page, 'GET', '/api/accounts')).json.accounts as { id: number; email: string }[];
    const chefId = accounts.find((a) => a.email === CHEF)!.id;
    expect((await api(admin.page, 'PUT', `/api/accounts/${chefId}/scopes`, { uais: ['0060842H'] })).status).toBe(200);

    // The chef, on a phone, files an intention; an empty title is refused next to the field.
    const chef = await plainPage(h, PHONE);
    await signIn(chef.page, h.server.base, CHEF, '/intentions.html');
    await chef.page.waitForSelector('#filing:not([hidden])');
    expect(await chef.page.isChecked('#uai-0')).toBe(true);
    await chef.page.selectOption('#kind', 'equipement');
    await chef.page.fill('#description', 'Deux classes mobiles pour la classe inversée en sciences.');
    await chef.page.click('#file button[type=submit]');
    expect(await chef.page.textContent('#title-error')).toContain('titre');
    await chef.page.fill('#title', 'Classes mobiles en sciences');
    await chef.page.fill('#people', 'Équipe de sciences, référent numérique');
    await chef.page.click('#file button[type=submit]');
    await chef.page.waitForSelector('#done:not([hidden])');
    const confirmation = (await chef.page.textContent('#done')) ?? '';
    expect(confirmation).toMatch(/Intention déposée : dossier INT-\d{4}-\d{4}/);
    await chef.page.waitForSelector('#dossiers:not([hidden])');
    expect(await chef.page.textContent('#dossiers')).toContain('Classes mobiles en sciences');
    expect(await axe(chef.page)).toEqual([]);

    // The DANE's desk: the dossier, late ones first; assign it in bulk to the referent.
    await admin.page.reload();
    await admin.page.waitForSelector('#dossiers:not([hidden])');
    expect(await admin.page.textContent('#list-title')).toContain('Guichet');
    expect(await admin.page.textContent('#indicators-summary')).toContain('1 intention');
    await admin.page.click('#dossiers label[for^="pick-"]');
    expect(await admin.page.isChecked('input[name=ids]')).toBe(true);
    const referentOption = await admin.page.$eval('#bulk-referent', (s, r) => [...(s as HTMLSelectElement).options].find((o) => o.text.includes(r as string))?.value, REFERENT.split('@')[0]);
    await admin.page.selectOption('#bulk-referent', referentOption ?? '');
    await admin.page.click('#bulk-actions button[type=submit]');
    await admin.page.waitForSelector('#done:not([hidden])');
    expect(await admin.page.textContent('#done')).toContain('1 dossier confié');
    expect(await axe(admin.page)).toEqual([]);

    // The dossier: answer each step, the closure with its outcome.
    await admin.page.click('#dossiers a[href^="/intention.html"]');
    await admin.page.waitForSelector('#dossier:not([hidden])');
    for (const [answer, outcome] of [['Bien reçu, merci.', ''], ['Analyse : le réseau du collège suffit.', ''], ['Accord de la DANE : deux classes mobiles.', ''], ['Les classes sont livrées.', 'realisee']]) {
      const before = await admin.page.textContent('#complete-title');
      if (outcome) await admin.page.selectOption('#outcome', outcome);
      await admin.page.fill('#answer', answer!);
      await admin.page.click('#complete-button');
      await admin.page.waitForFunction((b) => document.querySelector('#complete-title')?.textContent !== b || (document.querySelector('#complete') as HTMLElement).hidden, before);
      expect(await admin.page.textContent('#steps')).toContain(answer!);
    }
    expect(await admin.page.isHidden('#complete')).toBe(true);
    expect(await admin.page.textContent('#badge')).toContain('Close — réalisée');
    expect(await axe(admin.page)).toEqual([]);

    // The chef reads the timeline, on the phone.
    await chef.page.click('#dossiers a[href^="/intention.html"]');
    await chef.page.waitForSelector('#dossier:not([hidden])');
    const timeline = (await chef.page.textContent('#timeline')) ?? '';
    for (const text of ['Intention déposée', 'Référent assigné', 'Accusé de réception', 'Analyse par un référent', 'Réponse', 'Clôture', 'Les classes sont livrées.']) {
      expect(timeline).toContain(text);
    }
    expect(await chef.page.isHidden('#complete')).toBe(true);
    expect(await chef.page.isHidden('#assign')).toBe(true);
    expect(await axe(chef.page)).toEqual([]);
    await chef.page.screenshot({ path: '/tmp/intention-chef-phone.png', fullPage: true });
    await admin.page.screenshot({ path: '/tmp/intention-dane-desktop.png', fullPage: true });
    await chef.close();
    await admin.close();
  });
});
