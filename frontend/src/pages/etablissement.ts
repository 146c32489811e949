// The establishment fiche: everything Repère knows about one establishment — kind, sector, commune,
// bandwidth history (measured and potential), OPINEE levels and label, its published practices and its
// Fab' École — by URL (`/etablissement.html?uai=0060842H`), linked from the practice fiche and the map.
// Admins record or remove a year's OPINEE levels and label here.
import '../dsfr.css';
import '../style.css';
import { renderAccountMenu } from '../api/account';
import { renderOpinee, setupOpineeForm, type Profile } from '../ui/opinee';
import { ApiError, apiUrl, getJson, type EstablishmentProps, type Feature, type FeatureCollection } from '../api/client';
import { renderFrame } from '../ui/layout';
import { countVisit } from '../ui/visit';
import { addRow, labelCells } from '../ui/tables';

renderFrame({ skiplinks: [['#contenu', 'Aller au contenu']], demo: true });
countVisit('etablissement');
const account = renderAccountMenu();

/** The establishment's properties (generated types); its own item carries the histories. */
type Props = EstablishmentProps;

const $ = (id: string) => document.getElementById(id)!;
type Bandwidth = NonNullable<Props['bandwidth_history']>[number];
const SOURCES: Record<Bandwidth['source'], string> = { measured: 'mesurée', potential: 'potentielle' };
const TECHNOLOGIES: Record<Bandwidth['technology'], string> = {
  adsl: 'ADSL',
  vdsl: 'VDSL',
  ftth: 'fibre (FttH)',
  cable: 'câble',
  thd_radio: 'THD radio',
  satellite: 'satellite',
  mobile: 'réseau mobile',
  other: 'autre',
};

function fact(k: string, v: string, id?: string): void {
  const dt = document.createElement('dt');
  dt.textContent = k;
  const dd = document.createElement('dd');
  dd.textContent = v;
  if (id) dd.id = id;
  $('facts').append(dt, dd);
}

const labelText = (p: Props) => (p.label ? `niveau ${p.label} (${p.label_school_year})` : 'aucun');
const opineeText = (p: Props) =>
  p.opinee_mean === null ? 'non renseigné' : `moyenne ${p.opinee_mean.toLocaleString('fr-FR')} / 10 (${p.opinee_school_year})`;
const itemUrl = (uai: string) => apiUrl(`/collections/establishments/items/${encodeURIComponent(uai)}`, {});

function item(list: HTMLElement, text: string, href?: string): void {
  const li = document.createElement('li');
  if (href) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    li.append(a);
  } else li.textContent = text;
  list.append(li);
}

void (async () => {
  const uai = new URLSearchParams(location.search).get('uai') ?? '';
  try {
    const e = await getJson<Feature<'Establishment'>>(itemUrl(uai));
    const p = e.properties;
    let history = p.opinee_history ?? [];
    document.title = `${p.name} — Repère`;
    $('name').textContent = p.name;
    fact('UAI', p.uai);
    fact('Type', p.kind_label);
    fact('Secteur', p.sector === 'public' ? 'public' : 'privé');
    fact('Commune', `${p.commune_name} (${p.departement})`);
    if (p.placed_at_commune) fact('Position', 'approximative : centre de la commune (absente du fichier officiel)');
    fact('Label', labelText(p), 'fact-label');
    fact('OPINEE', opineeText(p), 'fact-opinee');
    // Whether the figure was measured or is what the line could carry, and when: a potential value is no measure.
    const origin = p.bandwidth_source && p.bandwidth_date ? ` (valeur ${SOURCES[p.bandwidth_source as Bandwidth['source']] ?? p.bandwidth_source}, ${new Date(p.bandwidth_date).toLocaleDateString('fr-FR')})` : '';
    fact('Débit actuel', p.bandwidth_down_mbps === null ? 'pas de valeur connue' : `${p.bandwidth_down_mbps.toLocaleString('fr-FR')} Mbit/s${origin}`);
    const table = $('bandwidth') as HTMLTableElement;
    for (const b of [...(p.bandwidth_history ?? [])].reverse()) {
      addRow(table.tBodies[0]!, new Date(b.date).toLocaleDateString('fr-FR'), [b.down_mbps.toLocaleString('fr-FR'), b.up_mbps.toLocaleString('fr-FR'), TECHNOLOGIES[b.technology], SOURCES[b.source]]);
    }
    labelCells(table);
    if (!p.bandwidth_history?.length) {
      const none = document.createElement('p');
      none.textContent = 'Aucune mesure ni valeur potentielle connue.';
      $('bandwidth').parentElement!.after(none);
    }
    renderOpinee(history);
    const who = await account;
    if (who?.user?.role === 'admin') {
      setupOpineeForm(p.uai, () => history, async () => {
        const fresh = (await getJson<Feature<'Establishment'>>(itemUrl(uai))).properties;
        history = fresh.opinee_history ?? [];
        $('fact-label').textContent = labelText(fresh);
        $('fact-opinee').textContent = opineeText(fresh);
        renderOpinee(history);
      });
    }
    const [practices, sitesHere] = await Promise.all([
      getJson<FeatureCollection<'Practice'>>(apiUrl('/collections/practices/items', { uai: p.uai, limit: 50, sortby: '-school_year,title' })),
      getJson<FeatureCollection<'Site'>>(apiUrl('/collections/sites/items', { uai: p.uai, limit: 50 })),
    ]);
    for (const f of practices.features) item($('practices'), `${f.properties.title} (${f.properties.school_year})`, `/?fiche=${f.properties.id}`);
    if (practices.features.length === 0) item($('practices'), 'Aucun usage publié pour le moment.');
    const more = (practices.numberMatched ?? 0) - practices.features.length;
    if (more > 0) item($('practices'), `… et ${more} autres : voir la liste sur la carte.`, `/?q=${encodeURIComponent(p.uai)}`);
    const sites = sitesHere.features;
    for (const s of sites) item($('sites'), s.properties.name);
    if (sites.length === 0) item($('sites'), 'Aucun.');
    if (e.geometry?.type === 'Point') ($('on-map') as HTMLAnchorElement).href = `/?carte=13.00/${e.geometry.coordinates[1].toFixed(5)}/${e.geometry.coordinates[0].toFixed(5)}`;
    $('view').hidden = false;
    const n = practices.numberMatched ?? practices.features.length;
    $('status').textContent = `${n} usage${n > 1 ? 's' : ''} publié${n > 1 ? 's' : ''}.`;
  } catch (e) {
    $('alert').textContent = e instanceof ApiError && e.status === 404 ? `Aucun établissement « ${uai} ».` : e instanceof ApiError ? e.message : 'L\'établissement n\'a pas pu être chargé.';
    $('alert').hidden = false;
    $('status').textContent = '';
  } finally {
    document.body.dataset.ready = '1';
  }
})();
