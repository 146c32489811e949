// Low bandwidth first: what the pages move on the wire, in bytes (deterministic, unlike times; the
// times on an emulated slow line are in scripts/bench-page.sh). The map page's first visit stays under
// 450 KB and asks for one page of the list, never the whole catalogue; a repeat visit revalidates and
// moves under 30 KB; every other page stays under 500 KB cold and 300 KB once the map page's shared
// files are cached. Responses are compressed, and a 304 carries no body.
import { describe, expect, it } from 'vitest';
import { afterAll, beforeAll } from 'vitest';
import { countingProxy, heaviest, onTheWire, ready, useHarness, type CountingProxy, type Harness, type Wire } from './browser';

const h = useHarness();
let proxy: CountingProxy;
beforeAll(async () => {
  proxy = await countingProxy(h.server.base);
});
afterAll(() => proxy.close());
const KB = 1024;

/**
 * A page whose context keeps the browser's HTTP cache: Playwright turns the cache off in a context that
 * routes requests, so these pages rely on Chromium's host-resolver rules alone to stay on 127.0.0.1.
 */
async function cachingPage(h: Harness, viewport = { width: 1280, height: 800 }) {
  const ctx = await h.browser.newContext({ viewport, locale: 'fr-FR' });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => h.errors.push(e.message));
  return { page, close: () => ctx.close() };
}
const PAGES = ['/reseaux.html', '/tableau-de-bord.html', '/debit.html', '/etablissement.html?uai=0060842H', '/contribuer.html', '/connexion.html', '/lettre'];

/** Items requests of the visit that ask for more than one page of the list. */
function bigPages(w: Wire): string[] {
  return w.requests
    .map((r) => new URL(r.url))
    .filter((u) => u.pathname.endsWith('/items') && Number(u.searchParams.get('limit') ?? 100) > 50)
    .map((u) => u.pathname + u.search);
}

describe('bytes on the wire', () => {
  it('the map page: ≤ 450 KB on a first visit, one page of items, ≤ 30 KB on a repeat visit', async () => {
    const { page, close } = await cachingPage(h);
    const first = await onTheWire(page, proxy, async () => {
      await page.goto(`${proxy.base}/`);
      await ready(page);
    });
    expect(first.total, `first visit moved ${first.total} bytes:\n${heaviest(first)}`).toBeLessThanOrEqual(450 * KB);
    expect(bigPages(first), 'no request for more than one page of items').toEqual([]);
    const compressible = first.requests.filter((r) => /\.(js|mjs|css|topojson)$|\/$|\/api\/(collections|practices)/.test(new URL(r.url).pathname));
    expect(compressible.length).toBeGreaterThan(4);
    expect(await page.locator('#list li').count(), 'the first page of the list is shown').toBeGreaterThan(0);

    const repeat = await onTheWire(page, proxy, async () => {
      await page.goto(`${proxy.base}/`);
      await ready(page);
    });
    console.log(`map page: first visit ${first.total} bytes, repeat visit ${repeat.total} bytes`);
    expect(repeat.total, `repeat visit moved ${repeat.total} bytes:\n${heaviest(repeat)}`).toBeLessThanOrEqual(30 * KB);

    for (const url of PAGES) {
      const warm = await onTheWire(page, proxy, () => page.goto(`${proxy.base}${url}`).then(() => undefined));
      expect(warm.total, `${url} with the map page's files cached moved ${warm.total} bytes:\n${heaviest(warm)}`).toBeLessThanOrEqual(300 * KB);
      expect(bigPages(warm), `${url}: no request for more than one page of items`).toEqual([]);
    }
    await close();
  });

  it('every other page: ≤ 500 KB cold', async () => {
    for (const url of PAGES) {
      const { page, close } = await cachingPage(h);
      const cold = await onTheWire(page, proxy, () => page.goto(`${proxy.base}${url}`).then(() => undefined));
      expect(cold.total, `${url} cold moved ${cold.total} bytes:\n${heaviest(cold)}`).toBeLessThanOrEqual(500 * KB);
      await close();
    }
  });

  it('compresses what can be, never a 304 body, plain bodies to clients that ask for none', async () => {
    const base = h.server.base;
    const items = `${base}/api/collections/practices/items?limit=20`;
    // Node's fetch asks for gzip and brotli and decodes them; the header says what was sent.
    const r = await fetch(items);
    expect(r.headers.get('content-encoding')).toMatch(/^(br|gzip)$/);
    const tag = r.headers.get('etag');
    expect(tag).toBeTruthy();
    const again = await fetch(items, { headers: { 'if-none-match': tag! } });
    expect(again.status).toBe(304);
    expect((await again.arrayBuffer()).byteLength).toBe(0);
    const plain = await fetch(items, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(((await plain.json()) as { features: unknown[] }).features).toHaveLength(20);
    const html = await fetch(`${base}/`);
    expect(html.headers.get('cache-control')).toBe('no-cache');
    const asset = (await html.text()).match(/\/assets\/[^"]+\.js/)?.[0];
    const js = await fetch(`${base}${asset}`, { headers: { 'accept-encoding': 'br' } });
    expect(js.headers.get('content-encoding')).toBe('br');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('vary')).toBe('accept-encoding');
    const range = await fetch(`${base}${asset}`, { headers: { range: 'bytes=0-9', 'accept-encoding': 'identity' } });
    expect(range.status).toBe(206);
    expect((await range.arrayBuffer()).byteLength).toBe(10);
    const font = (await (await fetch(`${base}${(await (await fetch(`${base}/`)).text()).match(/\/assets\/[^"]+\.css/)?.[0]}`)).text()).match(/Marianne-Regular-[^)]+\.woff2/)?.[0];
    const woff = await fetch(`${base}/assets/${font}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(woff.headers.get('content-encoding'), 'fonts are already compressed').toBeNull();
  });
});
