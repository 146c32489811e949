// Launches Debian's Chromium through playwright-core, hermetic (no request leaves 127.0.0.1), and
// collects uncaught page errors.
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { PASSWORD, startServer, type Server } from './server';

export const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ARGS, timeout: 60_000 });
}

export async function openPage(browser: Browser, base: string, url: string, errors: string[], viewport = { width: 1280, height: 800 }): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport, locale: 'fr-FR' });
  await ctx.route((u) => !u.href.startsWith(base), (r) => r.abort());
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}${url}`);
  await ready(page);
  return { ctx, page };
}

/** Waits until the map is loaded, the practices are shown and the map is idle. */
export async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.mapLoaded === '1' && document.body.dataset.ready === '1', null, { timeout: 60_000 });
  await idle(page);
}

export async function idle(page: Page): Promise<void> {
  const outcome = await page.evaluate(
    () =>
      new Promise<string>((res) => {
        type M = { once: (e: string, f: () => void) => void; triggerRepaint: () => void; loaded: () => boolean; areTilesLoaded: () => boolean; isMoving: () => boolean };
        const m = (window as unknown as { map: M }).map;
        const timer = setTimeout(() => res(`map never idle: loaded=${m.loaded()} tiles=${m.areTilesLoaded()} moving=${m.isMoving()}`), 20_000);
        // A frame rendered during the last step of a camera animation does not fire 'idle', and
        // nothing renders after it: ask for frames until one does.
        const nudge = setInterval(() => m.triggerRepaint(), 250);
        m.once('idle', () => {
          clearTimeout(timer);
          clearInterval(nudge);
          res('idle');
        });
        m.triggerRepaint();
      }),
  );
  if (outcome !== 'idle') throw new Error(outcome);
}

/** Practices drawn on the map: cluster counts plus single points, deduplicated across tiles. */
export async function rendered(page: Page): Promise<{ total: number; markers: number }> {
  return page.evaluate(() => {
    type F = { layer: { id: string }; id?: number | string; properties: Record<string, unknown> };
    const m = (window as unknown as { map: { queryRenderedFeatures: (o: object) => F[] } }).map;
    const seen = new Set<string>();
    let total = 0;
    for (const f of m.queryRenderedFeatures({ layers: ['practice-clusters', 'practice-points'] })) {
      const key = f.layer.id === 'practice-clusters' ? `c${String(f.properties.cluster_id)}` : `p${String(f.properties.id)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      total += f.layer.id === 'practice-clusters' ? Number(f.properties.point_count) : 1;
    }
    let markers = 0;
    document.querySelectorAll<HTMLElement>('.cluster-count').forEach((el) => (markers += Number(el.dataset.count)));
    return { total, markers };
  });
}

/** The API's numberMatched for the map's current view and the page's filters. */
export async function apiCount(page: Page, filters: Record<string, string>): Promise<number> {
  return page.evaluate(async (f) => {
    const b = (window as unknown as { map: { getBounds: () => { getWest(): number; getSouth(): number; getEast(): number; getNorth(): number } } }).map.getBounds();
    const q = new URLSearchParams({ ...f, limit: '1', bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => Math.max(-180, Math.min(180, x)).toFixed(6)).join(',') });
    const r = await fetch(`/api/collections/practices/items?${q}`);
    return ((await r.json()) as { numberMatched: number }).numberMatched;
  }, filters);
}

/** axe-core violations on the page, as readable lines (empty when the page passes). */
export async function axe(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** What a browser-test file shares: the real server, one Chromium, and the page errors seen. */
export interface Harness {
  server: Server;
  browser: Browser;
  errors: string[];
}

/**
 * Starts the server and Chromium before the file's tests and stops them after, failing the file if a
 * page threw an uncaught error. Read `h.server`/`h.browser` inside tests (they are set by then).
 */
export function useHarness(options: { generate?: number } = {}): Harness {
  const h = { errors: [] as string[] } as Harness;
  beforeAll(async () => {
    h.server = await startServer(options);
    h.browser = await launch();
  });
  afterAll(async () => {
    await h.browser?.close();
    await h.server?.stop();
    expect(h.errors, 'no uncaught page errors').toEqual([]);
  });
  return h;
}

/** Signs in through the connexion page with the keyboard, then lands on `next`. */
export async function signIn(page: Page, base: string, email: string, next: string): Promise<void> {
  await page.goto(`${base}/connexion.html?retour=${encodeURIComponent(next)}`);
  await page.focus('#email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}${next}`);
}

/** A fresh hermetic page (no map wait), its errors collected. */
export async function plainPage(h: Harness, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; close: () => Promise<void> }> {
  const ctx = await h.browser.newContext({ viewport, locale: 'fr-FR' });
  await ctx.route((u) => !u.href.startsWith(h.server.base), (r) => r.abort());
  const page = await ctx.newPage();
  page.on('pageerror', (e) => h.errors.push(e.message));
  return { page, close: () => ctx.close() };
}

/** What one visit moved: bytes on the wire (headers and compressed bodies) per request. */
export interface Wire {
  total: number;
  requests: { url: string; bytes: number; type: string }[];
}

/**
 * Runs `visit` in `page` and adds up what crossed the network (CDP's encodedDataLength: compressed
 * bodies and headers; answers from the browser's cache count nothing), until the network is quiet.
 */
export async function onTheWire(page: Page, visit: () => Promise<void>): Promise<Wire> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map<string, { url: string; type: string }>();
  const requests: Wire['requests'] = [];
  const cached = new Set<string>();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, { url: e.request.url, type: e.type ?? 'Other' }));
  cdp.on('Network.requestServedFromCache', (e) => cached.add(e.requestId));
  cdp.on('Network.responseReceived', (e) => {
    if (e.response.fromDiskCache || e.response.fromPrefetchCache) cached.add(e.requestId);
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = urls.get(e.requestId);
    if (r) requests.push({ ...r, bytes: cached.has(e.requestId) ? 0 : e.encodedDataLength });
  });
  await visit();
  await page.waitForLoadState('networkidle');
  await cdp.detach();
  return { total: requests.reduce((s, r) => s + r.bytes, 0), requests };
}

/** A readable list of the largest requests, for a failing budget's message. */
export function heaviest(w: Wire, n = 12): string {
  return [...w.requests].sort((a, b) => b.bytes - a.bytes).slice(0, n).map((r) => `${r.bytes} ${r.type} ${r.url.replace(/^https?:\/\/[^/]+/, '')}`).join('\n');
}
