// The map page in a real browser against the real server with the demo data.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiCount, axe, idle, openPage, rendered, useHarness } from './browser';

const h = useHarness();

describe('map page', () => {
  it('draws as many practices as the API matches for the view, and lists them', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/', h.errors);
    const matched = await apiCount(page, {});
    expect(matched).toBeGreaterThan(200);
    await expect.poll(async () => (await rendered(page)).total, { timeout: 20_000 }).toBe(matched);
    const drawn = await rendered(page);
    expect(drawn.markers, 'cluster count labels add up with single points').toBe(drawn.total - (await page.evaluate(() => {
      const m = (window as unknown as { map: { queryRenderedFeatures: (o: object) => { properties: { id: number } }[] } }).map;
      return new Set(m.queryRenderedFeatures({ layers: ['practice-points'] }).map((f) => f.properties.id)).size;
    })));
    expect(await page.locator('#list li').count()).toBe(Number(await page.evaluate(() => document.body.dataset.listed)));
    await expect(page.locator('#demo-notice').isVisible()).resolves.toBe(true);
    const basemap = await page.evaluate(() => {
      const m = (window as unknown as { map: { queryRenderedFeatures: (o: object) => { properties: { code?: string } }[] } }).map;
      return {
        outlines: m.queryRenderedFeatures({ layers: ['departement-outlines'] }).length,
        academie: [...new Set(m.queryRenderedFeatures({ layers: ['academie'] }).map((f) => f.properties.code))].sort(),
      };
    });
    expect(basemap.outlines, 'offline basemap draws département outlines').toBeGreaterThan(0);
    expect(basemap.academie, 'the académie’s départements are tinted').toEqual(['06', '83']);
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await axe(page)).toEqual([]);

    // A cluster zooms the map to the zoom at which the server's tiles split it.
    const cluster = page.locator('.cluster-count').first();
    const splitAt = Number(await cluster.getAttribute('data-expansion-zoom'));
    expect(splitAt).toBeGreaterThan(await page.evaluate(() => (window as unknown as { map: { getZoom(): number } }).map.getZoom()));
    await cluster.click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { map: { getZoom(): number } }).map.getZoom()), { timeout: 10_000 }).toBeCloseTo(splitAt, 1);
    await idle(page);
    await ctx.close();
  });

  it('applies a filter to the map, the list and the count together, and resets', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/', h.errors);
    await page.selectOption('#f-discipline', 'Technologie');
    await page.waitForFunction(() => document.body.dataset.ready === '1' && new URL(location.href).searchParams.get('discipline') === 'Technologie');
    await idle(page);
    const matched = await apiCount(page, { discipline: 'Technologie' });
    expect(matched).toBeGreaterThan(0);
    await expect.poll(async () => (await rendered(page)).total, { timeout: 20_000 }).toBe(matched);
    // The numbers drawn on the clusters are those of the filtered clusters, none left from before.
    await expect.poll(async () => { const r = await rendered(page); return r.markers - r.clustered; }, { timeout: 20_000 }).toBe(0);
    // The list comes page by page from the API (20 at a time), never the whole catalogue.
    expect(await page.locator('#list li').count()).toBe(Math.min(matched, 20));
    expect(await page.textContent('#count')).toContain(`${matched} usage`);
    while (await page.isVisible('#more')) {
      const before = await page.locator('#list li').count();
      await page.click('#more');
      await expect.poll(() => page.locator('#list li').count()).toBeGreaterThan(before);
    }
    expect(await page.locator('#list li').count()).toBe(matched);
    // The other facets narrow to what the discipline leaves, each value with its count.
    const tools = await page.locator('#f-tool option').allTextContents();
    const everyTool = await page.evaluate(async () => ((await (await fetch('/api/practices/facets')).json()) as { facets: { tool: unknown[] } }).facets.tool.length);
    expect(tools.length - 1).toBeGreaterThan(0);
    expect(tools.length - 1).toBeLessThan(everyTool);
    expect(tools.slice(1).every((t) => /\(\d+\)$/.test(t))).toBe(true);
    await page.fill('#f-q', 'zzzz-aucun');
    await page.waitForFunction(() => document.querySelector('#count')?.textContent?.includes('Aucun usage ne correspond'));
    expect(await page.locator('#list li').count()).toBe(0);
    // The empty state offers to drop each filter.
    await page.click('#relax button:has-text("recherche")');
    await page.waitForFunction(() => document.body.dataset.ready === '1' && !new URL(location.href).searchParams.has('q'));
    expect(await page.textContent('#count')).toContain(`${matched} usage`);
    await page.click('#reset');
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('discipline') && document.body.dataset.ready === '1');
    const all = await apiCount(page, {});
    await expect.poll(async () => (await rendered(page)).total, { timeout: 20_000 }).toBe(all);
    await expect.poll(async () => { const r = await rendered(page); return r.markers - r.clustered; }, { timeout: 20_000 }).toBe(0);
    // MapLibre's controls speak French.
    expect(await page.getAttribute('.maplibregl-ctrl-zoom-in', 'aria-label')).toBe('Zoomer');
    expect(await page.getAttribute('.maplibregl-ctrl-zoom-out', 'aria-label')).toBe('Dézoomer');
    expect(await page.getAttribute('.maplibregl-canvas', 'aria-label')).toBe('Carte');
    await ctx.close();
  });

  it('follows a linked project to the map even when the filters leave it out, and keeps the keyboard in the list', async () => {
    type L = { features: { properties: { from_practice: number; to_practice: number } }[] };
    const links = (await (await fetch(`${h.server.base}/api/collections/links/items?limit=1`)).json()) as L;
    const { from_practice: from, to_practice: to } = links.features[0]!.properties;
    const target = (await (await fetch(`${h.server.base}/api/collections/practices/items/${to}`)).json()) as { geometry: { coordinates: [number, number] }; properties: { title: string } };
    const source = (await (await fetch(`${h.server.base}/api/collections/practices/items/${from}`)).json()) as { properties: { title: string } };
    // A search that only the first practice passes.
    const { ctx, page } = await openPage(h.browser, h.server.base, `/?q=${encodeURIComponent(source.properties.title)}&fiche=${from}`, h.errors);
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('#fiche')!.hidden);
    await page.locator('#fiche li', { hasText: target.properties.title }).locator('button', { hasText: 'Voir sur la carte' }).click();
    await page.waitForFunction((t) => document.querySelector('#fiche-titre')?.textContent === t, target.properties.title);
    await idle(page);
    expect(await page.locator('.repere-target').count(), 'the target is marked though filtered out').toBe(1);
    const seen = await page.evaluate((at) => {
      const m = (window as unknown as { map: { project(p: [number, number]): { x: number; y: number } } }).map;
      const p = m.project(at);
      const canvas = document.querySelector('#map canvas')!.getBoundingClientRect();
      const fiche = document.querySelector('#fiche')!.getBoundingClientRect();
      return { x: canvas.left + p.x, y: canvas.top + p.y, free: fiche.left, top: canvas.top, bottom: canvas.bottom, left: canvas.left };
    }, target.geometry.coordinates);
    expect(seen.x, 'beside the fiche, not under it').toBeLessThan(seen.free);
    expect(seen.x).toBeGreaterThan(seen.left);
    expect(seen.y).toBeGreaterThan(seen.top);
    expect(seen.y).toBeLessThan(seen.bottom);
    await ctx.close();

    // "Voir plus": the keyboard goes on from the first practice added.
    const list = await openPage(h.browser, h.server.base, '/', h.errors);
    await list.page.focus('#more');
    await list.page.keyboard.press('Enter');
    await list.page.waitForFunction(() => document.querySelectorAll('#list li').length > 20);
    expect(await list.page.evaluate(() => [...document.querySelectorAll('#list .repere-item')].indexOf(document.activeElement as Element))).toBe(20);
    await list.ctx.close();
  });

  it('restores filters, layers, view and the open fiche from a permalink', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/', h.errors);
    await page.selectOption('#f-departement', '83');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('departement') === '83' && document.body.dataset.ready === '1');
    await page.click('label[for="l-links"]');
    expect(await page.isChecked('#l-links')).toBe(true);
    // Zoomed out over the académie, the links are not drawn, and the panel says why.
    expect(await page.isVisible('#links-hint')).toBe(true);
    await page.locator('#list li button').first().click();
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('#fiche')!.hidden);
    const title = await page.textContent('#fiche-titre');
    await idle(page);
    const url = page.url();
    expect(url).toContain('fiche=');
    const again = await openPage(h.browser, h.server.base, url.replace(h.server.base, ''), h.errors);
    await again.page.waitForFunction(() => !document.querySelector<HTMLElement>('#fiche')!.hidden);
    expect(await again.page.textContent('#fiche-titre')).toBe(title);
    expect(await again.page.inputValue('#f-departement')).toBe('83');
    expect(await again.page.isChecked('#l-links')).toBe(true);
    const view = (p: Page) => p.evaluate(() => {
      const m = (window as unknown as { map: { getZoom(): number; getCenter(): { lng: number; lat: number } } }).map;
      return [m.getZoom(), m.getCenter().lng, m.getCenter().lat];
    });
    // The permalink rounds the view (5 decimals, zoom to 2): the same place within a few metres.
    const [a, b] = [await view(again.page), await view(page)];
    a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeLessThan(0.01));
    expect(await axe(again.page)).toEqual([]);
    await ctx.close();
    await again.ctx.close();
  });

  it('colours establishments by label or OPINEE and shows only those asked for', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/', h.errors);
    await page.click('label[for="l-establishments"]');
    await page.selectOption('#e-colour', 'label');
    expect(await page.locator('#legend-establishments li').allTextContents()).toEqual(['label niveau 3', 'label niveau 2', 'label niveau 1', 'sans label']);
    await page.selectOption('#e-show', 'label:3');
    await idle(page);
    // The establishments drawn are those of the view that the API gives for the same filter.
    const drawn = await page.evaluate(() => {
      type F = { properties: { uai: string; label_class: string } };
      const m = (window as unknown as { map: { queryRenderedFeatures: (o: object) => F[] } }).map;
      return [...new Map(m.queryRenderedFeatures({ layers: ['establishments'] }).map((f) => [f.properties.uai, f.properties.label_class])).entries()];
    });
    const expected = await page.evaluate(async () => {
      const b = (window as unknown as { map: { getBounds: () => { getWest(): number; getSouth(): number; getEast(): number; getNorth(): number } } }).map.getBounds();
      const r = await fetch(`/api/collections/establishments/items?label=3&limit=1000&bbox=${[b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].join(',')}`);
      return ((await r.json()) as { features: { id: string }[] }).features.map((f) => f.id).sort();
    });
    expect(expected.length).toBeGreaterThan(0);
    expect(drawn.map(([u]) => u).sort()).toEqual(expected);
    expect(drawn.every(([, l]) => l === '3')).toBe(true);
    await page.selectOption('#e-colour', 'opinee');
    expect(await page.locator('#legend-establishments li').first().textContent()).toBe('OPINEE 7 et plus');
    expect(await axe(page)).toEqual([]);
    await ctx.close();
  });

  it('opens a fiche from the list with the keyboard only', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/', h.errors);
    let onItem = false;
    for (let i = 0; i < 60 && !onItem; i++) {
      await page.keyboard.press('Tab');
      onItem = await page.evaluate(() => document.activeElement?.classList.contains('repere-item') ?? false);
    }
    expect(onItem, 'a list item is reachable with Tab').toBe(true);
    const wanted = await page.evaluate(() => document.activeElement?.querySelector('.repere-item__title')?.textContent);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('#fiche')!.hidden);
    expect(await page.textContent('#fiche-titre')).toBe(wanted);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('fiche');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // "Fermer" is the first control of the fiche
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#fiche')!.hidden);
    await ctx.close();
  });

  it('ranks nearby practices by distance', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/?carte=10.00/43.70000/7.25000', h.errors);
    await page.click('#near-center');
    await page.waitForFunction(() => document.querySelector('#list .repere-item__meta')?.textContent?.startsWith('à '));
    const metres = await page.$$eval('#list .repere-item__meta', (els) =>
      els.map((e) => {
        const m = (e.textContent ?? '').match(/^à ([\d\s,]+) (m|km)/);
        return m ? Number(m[1]!.replace(/\s/g, '').replace(',', '.')) * (m[2] === 'km' ? 1000 : 1) : NaN;
      }),
    );
    expect(metres.length).toBeGreaterThan(5);
    expect(metres.every((x) => Number.isFinite(x))).toBe(true);
    expect([...metres].sort((a, b) => a - b)).toEqual(metres);
    expect(page.url()).toContain('autour=');
    // The chosen point is drawn, and can be removed.
    expect(await page.locator('.repere-poi').count()).toBe(1);
    await page.click('#near-clear');
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('autour'));
    expect(await page.locator('.repere-poi').count()).toBe(0);
    expect(await page.textContent('#count')).toContain('dans la vue de la carte');
    await ctx.close();
  });

  it('keeps the filter panel within its column, layers and legends included', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/?couches=practices,sites,establishments,links', h.errors);
    await page.waitForFunction(() => document.querySelectorAll('#legend-establishments li').length > 0);
    const overflow = await page.$eval('#filtres', (el) => el.scrollWidth - el.clientWidth);
    expect(overflow, 'nothing is cut off on the right').toBeLessThanOrEqual(0);
    const box = await page.locator('#filtres').boundingBox();
    const estab = await page.locator('label[for="l-establishments"]').boundingBox();
    expect(estab!.x + estab!.width).toBeLessThanOrEqual(box!.x + box!.width);
    await ctx.close();
  });

  it('on a phone, folds the header into a menu button and shows an opened fiche whole', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/', h.errors, { width: 390, height: 844 });
    const header = await page.locator('header .fr-header__body').boundingBox();
    expect(header!.height, 'the header leaves the screen to the page').toBeLessThan(160);
    const menu = await page.locator('#menu-button').boundingBox();
    expect(menu!.x + menu!.width, 'the menu button sits on the right').toBeGreaterThan(300);
    expect(await page.isVisible('#account')).toBe(false);
    await page.click('#menu-button');
    expect(await page.getAttribute('#menu-button', 'aria-expanded')).toBe('true');
    expect(await page.isVisible('#account a, #account button')).toBe(true);
    await page.click('#menu-button');
    expect(await page.isVisible('#account')).toBe(false);
    await page.locator('#list li button').first().click();
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('#fiche')!.hidden);
    // The title and "Fermer" are on screen and nothing covers them.
    for (const sel of ['#fiche-titre', '#fiche .repere-fiche__close']) {
      const box = await page.locator(sel).boundingBox();
      expect(box!.y, sel).toBeGreaterThanOrEqual(0);
      expect(box!.y + box!.height, sel).toBeLessThanOrEqual(844);
      const onTop = await page.evaluate(([x, y, s]) => {
        const el = document.elementFromPoint(x as number, y as number);
        return !!el && !!document.querySelector(s as string)?.contains(el);
      }, [box!.x + box!.width / 2, box!.y + box!.height / 2, sel]);
      expect(onTop, `${sel} is not covered`).toBe(true);
    }
    expect(await page.evaluate(() => document.querySelector('#fiche')!.scrollTop), 'a new fiche opens at its top').toBe(0);
    await page.click('#fiche .repere-fiche__close');
    expect(await page.isHidden('#fiche')).toBe(true);
    expect(await axe(page)).toEqual([]);
    await ctx.close();
  });

  it('works on a phone: list and map as tabs', async () => {
    const { ctx, page } = await openPage(h.browser, h.server.base, '/', h.errors, { width: 390, height: 844 });
    expect(await page.isVisible('#tab-map')).toBe(true);
    expect(await page.isVisible('#list')).toBe(true);
    expect(await page.isVisible('#map')).toBe(false);
    await page.click('#tab-map');
    expect(await page.isVisible('#map')).toBe(true);
    expect(await page.isVisible('#list')).toBe(false);
    expect(await page.getAttribute('#tab-map', 'aria-pressed')).toBe('true');
    await expect.poll(async () => (await rendered(page)).total, { timeout: 20_000 }).toBeGreaterThan(0);
    await page.click('#tab-list');
    await page.locator('#list li button').first().click();
    await page.waitForFunction(() => !document.querySelector<HTMLElement>('#fiche')!.hidden);
    expect(await axe(page)).toEqual([]);
    await ctx.close();
  });
});
