// The fibre coverage of the communes (ARCEP, imported by the administrator) as a choropleth under the
// establishments of the « Débit » view: ARCEP's buckets of the share of premises that can be connected,
// a legend, and a popup with the commune's figures. Drawn only where outlines were imported.
import type { ExpressionSpecification, Map as MlMap, MapGeoJSONFeature } from 'maplibre-gl';
import { type Answer, getJson } from '../api/client';
import { popupBox, popupFacts } from '../ui/popup';

/** ARCEP's buckets (lower bound, %) with their colour and label. */
export const FIBRE_BUCKETS: [number, string, string][] = [
  [0, '#bfbfbf', 'aucun local raccordable (0 %)'],
  [5, '#e3e3fd', 'moins de 10 %'],
  [10, '#cacafb', '10 à 25 %'],
  [25, '#a1a1f8', '25 à 50 %'],
  [50, '#6a6af4', '50 à 80 %'],
  [80, '#313178', '80 % et plus'],
];
const UNKNOWN = '#ffffff';
/** The fill's opacity, the legend's swatches drawn alike so that they match what the map shows. */
const OPACITY = 0.7;

type Layer = Answer<'/api/fibre/communes'>;
type CommuneProps = Layer['features'][number]['properties'];

const colour: ExpressionSpecification = [
  'match', ['coalesce', ['get', 'categorie'], -1],
  ...FIBRE_BUCKETS.flatMap(([c, hex]) => [c, hex]),
  UNKNOWN,
] as unknown as ExpressionSpecification;

/** Adds the communes' layer below `beforeLayer` and fills the legend; false when no outline was imported. */
export async function addFibreLayer(map: MlMap, beforeLayer: string): Promise<boolean> {
  const layer = await getJson<Layer>('/api/fibre/communes');
  if (layer.numberReturned === 0) return false;
  const source = layer.demo ? 'Couverture fibre : inventée (démonstration)' : 'Couverture fibre : ARCEP';
  map.addSource('communes-fibre', { type: 'geojson', data: layer as unknown as GeoJSON.FeatureCollection, attribution: source });
  map.addLayer({ id: 'communes-fibre', type: 'fill', source: 'communes-fibre', paint: { 'fill-color': colour, 'fill-opacity': OPACITY } }, beforeLayer);
  map.addLayer({ id: 'communes-fibre-line', type: 'line', source: 'communes-fibre', paint: { 'line-color': '#666', 'line-width': 0.5 } }, beforeLayer);
  const quarters = [...new Set(layer.features.map((f) => f.properties.trimestre).filter((q): q is string => !!q))].sort();
  const title = document.getElementById('fibre-legend-title');
  const origin = layer.demo ? 'données inventées de démonstration' : `ARCEP${quarters.length ? `, ${quarters.map(quarterLabel).join(', ')}` : ''}`;
  if (title) title.textContent = `Communes : part des locaux raccordables à la fibre (${origin})`;
  const items = document.getElementById('fibre-legend-items');
  if (items) {
    const entries: [string, string][] = FIBRE_BUCKETS.map(([, hex, label]) => [hex, label]);
    if (layer.features.some((f) => f.properties.categorie === null)) entries.push([UNKNOWN, 'couverture inconnue']);
    items.replaceChildren(...entries.map(([hex, label]) => {
      const li = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'repere-swatch';
      swatch.style.background = hex;
      swatch.style.opacity = String(OPACITY);
      li.append(swatch, ` ${label}`);
      return li;
    }));
  }
  const legend = document.getElementById('fibre-legend');
  if (legend) legend.hidden = false;
  return true;
}

/** `2018T1` → « 1er trimestre 2018 ». */
export function quarterLabel(q: string): string {
  const m = /^(\d{4})T([1-4])$/.exec(q);
  if (!m) return q;
  return `${m[2] === '1' ? '1er' : `${m[2]}e`} trimestre ${m[1]}`;
}

/** The popup of a commune of the layer. */
export function communePopup(f: MapGeoJSONFeature): HTMLElement {
  const p = f.properties as Partial<CommuneProps>;
  let facts: string;
  if (typeof p.locaux_raccordables !== 'number') {
    facts = 'Couverture fibre inconnue (commune absente du fichier de l\'ARCEP importé).';
  } else if (p.locaux_raccordables === 0) {
    facts = `Aucun local raccordable à la fibre (${quarterLabel(String(p.trimestre))}).`;
  } else {
    const rate = typeof p.taux === 'number' ? ` sur ${Number(p.locaux).toLocaleString('fr-FR')}, soit ${percent(p.taux)}` : '';
    facts = `${p.locaux_raccordables.toLocaleString('fr-FR')} locaux raccordables à la fibre${rate} (${quarterLabel(String(p.trimestre))}).`;
  }
  const div = popupBox(String(p.nom ?? p.code));
  div.append(popupFacts(facts, true));
  return div;
}

/** A share 0–1 as « 12 % »; « 99,7 % » or « 0,4 % » where rounding would say 100 % or 0 % wrongly. */
export function percent(share: number): string {
  const pct = share * 100;
  if (pct > 99 && pct < 100) return `${(Math.floor(pct * 10) / 10).toLocaleString('fr-FR')} %`;
  if (pct > 0 && pct < 1) return `${(Math.ceil(pct * 10) / 10).toLocaleString('fr-FR')} %`;
  return `${Math.round(pct).toLocaleString('fr-FR')} %`;
}
