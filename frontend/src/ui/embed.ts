// The embeddable map (`/embed`: map and list, no header, filters and view from the URL, a link to open
// Repère) and the "Intégrer cette carte" dialog that gives the <iframe> code for the current view.

/** True on `/embed`. */
export const EMBEDDED = /^\/embed\/?$/.test(window.location.pathname);

const TITLE = 'Carte Repère : usages numériques innovants, académie de Nice';

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
}

/** Keeps "Ouvrir dans Repère" on the same filters and view. */
export function updateEmbedLink(search: string): void {
  const a = document.getElementById('embed-open') as HTMLAnchorElement | null;
  if (a) a.href = `/${search ? `?${search}` : ''}`;
}

/** The <iframe> code for `search` (the permalink's query). */
export function iframeCode(search: string): string {
  const src = `${window.location.origin}/embed${search ? `?${search}` : ''}`;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return `<iframe src="${esc(src)}" title="${TITLE}" width="100%" height="600" style="border:0" loading="lazy"></iframe>`;
}

/** Wires the "Intégrer cette carte" button to a dialog giving the code of the current view. */
export function setupEmbedDialog(button: HTMLButtonElement, search: () => string): void {
  const dialog = document.createElement('dialog');
  dialog.className = 'repere-dialog';
  dialog.id = 'embed-dialog';
  dialog.setAttribute('aria-labelledby', 'embed-title');
  dialog.innerHTML = `<h2 id="embed-title" class="fr-h5">Intégrer cette carte</h2>
    <p class="fr-text--sm">Copiez ce code dans une page de votre site : la carte s'y affiche avec les filtres et la vue actuels, et un lien « Ouvrir dans Repère ».</p>
    <div class="fr-input-group"><label class="fr-label" for="embed-code">Code à intégrer</label>
    <textarea class="fr-input" id="embed-code" rows="5" readonly></textarea></div>
    <p class="fr-hint-text">Seuls les sites déclarés par l'académie peuvent afficher la carte : demandez à la DANE d'ajouter le vôtre.</p>
    <p id="embed-status" class="fr-text--sm" role="status"></p>
    <ul class="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm">
      <li><button type="button" class="fr-btn" id="embed-copy">Copier le code</button></li>
      <li><button type="button" class="fr-btn fr-btn--secondary" id="embed-close">Fermer</button></li>
    </ul>`;
  document.body.append(dialog);
  const code = dialog.querySelector<HTMLTextAreaElement>('#embed-code')!;
  const status = dialog.querySelector<HTMLElement>('#embed-status')!;
  button.addEventListener('click', () => {
    code.value = iframeCode(search());
    status.textContent = '';
    dialog.showModal();
    code.focus();
    code.select();
  });
  dialog.querySelector('#embed-copy')!.addEventListener('click', () => {
    code.select();
    const done = () => (status.textContent = 'Code copié : collez-le dans votre page.');
    navigator.clipboard?.writeText(code.value).then(done, () => {
      status.textContent = 'Copie impossible ici : le code est sélectionné, copiez-le avec Ctrl+C.';
    }) ?? (status.textContent = 'Le code est sélectionné : copiez-le avec Ctrl+C.');
  });
  dialog.querySelector('#embed-close')!.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => button.focus());
}
