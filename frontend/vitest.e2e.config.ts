import { defineConfig } from 'vitest/config';

// Browser tests: the real `repere` server with the demo data, driven through Debian's Chromium.
export default defineConfig({
  test: { include: ['e2e/**/*.e2e.test.ts'], environment: 'node', testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false },
});
