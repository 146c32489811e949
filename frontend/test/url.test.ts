import { describe, expect, it } from 'vitest';
import { DEFAULT_LAYERS, decode, encode, sameOriginPath, type State } from '../src/state/url';

describe('URL state', () => {
  it('round-trips view, filters, layers, fiche and point of interest', () => {
    const state: State = {
      view: { lon: 7.26123, lat: 43.70456, zoom: 11.5 },
      filters: { q: 'robot école', discipline: 'Mathématiques', level: '6e', tool: 'micro:bit', school_year: '2025-2026', departement: '06' },
      layers: ['practices', 'links'],
      fiche: 42,
      poi: [7.1, 43.6],
    };
    expect(decode(encode(state))).toEqual(state);
    expect(decode(`?${encode(state)}`)).toEqual(state);
  });

  it('keeps the default layers out of the URL and restores them', () => {
    const s = encode({ filters: {}, layers: [...DEFAULT_LAYERS] });
    expect(s).toBe('');
    expect(decode(s).layers).toEqual(DEFAULT_LAYERS);
    expect(decode('couches=').layers).toEqual([]);
  });

  it('drops malformed or hostile values instead of trusting them', () => {
    const s = decode('carte=abc/1/2&fiche=-3&autour=999,7&couches=practices,unicorns&discipline=%20%20&tool=Scratch');
    expect(s.view).toBeUndefined();
    expect(s.fiche).toBeUndefined();
    expect(s.poi).toBeUndefined();
    expect(s.layers).toEqual(['practices']);
    expect(s.filters).toEqual({ tool: 'Scratch' });
    expect(decode('carte=30/43/7').view).toBeUndefined();
    expect(decode('fiche=1.5').fiche).toBeUndefined();
  });
});

describe('where a sign-in may lead back', () => {
  const origin = 'https://repere.ac-nice.fr';
  it('keeps paths of this site', () => {
    expect(sameOriginPath('/moderation.html', origin)).toBe('/moderation.html');
    expect(sameOriginPath('/?fiche=1#carte', origin)).toBe('/?fiche=1#carte');
  });
  it('refuses every way out to another host', () => {
    for (const t of ['//example.org/x', '/\\example.org/x', '/%5Cexample.org/x'.replace('%5C', '\\'), 'https://example.org/', 'javascript:alert(1)', '', null]) {
      expect(sameOriginPath(t, origin), String(t)).toBeUndefined();
    }
  });
});
