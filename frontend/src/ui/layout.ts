// The page frame shared by every page: skip links, DSFR header with the account menu, notices and
// footer. Pages call `renderFrame` first thing, then fill their <main>.

import { api } from '../api/client';

export interface Frame {
  skiplinks: [string, string][];
  /** The page shows the catalogue's data: say so when they are the demo's. */
  demo?: boolean;
}

export function renderFrame(frame: Frame): void {
  const main = document.querySelector('main');
  if (frame.demo) {
    void api
      .config()
      .then((c) => {
        const notice = document.getElementById('demo-notice');
        if (notice) notice.hidden = !c.demo;
      })
      .catch(() => undefined);
  }
  const skip = document.createElement('div');
  skip.className = 'fr-skiplinks';
  skip.innerHTML = `<nav class="fr-container" role="navigation" aria-label="Accès rapide"><ul class="fr-skiplinks__list"></ul></nav>`;
  const list = skip.querySelector('ul')!;
  for (const [href, label] of frame.skiplinks) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.className = 'fr-link';
    a.href = href;
    a.textContent = label;
    li.append(a);
    list.append(li);
  }
  const header = document.createElement('header');
  header.setAttribute('role', 'banner');
  header.className = 'fr-header';
  header.innerHTML = `
    <div class="fr-header__body">
      <div class="fr-container">
        <div class="fr-header__body-row">
          <div class="fr-header__brand">
            <div class="fr-header__brand-top">
              <div class="fr-header__logo"><p class="fr-logo">Académie<br>de Nice</p></div>
              <div class="fr-header__navbar repere-menu">
                <button type="button" class="fr-btn--menu fr-btn" id="menu-button" aria-controls="account" aria-expanded="false" title="Menu">Menu</button>
              </div>
            </div>
            <div class="fr-header__service">
              <a href="/" title="Accueil — Repère"><p class="fr-header__service-title">Repère</p></a>
              <p class="fr-header__service-tagline">Carte des usages numériques innovants — Alpes-Maritimes et Var</p>
            </div>
          </div>
          <div class="fr-header__tools">
            <nav class="fr-header__tools-links" id="account" aria-label="Compte et contribution"></nav>
          </div>
        </div>
      </div>
    </div>
    <p id="basemap-notice" class="fr-notice-demo" role="status" hidden></p>
    <p id="demo-notice" class="fr-notice-demo" hidden>Données de démonstration : les usages et établissements affichés sont générés.</p>`;
  const footer = document.createElement('footer');
  footer.className = 'fr-footer';
  footer.setAttribute('role', 'contentinfo');
  footer.innerHTML = `
    <div class="fr-container"><div class="fr-footer__body"><div class="fr-footer__content">
      <p class="fr-footer__content-desc">Repère — CARDIE et DANE de l'académie de Nice. Fond de carte : Natural Earth (domaine public). Données : Annuaire de l'éducation (Licence Ouverte 2.0).</p>
      <ul class="fr-footer__content-list"><li class="fr-footer__content-item"><a class="fr-footer__content-link" href="/lettre">La lettre des usages</a></li><li class="fr-footer__content-item"><a class="fr-footer__content-link" href="/abonnement.html">S'abonner à la lettre</a></li><li class="fr-footer__content-item"><a class="fr-footer__content-link" href="/api/docs">API ouverte (OGC API – Features)</a></li></ul>
    </div></div></div>`;
  // On a phone the account links fold into the menu button, so the page keeps the screen.
  const menu = header.querySelector<HTMLButtonElement>('#menu-button')!;
  const toggle = (open: boolean) => {
    menu.setAttribute('aria-expanded', String(open));
    header.classList.toggle('repere-menu-open', open);
  };
  menu.addEventListener('click', () => toggle(menu.getAttribute('aria-expanded') !== 'true'));
  header.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && menu.getAttribute('aria-expanded') === 'true') {
      toggle(false);
      menu.focus();
    }
  });
  document.body.prepend(skip, header);
  showFlash(main);
  scrollableTables(document.body);
  if (main) main.after(footer);
  else document.body.append(footer);
}

/**
 * Tables wider than the screen scroll inside their DSFR wrapper, which the keyboard can reach and
 * screen readers announce (a region named after the table's caption); applied to every table a page
 * adds, now or later.
 */
export function scrollableTables(root: HTMLElement): void {
  const fix = () => {
    for (const wrap of root.querySelectorAll<HTMLElement>('.fr-table')) {
      if (wrap.dataset.scrollable) continue;
      const table = wrap.querySelector('table');
      if (!table) continue;
      wrap.dataset.scrollable = '1';
      wrap.tabIndex = 0;
      wrap.setAttribute('role', 'region');
      wrap.setAttribute('aria-label', table.caption?.textContent?.trim() || 'Tableau');
    }
  };
  fix();
  new MutationObserver(fix).observe(root, { childList: true, subtree: true });
}

const FLASH_KEY = 'repere-flash';

/** A confirmation shown once on the next page (after a sign-in that leaves the page it happened on). */
export function flash(message: string): void {
  try {
    sessionStorage.setItem(FLASH_KEY, message);
  } catch {
    // Storage refused (private mode): the next page simply shows no confirmation.
  }
}

function showFlash(main: HTMLElement | null): void {
  let message: string | null = null;
  try {
    message = sessionStorage.getItem(FLASH_KEY);
    sessionStorage.removeItem(FLASH_KEY);
  } catch {
    return;
  }
  if (!message || !main) return;
  const p = document.createElement('p');
  p.className = 'fr-alert fr-alert--success fr-alert--sm';
  p.setAttribute('role', 'status');
  p.textContent = message;
  const title = main.querySelector('h1');
  if (title) title.after(p);
  else main.prepend(p);
}
