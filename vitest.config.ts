import { defineConfig } from 'vitest/config';

// Tests run from the TypeScript sources; the compiled copy in dist/ (built by `npm ci` via prepare) is not a test suite.
// The service tests need a real Redis: the global setup stops the suite with how to start one if none answers.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
    globalSetup: ['test/support/redisGlobalSetup.ts'],
  },
});
