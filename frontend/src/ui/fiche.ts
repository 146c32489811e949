// The fiche panel: every public field of a practice, its establishment, its linked practices and a
// shareable address.
import type { Feature, LinkProps, PracticeProps } from '../api/client';
import { sentence } from './text';

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
};

export interface FicheActions {
  close: () => void;
  show: (id: number) => void;
  /** Sends a message to the author; undefined when nobody is signed in. */
  contact?: (id: number, body: string) => Promise<void>;
  /** Records a link from this practice; undefined when nobody is signed in. */
  link?: (from: number, to: number, kind: string, note: string) => Promise<void>;
  /** Suggestions of practices to link, with their reason. */
  suggestions?: (id: number) => Promise<{ id: number; title: string; reason: string }[]>;
  /** Practices whose text matches, to choose the one to link. */
  search?: (text: string) => Promise<{ id: number; title: string }[]>;
  /** Inside another site's page (`/embed`): no sign-in invitations, links open Repère in a new tab. */
  embedded?: boolean;
}

export const LINK_KINDS: [string, string][] = [
  ['inspired_by', 'inspiré par'],
  ['collaboration', 'collaboration'],
  ['same_tool', 'même outil'],
  ['visit', 'visite'],
  ['training', 'formation'],
  ['same_site', "même Fab' École"],
];

export function renderFiche(
  panel: HTMLElement,
  f: Feature<'Practice'>,
  links: Feature<'Link'>[],
  titles: Map<number, string>,
  actions: FicheActions,
): void {
  const p = f.properties;
  const close = el('button', 'Fermer', 'fr-btn fr-btn--tertiary-no-outline fr-btn--sm repere-fiche__close');
  close.type = 'button';
  close.addEventListener('click', actions.close);
  const h = el('h2', p.title, 'fr-h5');
  h.id = 'fiche-titre';
  const tags = el('ul', undefined, 'fr-tags-group');
  tags.replaceChildren(...[...p.disciplines, ...p.levels, ...p.tools].map((t) => {
    const li = el('li');
    li.append(el('p', t, 'fr-tag fr-tag--sm'));
    return li;
  }));
  const dl = el('dl', undefined, 'repere-fiche__facts');
  const fact = (k: string, v: string) => {
    if (!v) return;
    dl.append(el('dt', k), el('dd', v));
  };
  const school = el('a', `${p.establishment_name} (${p.uai})`, 'fr-link');
  (school as HTMLAnchorElement).href = `/etablissement.html?uai=${encodeURIComponent(p.uai)}`;
  dl.append(el('dt', 'Établissement'), el('dd'));
  dl.lastElementChild!.append(school);
  fact('Commune', `${p.commune_name} (${p.departement})`);
  fact('Année scolaire', p.school_year);
  fact('Disciplines', p.disciplines.join(', '));
  fact('Niveaux', p.levels.join(', '));
  fact('Outils', p.tools.join(', '));
  fact('Thèmes', p.themes.join(', '));
  if (p.published_at) fact('Publié le', new Date(p.published_at).toLocaleDateString('fr-FR', { dateStyle: 'long' }));
  const parts: HTMLElement[] = [close, h, tags, el('p', p.summary, 'fr-text--lead')];
  if (p.description) parts.push(el('p', p.description));
  parts.push(dl);
  if (p.innovatheque_url) {
    const a = el('a', 'Fiche Innovathèque', 'fr-link');
    a.href = p.innovatheque_url;
    a.rel = 'noopener';
    const para = el('p');
    para.append(a);
    parts.push(para);
  }
  const linked = el('section');
  linked.append(el('h3', 'Projets liés', 'fr-h6'));
  if (links.length === 0) {
    linked.append(el('p', 'Aucun projet lié pour le moment.'));
  } else {
    const ul = el('ul', undefined, 'repere-links');
    for (const l of links) {
      const other = l.properties.from_practice === p.id ? l.properties.to_practice : l.properties.from_practice;
      const li = el('li');
      li.append(el('span', `${l.properties.kind_label} : ${titles.get(other) ?? `usage ${other}`} `));
      const b = el('button', 'Voir sur la carte', 'fr-btn fr-btn--tertiary fr-btn--sm');
      b.type = 'button';
      b.addEventListener('click', () => actions.show(other));
      li.append(b);
      ul.append(li);
    }
    linked.append(ul);
  }
  parts.push(linked);
  if (!actions.embedded) {
    parts.push(linkSection(p.id, actions));
    parts.push(contactSection(p.id, actions));
  }
  const share = el('p', undefined, 'repere-fiche__share');
  const a = el('a', 'Lien à partager vers cette fiche', 'fr-link');
  // /usage/{id} carries the link preview (og:image: the static map) and leads back here.
  a.href = `${window.location.origin}/usage/${p.id}`;
  if (actions.embedded) {
    a.textContent = 'Voir cette fiche dans Repère';
    a.target = '_blank';
    a.rel = 'noopener';
  }
  share.append(a);
  parts.push(share);
  panel.replaceChildren(...parts);
  panel.hidden = false;
}

