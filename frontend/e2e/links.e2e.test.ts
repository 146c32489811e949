// A signed-in teacher links two projects from a fiche, helped by a suggestion, and sees the network
// drawn on the map.
import { describe, expect, it } from 'vitest';
import { axe, idle, ready, signIn, useHarness } from './browser';
import { CONTRIBUTOR } from './server';

const h = useHarness();

describe('links from the fiche', () => {
  it('creates a link from a suggestion and draws the network', async () => {
    const ctx = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    await ctx.route((u) => !u.href.startsWith(h.server.base), (r) => r.abort());
    const page = await ctx.newPage();
    page.on('pageerror', (e) => h.errors.push(e.message));
    await signIn(page, h.server.base, CONTRIBUTOR, '/');
    await ready(page);
    // A published practice in Nice, where the demo has neighbours to suggest.
    const id = await page.evaluate(async () => {
      const r = await fetch('/api/collections/practices/items?limit=1000&q=nice');
      const fc = await r.json();
      return fc.features[0].id as number;
    });
    await page.goto(`${h.server.base}/?fiche=${id}&carte=11.00/43.70000/7.26000`);
    await ready(page);
    await page.waitForSelector('#suggestions button');
    const before = Number(await page.evaluate(() => document.body.dataset.network ?? '0'));
    await page.click('#suggestions button');
    const target = await page.inputValue('#link-target');
    expect(target).toMatch(/\(n° \d+\)$/);
    const targetTitle = target.replace(/ \(n° \d+\)$/, '');
    await page.click('#link-form button[type="submit"]');
    await page.waitForFunction((b) => Number(document.body.dataset.network) > b, before);
    await page.waitForFunction((t) => document.querySelector('.repere-links')?.textContent?.includes(t), targetTitle);
    // The new link is listed in the fiche's projects and drawn in the highlighted network.
    await idle(page);
    const drawn = await page.evaluate(() => {
      const m = (window as unknown as { map: { queryRenderedFeatures: (o: object) => unknown[] } }).map;
      return m.queryRenderedFeatures({ layers: ['network-highlight'] }).length;
    });
    expect(drawn).toBeGreaterThan(0);
    expect(await axe(page)).toEqual([]);

    // The "Réseaux" page: an accessible table of every network and a graph whose nodes open fiches.
    await page.goto(`${h.server.base}/reseaux.html`);
    await page.waitForSelector('#networks:not([hidden])');
    await page.waitForFunction(() => Number(document.getElementById('graph')?.dataset.nodes) > 0);
    const networks = await page.evaluate(async () => (await (await fetch('/api/networks')).json()).features.length as number);
    expect(await page.locator('#networks tbody tr').count()).toBe(networks);
    // The sentence above the graph says what is drawn, against the size the table gives.
    const shownNodes = Number(await page.evaluate(() => document.getElementById('graph')?.dataset.nodes));
    const desc = (await page.textContent('#graph-desc')) ?? '';
    expect(await page.isVisible('#graph-desc')).toBe(true);
    expect(desc).toContain(`${shownNodes} projets`);
    const size = Number(await page.locator('#networks tbody tr').first().locator('td').nth(1).textContent().then((t) => (t ?? '').replace(/\D/g, '')));
    if (shownNodes < size) expect(desc).toContain(`le réseau entier compte ${size} projets`);
    else expect(desc).toContain('tout le réseau');
    expect(await axe(page)).toEqual([]);
    const node = await page.evaluate(() => (window as unknown as { cy: { nodes: () => { id: () => string }[] } }).cy.nodes()[0]!.id());
    await page.evaluate((n) => (window as unknown as { cy: { $: (s: string) => { emit: (e: string) => void } } }).cy.$(`#${n}`).emit('tap'), node);
    await page.waitForURL(`${h.server.base}/?fiche=${node}`);
    await ready(page);
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('#fiche')!.hidden);
    await ctx.close();
  });
});
