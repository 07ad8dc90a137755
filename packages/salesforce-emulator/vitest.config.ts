import { defineConfig } from 'vitest/config';

/** The emulator's own tests (no database): `npm test` in this package. The repository root's `unit` project runs them too. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
