// "Aller à…" as a teacher of a collège in Fréjus uses it: a typo in the town's name, the keyboard only,
// the map moves there and the list follows; the practices can then be ranked around the place. An UAI
// finds the school; on a phone the box is on the list tab.
import { describe, expect, it } from 'vitest';
import { axe, idle, openPage, useHarness } from './browser';

const h = useHarness();
const centre = (page: import('playwright-core').Page) =>
  page.evaluate(() => (window as unknown as { map: { getCenter(): { lng: number; lat: number }; getZoom(): number } }).map.getCenter());

describe('Aller à…', () => {
  it('finds Fréjus despite a typo, with the keyboard, and moves the map and the list there', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/', h.errors);
    await page.focus('#goto');
    await page.keyboard.type('frjus');
    await page.waitForSelector('#goto-list [role="option"]');
    expect(await page.getAttribute('#goto', 'aria-expanded')).toBe('true');
    expect(await page.textContent('#goto-list [role="option"]')).toContain('Fréjus');
    await page.keyboard.press('ArrowDown');
    expect(await page.getAttribute('#goto', 'aria-activedescendant')).toBe('goto-list-opt-0');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await centre(page)).lng, { timeout: 10_000 }).toBeCloseTo(6.74, 1);
    await idle(page);
    await expect.poll(async () => (await centre(page)).lat, { timeout: 10_000 }).toBeCloseTo(43.43, 1);
    await expect.poll(() => page.textContent('#goto-status')).toContain('Fréjus');
    // The list follows the view: only practices of Fréjus and around.
    await page.waitForFunction(() => document.querySelectorAll('#list li').length > 0);
    const metas = await page.$$eval('#list .repere-item__meta', (els) => els.map((e) => e.textContent ?? ''));
    expect(metas.some((m) => m.includes('Fréjus'))).toBe(true);
    expect(await axe(page)).toEqual([]);
    // Then rank the practices around the place.
    await page.click('#goto-near');
    await page.waitForFunction(() => document.querySelector('#list .repere-item__meta')?.textContent?.startsWith('à '));
    expect(await page.locator('.repere-poi').count()).toBe(1);
    // Going elsewhere drops the old point: the list follows the new view, not distances to Fréjus.
    await page.fill('#goto', 'toulon');
    await page.waitForSelector('#goto-list [role="option"]');
    await page.press('#goto', 'Enter');
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('autour'));
    expect(await page.locator('.repere-poi').count()).toBe(0);
    await expect.poll(() => page.textContent('#count')).toContain('dans la vue de la carte');
    await ctx.close();
  });

  it('names the communes, and the schools when zoomed in, from glyphs Repère serves itself', async () => {
    const requests: string[] = [];
    const { ctx, page } = await openPage(h.browser, h.server.base, '/?carte=12/43.43300/6.73700', h.errors);
    page.on('request', (r) => requests.push(r.url()));
    const names = (layer: string) =>
      page.evaluate((l) => (window as unknown as { map: { queryRenderedFeatures(o: object): { properties: { name: string } }[] } }).map.queryRenderedFeatures({ layers: [l] }).map((f) => f.properties.name), layer);
    await expect.poll(() => names('commune-names'), { timeout: 20_000 }).toContain('Fréjus');
    expect(await names('commune-names')).toContain('Saint-Raphaël');
    // Zoomed in on a school of Fréjus: its name is drawn.
    await page.evaluate(() => (window as unknown as { map: { jumpTo(o: object): void } }).map.jumpTo({ center: [6.7368, 43.4327], zoom: 15.5 }));
    await expect.poll(() => names('establishment-names'), { timeout: 20_000 }).not.toEqual([]);
    const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    expect(loaded.some((u) => u.startsWith(`${h.server.base}/glyphs/Marianne%20Bold/0-255.pbf`))).toBe(true);
    expect(loaded.filter((u) => !u.startsWith(h.server.base) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
    // On the first view of the académie no name is drawn, so nothing is fetched for them.
    await page.goto(`${h.server.base}/`);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    expect(await names('commune-names')).toEqual([]);
    const fetched = (await ctx.pages()[0]!.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name)));
    expect(fetched.filter((u) => u.includes('/glyphs/') || u.includes('/places/communes'))).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(h.server.base) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
    await ctx.close();
  });

  it('finds a school by its UAI, and says so when nothing matches', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/', h.errors, { width: 390, height: 844 });
    expect(await page.isVisible('#goto'), 'on a phone, the box is on the list tab').toBe(true);
    await page.fill('#goto', '0831064F');
    await page.waitForSelector('#goto-list [role="option"]');
    expect(await page.textContent('#goto-list [role="option"]')).toContain('Anatole France');
    await page.fill('#goto', 'zzzzzz');
    await expect.poll(() => page.textContent('#goto-status')).toContain('Aucune commune ni aucun établissement');
    expect(await page.isHidden('#goto-list')).toBe(true);
    await ctx.close();
  });
});
