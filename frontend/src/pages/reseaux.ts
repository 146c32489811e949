// "Réseaux": the implicit networks as an accessible table, and the selected one as a graph (cytoscape)
// whose nodes open their fiche on the map.
import '../dsfr.css';
import '../style.css';
import cytoscape from 'cytoscape';
import { renderAccountMenu } from '../api/account';
import { type Answer, ApiError, getJson } from '../api/client';
import { LINK_COLOURS } from '../map/overlays';
import { renderFrame } from '../ui/layout';
import { countVisit } from '../ui/visit';
import { plural } from '../ui/text';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu']], demo: true });
countVisit('reseaux');
void renderAccountMenu();

type Network = Answer<'/api/networks'>['features'][number];
type Neighbourhood = Answer<'/api/practices/{id}/neighbourhood'>;

const status = document.getElementById('status')!;
const alert = document.getElementById('alert')!;
const table = document.getElementById('networks') as HTMLTableElement;
const graph = document.getElementById('graph')!;
const desc = document.getElementById('graph-desc')!;
const date = (s: string | null) => (s ? new Date(s).toLocaleDateString('fr-FR') : '—');
const colour = new Map(LINK_COLOURS.map(([k, , c]) => [k, c]));

/** What the graph draws, said against the network's size: the walk stops 6 links away from the project. */
function drawn(n: Network, nodes: number, links: number): string {
  const all = n.properties.size;
  const whole = nodes >= all;
  const pivots = n.properties.pivots.length;
  return whole
    ? `Le graphe montre tout le réseau n° ${n.id} : ${nodes} projets et ${links} liens, dont ${plural(pivots, 'projet pivot', 'projets pivots')} en bleu.`
    : `Le graphe montre les ${nodes} projets (et leurs ${links} liens) à 6 liens au plus du projet n° ${n.id} ; le réseau entier compte ${all} projets et ${n.properties.links} liens (voir le tableau).`;
}

function goToGraph(): void {
  const title = document.getElementById('graph-title')!;
  title.tabIndex = -1;
  title.scrollIntoView({ block: 'start' });
  title.focus({ preventScroll: true });
}

async function show(n: Network): Promise<void> {
  const data = await getJson<Neighbourhood>(`/api/practices/${n.id}/neighbourhood?depth=6`);
  const pivots = new Set(n.properties.pivots);
  desc.textContent = drawn(n, data.nodes.length, data.links.length);
  // Past a few dozen projects the titles would cover each other: they show when a project is pointed at.
  const labelled = data.nodes.length <= 40;
  document.getElementById('graph-title')!.textContent = `Graphe du réseau n° ${n.id}`;
  const cy = cytoscape({
    container: graph,
    elements: [
      ...data.nodes.map((x) => ({ data: { id: String(x.id), label: x.title, pivot: pivots.has(x.id) ? 1 : 0 } })),
      ...data.links.map((l) => ({ data: { id: `l${l.id}`, source: String(l.from_practice), target: String(l.to_practice), colour: colour.get(l.kind) ?? '#929292' } })),
    ],
    style: [
      { selector: 'node', style: { label: labelled ? 'data(label)' : '', 'font-size': 10, 'background-color': '#e1000f', width: 14, height: 14, 'text-wrap': 'ellipsis', 'text-max-width': '140px' } },
      { selector: 'node[pivot = 1]', style: { 'background-color': '#000091', width: 20, height: 20 } },
      { selector: 'edge', style: { 'line-color': 'data(colour)', width: 2 } },
    ],
    layout: { name: 'cose', animate: false },
  });
  cy.on('tap', 'node', (e) => window.location.assign(`/?fiche=${e.target.id()}`));
  if (!labelled) {
    cy.on('mouseover', 'node', (e) => e.target.style('label', e.target.data('label')));
    cy.on('mouseout', 'node', (e) => e.target.style('label', ''));
  }
  (window as unknown as { cy: cytoscape.Core }).cy = cy; // test hook
  graph.dataset.nodes = String(data.nodes.length);
}

async function load(): Promise<void> {
  const { features } = await getJson<{ features: Network[] }>('/api/networks');
  status.textContent = features.length === 0 ? 'Aucun réseau pour le moment : liez des projets depuis leur fiche.' : `${plural(features.length, 'réseau', 'réseaux')}.`;
  table.tBodies[0]!.replaceChildren(
    ...features.map((n) => {
      const tr = document.createElement('tr');
      // On a phone each row is a card whose cells say what they are (style.css, .repere-cards).
      const cell = (label: string, t: string) => {
        const td = Object.assign(document.createElement('td'), { textContent: t });
        td.dataset.label = label;
        return td;
      };
      const p = n.properties;
      const actions = document.createElement('td');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'fr-btn fr-btn--sm fr-btn--tertiary';
      b.textContent = `Graphe du réseau n° ${n.id}`;
      // The graph is drawn below the table (far below, on a phone): the page goes to it.
      b.addEventListener('click', () => void show(n).then(goToGraph).catch(showError));
      actions.append(b);
      if (p.centroid) {
        const a = document.createElement('a');
        a.className = 'fr-link fr-ml-1w';
        a.href = `/?fiche=${n.id}&couches=practices,sites,links&carte=10.00/${p.centroid[1]!.toFixed(5)}/${p.centroid[0]!.toFixed(5)}`;
        a.textContent = 'Sur la carte';
        actions.append(a);
      }
      tr.append(
        cell('Réseau', `n° ${n.id}`), cell('Projets', String(p.size)), cell('Liens', String(p.links)), cell('Établissements', String(p.establishments)),
        cell('Communes', String(p.communes)), cell('Premier lien', date(p.first_link_at)), cell('Dernier lien', date(p.last_link_at)), cell('Pivots', String(p.pivots.length)), actions,
      );
      return tr;
    }),
  );
  table.hidden = features.length === 0;
  const growth = await getJson<{ by_school_year: { period: string; links: number; networks: number }[] }>('/api/networks/growth');
  const g = document.getElementById('growth') as HTMLTableElement;
  g.tBodies[0]!.replaceChildren(
    ...growth.by_school_year.map((y) => {
      const tr = document.createElement('tr');
      for (const t of [y.period, String(y.links), String(y.networks)]) tr.append(Object.assign(document.createElement('td'), { textContent: t }));
      return tr;
    }),
  );
  g.hidden = growth.by_school_year.length === 0;
  if (features[0]) await show(features[0]);
}

function showError(e: unknown): void {
  alert.textContent = e instanceof ApiError ? `${e.problem.title} : ${e.message}` : 'Erreur inattendue.';
  alert.hidden = false;
}

load().catch(showError);
