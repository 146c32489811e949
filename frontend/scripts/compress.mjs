// Compresses the built frontend once, at build time: a .br (brotli, best quality) and a .gz (gzip -9)
// beside every compressible file of dist/, which the server sends to browsers that accept them
// (ServeDir's precompressed variants) without compressing anything per request. Fonts and images are
// already compressed and left alone; a variant that would not save at least 5 % is not written.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = /\.(html|js|mjs|css|json|topojson|geojson|svg|txt|xml|map|pbf)$/;
const root = new URL('../dist/', import.meta.url).pathname;
let files = 0;
let before = 0;
let after = 0;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (COMPRESSIBLE.test(name)) compress(path);
  }
}

function compress(path) {
  const body = readFileSync(path);
  const br = brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
  const gz = gzipSync(body, { level: 9 });
  if (br.length < body.length * 0.95) writeFileSync(`${path}.br`, br);
  if (gz.length < body.length * 0.95) writeFileSync(`${path}.gz`, gz);
  files++;
  before += body.length;
  after += Math.min(br.length, body.length);
}

walk(root);
console.log(`compress: ${files} files, ${Math.round(before / 1024)} KB → ${Math.round(after / 1024)} KB with brotli`);
