// The site's API types are generated from the server's own OpenAPI document: the committed
// src/api/schema.d.ts must be exactly what the current server generates (a schema changed on the
// server without regenerating fails here, before any page reads a field that is not there).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generate, SCHEMA_FILE } from '../scripts/api-types.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('API types', () => {
  it('are what the current server generates', async () => {
    const bin = process.env.REPERE_BIN ?? path.resolve(here, '../../target/debug/repere');
    const fresh = await generate(bin);
    expect(fresh).toContain('PracticeProperties');
    expect(readFileSync(SCHEMA_FILE, 'utf8'), 'src/api/schema.d.ts is stale: run `npm run api-types`').toBe(fresh);
  });
});
