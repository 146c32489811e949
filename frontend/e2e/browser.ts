// Launches Debian's Chromium through playwright-core, hermetic (no request leaves 127.0.0.1), and
// collects uncaught page errors.
import { AxeBuilder } from '@axe-core/playwright';
import net from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
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
  watchPolicy(page, errors);
  await page.goto(`${base}${url}`);
  await ready(page);
  return { ctx, page };
}

/** Counts as an error anything the Content-Security-Policy refused (the pages must work with it on). */
export function watchPolicy(page: Page, errors: string[]): void {
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|create)/i.test(m.text())) errors.push(`CSP: ${m.text()}`);
  });
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
export async function rendered(page: Page): Promise<{ total: number; markers: number; clustered: number }> {
  return page.evaluate(() => {
    type F = { layer: { id: string }; id?: number | string; properties: Record<string, unknown> };
    const m = (window as unknown as { map: { queryRenderedFeatures: (o: object) => F[] } }).map;
    const seen = new Set<string>();
    let total = 0;
    let clustered = 0;
    for (const f of m.queryRenderedFeatures({ layers: ['practice-clusters', 'practice-points'] })) {
      const key = f.layer.id === 'practice-clusters' ? `c${String(f.properties.cluster_id)}` : `p${String(f.properties.id)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const n = f.layer.id === 'practice-clusters' ? Number(f.properties.point_count) : 1;
      total += n;
      if (f.layer.id === 'practice-clusters') clustered += n;
    }
    let markers = 0;
    document.querySelectorAll<HTMLElement>('.cluster-count').forEach((el) => (markers += Number(el.dataset.count)));
    return { total, markers, clustered };
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
export function useHarness(options: { generate?: number; env?: Record<string, string> } = {}): Harness {
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

/** Types `email` and the password into the connexion page at `url` (its query included) and sends it. */
export async function signInAt(page: Page, url: string, email: string): Promise<void> {
  await page.goto(url);
  // The form is shown once the page's script has set it up (it answers Enter from then on).
  await page.locator('#email').waitFor({ state: 'visible' });
  await page.focus('#email');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
}

/** Signs in through the connexion page with the keyboard, then lands on `next`. */
export async function signIn(page: Page, base: string, email: string, next: string): Promise<void> {
  await signInAt(page, `${base}/connexion.html?retour=${encodeURIComponent(next)}`, email);
  await page.waitForURL(`${base}${next}`);
}

/** A fresh hermetic page (no map wait), its errors collected. */
export async function plainPage(h: Harness, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; close: () => Promise<void> }> {
  const ctx = await h.browser.newContext({ viewport, locale: 'fr-FR' });
  await ctx.route((u) => !u.href.startsWith(h.server.base), (r) => r.abort());
  const page = await ctx.newPage();
  page.on('pageerror', (e) => h.errors.push(e.message));
  watchPolicy(page, h.errors);
  return { page, close: () => ctx.close() };
}

/** What one visit moved: bytes on the wire, and each request as the browser reports it. */
export interface Wire {
  /** Bytes the server sent, headers and compressed bodies, counted on the TCP connections. */
  total: number;
  requests: { url: string; bytes: number; type: string }[];
}

/**
 * A TCP relay in front of the server that counts the bytes it sends to the browser: the ground truth of
 * what crossed the wire, worker requests (the map's tiles and worker script) and revalidations included.
 */
export interface CountingProxy {
  base: string;
  sent: () => number;
  close: () => Promise<void>;
}

/** A slow line for the relay: bytes per second each way and the round trip, in milliseconds. */
export interface Line {
  down: number;
  up: number;
  rttMs: number;
}

/** Delays chunks so that, all connections together, they flow at `rate` bytes/s, after `delay` ms. */
function pacer(rate: number, delay: number): (chunk: Buffer, write: () => void) => void {
  let free = 0;
  return (chunk, write) => {
    const now = Date.now();
    const start = Math.max(now, free);
    free = start + (chunk.length / rate) * 1000;
    setTimeout(write, free - now + delay);
  };
}

/** Starts the relay; with `line`, every byte is paced as on that line (the worker's requests too). */
export async function countingProxy(target: string, line?: Line): Promise<CountingProxy> {
  const { port, hostname } = new URL(target);
  let sent = 0;
  const sockets = new Set<net.Socket>();
  const down = line ? pacer(line.down, line.rttMs / 2) : undefined;
  const up = line ? pacer(line.up, line.rttMs / 2) : undefined;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    upstream.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (down) down(chunk, () => client.writable && client.write(chunk));
      else client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      if (up) up(chunk, () => upstream.writable && upstream.write(chunk));
      else upstream.write(chunk);
    });
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const address = server.address() as net.AddressInfo;
  return {
    base: `http://127.0.0.1:${address.port}`,
    sent: () => sent,
    close: () => new Promise<void>((res) => { sockets.forEach((s) => s.destroy()); server.close(() => res()); }),
  };
}

/** Runs `visit` in `page` (which talks to `proxy`) and measures what crossed the wire until the network is quiet. */
export async function onTheWire(page: Page, proxy: CountingProxy, visit: () => Promise<void>): Promise<Wire> {
  const requests: Wire['requests'] = [];
  const seen = (r: Request) => {
    void r.sizes().then(
      (z) => requests.push({ url: r.url(), type: r.resourceType(), bytes: Math.max(0, z.responseBodySize) + z.responseHeadersSize }),
      () => undefined,
    );
  };
  page.on('requestfinished', seen);
  const before = proxy.sent();
  await visit();
  await page.waitForLoadState('networkidle');
  // Let the last responses drain through the relay.
  await new Promise((r) => setTimeout(r, 300));
  page.off('requestfinished', seen);
  return { total: proxy.sent() - before, requests };
}

/** A readable list of the largest requests, for a failing budget's message. */
export function heaviest(w: Wire, n = 12): string {
  return [...w.requests].sort((a, b) => b.bytes - a.bytes).slice(0, n).map((r) => `${r.bytes} ${r.type} ${r.url.replace(/^https?:\/\/[^/]+/, '')}`).join('\n');
}

/** Records a practice through the API as the signed-in user of `page` (a draft unless `submit`); its id. */
export async function createPractice(page: Page, practice: Record<string, unknown>): Promise<number> {
  return page.evaluate(async (body) => {
    const s = await (await fetch('/api/auth/session')).json();
    const r = await fetch('/api/practices', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf_token },
      body: JSON.stringify({ uai: '0060842H', school_year: '2024-2025', contact_consent: true, ...body }),
    });
    return ((await r.json()) as { id: number }).id;
  }, practice);
}
