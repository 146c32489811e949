// What is under the pointer: every feature of the practices, sites and establishments layers near the
// clicked point. One thing: the page acts on it; several (five practices of one school on one point, a
// Fab' École over a practice): a chooser lists them all, with the establishment's own fiche.
import type { Map as MlMap, MapGeoJSONFeature, PointLike } from 'maplibre-gl';

export type Picked =
  | { kind: 'practice'; id: number; title: string; detail: string }
  | { kind: 'cluster'; count: number; center: [number, number]; zoom: number }
  | { kind: 'site'; props: Record<string, unknown> }
  | { kind: 'establishment'; uai: string; name: string; props?: Record<string, unknown> };

const TOLERANCE = 6;

/** The distinct things drawn within a few pixels of `point`, among the visible `layers`. */
export function pickAt(map: MlMap, point: { x: number; y: number }, layers: string[]): Picked[] {
  const box: [PointLike, PointLike] = [
    [point.x - TOLERANCE, point.y - TOLERANCE],
    [point.x + TOLERANCE, point.y + TOLERANCE],
  ];
  const present = layers.filter((l) => map.getLayer(l) && map.getLayoutProperty(l, 'visibility') !== 'none');
  const features: MapGeoJSONFeature[] = present.length ? map.queryRenderedFeatures(box, { layers: present }) : [];
  const out: Picked[] = [];
  const seen = new Set<string>();
  const schools = new Map<string, string>();
  for (const f of features) {
    const p = f.properties;
    let key: string;
    let item: Picked | undefined;
    if (f.layer.id === 'practice-clusters' && f.geometry.type === 'Point') {
      key = `c${String(p.cluster_id)}`;
      item = { kind: 'cluster', count: Number(p.point_count), center: f.geometry.coordinates as [number, number], zoom: Number(p.expansion_zoom) };
    } else if (f.layer.id === 'practice-points') {
      key = `p${String(p.id)}`;
      item = { kind: 'practice', id: Number(p.id), title: String(p.title ?? `Usage ${String(p.id)}`), detail: [p.establishment_name, p.commune_name, p.school_year].filter(Boolean).join(' · ') };
      if (p.uai) schools.set(String(p.uai), String(p.establishment_name ?? p.uai));
    } else if (f.layer.id === 'sites') {
      key = `s${String(p.cluster ? `c${String(p.cluster_id)}` : p.id)}`;
      item = { kind: 'site', props: p };
    } else if (f.layer.id === 'establishments') {
      key = `e${String(p.uai)}`;
      item = { kind: 'establishment', uai: String(p.uai), name: String(p.name ?? p.uai), props: p };
    } else continue;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  // With several things under the pointer, the school of the practices among them is listed too, so
  // that its own fiche is one click away (a single practice opens its fiche, which links to it).
  if (out.length > 1) {
    for (const [uai, name] of schools) {
      if (!seen.has(`e${uai}`)) out.push({ kind: 'establishment', uai, name });
    }
  }
  return out;
}

/** The chooser's content: one button or link per thing under the pointer. */
export function chooser(items: Picked[], act: (p: Picked) => void): HTMLElement {
  const div = document.createElement('div');
  div.className = 'repere-popup repere-chooser';
  const title = document.createElement('p');
  title.className = 'fr-text--bold fr-mb-1v';
  title.textContent = `${items.length} éléments à cet endroit :`;
  const ul = document.createElement('ul');
  ul.className = 'repere-chooser__list';
  for (const item of items) {
    const li = document.createElement('li');
    if (item.kind === 'establishment' && !item.props) {
      const a = document.createElement('a');
      a.className = 'fr-link fr-text--sm';
      a.href = `/etablissement.html?uai=${encodeURIComponent(item.uai)}`;
      a.textContent = `Établissement : ${item.name} (fiche)`;
      li.append(a);
    } else {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'fr-btn fr-btn--tertiary-no-outline fr-btn--sm';
      b.textContent = label(item);
      b.addEventListener('click', () => act(item));
      li.append(b);
    }
    ul.append(li);
  }
  div.append(title, ul);
  return div;
}

function label(p: Picked): string {
  switch (p.kind) {
    case 'practice':
      return `Usage : ${p.title}${p.detail ? ` (${p.detail.split(' · ').pop()})` : ''}`;
    case 'cluster':
      return `${p.count} usages regroupés : zoomer`;
    case 'site':
      return p.props.cluster ? `${String(p.props.point_count)} Fab' École et tiers-lieux : zoomer` : `Fab' École ou tiers-lieu : ${String(p.props.name ?? '')}`;
    case 'establishment':
      return `Établissement : ${p.name}`;
  }
}
