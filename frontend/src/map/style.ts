// The offline base style: sea, land of France and its neighbours, borders (GeoJSON generated at build
// time from world-atlas, see scripts/basemap.mjs). No glyphs or sprites: nothing is fetched from the web.
import type { StyleSpecification } from 'maplibre-gl';

export function baseStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {
      countries: { type: 'geojson', data: '/basemap/countries.geojson' },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#d7e8f3' } },
      {
        id: 'land',
        type: 'fill',
        source: 'countries',
        paint: { 'fill-color': ['match', ['get', 'name'], 'France', '#fbfbf8', '#eeeeea'] },
      },
      { id: 'borders', type: 'line', source: 'countries', paint: { 'line-color': '#8a8a8a', 'line-width': 1 } },
    ],
  };
}
