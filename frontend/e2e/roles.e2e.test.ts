// After sign-in each role lands where it works (a page that asked for the sign-in gets the user back);
// on a phone, the wide tables of "Mes remontées" and Débit scroll inside a region the keyboard
// reaches, and the pages pass axe; the moderation inbox and the networks become one card per row, and
// a report's checkbox takes a tap of 44 × 44 px.
import { describe, expect, it } from 'vitest';
import { axe, createPractice, plainPage, signInAt, useHarness } from './browser';
import { ADMIN, COLLECTIVITE, CONTRIBUTOR, MODERATOR } from './server';

const h = useHarness();

const signInFrom = (page: import('playwright-core').Page, url: string, email: string) => signInAt(page, `${h.server.base}${url}`, email);

describe('roles', () => {
  it('lands each role where it works, and honours the page that asked', async () => {
    for (const [email, path] of [[CONTRIBUTOR, '/mes-remontees.html'], [MODERATOR, '/moderation.html'], [COLLECTIVITE, '/debit.html'], [ADMIN, '/tableau-de-bord.html']] as const) {
      const { page, close } = await plainPage(h);
      await signInFrom(page, '/connexion.html', email);
      await page.waitForURL(`${h.server.base}${path}`);
      await close();
    }
    const { page, close } = await plainPage(h);
    await signInFrom(page, `/connexion.html?retour=${encodeURIComponent('/?fiche=1')}`, MODERATOR);
    await page.waitForURL(`${h.server.base}/?fiche=1`);
    await close();
    // A destination that the browser would resolve to another host is ignored: the role's page instead.
    const other = await plainPage(h);
    await signInFrom(other.page, '/connexion.html?retour=/%5Cexample.org/x', MODERATOR);
    await other.page.waitForURL(`${h.server.base}/moderation.html`);
    await other.close();
  });

  it('on a phone, wide tables scroll in a focusable region, never the page', async () => {
    for (const [email, path, table] of [[CONTRIBUTOR, '/mes-remontees.html', '#mine'], [COLLECTIVITE, '/debit.html', '#below']] as const) {
      const { page, close } = await plainPage(h, { width: 390, height: 844 });
      await signInFrom(page, '/connexion.html', email);
      await page.waitForURL(`${h.server.base}${path}`);
      if (email === CONTRIBUTOR) {
        // One report to list.
        await createPractice(page, { title: 'Carnet de bord numérique en EPS', summary: 'Essai', disciplines: ['EPS'], levels: ['4e'], tools: ['Pronote'] });
        await page.reload();
      }
      await page.waitForSelector(`${table}:not([hidden])`);
      const wrap = page.locator(`.fr-table:has(${table})`);
      expect(await wrap.getAttribute('tabindex')).toBe('0');
      expect(await wrap.getAttribute('role')).toBe('region');
      const pageOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(pageOverflow, `${path}: the page itself does not scroll sideways`).toBeLessThanOrEqual(0);
      expect(await axe(page), path).toEqual([]);
      await close();
    }
  });

  it('on a phone, the moderation inbox and the networks are cards, and a report is chosen with a 44 px tap', async () => {
    const { page, close } = await plainPage(h, { width: 390, height: 844 });
    await signInFrom(page, '/connexion.html', MODERATOR);
    await page.waitForURL(`${h.server.base}/moderation.html`);
    for (const [path, table] of [['/moderation.html', '#inbox'], ['/reseaux.html', '#networks']] as const) {
      if (path !== '/moderation.html') await page.goto(`${h.server.base}${path}`);
      await page.waitForSelector(`${table}:not([hidden])`);
      const wide = await page.$eval(table, (t) => t.closest('.fr-table')!.scrollWidth - t.closest('.fr-table')!.clientWidth);
      expect(wide, `${path}: no sideways scroll`).toBeLessThanOrEqual(0);
      expect(await page.$eval(`${table} tbody td`, (td) => getComputedStyle(td, '::before').content), path).not.toBe('none');
      if (table === '#inbox') {
        const label = page.locator('#inbox tbody label').first();
        const box = (await label.boundingBox())!;
        expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(44);
        // A tap near the corner, outside the drawn 24 px box, still chooses the report.
        await page.mouse.click(box.x + 3, box.y + box.height - 3);
        expect(await page.locator('#inbox tbody input[name="ids"]').first().isChecked()).toBe(true);
        // How many are ticked is said beside the buttons, which stay in view at the bottom of the screen.
        expect(await page.textContent('#chosen')).toBe('1 remontée choisie.');
        const bar = (await page.locator('#publish').boundingBox())!;
        expect(bar.y + bar.height).toBeLessThanOrEqual(844);
      }
      expect(await axe(page), path).toEqual([]);
      if (table === '#networks') {
        // The graph is drawn far below the cards: choosing a network goes to it.
        await page.locator('#networks tbody button').first().click();
        await page.waitForFunction(() => document.activeElement?.id === 'graph-title');
        expect(await page.locator('#graph-title').isVisible()).toBe(true);
      }
    }
    await close();
  });
});
