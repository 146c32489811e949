// La lettre des usages walked in Chromium with the keyboard only: an IA-IPR of technologie opens a
// draft, writes its title, levels and message, adds a suggested practice, saves and publishes it; the
// edition and the archive show it. axe finds nothing on the editor, the edition, the archive and the
// subscription page (desktop and phone).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axe, plainPage, signIn, useHarness } from './browser';
import { ADMIN, INSPECTOR } from './server';

const h = useHarness();

/** Presses Tab until the element `#id` has the focus (as a keyboard user would); fails past 120. */
async function tabTo(page: Page, id: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (await page.evaluate((x) => document.activeElement?.id === x, id)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`#${id} never reached with Tab`);
}

describe('la lettre des usages', () => {
  it('an inspector writes and publishes an edition with the keyboard only', async () => {
    const admin = await plainPage(h);
    await signIn(admin.page, h.server.base, ADMIN, '/comptes.html');
    const bound = await admin.page.evaluate(async (email) => {
      const s = await (await fetch('/api/auth/session')).json();
      const accounts = (await (await fetch('/api/accounts')).json()).accounts as { id: number; email: string }[];
      const id = accounts.find((a) => a.email === email)!.id;
      const r = await fetch(`/api/accounts/${id}/scopes`, { method: 'PUT', headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf_token }, body: JSON.stringify({ disciplines: ['Technologie'] }) });
      return r.status;
    }, INSPECTOR);
    expect(bound).toBe(200);
    await admin.close();

    const { page, close } = await plainPage(h);
    page.on('dialog', (d) => void d.accept());
    await signIn(page, h.server.base, INSPECTOR, '/lettre-redaction.html');
    await page.waitForSelector('#desk:not([hidden])');
    expect(await axe(page)).toEqual([]);
    await tabTo(page, 'new-discipline');
    expect(await page.inputValue('#new-discipline')).toBe('Technologie');
    await tabTo(page, 'create-button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#editor:not([hidden])');
    await page.waitForFunction(() => document.activeElement?.id === 'title');
    await page.keyboard.type('Rentrée : trois usages en technologie');
    await tabTo(page, 'levels');
    await page.keyboard.type('5e, 4e');
    await tabTo(page, 'message');
    await page.keyboard.type("Chers collègues,\n\nVoici **trois idées** pour cette rentrée. Bonne lecture !");
    // A suggested practice, added from the suggestions with the keyboard.
    await page.waitForSelector('#by-level button');
    const first = await page.$eval('#by-level button', (b) => (b.id = 'first-suggestion'));
    expect(first).toBe('first-suggestion');
    await tabTo(page, 'first-suggestion');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#items li');
    await tabTo(page, 'comment-0');
    await page.keyboard.type('À essayer avec vos 5e.');
    await tabTo(page, 'save');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#done')?.textContent?.includes('Brouillon enregistré'));
    expect(await axe(page)).toEqual([]);
    await tabTo(page, 'publish-button');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#done')?.textContent?.includes('Édition publiée'));
    const url = await page.getAttribute('#editor-state a', 'href');
    expect(url).toMatch(/^\/lettre\/\d+$/);
    await page.screenshot({ path: '/tmp/lettre-editor.png', fullPage: true });

    // The edition and the archive, as readers see them, on a desktop and a phone.
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      const reader = await plainPage(h, viewport);
      await reader.page.goto(`${h.server.base}${url}`);
      expect(await reader.page.textContent('h1')).toContain('Rentrée : trois usages en technologie');
      expect(await reader.page.innerHTML('main')).toContain('<strong>trois idées</strong>');
      expect(await reader.page.textContent('main')).toContain('À essayer avec vos 5e.');
      expect(await axe(reader.page)).toEqual([]);
      await reader.page.screenshot({ path: `/tmp/lettre-edition-${viewport.width}.png`, fullPage: true });
      await reader.page.goto(`${h.server.base}/lettre`);
      expect(await reader.page.textContent('main')).toContain('Rentrée : trois usages en technologie');
      expect(await axe(reader.page)).toEqual([]);
      await reader.page.goto(`${h.server.base}/abonnement.html`);
      await reader.page.waitForSelector('#disciplines input');
      expect(await axe(reader.page)).toEqual([]);
      await reader.close();
    }
    await close();
  });
});
