import { describe, expect, it } from 'vitest';
import { active, countLabel, distanceLabel, facetOptions, query, sortFacets } from '../src/ui/filters';

const v = (value: string, count = 1) => ({ value, count });

describe('filters', () => {
  it('sorts facet values in a French reader order', () => {
    const f = sortFacets({
      discipline: [v('Technologie'), v('Éducation musicale')],
      level: [v('Seconde'), v('6e'), v('CP'), v('CM2')],
      tool: [v('Scratch'), v('Audacity')],
      school_year: [v('2024-2025'), v('2025-2026')],
    });
    expect(f.discipline.map((x) => x.value)).toEqual(['Éducation musicale', 'Technologie']);
    expect(f.level.map((x) => x.value)).toEqual(['CP', 'CM2', '6e', 'Seconde']);
    expect(f.tool.map((x) => x.value)).toEqual(['Audacity', 'Scratch']);
    expect(f.school_year.map((x) => x.value)).toEqual(['2025-2026', '2024-2025']);
    expect(f.departement).toEqual([]);
  });

  it('offers only values that lead somewhere, and keeps the chosen one', () => {
    expect(facetOptions([v('Scratch', 3), v('Thymio', 0)], undefined)).toEqual([v('Scratch', 3)]);
    expect(facetOptions([v('Scratch', 3)], 'Thymio')).toEqual([v('Thymio', 0), v('Scratch', 3)]);
    expect(facetOptions([v('Scratch', 3)], 'scratch')).toEqual([v('Scratch', 3)]);
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
