// The "Tableau de bord": the public sees the year's figures against the target; a moderator also sees
// every breakdown as a chart and a table whose figures are the API's, with CSV exports.
import { describe, expect, it } from 'vitest';
import { axe, plainPage, signIn, useHarness } from './browser';
import { MODERATOR } from './server';

const h = useHarness();
const YEAR = '2025-2026';

describe('tableau de bord', () => {
  it('shows the public summary, then every breakdown to a moderator', async () => {
    const { page, close } = await plainPage(h);
    await page.goto(`${h.server.base}/tableau-de-bord.html?annee=${YEAR}`);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    const summary = (await (await fetch(`${h.server.base}/api/indicators/summary?school_year=${YEAR}`)).json()) as { published: number; target: number; years: unknown[] };
    expect(await page.locator('#figures').textContent()).toContain(`${summary.published} remontées publiées en ${YEAR} pour un objectif de ${summary.target}`);
    expect(await page.locator('#public-note').isVisible()).toBe(true);
    expect(await page.locator('#breakdowns section').count()).toBe(0);
    expect(await page.locator('#opinee').isHidden(), 'the OPINEE compilation is confidential').toBe(true);
    expect(await page.locator('#years tbody tr').count()).toBe(summary.years.length);
    expect(await axe(page)).toEqual([]);

    await signIn(page, h.server.base, MODERATOR, `/tableau-de-bord.html?annee=${YEAR}`);
    await page.waitForFunction(() => document.querySelectorAll('#breakdowns section').length === 6);
    const full = await page.evaluate(async (y) => (await fetch(`/api/indicators/target?school_year=${y}`)).json(), YEAR) as Record<string, { label: string; count: number }[]>;
    for (const [i, key] of ['departement', 'degree', 'kind', 'discipline', 'tool', 'month'].entries()) {
      const section = page.locator('#breakdowns section').nth(i);
      const cells = await section.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [r.querySelector('th')?.textContent, r.querySelector('td')?.textContent]));
      expect(cells, key).toEqual((full[`by_${key}`] ?? []).map((r) => [r.label, r.count.toLocaleString('fr-FR')]));
      expect(await section.locator('canvas').count(), `${key} chart`).toBe(1);
      const csv = await section.locator('a[href*=".csv"]').getAttribute('href');
      const resp = await page.evaluate(async (u) => { const r = await fetch(u!); return [r.status, r.headers.get('content-type')]; }, csv);
      expect(resp).toEqual([200, 'text/csv; charset=utf-8']);
    }
    expect(await page.locator('#public-note').isVisible()).toBe(false);

    // The OPINEE compilation: one row per territory and the total, the API's figures.
    const rows = async () => {
      await page.waitForFunction(() => document.getElementById('opinee-status')?.textContent?.startsWith('Compilation'));
      return page.locator('#opinee-compilation tbody tr').evaluateAll((trs) => trs.map((r) => [...r.children].map((c) => c.textContent)));
    };
    type G = { label: string; establishments: number; with_levels: number; labels: Record<string, number> };
    const api = (t: string) => page.evaluate(async (q) => (await (await fetch(`/api/indicators/opinee?territory=${q}`)).json()) as { territories: G[]; total: G }, t);
    const dep = await api('departement');
    const shown = await rows();
    expect(shown.map((r) => r[0])).toEqual([...dep.territories.map((g) => g.label), 'Ensemble']);
    expect(shown.at(-1)?.slice(1, 3)).toEqual([dep.total.establishments, dep.total.with_levels].map((n) => n.toLocaleString('fr-FR')));
    expect(shown.at(-1)?.[5]).toBe(String(dep.total.labels['1']));
    await page.selectOption('#opinee-territory', 'commune');
    await page.waitForFunction(() => document.querySelectorAll('#opinee-compilation tbody tr').length > 3);
    expect((await rows()).length).toBe((await api('commune')).territories.length + 1);
    expect(await axe(page)).toEqual([]);
    await close();
  });
});
