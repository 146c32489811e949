// The embeddable map (`/embed`: map and list, no header, filters and view from the URL, a link to open
// Repère) and the "Intégrer cette carte" dialog that gives the <iframe> code for the current view.

/** True on `/embed`. */
export const EMBEDDED = /^\/embed\/?$/.test(window.location.pathname);

/** The thin frame of the embedded map: the service's name, "Ouvrir dans Repère" and the notices. */
export function renderEmbedFrame(): void {
  document.body.classList.add('repere-embed');
  const bar = document.createElement('header');
  bar.className = 'repere-embed__bar';
  bar.innerHTML = `<p class="fr-text--sm fr-mb-0"><strong>Repère</strong> — usages numériques innovants, académie de Nice</p>
    <a class="fr-link fr-text--sm" id="embed-open" target="_blank" rel="noopener" href="/">Ouvrir dans Repère<span class="fr-sr-only"> (nouvelle fenêtre)</span></a>
    <p id="basemap-notice" class="fr-notice-demo" role="status" hidden></p>
    <p id="demo-notice" class="fr-notice-demo" hidden>Données de démonstration.</p>`;
  document.body.prepend(bar);
  // The other pages may not be framed: any link to them opens Repère in a new tab.
  document.addEventListener(
    'click',
    (e) => {
      const a = (e.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
      if (a && !a.target && !a.getAttribute('href')!.startsWith('#')) {
        a.target = '_blank';
        a.rel = 'noopener';
      }
    },
    true,
  );
}

/** Keeps "Ouvrir dans Repère" on the same filters and view. */
export function updateEmbedLink(search: string): void {
  const a = document.getElementById('embed-open') as HTMLAnchorElement | null;
  if (a) a.href = `/${search ? `?${search}` : ''}`;
}
