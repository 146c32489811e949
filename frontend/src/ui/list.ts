// The list panel: the accessible alternative to the map. Every practice of the filtered set that is in
// the current view (or, around a point, ranked by distance) is a button that opens its fiche.
import type { Feature, PracticeProps } from '../api/client';
import { distanceLabel } from './filters';

export function renderList(
  container: HTMLElement,
  features: Feature<'Practice'>[],
  onOpen: (id: number) => void,
): void {
  container.replaceChildren(
    ...features.map((f) => {
      const p = f.properties;
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'repere-item';
      button.dataset.id = String(p.id);
      const title = document.createElement('span');
      title.className = 'repere-item__title';
      title.textContent = p.title;
      const meta = document.createElement('span');
      meta.className = 'repere-item__meta';
      const parts = [p.establishment_name, p.commune_name, p.school_year];
      if (p.distance_m !== undefined) parts.unshift(`à ${distanceLabel(p.distance_m)}`);
      meta.textContent = parts.filter(Boolean).join(' · ');
      button.append(title, meta);
      button.addEventListener('click', () => onOpen(p.id));
      li.append(button);
      return li;
    }),
  );
}
