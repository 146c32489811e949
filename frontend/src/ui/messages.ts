// Messages received through Repère ("contacter l'auteur" and the replies), each with a form to answer
// it: the answer goes to its sender, and neither side ever sees the other's address.
import { send } from '../api/account';
import { type Answer, getJson } from '../api/client';
import { clearErrors, fieldError, showApiError } from './forms';

/** A message received, as /api/messages lists it. */
export type Message = Answer<'/api/messages'>['messages'][number];

/** The sender's name inside a sentence ("Un collègue" becomes "un collègue"). */
const inSentence = (name: string) => (name === 'Un collègue' ? 'un collègue' : name);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}): HTMLElementTagNameMap[K] {
  return Object.assign(document.createElement(tag), props);
}

function replyForm(m: Message, sent: (body: string) => void): HTMLFormElement {
  const form = el('form', { className: 'fr-mt-2w', noValidate: true });
  form.dataset.reply = String(m.id);
  const group = el('div', { className: 'fr-input-group' });
  const id = `reply-${m.id}`;
  const label = el('label', { className: 'fr-label', htmlFor: id, textContent: `Votre réponse à ${inSentence(m.sender_name)}` });
  const area = el('textarea', { className: 'fr-input', id, name: 'body', rows: 4, maxLength: 2000, required: true });
  group.append(label, area);
  const alert = el('p', { className: 'fr-alert fr-alert--error fr-alert--sm', hidden: true, tabIndex: -1 });
  alert.setAttribute('role', 'alert');
  const buttons = el('ul', { className: 'fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm' });
  const ok = el('button', { className: 'fr-btn', type: 'submit', textContent: 'Envoyer la réponse' });
  const cancel = el('button', { className: 'fr-btn fr-btn--secondary', type: 'button', textContent: 'Annuler' });
  buttons.append(el('li'), el('li'));
  buttons.children[0]!.append(ok);
  buttons.children[1]!.append(cancel);
  form.append(group, alert, buttons);
  cancel.addEventListener('click', () => {
    const opener = form.previousElementSibling as HTMLButtonElement | null;
    form.remove();
    if (opener) {
      opener.hidden = false;
      opener.setAttribute('aria-expanded', 'false');
      opener.focus();
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors(form);
    alert.hidden = true;
    const body = area.value.trim();
    if (!body) {
      fieldError(form, 'body', 'Écrivez votre réponse avant de l\'envoyer.');
      area.focus();
      return;
    }
    ok.disabled = true;
    send('POST', `/api/messages/${m.id}/reply`, { body })
      .then(() => sent(body))
      .catch((err: unknown) => showApiError(form, alert, err))
      .finally(() => { ok.disabled = false; });
  });
  return form;
}

function card(m: Message): HTMLElement {
  const box = el('div', { className: 'fr-callout fr-mb-2w' });
  box.dataset.message = String(m.id);
  const title = el('p', { className: 'fr-callout__title fr-text--md' });
  const about = `à propos de « ${m.practice_title ?? 'un usage retiré'} »`;
  const when = new Date(m.created_at).toLocaleDateString('fr-FR');
  title.textContent = m.reply_to ? `${m.sender_name} vous répond — ${about}, le ${when}` : `${m.sender_name} — ${about}, le ${when}`;
  const body = el('p', { className: 'fr-callout__text fr-text--sm', textContent: m.body });
  body.style.whiteSpace = 'pre-line';
  const parts: HTMLElement[] = [title];
  if (m.in_reply_to) {
    const quote = el('p', { className: 'fr-text--sm fr-mb-1w repere-quote', textContent: `En réponse à votre message : « ${m.in_reply_to} »` });
    parts.push(quote);
  }
  parts.push(body);
  const status = el('p', { className: 'fr-text--sm fr-mb-0' });
  status.setAttribute('role', 'status');
  const answer = el('button', { className: 'fr-btn fr-btn--sm fr-btn--tertiary', type: 'button', textContent: m.answered ? 'Répondre à nouveau' : 'Répondre' });
  answer.setAttribute('aria-expanded', 'false');
  if (m.answered) status.textContent = 'Vous avez répondu à ce message.';
  answer.addEventListener('click', () => {
    answer.hidden = true;
    answer.setAttribute('aria-expanded', 'true');
    const form = replyForm(m, (sentText) => {
      form.remove();
      answer.hidden = false;
      answer.textContent = 'Répondre à nouveau';
      answer.setAttribute('aria-expanded', 'false');
      status.textContent = `Réponse envoyée à ${inSentence(m.sender_name)} : « ${sentText} »`;
      answer.focus();
    });
    answer.after(form);
    form.querySelector('textarea')!.focus();
  });
  box.append(...parts, status, answer);
  return box;
}

/** Fills `box` with the user's messages, newest first. */
export async function renderMessages(box: HTMLElement): Promise<void> {
  const { messages } = await getJson<{ messages: Message[] }>('/api/messages');
  box.replaceChildren(...(messages.length === 0 ? [el('p', { textContent: 'Aucun message pour le moment.' })] : messages.map(card)));
}
