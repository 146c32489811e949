// The establishment fiche, reached from a practice's fiche: its facts, bandwidth history and published
// practices are the API's; an unknown UAI gets a clear message.
import { describe, expect, it } from 'vitest';
import { axe, openPage, plainPage, signIn, useHarness } from './browser';
import { ADMIN } from './server';

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

describe("la fiche d'un établissement sur un téléphone", () => {
  it('shows the bandwidth history as cards, in words, without a sideways scroll', async () => {
    const ctx = await h.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'fr-FR' });
    await ctx.route((u) => !u.href.startsWith(h.server.base), (r) => r.abort());
    const page = await ctx.newPage();
    await page.goto(`${h.server.base}/etablissement.html?uai=0060842H`);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    // The figures are the demo's, and the page says so as the map does.
    await page.locator('#demo-notice').waitFor({ state: 'visible' });
    expect(await page.$eval('#bandwidth', (t) => t.closest('.fr-table')!.scrollWidth - t.closest('.fr-table')!.clientWidth)).toBeLessThanOrEqual(0);
    const cells = await page.$$eval('#bandwidth tbody tr:first-child td', (tds) => tds.map((td) => [td.dataset.label, td.textContent]));
    expect(cells.map(([label]) => label)).toEqual(['Descendant (Mbit/s)', 'Montant (Mbit/s)', 'Technologie', 'Valeur']);
    const [, technology] = cells[2]!;
    expect(technology, 'a technology in words, not its code').not.toMatch(/^(adsl|vdsl|ftth|cable|thd_radio|mobile|other)$/);
    expect(await axe(page)).toEqual([]);
    await ctx.close();
  });
});

describe('OPINEE et label sur la fiche', () => {
  interface Profile { school_year: string; levels: Record<string, number> | null; label: number | null }
  const history = (page: import('playwright-core').Page, uai: string) =>
    page.evaluate(async (u) => ((await (await fetch(`/api/collections/establishments/items/${u}`)).json()) as { properties: { opinee_history: Profile[] } }).properties.opinee_history, uai);

  it('shows the levels of every year as a table, and an admin records a year with errors shown next to the field', async () => {
    const { page, close } = await plainPage(h);
    await page.goto(`${h.server.base}/etablissement.html?uai=0060842H`);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    const before = await history(page, '0060842H');
    const years = before.filter((p) => p.levels).map((p) => p.school_year);
    expect(years.length).toBeGreaterThan(0);
    const head = await page.locator('#opinee-table thead th').allTextContents();
    expect(head.slice(1)).toEqual(years);
    expect(await page.locator('#opinee-table tbody tr').count()).toBe(7);
    expect(await page.locator('#opinee-form').isHidden(), 'the form is for admins only').toBe(true);

    await signIn(page, h.server.base, ADMIN, '/etablissement.html?uai=0060842H');
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    await page.locator('#opinee-form').waitFor();
    expect(await axe(page)).toEqual([]);
    const year = await page.locator('#o-school_year').inputValue();
    await page.fill('#o-usage_pupils', '11');
    await page.click('#opinee-form button[type=submit]');
    expect(await page.locator('#o-usage_pupils-error').textContent()).toContain('0 à 10');
    expect(await page.locator('#o-usage_pupils').getAttribute('aria-invalid')).toBe('true');
    await page.fill('#o-usage_pupils', '');
    await page.click('#opinee-form button[type=submit]');
    expect(await page.locator('#o-usage_pupils-error').textContent()).toContain('tous ou aucun');
    expect(await history(page, '0060842H'), 'nothing sent while the form is wrong').toEqual(before);

    for (const id of ['equipment_devices', 'equipment_network', 'equipment_resources', 'usage_teaching', 'usage_pupils', 'usage_training', 'usage_communication']) await page.fill(`#o-${id}`, '9');
    await page.selectOption('#o-label', '3');
    await page.click('#opinee-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('opinee-done')?.textContent?.includes('enregistré'));
    const after = await history(page, '0060842H');
    expect(after.find((p) => p.school_year === year)).toMatchObject({ label: 3, levels: { usage_pupils: 9 } });
    expect(await page.locator('#fact-label').textContent()).toContain(`niveau 3 (${year})`);
    const column = (await page.locator('#opinee-table thead th').allTextContents()).indexOf(year);
    expect(await page.locator('#opinee-table tbody tr').first().locator('td').nth(column - 1).textContent()).toBe('9');
    await close();
  });
});
