#!/usr/bin/env node
// The `salesforce-emulator` command. In a checkout (src/ present) it runs the
// TypeScript sources through tsx, so a fresh clone needs no build step and a
// stale dist/ is never run by mistake; the published package (no src/) runs
// the compiled dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
let cli;
if (existsSync(source)) {
  const { tsImport } = await import('tsx/esm/api');
  cli = await tsImport('../src/cli.ts', import.meta.url);
} else {
  cli = await import('../dist/cli.js');
}
process.exitCode = await cli.main(process.argv.slice(2));
