// The page benchmark (run by scripts/bench-page.sh, not by the tests): every page on an emulated
// school line (1 Mbit/s down, 256 kbit/s up, 150 ms round trip, paced by a relay), first
// visit with an empty cache and repeat visit, bytes on the wire by type and time until the page is
// usable (the map and the first page of the list for `/`), on the demo data and on 100,000 generated
// practices. Writes bench/results/pages-<dataset>.md. Times vary with the machine; bytes do not.
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import type { Page } from 'playwright-core';
import { countingProxy, onTheWire, useHarness, type CountingProxy, type Wire } from '../e2e/browser';

// Paced by the relay in front of the server, so that every request is slowed, the map's worker's too
// (Chromium's own emulation leaves the worker's requests at full speed).
const LINE = { down: 1_000_000 / 8, up: 256_000 / 8, rttMs: 150 };
const PAGES = ['/', '/reseaux.html', '/tableau-de-bord.html', '/debit.html', '/etablissement.html?uai=0060842H', '/contribuer.html', '/connexion.html', '/lettre'];
const dataset = process.env.BENCH_DATASET === 'large' ? 'large' : 'demo';
const h = useHarness(dataset === 'large' ? { generate: 100_000 } : {});

const kb = (n: number) => (n / 1024).toFixed(1);

function byType(w: Wire): string {
  const sums = new Map<string, number>();
  for (const r of w.requests) sums.set(r.type, (sums.get(r.type) ?? 0) + r.bytes);
  return [...sums].sort((a, b) => b[1] - a[1]).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${kb(n)}`).join(', ');
}

/** Visits `url` on the slow line; returns the bytes and the milliseconds until usable. */
async function visit(page: Page, proxy: CountingProxy, url: string): Promise<{ wire: Wire; ms: number }> {
  let ms = 0;
  const wire = await onTheWire(page, proxy, async () => {
    await page.goto(`${proxy.base}${url}`, { timeout: 120_000 });
    if (url === '/') {
      await page.waitForFunction(() => performance.getEntriesByName('repere-usable').length > 0, null, { timeout: 120_000 });
      ms = await page.evaluate(() => performance.getEntriesByName('repere-usable')[0]!.startTime);
    } else {
      await page.waitForLoadState('networkidle', { timeout: 120_000 });
      ms = await page.evaluate(() => performance.now());
    }
  });
  return { wire, ms };
}

describe(`pages on a 1 Mbit/s line (${dataset})`, () => {
  it('measures first and repeat visits', async () => {
    const rows: string[] = [];
    const proxy = await countingProxy(h.server.base, LINE);
    const ctx = await h.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
    // First visit of the map page, then every page with the map page's files cached, then repeats.
    for (const [round, label] of [[0, 'first'], [1, 'repeat']] as const) {
      for (const url of PAGES) {
        const page = await ctx.newPage();
        const { wire, ms } = await visit(page, proxy, url);
        const what = round === 0 && url !== '/' ? 'first (map page cached)' : label;
        rows.push(`| ${url} | ${what} | ${kb(wire.total)} | ${wire.requests.length} | ${(ms / 1000).toFixed(2)} | ${byType(wire)} |`);
        await page.close();
      }
    }
    await ctx.close();
    for (const url of PAGES.slice(1)) {
      const cold = await h.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
      const page = await cold.newPage();
      const { wire, ms } = await visit(page, proxy, url);
      rows.push(`| ${url} | first (cold) | ${kb(wire.total)} | ${wire.requests.length} | ${(ms / 1000).toFixed(2)} | ${byType(wire)} |`);
      await cold.close();
    }
    await proxy.close();
    const table = ['| page | visit | KB on the wire | requests | seconds to usable | KB by type |', '|---|---|---|---|---|---|', ...rows].join('\n');
    mkdirSync(new URL('../../bench/results/', import.meta.url), { recursive: true });
    writeFileSync(new URL(`../../bench/results/pages-${dataset}.md`, import.meta.url), `${table}\n`);
    console.log(table);
  });
});
