#!/usr/bin/env node
// The `sfsync` command. In a checkout (src/ present) it runs the TypeScript
// sources through tsx, so a fresh clone needs no build step and a stale dist/
// is never run by mistake; a package without src/ runs the compiled dist/.
// The workspace packages it imports (packages/*) are loaded from their
// TypeScript sources too (bin/workspace-sources.js).
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
if (existsSync(source)) {
  register('./workspace-sources.js', import.meta.url);
  const { tsImport } = await import('tsx/esm/api');
  await tsImport('../src/cli/main.ts', import.meta.url);
} else {
  await import(pathToFileURL(fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url))).href);
}
