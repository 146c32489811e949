// A search box over Repère's own places (communes by name or INSEE code, establishments by name,
// commune or UAI, words in any order, a typo allowed; /api/places), keyboard-usable as a combobox with
// its listbox (arrows to move, Entrée to choose, Échap to close), that hands the chosen place to the
// page: the map's "Aller à…", the reporting form's establishment.
import { type Answer, getJson } from '../api/client';
import { listbox } from './combobox';

/** A commune or an establishment found by « Aller à… », as /api/places answers. */
export type Place = Answer<'/api/places'>['places'][number];

export interface GotoOptions {
  /** Only this kind of place. */
  kind?: Place['kind'];
  /** The text the box shows once a place is chosen (default: its name). */
  text?: (p: Place) => string;
  /** What the status line says once a place is chosen. */
  chosen?: (p: Place) => string;
}

export function setupGoto(input: HTMLInputElement, list: HTMLUListElement, status: HTMLElement, choose: (p: Place) => void, options: GotoOptions = {}): void {
  let places: Place[] = [];
  let timer: number | undefined;
  let request = 0;

  const pick = (i: number) => {
    const p = places[i];
    if (!p) return;
    input.value = options.text ? options.text(p) : p.label;
    box.close();
    status.textContent = options.chosen ? options.chosen(p) : p.kind === 'commune' ? `Carte centrée sur ${p.label}.` : `Carte centrée sur ${p.label} (${p.detail}).`;
    choose(p);
  };
  const box = listbox(input, list, pick);
  const render = (text: string) => {
    box.show(
      places.map((p) => {
        const label = document.createElement('span');
        label.className = 'repere-goto__label';
        label.textContent = p.label;
        const detail = document.createElement('span');
        detail.className = 'repere-goto__detail';
        detail.textContent = `${p.kind === 'commune' ? 'Commune' : 'Établissement'} · ${p.detail}`;
        return [label, detail];
      }),
    );
    status.textContent = places.length > 0
      ? `${places.length} lieu${places.length > 1 ? 'x' : ''} trouvé${places.length > 1 ? 's' : ''} : flèches pour choisir, Entrée pour y aller.`
      : options.kind === 'establishment'
        ? `Aucun établissement ne correspond à « ${text} ».`
        : `Aucune commune ni aucun établissement ne correspond à « ${text} ».`;
  };
  const search = async () => {
    const text = input.value.trim();
    if (text.length < 2) {
      places = [];
      box.show([]);
      status.textContent = '';
      return;
    }
    const mine = ++request;
    try {
      const found = await getJson<{ places: Place[] }>(`/api/places?${new URLSearchParams({ q: text, limit: '8', ...(options.kind ? { kind: options.kind } : {}) })}`);
      if (mine !== request) return;
      places = found.places;
      render(text);
    } catch {
      if (mine === request) status.textContent = 'La recherche de lieux est indisponible pour le moment.';
    }
  };
  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void search(), 200);
  });
  input.addEventListener('keydown', (e) => {
    if (box.navigate(e)) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      if (box.isOpen()) pick(Math.max(box.active(), 0));
    }
  });
}
