// The map over a generated database of 100,000 practices (repere generate): the server's clustered
// tiles keep the page working, the clusters on screen add up to the API's count for the view, and a
// cluster still zooms to where it splits.
import { describe, expect, it } from 'vitest';
import { apiCount, countingProxy, heaviest, idle, onTheWire, openPage, ready, rendered, useHarness } from './browser';

const h = useHarness({ generate: 100_000 });

describe('map over 100,000 practices', () => {
  it('moves no more than over the demo data: ≤ 450 KB on a first visit, one page of items', async () => {
    const ctx = await h.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => h.errors.push(e.message));
    const proxy = await countingProxy(h.server.base);
    const first = await onTheWire(page, proxy, async () => {
      await page.goto(`${proxy.base}/`);
      await ready(page);
    });
    expect(first.total, `first visit moved ${first.total} bytes:\n${heaviest(first)}`).toBeLessThanOrEqual(450 * 1024);
    const items = first.requests.map((r) => new URL(r.url)).filter((u) => u.pathname.endsWith('/items'));
    expect(items.every((u) => Number(u.searchParams.get('limit')) <= 50)).toBe(true);
    expect(await page.locator('#list li').count()).toBeLessThanOrEqual(20);
    expect(Number(await page.evaluate(() => document.body.dataset.total))).toBeGreaterThan(90_000);
    await ctx.close();
    await proxy.close();
  });

  it('draws server clusters whose counts add up to the API count, and zooms into them', async () => {
    // The whole of metropolitan France in view.
    const { ctx, page } = await openPage(h.browser, h.server.base, '/?carte=4.60/46.60000/2.40000', h.errors);
    const matched = await apiCount(page, {});
    expect(matched).toBeGreaterThan(90_000);
    await expect.poll(async () => (await rendered(page)).total, { timeout: 60_000 }).toBe(matched);
    const drawn = await rendered(page);
    expect(drawn.markers, 'every cluster count is drawn').toBeGreaterThan(0);
    // Few features for many points: the tiles carry clusters, not 100,000 points.
    const features = await page.evaluate(
      () => (window as unknown as { map: { queryRenderedFeatures: (o: object) => unknown[] } }).map.queryRenderedFeatures({ layers: ['practice-clusters', 'practice-points'] }).length,
    );
    expect(features).toBeLessThan(2000);

    const cluster = page.locator('.cluster-count').first();
    const splitAt = Number(await cluster.getAttribute('data-expansion-zoom'));
    await cluster.click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { map: { getZoom(): number } }).map.getZoom()), { timeout: 20_000 }).toBeCloseTo(splitAt, 1);
    await idle(page);
    expect(await page.locator('#count').textContent()).toContain('usages');
    await ctx.close();
  });
});
