// Generates the map's glyphs (public/glyphs/{font}/{range}.pbf) before every build, so that place
// names are drawn from files Repère serves itself: signed distance fields of Marianne (the DSFR's
// font, from @gouvfr/dsfr) in MapLibre's glyph PBF format, for the ranges French names use.
// Marianne's woff2 is turned into TrueType (subset-font), drawn with Skia (@napi-rs/canvas) and made a
// distance field by @mapbox/tiny-sdf with the parameters MapLibre itself uses for local glyphs.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import TinySDF from '@mapbox/tiny-sdf';
import { GlobalFonts, createCanvas } from '@napi-rs/canvas';
import { PbfWriter } from 'pbf';
import subsetFont from 'subset-font';

const require = createRequire(import.meta.url);
/** Font stacks the style names, and the DSFR file each comes from. */
const FONTS = [
  ['Marianne Regular', 'Marianne-Regular.woff2', 'normal'],
  ['Marianne Bold', 'Marianne-Bold.woff2', 'bold'],
];
/** The characters drawn: Latin-1 (French accents, « »), the ligatures œ Œ and Ÿ, and punctuation. */
const CHARS = [
  ...Array.from({ length: 95 }, (_, i) => 32 + i),
  ...Array.from({ length: 96 }, (_, i) => 160 + i),
  ...[...'ŒœŸ‐–—‘’‚“”„…‹›€'].map((c) => c.codePointAt(0)),
];
/** Glyph ranges (256 code points each) holding them: MapLibre asks for a range by its first code point. */
const RANGES = [...new Set(CHARS.map((c) => c - (c % 256)))];
const SIZE = 24;
const BUFFER = 3;

class SkiaSDF extends TinySDF {
  _createCanvas(size) {
    return createCanvas(size, size);
  }
}

/** One glyph as MapLibre's PBF `glyph` message. */
function writeGlyph(g, pbf) {
  pbf.writeVarintField(1, g.id);
  if (g.bitmap) pbf.writeBytesField(2, g.bitmap);
  pbf.writeVarintField(3, g.width);
  pbf.writeVarintField(4, g.height);
  pbf.writeSVarintField(5, g.left);
  pbf.writeSVarintField(6, g.top);
  pbf.writeVarintField(7, g.advance);
}

function encode(name, range, glyphs) {
  const pbf = new PbfWriter();
  pbf.writeMessage(1, (_, p) => {
    p.writeStringField(1, name);
    p.writeStringField(2, `${range}-${range + 255}`);
    for (const g of glyphs) p.writeMessage(3, writeGlyph, g);
  });
  return pbf.finish();
}

const ttfDir = new URL('../node_modules/.cache/glyphs/', import.meta.url);
mkdirSync(ttfDir, { recursive: true });
let files = 0;
for (const [name, file, weight] of FONTS) {
  const woff2 = readFileSync(require.resolve(`@gouvfr/dsfr/dist/fonts/${file}`));
  const chars = String.fromCodePoint(...CHARS);
  const ttf = await subsetFont(woff2, chars, { targetFormat: 'truetype' });
  const family = `Repere ${name}`;
  const ttfPath = new URL(`${file}.ttf`, ttfDir).pathname;
  writeFileSync(ttfPath, ttf);
  GlobalFonts.registerFromPath(ttfPath, family);
  const sdf = new SkiaSDF({ fontSize: SIZE, buffer: BUFFER, radius: 8, cutoff: 0.25, fontFamily: family, fontWeight: weight });
  const out = new URL(`../public/glyphs/${name}/`, import.meta.url);
  mkdirSync(out, { recursive: true });
  for (const range of RANGES) {
    const glyphs = [];
    for (const id of CHARS.filter((c) => c >= range && c < range + 256)) {
      const c = sdf.draw(String.fromCodePoint(id));
      if (!c.glyphAdvance) continue;
      glyphs.push({
        id,
        bitmap: c.glyphWidth > 0 ? Buffer.from(c.data) : undefined,
        width: c.glyphWidth,
        height: c.glyphHeight,
        left: Math.round(c.glyphLeft + 0.5),
        top: Math.round(c.glyphTop - 27),
        advance: Math.round(c.glyphAdvance),
      });
    }
    writeFileSync(new URL(`${range}-${range + 255}.pbf`, out), encode(name, range, glyphs));
    files++;
  }
}
console.log(`glyphs: ${files} files for ${FONTS.map((f) => f[0]).join(', ')}`);
