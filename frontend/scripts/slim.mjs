// Slims the built frontend before it is compressed (npm run build runs it after vite build):
// - the CSS keeps only the rules whose selectors can match the pages: PurgeCSS reads the built HTML and
//   JavaScript (every class the pages or MapLibre set is written there) — the DSFR's core alone is 180 KB;
// - the Marianne fonts keep only the characters French text uses (Latin, French accents and
//   typography), without hinting instructions (screens anti-alias): ≈ 10 KB instead of 58 KB each. A
//   character outside the set is drawn by the fallback font.
// Files keep their names: the output depends only on the build's input, so the content hash stays a
// valid cache key.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PurgeCSS } from 'purgecss';
import subsetFont from 'subset-font';

const dist = new URL('../dist/', import.meta.url).pathname;
const assets = join(dist, 'assets');
const kb = (n) => `${Math.round(n / 1024)} KB`;

const content = [
  ...readdirSync(dist).filter((f) => f.endsWith('.html')).map((f) => join(dist, f)),
  ...readdirSync(assets).filter((f) => /\.m?js$/.test(f)).map((f) => join(assets, f)),
];
for (const css of readdirSync(assets).filter((f) => f.endsWith('.css'))) {
  const path = join(assets, css);
  const before = readFileSync(path, 'utf8');
  const [result] = await new PurgeCSS().purge({
    content,
    css: [{ raw: before }],
    // Classes and attributes the DSFR and MapLibre set at run time, by prefix.
    // MapLibre builds some class names from parts (`maplibregl-ctrl-` + the corner), hence the prefixes.
    safelist: { greedy: [/^maplibregl-ctrl-(top|bottom)/, /^maplibregl-(popup|marker)/, /^fr-scheme/, /^fr-enlarge/, /^repere-/], standard: [/^fr-btn/, /^fr-input/, /^fr-select/] },
    // MapLibre's controls and markers that Repère does not show (their icons are inline SVG).
    blocklist: [/maplibregl-ctrl-(logo|geolocate|fullscreen|shrink|terrain|globe|compass)/, /maplibregl-user-location/, /maplibregl-cooperative-gesture/],
    // The DSFR declares hundreds of colour variables; those no kept rule reads go.
    variables: true,
    keyframes: false,
    fontFace: false,
  });
  writeFileSync(path, result.css);
  console.log(`slim: ${css} ${kb(before.length)} → ${kb(result.css.length)}`);
}

const ascii = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const french = 'àâäçéèêëîïôöùûüÿÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸæÆœŒ’‘“”«»…–—€°·×≥≤→←↑↓✓\u00a0\u202f\u2009';
for (const font of readdirSync(assets).filter((f) => /^Marianne-.*\.woff2$/.test(f))) {
  const path = join(assets, font);
  const before = readFileSync(path);
  const after = await subsetFont(before, ascii + french, { targetFormat: 'woff2', noLayoutClosure: true, noHinting: true });
  writeFileSync(path, after);
  console.log(`slim: ${font} ${kb(before.length)} → ${kb(after.length)}`);
}
