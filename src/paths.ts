/**
 * Files sfsync ships beside its code (SQL migrations and templates), found the
 * same way from `src/` under tsx and from `dist/src/` when compiled.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'sql', 'migrations'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('sfsync: cannot find the package root (sql/migrations is missing).');
    dir = parent;
  }
  return dir;
}

/** The package's root directory (the one holding `sql/`). */
export const PACKAGE_ROOT = findPackageRoot();

/** `sql/migrations`: numbered, immutable, forward-only migrations of the `sfsync` schema. */
export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'sql', 'migrations');

/** `sql/templates`: per-table SQL rendered when a mapping is applied. */
export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'sql', 'templates');
