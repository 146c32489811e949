// The fibre layer's wording: shares and quarters as a French reader expects them.
import { describe, expect, it } from 'vitest';
import { percent, quarterLabel } from '../src/map/fibre';

describe('fibre layer wording', () => {
  it('rounds shares without claiming 0 % or 100 % wrongly', () => {
    expect(percent(0.4)).toBe('40 %');
    expect(percent(0.997254)).toBe('99,7 %');
    expect(percent(0.99999)).toBe('99,9 %');
    expect(percent(1)).toBe('100 %');
    expect(percent(0)).toBe('0 %');
    expect(percent(0.0004)).toBe('0,1 %');
    expect(percent(0.126)).toBe('13 %');
  });

  it('names quarters in French', () => {
    expect(quarterLabel('2018T1')).toBe('1er trimestre 2018');
    expect(quarterLabel('2026T2')).toBe('2e trimestre 2026');
    expect(quarterLabel('n/a')).toBe('n/a');
  });
});
