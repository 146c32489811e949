// "Contacter l'auteur" and the replies: a colleague writes from the public fiche, the author answers
// from "Mes remontées" (on a phone), the colleague reads the answer; nobody sees an address.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axe, createPractice, plainPage, signIn, useHarness } from './browser';
import { CONTRIBUTOR, MODERATOR } from './server';

const h = useHarness();

async function post(page: Page, url: string, body: unknown): Promise<number> {
  return page.evaluate(async ([u, b]) => {
    const s = await (await fetch('/api/auth/session')).json();
    const r = await fetch(u as string, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf_token }, body: JSON.stringify(b) });
    return r.status;
  }, [url, body] as const);
}

describe('messages', () => {
  it('an author answers a colleague and the colleague reads the answer', async () => {
    // The author's report, published by the moderator.
    const author = await plainPage(h, { width: 390, height: 844 });
    await signIn(author.page, h.server.base, CONTRIBUTOR, '/mes-remontees.html');
    const id = await createPractice(author.page, { title: 'Radio scolaire en podcast', summary: 'Les élèves enregistrent une émission par mois.', disciplines: ['Français'], levels: ['4e'], tools: ['Audacity'], submit: true });
    const colleague = await plainPage(h);
    await signIn(colleague.page, h.server.base, MODERATOR, '/moderation.html');
    // The decision names the version read, as the moderation page sends it.
    const version = await colleague.page.evaluate(async (i) => ((await (await fetch(`/api/practices/${i}`)).json()) as { version: string }).version, id);
    expect(await post(colleague.page, `/api/practices/${id}/publish`, { version })).toBe(200);

    // The colleague writes from the public fiche.
    await colleague.page.goto(`${h.server.base}/?fiche=${id}`);
    await colleague.page.fill('#contact-body', 'Bonjour, nous lançons aussi une radio : pouvons-nous échanger ?');
    await colleague.page.click('#fiche button:has-text("Envoyer le message")');
    await colleague.page.waitForSelector('#fiche [role="status"]:has-text("Message envoyé")');

    // The author, on a phone, answers from "Mes remontées".
    const page = author.page;
    await page.reload();
    const card = page.locator('#messages .fr-callout').first();
    await card.waitFor();
    expect(await card.textContent()).toContain('pouvons-nous échanger ?');
    expect(await card.textContent()).not.toContain(MODERATOR);
    await card.getByRole('button', { name: 'Répondre' }).click();
    const area = card.locator('textarea');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    // An empty answer is refused next to the field, and nothing is sent.
    await card.getByRole('button', { name: 'Envoyer la réponse' }).click();
    await card.locator('.fr-error-text').waitFor();
    expect(await card.locator('.fr-error-text').textContent()).toContain('Écrivez votre réponse');
    expect(await axe(page)).toEqual([]);
    await area.fill('Avec plaisir ! Mardi à 17 h ?');
    await card.getByRole('button', { name: 'Envoyer la réponse' }).click();
    await card.locator('[role="status"]:has-text("Réponse envoyée")').waitFor();
    expect(await card.locator('textarea').count()).toBe(0);
    await page.reload();
    await page.locator('#messages .fr-callout').first().waitFor();
    expect(await page.locator('#messages .fr-callout').first().textContent()).toContain('Vous avez répondu');

    // The colleague reads the answer in their own space and can answer back.
    await colleague.page.goto(`${h.server.base}/mes-remontees.html`);
    const reply = colleague.page.locator('#messages .fr-callout').first();
    await reply.waitFor();
    const text = await reply.textContent();
    expect(text).toContain('vous répond');
    expect(text).toContain('Avec plaisir ! Mardi à 17 h ?');
    expect(text).toContain('Radio scolaire en podcast');
    expect(text).not.toContain(CONTRIBUTOR);
    await reply.getByRole('button', { name: 'Répondre' }).click();
    await reply.locator('textarea').fill('Mardi, parfait.');
    await reply.getByRole('button', { name: 'Envoyer la réponse' }).click();
    await reply.locator('[role="status"]:has-text("Réponse envoyée")').waitFor();
    expect(await axe(colleague.page)).toEqual([]);
    await page.reload();
    await page.locator('#messages .fr-callout').first().waitFor();
    expect(await page.locator('#messages .fr-callout').first().textContent()).toContain('Mardi, parfait.');
    await author.close();
    await colleague.close();
  });
});
