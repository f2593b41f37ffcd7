import { defineConfig } from 'vitest/config';

// Tests run from the TypeScript sources; the compiled copy in dist/ (built by `npm ci` via prepare) is not a test suite.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
  },
});
