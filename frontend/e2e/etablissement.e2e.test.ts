// The establishment fiche, reached from a practice's fiche: its facts, bandwidth history and published
// practices are the API's; an unknown UAI gets a clear message.
import { describe, expect, it } from 'vitest';
import { axe, openPage, useHarness } from './browser';

const h = useHarness();

describe('fiche établissement', () => {
  it('is linked from a practice and shows what the API knows', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/', h.errors);
    const first = await page.evaluate(async () => (await (await fetch('/api/collections/practices/items?uai=0060842H&limit=1')).json()) as { features: { id: number }[] });
    await page.goto(`${h.server.base}/?fiche=${first.features[0]!.id}`);
    const link = page.locator('#fiche a[href^="/etablissement.html?uai=0060842H"]');
    await link.waitFor();
    await link.click();
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    const api = await page.evaluate(async () => {
      const e = (await (await fetch('/api/collections/establishments/items/0060842H')).json()) as { properties: { name: string; bandwidth_history: unknown[] } };
      const p = (await (await fetch('/api/collections/practices/items?uai=0060842H&limit=1')).json()) as { numberMatched: number };
      return { name: e.properties.name, history: e.properties.bandwidth_history.length, practices: p.numberMatched };
    });
    expect(await page.locator('h1').textContent()).toBe(api.name);
    expect(await page.locator('#bandwidth tbody tr').count()).toBe(api.history);
    expect(await page.locator('#practices li a').count()).toBe(api.practices);
    expect(await page.locator('#sites li').first().textContent()).toContain('Fab');
    expect(await axe(page)).toEqual([]);

    await page.goto(`${h.server.base}/etablissement.html?uai=0069999Z`);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    expect(await page.locator('#alert').textContent()).toMatch(/Aucun établissement|invalide/);
    await ctx.close();
  });
});
