import { describe, expect, it } from 'vitest';
import { tokenFromHash } from '../src/ui/password';

describe('mailed links', () => {
  it('read the token of #jeton= and nothing else', () => {
    expect(tokenFromHash('#jeton=0a1b2c')).toBe('0a1b2c');
    expect(tokenFromHash('#x=1&jeton=ff00')).toBe('ff00');
    expect(tokenFromHash('#jeton=')).toBeUndefined();
    expect(tokenFromHash('#jeton=<script>')).toBeUndefined();
    expect(tokenFromHash('')).toBeUndefined();
    expect(tokenFromHash('#autre=ab')).toBeUndefined();
  });
});
