// Export and print what the list shows: the CSV and GeoJSON links carry the filters and the view and
// give exactly the practices the count announces; printing keeps the map and the list, without the
// navigation, the filters or the buttons.
import { describe, expect, it } from 'vitest';
import { openPage, useHarness } from './browser';

const h = useHarness();

describe('export and print', () => {
  it('exports the filtered practices of the view as CSV and GeoJSON', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/?discipline=Technologie', h.errors);
    const inView = Number(await page.evaluate(() => document.body.dataset.inView));
    expect(inView).toBeGreaterThan(0);
    const csvHref = (await page.getAttribute('#export-csv', 'href'))!;
    expect(csvHref).toContain('discipline=Technologie');
    expect(csvHref).toContain('bbox=');
    const csv = await page.evaluate(async (u) => {
      const r = await fetch(u);
      return { type: r.headers.get('content-type'), text: await r.text() };
    }, csvHref);
    expect(csv.type).toContain('text/csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toContain('titre;resume;disciplines');
    expect(lines.length - 1).toBe(inView);
    expect(lines.slice(1).every((l) => l.includes('Technologie'))).toBe(true);
    const geojson = await page.evaluate(async (u) => (await (await fetch(u)).json()) as { features: unknown[] }, (await page.getAttribute('#export-geojson', 'href'))!);
    expect(geojson.features).toHaveLength(inView);
    await ctx.close();
  });

  it('draws land on the link-preview map of a practice (the basemap the build ships)', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/', h.errors);
    const share = await page.evaluate(async () => {
      const img = new Image();
      img.src = '/api/collections/practices/items/1/map.png';
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let land = 0;
      // The land colour of the static maps (#f3f0e8), give or take anti-aliasing.
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]! - 0xf3) < 6 && Math.abs(d[i + 1]! - 0xf0) < 6 && Math.abs(d[i + 2]! - 0xe8) < 6) land++;
      return land / (d.length / 4);
    });
    expect(share, 'a practice in the académie sits on land, not on sea only').toBeGreaterThan(0.1);
    await ctx.close();
  });

  it('prints the map and the list on A4, without navigation', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/?departement=83', h.errors);
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    await page.emulateMedia({ media: 'print' });
    expect(await page.textContent('#print-context'), 'the printout says what was filtered').toContain('departement = 83');
    expect(await page.isVisible('#print-context')).toBe(true);
    for (const hidden of ['.fr-header__tools', '#filtres', '.repere-export', '.maplibregl-ctrl-zoom-in']) {
      expect(await page.isVisible(hidden), hidden).toBe(false);
    }
    expect(await page.isVisible('#map')).toBe(true);
    expect(await page.isVisible('#list li')).toBe(true);
    const map = (await page.locator('#map').boundingBox())!;
    const list = (await page.locator('#list').boundingBox())!;
    expect(map.y, 'the map comes first').toBeLessThan(list.y);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    await ctx.close();
  });
});
