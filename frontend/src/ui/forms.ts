// DSFR form helpers: a message next to the field at fault (from the client's checks or the server's
// problem+json), and a summary at the top for screen-reader users.
import { ApiError } from '../api/client';
import { sentence } from './text';

/** The first input named `field` and the group its message goes in: the fieldset around a set of boxes
 * that share the name (« choisissez au moins une discipline » is about them all, not the first). */
function fieldOf(form: HTMLFormElement, field: string): { input?: HTMLElement; group?: Element } {
  const inputs = form.querySelectorAll<HTMLElement>(`[name="${CSS.escape(field)}"]`);
  const input = inputs[0];
  const set = inputs.length > 1 ? input?.closest('.fr-fieldset') : null;
  return { input, group: set ?? input?.closest('.fr-input-group, .fr-select-group, .fr-checkbox-group, .fr-fieldset') ?? undefined };
}

const ERROR_CLASSES = ['fr-input-group--error', 'fr-select-group--error', 'fr-fieldset--error'];

/** Shows `message` under the group of the input whose `name` is `field`; returns false if absent. */
export function fieldError(form: HTMLFormElement, field: string, message: string): boolean {
  const { input, group } = fieldOf(form, field);
  if (!input || !group) return false;
  group.classList.add(group.classList.contains('fr-select-group') ? 'fr-select-group--error' : group.classList.contains('fr-fieldset') ? 'fr-fieldset--error' : 'fr-input-group--error');
  const p = document.createElement('p');
  p.className = 'fr-error-text';
  p.id = `${input.id || field}-error`;
  p.textContent = sentence(message);
  group.append(p);
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', p.id);
  return true;
}

/** Removes the message of the field whose `name` is `field`, if any. */
export function clearFieldError(form: HTMLFormElement, field: string): void {
  const { input, group } = fieldOf(form, field);
  if (!input || !group) return;
  group.querySelector(`#${CSS.escape(`${input.id || field}-error`)}`)?.remove();
  group.classList.remove(...ERROR_CLASSES);
  input.removeAttribute('aria-invalid');
  input.removeAttribute('aria-describedby');
}

export function clearErrors(form: HTMLFormElement): void {
  form.querySelectorAll('.fr-error-text').forEach((e) => e.remove());
  form.querySelectorAll(ERROR_CLASSES.map((c) => `.${c}`).join(', ')).forEach((g) => g.classList.remove(...ERROR_CLASSES));
  form.querySelectorAll('[aria-invalid]').forEach((i) => {
    i.removeAttribute('aria-invalid');
    i.removeAttribute('aria-describedby');
  });
}

/** Shows an API error next to its field when the server named one, else in `alert`; focuses it. */
export function showApiError(form: HTMLFormElement, alert: HTMLElement, e: unknown): void {
  const err = e instanceof ApiError ? e : undefined;
  const field = err?.param;
  const reason = err?.problem.invalid_params?.[0]?.reason ?? err?.message ?? 'Une erreur inattendue est survenue.';
  if (field && fieldError(form, field, reason)) {
    form.querySelector<HTMLElement>(`[name="${CSS.escape(field)}"]`)?.focus();
    alert.hidden = true;
    return;
  }
  alert.textContent = err ? `${err.problem.title} : ${sentence(err.message)}` : reason;
  alert.hidden = false;
  alert.focus();
}

/** A DSFR checkbox and its label (`label` may hold elements, e.g. a screen-reader-only detail). */
export function checkbox(id: string, name: string, value: string, label: string | (string | Node)[], small = false): { group: HTMLDivElement; input: HTMLInputElement } {
  const group = document.createElement('div');
  group.className = small ? 'fr-checkbox-group fr-checkbox-group--sm' : 'fr-checkbox-group';
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.id = id;
  input.name = name;
  input.value = value;
  const l = document.createElement('label');
  l.className = 'fr-label';
  l.htmlFor = id;
  if (typeof label === 'string') l.textContent = label;
  else l.append(...label);
  group.append(input, l);
  return { group, input };
}
