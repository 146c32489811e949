import { describe, expect, it } from 'vitest';
import { fold, suggest } from '../src/ui/multi-picker';

const disciplines = ['Arts plastiques', 'Éducation musicale', 'Histoire-géographie', 'Langues vivantes', 'Mathématiques', 'Physique-chimie'];

describe('multi-picker', () => {
  it('folds accents and case', () => {
    expect(fold(' Éducation Musicale ')).toBe('education musicale');
    expect(fold('Première')).toBe(fold('premiere'));
  });

  it('suggests what contains the text, accents and case ignored, starts of words first', () => {
    expect(suggest(disciplines, 'mathe', [])).toEqual(['Mathématiques']);
    expect(suggest(disciplines, 'EDUC', [])).toEqual(['Éducation musicale']);
    expect(suggest(disciplines, 'geo', [])).toEqual(['Histoire-géographie']);
    // "Arts plastiques" starts with "a"; "Langues vivantes" only contains it.
    expect(suggest(['Langues vivantes', 'Arts plastiques'], 'a', [])).toEqual(['Arts plastiques', 'Langues vivantes']);
    expect(suggest(disciplines, 'zz', [])).toEqual([]);
  });

  it('leaves out what is already chosen, and offers everything left for an empty text', () => {
    expect(suggest(disciplines, '', ['mathématiques', 'Arts plastiques'])).toEqual(['Éducation musicale', 'Histoire-géographie', 'Langues vivantes', 'Physique-chimie']);
    expect(suggest(disciplines, 'math', ['Mathématiques'])).toEqual([]);
  });
});