function contactSection(id: number, actions: FicheActions): HTMLElement {
  const section = el('section');
  section.append(el('h3', "Contacter l'auteur", 'fr-h6'));
  if (!actions.contact) {
    const p = el('p');
    const a = el('a', 'Connectez-vous', 'fr-link');
    a.href = `/connexion.html?retour=${encodeURIComponent(`/?fiche=${id}`)}`;
    p.append(a, " pour écrire à l'équipe qui mène ce projet (aucune adresse n'est échangée).");
    section.append(p);
    return section;
  }
  const form = el('form');
  form.noValidate = true;
  const area = el('textarea', undefined, 'fr-input');
  area.name = 'body';
  area.rows = 3;
  area.maxLength = 2000;
  const bodyGroup = group('Votre message (vos coordonnées ne sont pas transmises)', 'contact-body', area);
  const button = el('button', 'Envoyer le message', 'fr-btn fr-btn--sm');
  button.type = 'submit';
  const status = el('p');
  status.setAttribute('role', 'status');
  form.append(bodyGroup, button, status);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = area.value.trim();
    if (!body) {
      status.textContent = 'Écrivez un message avant de l\'envoyer.';
      area.focus();
      return;
    }
    actions.contact!(id, body)
      .then(() => {
        area.value = '';
        status.textContent = "Message envoyé : l'auteur le lira dans son espace.";
      })
      .catch((err: unknown) => {
        status.textContent = err instanceof Error ? `Le message n'a pas pu être envoyé : ${sentence(err.message)}` : "Le message n'a pas pu être envoyé.";
      });
  });
  section.append(form);
  return section;
}

/** A DSFR form group: `label` for `control` (which gets `id`). */
function group(label: string, id: string, control: HTMLElement, cls = 'fr-input-group'): HTMLElement {
  const g = el('div', undefined, cls);
  const l = el('label', label, 'fr-label');
  l.htmlFor = id;
  control.id = id;
  g.append(l, control);
  return g;
}

function linkSection(id: number, actions: FicheActions): HTMLElement {
  const section = el('section');
  section.append(el('h3', 'Lier à un autre projet', 'fr-h6'));
  if (!actions.link) {
    const p = el('p');
    const a = el('a', 'Connectez-vous', 'fr-link');
    a.href = `/connexion.html?retour=${encodeURIComponent(`/?fiche=${id}`)}`;
    p.append(a, ' pour relier ce projet à un autre.');
    section.append(p);
    return section;
  }
  const form = el('form');
  form.noValidate = true;
  form.id = 'link-form';
  const kind = el('select', undefined, 'fr-select');
  kind.name = 'kind';
  kind.append(...LINK_KINDS.map(([v, l]) => new Option(l, v)));
  const kindGroup = group('Type de lien', 'link-kind', kind, 'fr-select-group');
  const target = el('input', undefined, 'fr-input');
  target.name = 'to_practice';
  target.setAttribute('list', 'link-targets');
  target.autocomplete = 'off';
  const options = el('datalist');
  options.id = 'link-targets';
  // The choices are searched as the user types (titles, places, tools), never the whole catalogue.
  let timer: number | undefined;
  target.addEventListener('input', () => {
    window.clearTimeout(timer);
    const text = target.value.trim();
    if (text.length < 2 || /\(n° \d+\)$/.test(text) || !actions.search) return;
    timer = window.setTimeout(() => {
      void actions.search!(text).then(
        (found) => options.replaceChildren(...found.filter((f) => f.id !== id).map((f) => new Option(`${f.title} (n° ${f.id})`))),
        () => undefined,
      );
    }, 250);
  });
  const targetGroup = group('Projet à lier (titre ou numéro)', 'link-target', target);
  targetGroup.append(options);
  const note = el('input', undefined, 'fr-input');
  note.name = 'note';
  const noteGroup = group('Note (facultative ; lue par les seules personnes connectées)', 'link-note', note);
  const submit = el('button', 'Créer le lien', 'fr-btn fr-btn--sm');
  submit.type = 'submit';
  const status = el('p');
  status.id = 'link-status';
  status.setAttribute('role', 'status');
  form.append(kindGroup, targetGroup, noteGroup, submit, status);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const to = Number(target.value.match(/(\d+)\)?\s*$/)?.[1]);
    if (!Number.isInteger(to) || to <= 0) {
      status.textContent = 'Choisissez le projet à lier dans la liste.';
      target.focus();
      return;
    }
    actions.link!(id, to, kind.value, note.value.trim())
      .then(() => {
        status.textContent = 'Lien créé.';
      })
      .catch((err: unknown) => {
        status.textContent = err instanceof Error ? err.message : "Le lien n'a pas pu être créé.";
      });
  });
  section.append(form);
  if (actions.suggestions) {
    const list = el('ul', undefined, 'repere-links');
    list.id = 'suggestions';
    section.append(el('p', 'Suggestions proches :', 'fr-text--sm fr-mb-0'), list);
    actions
      .suggestions(id)
      .then((items) => {
        if (items.length === 0) list.append(el('li', 'Aucune suggestion à proximité.'));
        for (const s of items) {
          const li = el('li');
          const b = el('button', `${s.title} — ${s.reason}`, 'fr-btn fr-btn--tertiary-no-outline fr-btn--sm');
          b.type = 'button';
          b.addEventListener('click', () => {
            target.value = `${s.title} (n° ${s.id})`;
            kind.value = s.reason.startsWith('même outil') ? 'same_tool' : 'inspired_by';
            target.focus();
          });
          li.append(b);
          list.append(li);
        }
      })
      .catch(() => list.append(el('li', 'Suggestions indisponibles.')));
  }
  return section;
}
