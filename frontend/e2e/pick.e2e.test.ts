// Clicking the map opens the right thing: several practices of one school on one point give a chooser
// that lists each of them and the school's own fiche; a Fab' École has its name in a popup, never a
// practice hidden under it.
import { describe, expect, it } from 'vitest';
import { axe, idle, openPage, useHarness } from './browser';

const h = useHarness();

interface Fc { features: { id: number; geometry: { coordinates: [number, number] }; properties: Record<string, unknown> }[] }

describe('what a click opens', () => {
  it('lists every practice stacked on a school, and the school itself', async () => {
    const items = (await (await fetch(`${h.server.base}/api/collections/practices/items?limit=1000`)).json()) as Fc;
    // A point shared by several practices (those placed at their school).
    const byPoint = new Map<string, Fc['features']>();
    for (const f of items.features) {
      const k = f.geometry.coordinates.map((c) => c.toFixed(6)).join(',');
      byPoint.set(k, [...(byPoint.get(k) ?? []), f]);
    }
    const stack = [...byPoint.values()].sort((a, b) => b.length - a.length)[0]!;
    expect(stack.length).toBeGreaterThan(1);
    const [lon, lat] = stack[0]!.geometry.coordinates;
    const { ctx, page } = await openPage(h.browser, h.server.base, `/?carte=17.00/${lat.toFixed(6)}/${lon.toFixed(6)}&couches=practices`, h.errors);
    await idle(page);
    const canvas = (await page.locator('#map canvas').boundingBox())!;
    await page.mouse.click(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
    await page.waitForSelector('.repere-chooser');
    const entries = await page.$$eval('.repere-chooser li', (lis) => lis.map((li) => li.textContent ?? ''));
    for (const f of stack) expect(entries).toContain(`Usage : ${String(f.properties.title)} (${String(f.properties.school_year)})`);
    const school = String(stack[0]!.properties.establishment_name);
    expect(entries.some((e) => e.startsWith(`Établissement : ${school}`))).toBe(true);
    expect(await axe(page)).toEqual([]);
    // One of them opens its fiche.
    const second = stack[1]!;
    await page.click(`.repere-chooser button:has-text("${String(second.properties.title).replace(/"/g, '\\"')}")`);
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('#fiche')!.hidden);
    expect(await page.textContent('#fiche-titre')).toBe(String(second.properties.title));
    await ctx.close();
  });

  it("names a Fab' École in a popup instead of opening a practice under it", async () => {
    const sites = (await (await fetch(`${h.server.base}/api/collections/sites/items?limit=100`)).json()) as Fc;
    const site = sites.features[0]!;
    const [lon, lat] = site.geometry.coordinates;
    const { ctx, page } = await openPage(h.browser, h.server.base, `/?carte=16.00/${lat.toFixed(6)}/${lon.toFixed(6)}`, h.errors);
    await idle(page);
    const canvas = (await page.locator('#map canvas').boundingBox())!;
    await page.mouse.click(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
    await page.waitForSelector('.maplibregl-popup');
    const text = (await page.textContent('.maplibregl-popup')) ?? '';
    if (text.includes('éléments à cet endroit')) {
      await page.click(`.repere-chooser button:has-text("Fab' École ou tiers-lieu")`);
      await page.waitForFunction((name) => document.querySelector('.maplibregl-popup')?.textContent?.includes(name), String(site.properties.name));
    }
    expect(await page.textContent('.maplibregl-popup')).toContain(String(site.properties.name));
    expect(await page.isHidden('#fiche'), 'no practice opened underneath').toBe(true);
    await ctx.close();
  });
});
