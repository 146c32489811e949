import { defineConfig } from 'vitest/config';

// The page benchmark (scripts/bench-page.sh): not part of the tests.
export default defineConfig({
  test: { include: ['bench/**/*.bench.ts'], environment: 'node', testTimeout: 1_200_000, hookTimeout: 600_000, fileParallelism: false },
});
