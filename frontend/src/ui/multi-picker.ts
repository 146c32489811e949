// A text box that picks several values from a vocabulary (the académie's disciplines, levels, tools): a
// combobox whose list shows the values containing what is typed (accents and case ignored), the chosen
// ones as DSFR dismissible tags under it, Retour arrière in the empty box removing the last one, and a
// live region saying what was added or removed. With `free`, a value outside the vocabulary is allowed
// (the list ends with "Autre : « … »"); otherwise it is refused with a message next to the field.
import { listbox } from './combobox';
import { clearFieldError, fieldError } from './forms';

/** Lower case without accents, for matching what is typed. */
export const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();

/**
 * The values of `vocabulary` not in `chosen` that contain `text` (accents and case ignored): those that
 * start with it first, then those with a word that does, then the rest, each in vocabulary order.
 */
export function suggest(vocabulary: string[], text: string, chosen: string[]): string[] {
  const t = fold(text);
  const taken = new Set(chosen.map(fold));
  const rank = (v: string) => {
    const f = fold(v);
    return f.startsWith(t) ? 0 : f.split(/[\s'’-]+/).some((w) => w.startsWith(t)) ? 1 : f.includes(t) ? 2 : 3;
  };
  return vocabulary
    .filter((v) => !taken.has(fold(v)))
    .map((v) => [v, rank(v)] as const)
    .filter(([, r]) => r < 3)
    .sort((a, b) => a[1] - b[1])
    .map(([v]) => v);
}

export interface PickerOptions {
  /** The name of the chosen values' list, e.g. "Disciplines choisies". */
  label: string;
  /** Whether a value outside the vocabulary is allowed. */
  free?: boolean;
  /** What to say when a value outside the vocabulary is typed and it is not allowed. */
  unknown: string;
}

export interface Picker {
  /** The chosen values, in the order they were added. */
  values(): string[];
  /** Replaces the chosen values (an edited report's, kept even if outside the vocabulary). */
  set(values: string[]): void;
  /** Replaces the vocabulary offered. */
  vocabulary(values: string[]): void;
  /** Adds what is still typed in the box; returns why it cannot be added, or null. */
  flush(): string | null;
}

/**
 * Turns `input` (inside a form's `.fr-input-group`, with a `name` for the form's error messages) into a
 * picker. Adds after it the listbox `${id}-list`, the live region `${id}-status` and the tags `${id}-tags`.
 */
export function setupPicker(input: HTMLInputElement, options: PickerOptions): Picker {
  const form = input.form!;
  const make = <K extends keyof HTMLElementTagNameMap>(tag: K, suffix: string, className: string) => {
    const e = document.createElement(tag);
    e.id = `${input.id}-${suffix}`;
    e.className = className;
    return e;
  };
  const list = make('ul', 'list', 'repere-goto__list');
  list.setAttribute('aria-label', 'Propositions');
  list.hidden = true;
  const status = make('p', 'status', 'fr-sr-only');
  status.setAttribute('role', 'status');
  const tags = make('ul', 'tags', 'fr-tags-group repere-picker__tags');
  tags.setAttribute('aria-label', options.label);
  tags.hidden = true;
  input.after(list, status, tags);
  input.parentElement?.classList.add('repere-picker');

  let vocab: string[] = [];
  let chosen: string[] = [];
  let shown: string[] = [];
  const same = (a: string) => (b: string) => fold(a) === fold(b);
  const say = (message: string) => (status.textContent = message);

  const render = () => {
    tags.replaceChildren(
      ...chosen.map((v, i) => {
        const li = document.createElement('li');
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'fr-tag fr-tag--dismiss';
        b.textContent = v;
        b.setAttribute('aria-label', `Retirer ${v}`);
        b.addEventListener('click', () => remove(i, true));
        li.append(b);
        return li;
      }),
    );
    tags.hidden = chosen.length === 0;
  };
  const add = (typed: string) => {
    const value = vocab.find(same(typed)) ?? typed.trim();
    input.value = '';
    box.show([]);
    clearFieldError(form, input.name);
    if (chosen.some(same(value))) {
      say(`${value} est déjà choisi`);
      return;
    }
    chosen.push(value);
    render();
    say(`${value} ajouté`);
  };
  const remove = (i: number, fromTag: boolean) => {
    const [value] = chosen.splice(i, 1);
    render();
    say(`${value} retiré`);
    // The focus goes to the next tag (the previous one for the last), or back to the box.
    if (fromTag) (tags.querySelectorAll('button')[Math.min(i, chosen.length - 1)] ?? input).focus();
  };
  // The option after the vocabulary's, when free text is allowed: the text as typed.
  const other = () => {
    const text = input.value.trim();
    return options.free && text && !vocab.some(same(text)) && !chosen.some(same(text)) ? text : undefined;
  };
  const pick = (i: number) => {
    const value = shown[i] ?? other();
    if (value) add(value);
  };
  const box = listbox(input, list, pick);
  const suggestions = () => {
    const text = input.value.trim();
    shown = suggest(vocab, text, chosen);
    const free = other();
    box.show([...shown.map((v) => [v]), ...(free ? [[`Autre : « ${free} »`]] : [])]);
    const n = shown.length + (free ? 1 : 0);
    say(n > 0 ? `${n} proposition${n > 1 ? 's' : ''} : flèches pour choisir, Entrée pour ajouter.` : `Aucune proposition ne correspond à « ${text} ».`);
  };
  // What Entrée does with no option active: the value typed if it is allowed, or the only proposition.
  const flush = () => {
    const text = input.value.trim();
    if (!text) return null;
    const only = suggest(vocab, text, chosen);
    const value = vocab.find(same(text)) ?? chosen.find(same(text)) ?? (options.free ? text : only.length === 1 ? only[0] : undefined);
    if (!value) return options.unknown;
    add(value);
    return null;
  };

  input.addEventListener('input', () => (input.value.trim() ? suggestions() : box.show([])));
  input.addEventListener('keydown', (e) => {
    // Down on a closed list opens it with what matches the box (the whole vocabulary when it is empty).
    if (e.key === 'ArrowDown' && !box.isOpen()) suggestions();
    if (box.navigate(e)) return;
    if (e.key === 'Enter' || e.key === ',') {
      // Nothing typed nor chosen in the list: Entrée submits the form, as in any other box.
      if (e.key === 'Enter' && !input.value.trim() && box.active() < 0) return;
      e.preventDefault();
      if (box.active() >= 0) return pick(box.active());
      const refused = flush();
      clearFieldError(form, input.name);
      if (refused) fieldError(form, input.name, refused);
    } else if (e.key === 'Backspace' && input.value === '' && chosen.length > 0) {
      remove(chosen.length - 1, false);
    }
  });

  return {
    values: () => [...chosen],
    set: (values) => {
      chosen = values.filter((v, i) => v.trim() && values.findIndex(same(v)) === i);
      render();
    },
    vocabulary: (values) => {
      vocab = values;
    },
    flush,
  };
}
