import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Three projects:
 * - `unit`: pure logic and the emulator (no Postgres): test/unit/**, and the
 *   emulator package's own tests (packages/salesforce-emulator/test/**)
 * - `integration`: everything that needs Postgres; the global setup starts one
 *   server and migrates a template database once; each file clones its own database.
 * - `soak`: the seeded chaos soak (test/soak/), which starts its own Postgres,
 *   emulator and engines; `npm test` runs it alone after the others, so its
 *   processes never compete with the integration files for the 2 cores.
 */
export default defineConfig({
  // Workspace packages export their TypeScript sources under this condition
  // (their default export is the compiled dist/, which a checkout does not have).
  ssr: { resolve: { conditions: ['salesforce-emulator-source', ...defaultServerConditions] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'packages/salesforce-emulator/test/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/db/**/*.test.ts', 'test/engine/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/hostile/**/*.test.ts'],
          globalSetup: ['test/setup/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'soak',
          include: ['test/soak/**/*.test.ts'],
        },
      },
    ],
  },
});
