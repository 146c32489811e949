// A search box over Repère's own places (communes by name or INSEE code, establishments by name,
// commune or UAI, words in any order, a typo allowed; /api/places), keyboard-usable as a combobox with
// its listbox (arrows to move, Entrée to choose, Échap to close), that hands the chosen place to the
// page: the map's "Aller à…", the reporting form's establishment.
import { getJson } from '../api/client';

export interface Place {
  kind: 'commune' | 'establishment';
  label: string;
  detail: string;
  code?: string;
  uai?: string;
  center: [number, number];
  bbox?: [number, number, number, number];
}

export interface GotoOptions {
  /** Only this kind of place. */
  kind?: Place['kind'];
  /** The text the box shows once a place is chosen (default: its name). */
  text?: (p: Place) => string;
  /** What the status line says once a place is chosen. */
  chosen?: (p: Place) => string;
}

export function setupGoto(input: HTMLInputElement, list: HTMLUListElement, status: HTMLElement, choose: (p: Place) => void, options: GotoOptions = {}): void {
  const prefix = `${list.id}-opt`;
  let places: Place[] = [];
  let active = -1;
  let timer: number | undefined;
  let request = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const mark = (i: number) => {
    active = i;
    [...list.children].forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    if (i >= 0) {
      input.setAttribute('aria-activedescendant', `${prefix}-${i}`);
      list.children[i]?.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  };
  const pick = (i: number) => {
    const p = places[i];
    if (!p) return;
    input.value = options.text ? options.text(p) : p.label;
    close();
    status.textContent = options.chosen ? options.chosen(p) : p.kind === 'commune' ? `Carte centrée sur ${p.label}.` : `Carte centrée sur ${p.label} (${p.detail}).`;
    choose(p);
  };
  const render = (text: string) => {
    list.replaceChildren(
      ...places.map((p, i) => {
        const li = document.createElement('li');
        li.id = `${prefix}-${i}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.className = 'repere-goto__option';
        const label = document.createElement('span');
        label.className = 'repere-goto__label';
        label.textContent = p.label;
        const detail = document.createElement('span');
        detail.className = 'repere-goto__detail';
        detail.textContent = `${p.kind === 'commune' ? 'Commune' : 'Établissement'} · ${p.detail}`;
        li.append(label, detail);
        // mousedown, not click: the input keeps the focus.
        li.addEventListener('mousedown', (e) => {
          e.preventDefault();
          pick(i);
        });
        return li;
      }),
    );
    const open = places.length > 0;
    list.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
    active = -1;
    status.textContent = open
      ? `${places.length} lieu${places.length > 1 ? 'x' : ''} trouvé${places.length > 1 ? 's' : ''} : flèches pour choisir, Entrée pour y aller.`
      : options.kind === 'establishment'
        ? `Aucun établissement ne correspond à « ${text} ».`
        : `Aucune commune ni aucun établissement ne correspond à « ${text} ».`;
  };
  const search = async () => {
    const text = input.value.trim();
    if (text.length < 2) {
      places = [];
      close();
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
    if (e.key === 'ArrowDown' && places.length) {
      e.preventDefault();
      if (list.hidden) {
        list.hidden = false;
        input.setAttribute('aria-expanded', 'true');
      }
      mark((active + 1) % places.length);
    } else if (e.key === 'ArrowUp' && places.length) {
      e.preventDefault();
      mark(active <= 0 ? places.length - 1 : active - 1);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (!list.hidden) pick(active >= 0 ? active : 0);
    } else if (e.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => window.setTimeout(close, 100));
}
