import { describe, expect, it } from 'vitest';
import type { Feature, PracticeProps } from '../src/api/client';
import { active, countLabel, distanceLabel, facets, query } from '../src/ui/filters';

const practice = (id: number, p: Partial<PracticeProps>): Feature<PracticeProps> => ({
  type: 'Feature',
  id,
  geometry: { type: 'Point', coordinates: [7, 43.6] },
  properties: {
    id, title: `P${id}`, summary: '', description: '', disciplines: [], levels: [], tools: [], themes: [], school_year: '2025-2026',
    uai: '0060842H', establishment_name: '', establishment_kind: 'college', commune_name: '', departement: '06', innovatheque_url: null, published_at: null,
    ...p,
  },
});

describe('filters', () => {
  it('lists distinct facet values in a French reader order', () => {
    const f = facets([
      practice(1, { disciplines: ['Technologie'], levels: ['CM2', '6e'], tools: ['Scratch'], school_year: '2024-2025' }),
      practice(2, { disciplines: ['Éducation musicale', 'Technologie'], levels: ['CP', 'Seconde'], tools: ['Audacity', 'Scratch'], departement: '83' }),
    ]);
    expect(f.discipline).toEqual(['Éducation musicale', 'Technologie']);
    expect(f.level).toEqual(['CP', 'CM2', '6e', 'Seconde']);
    expect(f.tool).toEqual(['Audacity', 'Scratch']);
    expect(f.school_year).toEqual(['2025-2026', '2024-2025']);
    expect(f.departement).toEqual(['06', '83']);
  });

  it('sends only the filters that are set', () => {
    expect(query({ q: '  ', tool: 'Thymio', departement: '06' })).toEqual({ tool: 'Thymio', departement: '06' });
    expect(active({ q: ' ' })).toBe(false);
    expect(active({ level: '6e' })).toBe(true);
  });

  it('writes counts and distances in French', () => {
    expect(countLabel(0)).toBe('Aucun usage ne correspond');
    expect(countLabel(1)).toBe('1 usage');
    expect(countLabel(1234).replace(/\s/g, ' ')).toBe('1 234 usages');
    expect(distanceLabel(849.6)).toBe('850 m');
    expect(distanceLabel(12_400)).toBe('12,4 km');
  });
});
