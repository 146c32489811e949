// Embedding and visit counts: "Intégrer cette carte" gives the <iframe> code of the current view; the
// embedded map shows the same practices without Repère's header, with "Ouvrir dans Repère"; only the
// listed site may frame it; views are counted per page, fiche and embedding site, and moderators read
// the counts on the dashboard.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axe, plainPage, signIn, useHarness } from './browser';
import { MODERATOR } from './server';

/** A page of another site that frames `?src=`. */
function parentSite(): Promise<{ origin: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="fr"><title>Site de la DANE</title><h1>Nos projets</h1><iframe id="repere" onload="this.dataset.loaded = '1'" src="${src.replace(/"/g, '&quot;')}" title="Carte Repère" width="900" height="600"></iframe>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() })));
}

const env: Record<string, string> = {};
let allowed: { origin: string; close: () => void };
let other: { origin: string; close: () => void };
beforeAll(async () => {
  allowed = await parentSite();
  other = await parentSite();
  env.REPERE_EMBED_ORIGINS = `${allowed.origin}/`;
});
afterAll(() => {
  allowed?.close();
  other?.close();
});
const h = useHarness({ env });

const DISCIPLINE = 'Mathématiques';

async function listed(page: Page): Promise<number> {
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60_000 });
  return Number(await page.evaluate(() => document.body.dataset.total));
}

describe('embedding', () => {
  it('gives the code of the current view, which shows the same practices without the header', async () => {
    const { page, close } = await plainPage(h);
    await page.goto(`${h.server.base}/?discipline=${encodeURIComponent(DISCIPLINE)}`);
    const total = await listed(page);
    const matched = await page.evaluate(async (d) => ((await (await fetch(`/api/collections/practices/items?limit=1&discipline=${encodeURIComponent(d)}`)).json()) as { numberMatched: number }).numberMatched, DISCIPLINE);
    expect(total).toBe(matched);
    expect(total).toBeGreaterThan(0);
    await page.click('#embed');
    const code = await page.inputValue('#embed-code');
    expect(code).toMatch(/^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\?[^"]*discipline=/);
    expect(code).toContain('title="Carte Repère');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('embed-code');
    expect(await axe(page)).toEqual([]);
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement?.id), 'focus goes back to the button').toBe('embed');

    // The embedded view, as the code gives it, on a desktop and on a phone.
    const src = code.match(/src="([^"]+)"/)![1]!.replace(/&amp;/g, '&');
    for (const viewport of [{ width: 900, height: 600 }, { width: 390, height: 600 }]) {
      const embed = await plainPage(h, viewport);
      await embed.page.goto(src);
      expect(await listed(embed.page)).toBe(total);
      expect(await embed.page.locator('header.fr-header').count(), 'no Repère header').toBe(0);
      expect(await embed.page.locator('#filtres').isVisible()).toBe(false);
      expect(await embed.page.locator('#embed-open').isVisible()).toBe(true);
      const open = await embed.page.getAttribute('#embed-open', 'href');
      expect(decodeURIComponent(open!)).toContain(`discipline=${DISCIPLINE}`);
      expect(await embed.page.getAttribute('#embed-open', 'target')).toBe('_blank');
      // A fiche opens inside, without sign-in invitations.
      await embed.page.locator('.repere-item').first().click();
      await embed.page.waitForSelector('#fiche:not([hidden])');
      expect(await embed.page.textContent('#fiche')).not.toContain('Connectez-vous');
      // The other pages may not be framed: the fiche's links open Repère in a new tab.
      const school = embed.page.locator('#fiche a[href^="/etablissement"]').first();
      expect(await school.count()).toBe(1);
      const [tab] = await Promise.all([embed.page.context().waitForEvent('page'), school.click()]);
      await tab.waitForLoadState();
      expect(tab.url()).toContain('/etablissement.html');
      await tab.close();
      expect(embed.page.url()).toContain('/embed');
      // The page fits its frame: nothing scrolls the bar away.
      expect(await embed.page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight + 1)).toBe(true);
      expect(await axe(embed.page)).toEqual([]);
      await embed.close();
    }
    await close();
  });

  it('may be framed by the listed site only, and views are counted per site and per fiche', async () => {
    const ctx = await h.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => h.errors.push(e.message));
    const src = `${h.server.base}/embed?discipline=${encodeURIComponent(DISCIPLINE)}`;
    await page.goto(`${allowed.origin}/?src=${encodeURIComponent(src)}`);
    const frame = await (await page.waitForSelector('#repere')).contentFrame();
    await frame!.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60_000 });
    expect(await frame!.locator('.repere-item').count()).toBeGreaterThan(0);
    await frame!.locator('.repere-item').first().click();
    await frame!.waitForSelector('#fiche:not([hidden])');

    await page.goto(`${other.origin}/?src=${encodeURIComponent(src)}`);
    // The browser refuses the frame (Chromium shows its error page in it): no map, no list.
    await page.waitForSelector('#repere[data-loaded="1"]');
    const blocked = await (await page.$('#repere'))!.contentFrame();
    expect(blocked?.url(), 'an unlisted site gets no map').not.toContain('/embed');
    const shown = await blocked?.evaluate(() => document.querySelectorAll('.repere-item').length).catch(() => 0);
    expect(shown ?? 0).toBe(0);
    await ctx.close();

    // The moderator reads the counts on the dashboard.
    const mod = await plainPage(h);
    await signIn(mod.page, h.server.base, MODERATOR, '/tableau-de-bord.html');
    await mod.page.waitForSelector('#visits:not([hidden])');
    await mod.page.waitForFunction(() => document.querySelectorAll('#visits-tables table').length > 0);
    const tables = await mod.page.textContent('#visits-tables');
    expect(tables).toContain('Carte intégrée à un autre site');
    expect(tables).toContain(allowed.origin);
    expect(tables).not.toContain(other.origin);
    expect(tables).toContain('Fiches les plus vues');
    const counts = (await mod.page.evaluate(async () => (await fetch('/api/visits')).json())) as { by_site: { site: string; count: number }[]; by_practice: { count: number }[] };
    expect(counts.by_site.find((s) => s.site === allowed.origin)?.count).toBeGreaterThanOrEqual(1);
    expect(counts.by_practice.length).toBeGreaterThan(0);
    expect(await mod.page.getAttribute('#visits-csv', 'href')).toMatch(/^\/api\/visits\.csv\?from=\d{4}-\d\d-\d\d&to=\d{4}-\d\d-\d\d$/);
    expect(await axe(mod.page)).toEqual([]);
    await mod.close();
  });
});
