// The boxes of the map's popups: a bold title, then small-print facts.

/** A popup's box, its title already in it. */
export function popupBox(title: string): HTMLDivElement {
  const div = document.createElement('div');
  div.className = 'repere-popup';
  const p = document.createElement('p');
  p.className = 'fr-text--bold fr-mb-1v';
  p.textContent = title;
  div.append(p);
  return div;
}

/** A line of facts in small print; `last`: nothing follows it, so no margin under it. */
export function popupFacts(text: string, last = false): HTMLParagraphElement {
  const p = document.createElement('p');
  p.className = `fr-text--sm ${last ? 'fr-mb-0' : 'fr-mb-1v'}`;
  p.textContent = text;
  return p;
}
