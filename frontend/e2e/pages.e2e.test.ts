// Every page passes axe, on a desktop and on a phone, as the public sees it and as an administrator
// (who reaches every page: moderation, débit, dashboard breakdowns, the reporting form).
import { describe, expect, it } from 'vitest';
import { axe, plainPage, signIn, useHarness } from './browser';
import { ADMIN } from './server';

const h = useHarness();
const PAGES = ['/', '/reseaux.html', '/tableau-de-bord.html', '/debit.html', '/etablissement.html?uai=0060842H', '/contribuer.html', '/connexion.html', '/mot-de-passe.html', '/mes-remontees.html', '/moderation.html', '/comptes.html', '/preferences.html', '/intentions.html'];

describe('accessibility of every page', () => {
  for (const [size, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
    for (const who of ['public', 'admin'] as const) {
      it(`${size}, ${who}: axe finds nothing`, async () => {
        const { page, close } = await plainPage(h, viewport);
        if (who === 'admin') await signIn(page, h.server.base, ADMIN, '/');
        const found: string[] = [];
        for (const url of PAGES) {
          await page.goto(`${h.server.base}${url}`);
          await page.waitForLoadState('networkidle');
          await page.waitForFunction(() => document.body.dataset.ready !== '0', null, { timeout: 30_000 });
          found.push(...(await axe(page)).map((v) => `${url}: ${v}`));
        }
        expect(found).toEqual([]);
        await close();
      });
    }
  }
});
