// The listbox half of an ARIA 1.2 combobox (a text input that controls a list of options): the options
// with their ids, which one is active (aria-activedescendant, the focus stays in the input), arrows to
// move, Échap to close, a click that does not take the focus away. Shared by "Aller à…" (ui/goto.ts)
// and the multi-value pickers (ui/multi-picker.ts); each decides what typing shows and what Entrée does.

export interface Listbox {
  /** Replaces the options (each given as its content) and opens the list when there are some; none active. */
  show(options: (string | Node)[][]): void;
  close(): void;
  isOpen(): boolean;
  /** The index of the active option, -1 if none. */
  active(): number;
  /** Handles ArrowDown (reopening the list as last shown), ArrowUp and Escape; true if it did. */
  navigate(e: KeyboardEvent): boolean;
}

/**
 * Makes `input` a combobox over `list`: sets the ARIA attributes on both, and calls `pick` with the index
 * of the option clicked. The option ids are `${list.id}-opt-${i}`.
 */
export function listbox(input: HTMLInputElement, list: HTMLUListElement, pick: (i: number) => void): Listbox {
  const prefix = `${list.id}-opt`;
  let count = 0;
  let current = -1;
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);
  input.autocomplete = 'off';
  list.setAttribute('role', 'listbox');
  list.classList.add('repere-goto__list');

  const expand = (open: boolean) => {
    list.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
  };
  const mark = (i: number) => {
    current = i;
    [...list.children].forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    if (i >= 0) {
      input.setAttribute('aria-activedescendant', `${prefix}-${i}`);
      list.children[i]?.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  };
  const close = () => {
    expand(false);
    mark(-1);
  };
  const show = (options: (string | Node)[][]) => {
    list.replaceChildren(
      ...options.map((content, i) => {
        const li = document.createElement('li');
        li.id = `${prefix}-${i}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.className = 'repere-goto__option';
        li.append(...content);
        // mousedown, not click: the input keeps the focus.
        li.addEventListener('mousedown', (e) => {
          e.preventDefault();
          pick(i);
        });
        return li;
      }),
    );
    count = options.length;
    expand(count > 0);
    mark(-1);
  };
  const navigate = (e: KeyboardEvent) => {
    if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && count > 0) {
      e.preventDefault();
      if (list.hidden) expand(true);
      mark(e.key === 'ArrowDown' ? (current + 1) % count : current <= 0 ? count - 1 : current - 1);
      return true;
    }
    if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault();
      close();
      return true;
    }
    return false;
  };
  // Closed a moment after the focus leaves (a click on an option comes first), unless it came back.
  let leaving: number | undefined;
  input.addEventListener('blur', () => (leaving = window.setTimeout(close, 100)));
  input.addEventListener('focus', () => window.clearTimeout(leaving));
  return { show, close, isOpen: () => !list.hidden, active: () => current, navigate };
}
