// Small French text helpers shared by the pages.

/** "1 remontée", "3 remontées" (French counts 0 and 1 as singular). */
export const plural = (n: number, one: string, many: string): string => `${n.toLocaleString('fr-FR')} ${n > 1 ? many : one}`;

/** A server's reason as a sentence: a capital first letter and a final full stop. */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const s = t[0]!.toLocaleUpperCase('fr-FR') + t.slice(1);
  return /[.!?…»)]$/.test(s) ? s : `${s}.`;
}
