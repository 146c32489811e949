// A teacher reports a practice with the keyboard only (disciplines, levels and tools picked from the
// académie's lists), sees the duplicate warning, submits; a moderator publishes it; it appears on the
// public map.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axe, createPractice, openPage, plainPage, signIn as signInAs, useHarness } from './browser';
import { CONTRIBUTOR, MODERATOR } from './server';

const h = useHarness();

const signIn = (page: Page, email: string, next: string) => signInAs(page, h.server.base, email, next);
const newPage = () => plainPage(h);

describe('contribution and moderation', () => {
  it('edits a report from "Mes remontées" without losing the agreement, and offers only years that have begun', async () => {
    const teacher = await newPage();
    const page = teacher.page;
    await signIn(page, CONTRIBUTOR, '/mes-remontees.html');
    const id = await createPractice(page, { title: 'Rallye mathématique en ligne', summary: 'Brouillon', disciplines: ['Mathématiques'], levels: ['6e'], tools: ['Moodle'] });
    await page.reload();
    await page.click(`a[href="/contribuer.html?id=${id}"]`);
    await page.waitForFunction(() => (document.querySelector('#title') as HTMLInputElement).value === 'Rallye mathématique en ligne');
    expect(await page.isChecked('#contact_consent'), 'the agreement given when writing it is kept').toBe(true);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    expect(await page.$$eval('#disciplines-tags button', (bs) => bs.map((b) => b.textContent)), 'the pickers show the report\'s values').toEqual(['Mathématiques']);
    expect(await page.$$eval('#tools-tags button', (bs) => bs.map((b) => b.getAttribute('aria-label')))).toEqual(['Retirer Moodle']);
    expect(await page.inputValue('#school_year'), 'the report keeps its year').toBe('2024-2025');
    const now = new Date();
    const start = now.getMonth() >= 8 ? now.getFullYear() : now.getFullYear() - 1;
    const years = await page.$$eval('#school_year option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(years).not.toContain(`${start + 1}-${start + 2}`);
    await page.fill('#summary', 'Brouillon complété');
    await page.click('#draft');
    await page.waitForSelector('#done:not([hidden])');
    const saved = await page.evaluate(async (pid) => (await (await fetch(`/api/practices/${pid}`)).json()) as { summary: string }, id);
    expect(saved.summary).toBe('Brouillon complété');
    // The server refuses a year that has not begun, and says so next to the field.
    await page.goto(`${h.server.base}/contribuer.html?id=${id}`);
    await page.waitForFunction(() => (document.querySelector('#title') as HTMLInputElement).value === 'Rallye mathématique en ligne');
    await page.evaluate((y) => {
      const select = document.querySelector('#school_year') as HTMLSelectElement;
      select.append(new Option(y, y));
      select.value = y;
    }, `${start + 1}-${start + 2}`);
    await page.click('#draft');
    await page.waitForSelector('#school_year-error');
    expect(await page.textContent('#school_year-error')).toContain("n'a pas commencé");

    // The establishment is found by its words in any order, accents and case ignored.
    await page.goto(`${h.server.base}/contribuer.html`);
    await page.fill('#uai', 'anatole france frejus');
    await page.waitForSelector('#uai-list [role="option"]');
    await page.press('#uai', 'ArrowDown');
    await page.press('#uai', 'Enter');
    expect(await page.inputValue('#uai')).toBe('Collège Anatole France — Fréjus (0831064F)');
    expect(await axe(page)).toEqual([]);
    await teacher.close();
  });

  for (const [size, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
    it(`${size}: picks disciplines, levels and tools from the lists with the keyboard, and saves them`, async () => {
      const teacher = await plainPage(h, viewport);
      const page = teacher.page;
      await signIn(page, CONTRIBUTOR, '/contribuer.html');
      await page.waitForFunction(() => document.body.dataset.ready === '1');
      const tags = (id: string) => page.$$eval(`#${id}-tags button`, (bs) => bs.map((b) => b.textContent));

      // "mathe" finds "Mathématiques" (accents and case ignored); ↓ then Entrée adds it as a tag.
      await page.focus('#disciplines');
      await page.keyboard.type('mathe');
      await page.waitForSelector('#disciplines-list [role="option"]');
      expect(await page.getAttribute('#disciplines', 'aria-expanded')).toBe('true');
      await page.keyboard.press('ArrowDown');
      expect(await page.getAttribute('#disciplines', 'aria-activedescendant')).toBe('disciplines-list-opt-0');
      expect(await page.textContent('#disciplines-list-opt-0')).toBe('Mathématiques');
      expect(await axe(page), 'the open list passes axe').toEqual([]);
      await page.keyboard.press('Enter');
      expect(await tags('disciplines')).toEqual(['Mathématiques']);
      expect(await page.inputValue('#disciplines')).toBe('');
      expect(await page.getAttribute('#disciplines', 'aria-expanded')).toBe('false');
      expect(await page.textContent('#disciplines-status')).toBe('Mathématiques ajouté');
      // Its button removes it, and the focus goes back to the box.
      await page.click('#disciplines-tags button[aria-label="Retirer Mathématiques"]');
      expect(await tags('disciplines')).toEqual([]);
      expect(await page.textContent('#disciplines-status')).toBe('Mathématiques retiré');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('disciplines');
      // Retour arrière in the empty box removes the last tag.
      await page.keyboard.type('MATHÉ');
      await page.keyboard.press('Enter'); // the only proposition
      await page.keyboard.type('techno');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      expect(await tags('disciplines')).toEqual(['Mathématiques', 'Technologie']);
      await page.keyboard.press('Backspace');
      expect(await tags('disciplines')).toEqual(['Mathématiques']);
      // A discipline outside the list is refused, next to the field, and what was typed stays.
      await page.keyboard.type('Outil maison');
      await page.keyboard.press('Enter');
      expect(await page.textContent('#disciplines-error')).toBe('Choisissez une discipline de la liste.');
      expect(await page.getAttribute('#disciplines', 'aria-invalid')).toBe('true');
      expect(await page.inputValue('#disciplines')).toBe('Outil maison');
      expect(await tags('disciplines')).toEqual(['Mathématiques']);
      await page.fill('#disciplines', '');

      // A tool outside the list: the last option, "Autre : « … »", adds it as typed.
      await page.focus('#tools');
      await page.keyboard.type('Outil maison');
      await page.waitForSelector('#tools-list [role="option"]');
      const options = await page.$$eval('#tools-list [role="option"]', (os) => os.map((o) => o.textContent));
      expect(options.at(-1)).toBe('Autre : « Outil maison »');
      await page.keyboard.press('ArrowUp'); // from none, up is the last
      await page.keyboard.press('Enter');
      expect(await tags('tools')).toEqual(['Outil maison']);
      expect(await page.$('#disciplines-error'), 'adding elsewhere does not clear another field\'s message').not.toBeNull();

      await page.focus('#levels');
      await page.keyboard.type('6e');
      await page.keyboard.press('Enter');
      expect(await tags('levels')).toEqual(['6e']);
      expect(await axe(page), 'tags and a message next to a field pass axe').toEqual([]);

      // The draft keeps the chosen values.
      const title = `Atelier mathématique (${size})`;
      await page.fill('#title', title);
      await page.fill('#summary', 'Un brouillon');
      await page.fill('#uai', '0060842H');
      await page.click('label[for="contact_consent"]');
      expect(await page.isChecked('#contact_consent')).toBe(true);
      await page.click('#draft');
      await page.waitForSelector('#done:not([hidden])');
      expect(await page.textContent('#done')).toContain('brouillon est enregistré');
      const id = await page.evaluate(async (t) => {
        const mine = await (await fetch('/api/practices/mine')).json();
        return mine.practices.find((p: { title: string }) => p.title === t).id as number;
      }, title);
      const saved = await page.evaluate(async (pid) => (await (await fetch(`/api/practices/${pid}`)).json()) as Record<string, string[]>, id);
      expect([saved.disciplines, saved.levels, saved.tools]).toEqual([['Mathématiques'], ['6e'], ['Outil maison']]);

      // Editing it shows them as tags; a value the server refuses is shown next to its picker.
      await page.goto(`${h.server.base}/contribuer.html?id=${id}`);
      await page.waitForFunction(() => document.body.dataset.ready === '1');
      expect(await tags('tools')).toEqual(['Outil maison']);
      await page.focus('#tools');
      await page.keyboard.type('x'.repeat(101));
      await page.keyboard.press('Enter');
      await page.click('#draft');
      await page.waitForSelector('#tools-error');
      expect(await page.textContent('#tools-error')).toContain('100 caractères');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('tools');
      await teacher.close();
    });
  }

  it('goes from the keyboard-only form to the public map', async () => {
    const teacher = await newPage();
    const page = teacher.page;
    await signIn(page, CONTRIBUTOR, '/contribuer.html');
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    // A first draft by the same teacher, so that the form finds a likely duplicate.
    await createPractice(page, { title: 'Imprimer des pièces de robot en 3D', summary: 'Premier essai', disciplines: ['Technologie'], levels: ['5e'], tools: ['Tinkercad'], school_year: '2025-2026' });
    expect(await axe(page)).toEqual([]);

    // Keyboard only: the empty form first shows what is missing, next to each field.
    await page.focus('#title');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#title-error');
    expect(await page.textContent('#uai-error')).toContain('établissement');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('title');

    const title = 'Pièces de robot imprimées en 3D au collège';
    await page.keyboard.type(title);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Les élèves de 5e conçoivent et impriment les pièces de leur robot.');
    await page.keyboard.press('Tab'); // description
    await page.keyboard.press('Tab');
    await page.keyboard.type('0060842H');
    // Each picker: the value typed in full, Entrée adds it; Tab then passes its tag on the way out.
    await page.keyboard.press('Tab');
    await page.keyboard.type('Technologie');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab'); // "Retirer Technologie"
    await page.keyboard.press('Tab');
    await page.keyboard.type('5e');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab'); // "Retirer 5e"
    await page.keyboard.press('Tab');
    await page.keyboard.type('Tinkercad');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Imprimante 3D'); // not in the académie's list: a tool may be new
    await page.keyboard.press('Enter');
    expect(await page.$$eval('#tools-tags button', (bs) => bs.map((b) => b.textContent))).toEqual(['Tinkercad', 'Imprimante 3D']);
    await page.keyboard.press('Tab'); // "Retirer Tinkercad"
    await page.keyboard.press('Tab'); // "Retirer Imprimante 3D"
    await page.keyboard.press('Tab'); // themes
    await page.keyboard.press('Tab'); // school year
    await page.keyboard.press('Tab'); // innovathèque
    await page.keyboard.press('Tab'); // "Position précise" (closed)
    await page.keyboard.press('Tab'); // consent
    await page.keyboard.press('Space');
    expect(await page.isChecked('#contact_consent')).toBe(true);
    await page.keyboard.press('Tab'); // "Soumettre"
    await page.keyboard.press('Enter');

    await page.waitForSelector('#duplicates:not([hidden])');
    expect(await page.textContent('#duplicates')).toContain('Imprimer des pièces de robot en 3D');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('duplicates');
    let onButton = false;
    for (let i = 0; i < 5 && !onButton; i++) {
      await page.keyboard.press('Tab');
      onButton = await page.evaluate(() => document.activeElement?.id === 'submit-anyway');
    }
    expect(onButton).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#done:not([hidden])');
    expect(await page.textContent('#done')).toContain('soumise');
    const id = await page.evaluate(async (t) => {
      const mine = await (await fetch('/api/practices/mine')).json();
      return mine.practices.find((p: { title: string }) => p.title === t).id as number;
    }, title);
    await page.goto(`${h.server.base}/mes-remontees.html`);
    await page.waitForSelector('#mine:not([hidden])');
    expect(await page.textContent('#mine')).toContain('En attente de modération');
    expect(await axe(page)).toEqual([]);
    await teacher.close();

    // The moderator publishes it from the inbox.
    const cardie = await newPage();
    await signIn(cardie.page, MODERATOR, '/moderation.html');
    await cardie.page.waitForSelector(`#pick-${id}`, { state: 'attached' });
    // The moderator reads what will be published before deciding: summary, description, fields, place.
    const row = cardie.page.locator('#inbox tbody tr', { has: cardie.page.locator(`#pick-${id}`) });
    await row.locator('summary', { hasText: 'Relire' }).click();
    const card = row.locator('.repere-review__card');
    expect(await card.textContent()).toContain('Les élèves de 5e conçoivent et impriment les pièces de leur robot.');
    expect(await card.textContent()).toContain('Tinkercad, Imprimante 3D');
    expect(await card.textContent()).toContain('Technologie');
    expect(await card.locator('a', { hasText: "voir l'endroit sur la carte" }).getAttribute('href')).toMatch(/^\/\?carte=15\.00\//);
    expect(await axe(cardie.page)).toEqual([]);
    await cardie.page.focus(`#pick-${id}`);
    await cardie.page.keyboard.press('Space');
    expect(await cardie.page.isChecked(`#pick-${id}`)).toBe(true);
    await cardie.page.click('#publish');
    await cardie.page.waitForFunction(() => document.querySelector('#status')?.textContent?.includes('publiée'));
    await cardie.close();

    // Anyone now finds it on the map.
    const anon = await openPage(h.browser, h.server.base, `/?q=${encodeURIComponent('imprimées collège')}`, h.errors);
    await anon.page.waitForFunction((t) => [...document.querySelectorAll('.repere-item__title')].some((e) => e.textContent === t), title);
    await anon.page.goto(`${h.server.base}/?fiche=${id}`);
    await anon.page.waitForFunction(() => !document.querySelector<HTMLElement>('#fiche')!.hidden);
    expect(await anon.page.textContent('#fiche-titre')).toBe(title);
    expect(await anon.page.content()).not.toContain(CONTRIBUTOR);
    expect(await anon.page.textContent('#fiche')).toContain("Contacter l'auteur");
    await anon.ctx.close();
  });
});
