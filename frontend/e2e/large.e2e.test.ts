// The map over a generated database of 100,000 practices (repere generate): the server's clustered
// tiles keep the page working, the clusters on screen add up to the API's count for the view, and a
// cluster still zooms to where it splits.
import { describe, expect, it } from 'vitest';
import { apiCount, idle, openPage, rendered, useHarness } from './browser';

const h = useHarness({ generate: 100_000 });

describe('map over 100,000 practices', () => {
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
