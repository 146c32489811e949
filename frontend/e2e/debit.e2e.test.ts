// "Débit des établissements": refused to the public; for a collectivité, a threshold change updates
// the map, the list and the counts together, with the API's figures; a bad threshold is explained next
// to the field and changes nothing.
import { describe, expect, it } from 'vitest';
import { axe, idle, plainPage, signIn, useHarness } from './browser';
import { COLLECTIVITE } from './server';

const h = useHarness();

async function shown(page: import('playwright-core').Page, version: number) {
  // The list is drawn, and the map shows the same establishments (those with a position).
  await page.waitForFunction((v) => document.body.dataset.ready === '1' && Number(document.body.dataset.mapVersion ?? 0) >= v, version);
  await idle(page);
  return page.evaluate(() => {
    const m = (window as unknown as { map: { queryRenderedFeatures: (o: object) => { properties: { uai: string } }[] } }).map;
    return {
      red: new Set(m.queryRenderedFeatures({ layers: ['below'] }).map((f) => f.properties.uai)).size,
      mapped: Number(document.body.dataset.mapped),
      rows: document.querySelectorAll('#below tbody tr').length,
      below: Number(document.body.dataset.below),
      version: Number(document.body.dataset.mapVersion),
    };
  });
}

describe('débit des établissements', () => {
  it('is for collectivités, and a threshold change updates map, list and counts', async () => {
    const { page, close } = await plainPage(h);
    await page.goto(`${h.server.base}/debit.html`);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    expect(await page.locator('#access').isVisible()).toBe(true);
    expect(await page.locator('#view').isVisible()).toBe(false);

    await signIn(page, h.server.base, COLLECTIVITE, '/debit.html');
    const at30 = await shown(page, 1);
    const api30 = (await page.evaluate(async () => (await fetch('/api/indicators/bandwidth?threshold=30&source=measured')).json())) as { below: { count: number } };
    expect(at30.below).toBe(api30.below.count);
    expect(at30.rows).toBe(api30.below.count);
    expect(at30.red, 'every listed establishment with a position is red on the map').toBe(at30.mapped);
    expect(at30.mapped).toBeGreaterThan(0);
    expect(at30.mapped).toBeLessThanOrEqual(at30.below);
    expect(await axe(page)).toEqual([]);

    await page.fill('#threshold', '100');
    await page.click('#controls button[type=submit]');
    const at100 = await shown(page, at30.version + 1);
    const api100 = (await page.evaluate(async () => (await fetch('/api/indicators/bandwidth?threshold=100&source=measured')).json())) as { below: { count: number } };
    expect([at100.rows, at100.below]).toEqual([api100.below.count, api100.below.count]);
    expect(at100.red).toBe(at100.mapped);
    expect(at100.below).toBeGreaterThan(at30.below);

    // One département: the map shows only its schools, fitted to it, and the CSV names it.
    await page.selectOption('#departement', '83');
    await page.click('#controls button[type=submit]');
    const var83 = await shown(page, at100.version + 1);
    const view = await page.evaluate(() => {
      const m = (window as unknown as { map: { getCenter(): { lng: number }; queryRenderedFeatures: (o: object) => { properties: { departement: string } }[] } }).map;
      return { lng: m.getCenter().lng, deps: [...new Set(m.queryRenderedFeatures({ layers: ['all'] }).map((f) => f.properties.departement))] };
    });
    expect(view.lng, 'the map is on the Var').toBeGreaterThan(5.6);
    expect(view.lng).toBeLessThan(6.95);
    expect(view.deps).toEqual(['83']);
    // A red school on the map opens its popup, with its fiche.
    const red = await page.evaluate(() => {
      const m = (window as unknown as { map: { queryRenderedFeatures: (o: object) => { geometry: { coordinates: [number, number] } }[]; project(p: [number, number]): { x: number; y: number } } }).map;
      const f = m.queryRenderedFeatures({ layers: ['below'] })[0]!;
      return m.project(f.geometry.coordinates);
    });
    const canvas = (await page.locator('#debit-map canvas').boundingBox())!;
    await page.mouse.click(canvas.x + red.x, canvas.y + red.y);
    await page.waitForSelector('.maplibregl-popup');
    expect(await page.textContent('.maplibregl-popup')).toContain('Mbit/s');
    expect(await page.getAttribute('.maplibregl-popup a', 'href')).toMatch(/^\/etablissement\.html\?uai=/);
    const csv = await page.evaluate(async () => (await fetch('/api/indicators/bandwidth.csv?threshold=100&source=measured&territory=departement')).text());
    expect(csv).toContain(';Var;');
    expect(var83.below).toBeLessThan(at100.below);

    // One commune of the département: the list, the map and the address follow; a reload keeps it.
    const options = await page.$$eval('#commune option', (os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? '' })));
    expect(options.length, 'the communes of the Var are offered').toBeGreaterThan(2);
    const counts = await page.evaluate(async () => (await (await fetch('/api/indicators/bandwidth?threshold=100&source=measured&departement=83')).json()) as { below: { establishments: { commune_name: string }[] }; communes: { code: string; name: string }[] });
    const busiest = counts.communes.map((c) => ({ ...c, n: counts.below.establishments.filter((e) => e.commune_name === c.name).length })).sort((a, b) => b.n - a.n)[0]!;
    expect(busiest.n).toBeGreaterThan(0);
    await page.selectOption('#commune', busiest.code);
    await page.click('#controls button[type=submit]');
    const town = await shown(page, var83.version + 1);
    expect(town.rows).toBe(busiest.n);
    const communes = await page.$$eval('#below tbody tr', (rows) => [...new Set(rows.map((r) => (r as HTMLTableRowElement).cells[1]!.textContent))]);
    expect(communes).toEqual([busiest.name]);
    expect(town.red).toBe(town.mapped);
    expect(page.url()).toContain(`commune=${busiest.code}`);
    expect(page.url()).toContain('departement=83');
    await page.reload();
    const again = await shown(page, 1);
    expect([again.rows, await page.inputValue('#commune'), await page.inputValue('#departement'), await page.inputValue('#threshold')]).toEqual([busiest.n, busiest.code, '83', '100']);
    // Another département lets go of the commune.
    await page.selectOption('#departement', '06');
    expect(await page.inputValue('#commune')).toBe('');
    await page.click('#controls button[type=submit]');
    const var83b = await shown(page, again.version + 1);
    expect(var83b.below).toBeGreaterThan(0);
    await page.selectOption('#departement', '83');
    await page.click('#controls button[type=submit]');
    const back = await shown(page, var83b.version + 1);
    expect(back.below).toBe(var83.below);

    // A bad threshold: a message next to the field, nothing changes.
    await page.fill('#threshold', '-3');
    await page.click('#controls button[type=submit]');
    expect(await page.locator('#threshold-error').textContent()).toContain('entre 1 et 100 000');
    expect(await page.locator('#threshold').getAttribute('aria-invalid')).toBe('true');
    expect((await shown(page, back.version)).below).toBe(var83.below);
    await close();
  });

  it('draws the communes\' fibre under the schools and tells a missing network from a missing connection', async () => {
    const { page, close } = await plainPage(h);
    await signIn(page, h.server.base, COLLECTIVITE, '/debit.html');
    await shown(page, 1);
    expect(await page.evaluate(() => document.body.dataset.fibreLayer)).toBe('true');
    const api = (await page.evaluate(async () => (await fetch('/api/indicators/bandwidth?threshold=30&source=measured')).json())) as {
      fibre_known: boolean; below: { by_fibre: { label: string; count: number }[]; establishments: { name: string; fibre_label: string }[] };
    };
    expect(api.fibre_known).toBe(true);
    const kinds = api.below.by_fibre.filter((r) => r.count > 0);
    expect(kinds.length, 'the demo has both kinds of commune under the threshold').toBeGreaterThanOrEqual(2);
    const table = await page.$$eval('#fibre tbody tr', (rows) => rows.map((r) => [(r as HTMLTableRowElement).cells[0]!.textContent, Number((r as HTMLTableRowElement).cells[1]!.textContent)]));
    for (const k of kinds) expect(table).toContainEqual([k.label, k.count]);
    const first = api.below.establishments[0]!;
    const row = await page.$eval('#below tbody tr', (r) => [(r as HTMLTableRowElement).cells[0]!.textContent, (r as HTMLTableRowElement).cells[4]!.textContent]);
    expect(row[0]).toBe(first.name);
    expect(row[1]).toContain(first.fibre_label);
    expect(await page.locator('#fibre-legend').isVisible()).toBe(true);
    expect(await page.textContent('#fibre-legend')).toContain('80 % et plus');
    expect(await page.textContent('#fibre-legend'), 'the demo\'s coverage is said to be invented').toContain('démonstration');

    // A click on a commune away from any school opens its figures.
    // Zoomed in on one commune after another until a spot of it is clear of schools.
    const spot = await page.evaluate(async () => {
      type F = { properties: { nom: string }; geometry: { type: string; coordinates: unknown } };
      type P = { x: number; y: number };
      const m = (window as unknown as { map: { queryRenderedFeatures: (a?: unknown, o?: object) => F[]; project(p: number[]): P; jumpTo(o: object): void; once(e: string, f: () => void): void } }).map;
      const ringOf = (f: F) => (f.geometry.type === 'Polygon' ? (f.geometry.coordinates as number[][][])[0] : (f.geometry.coordinates as number[][][][])[0]![0])!;
      const centre = (ring: number[][]) => ring.slice(0, -1).reduce((a, p) => [a[0]! + p[0]! / (ring.length - 1), a[1]! + p[1]! / (ring.length - 1)], [0, 0]);
      const communes = m.queryRenderedFeatures(undefined, { layers: ['communes-fibre'] }).map((f) => ({ nom: f.properties.nom, at: centre(ringOf(f)) }));
      for (const c of communes.slice(0, 12)) {
        m.jumpTo({ center: c.at, zoom: 12 });
        await new Promise<void>((r) => m.once('idle', r));
        const here = m.queryRenderedFeatures(undefined, { layers: ['communes-fibre'] }).find((f) => f.properties.nom === c.nom);
        if (!here) continue;
        const ring = ringOf(here);
        const mid = centre(ring);
        for (const v of ring) {
          const at = m.project([mid[0]! + (v[0]! - mid[0]!) * 0.7, mid[1]! + (v[1]! - mid[1]!) * 0.7]);
          const box = [[at.x - 10, at.y - 10], [at.x + 10, at.y + 10]];
          if (m.queryRenderedFeatures(box, { layers: ['all', 'below'] }).length === 0 && m.queryRenderedFeatures([at.x, at.y], { layers: ['communes-fibre'] })[0]?.properties.nom === c.nom) return { ...at, nom: c.nom };
        }
      }
      return null;
    });
    expect(spot, 'a commune with room outside its schools').not.toBeNull();
    const canvas = (await page.locator('#debit-map canvas').boundingBox())!;
    await page.mouse.click(canvas.x + spot!.x, canvas.y + spot!.y);
    await page.waitForSelector('.maplibregl-popup');
    const popup = await page.textContent('.maplibregl-popup');
    expect(popup).toContain(spot!.nom);
    expect(popup).toMatch(/raccordables? à la fibre/);
    await close();
  });
});
