// The map's own marks, as HTML markers (readable by screen readers): the chosen "autour de" point and
// the practice shown from a fiche. Each kind is drawn once at most: placing it again moves it.
import { Marker, type Map as MlMap } from 'maplibre-gl';

export class Mark {
  private marker: Marker | undefined;

  constructor(
    private readonly map: MlMap,
    private readonly className: string,
    private readonly anchor: 'center' | 'bottom' = 'center',
  ) {}

  /** Draws the mark at `at` with `label` for screen readers, or removes it (`at` undefined). */
  place(at: [number, number] | undefined, label = ''): void {
    this.marker?.remove();
    this.marker = undefined;
    if (!at) return;
    const el = document.createElement('div');
    el.className = this.className;
    el.setAttribute('role', 'img');
    el.setAttribute('aria-label', label);
    this.marker = new Marker({ element: el, anchor: this.anchor }).setLngLat(at).addTo(this.map);
  }
}
