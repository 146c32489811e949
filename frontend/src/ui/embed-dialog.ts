// The "Intégrer cette carte" dialog: the <iframe> code of the current view, to copy into another
// site's page (loaded when first asked for).

const TITLE = 'Carte Repère : usages numériques innovants, académie de Nice';

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
