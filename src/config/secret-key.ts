/**
 * The key that seals stored connection secrets (secret-envelope.ts): 32
 * random bytes, written as base64 or hex, from `SFSYNC_SECRET_KEY` or from the
 * file named by `secretKeyFile` (`SFSYNC_SECRET_KEY_FILE`). Make one with
 * `openssl rand -base64 32`. Never stored in the database or the config file.
 */
import { readFileSync } from 'node:fs';
import { SfsyncError } from '../errors.js';
import { SECRET_KEY_BYTES } from './secret-envelope.js';

/** The environment variable that holds the key itself. */
export const SECRET_KEY_ENV = 'SFSYNC_SECRET_KEY';

/** A loaded key and where it came from (for messages). */
export interface SecretKey {
  key: Buffer;
  source: string;
}

/** Decode a key written as base64 (44 characters) or hex (64); undefined when it is neither or not 32 bytes. */
export function decodeSecretKey(text: string): Buffer | undefined {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(t) ? Buffer.from(t, 'base64') : undefined;
  return bytes?.length === SECRET_KEY_BYTES ? bytes : undefined;
}

/**
 * The key from `SFSYNC_SECRET_KEY`, else from `keyFile`; undefined when
 * neither is set. Both set is refused: which one sealed the secrets would be
 * a guess. A key that is not 32 bytes fails naming how to make one.
 */
export function loadSecretKey(keyFile: string | undefined, env: NodeJS.ProcessEnv = process.env): SecretKey | undefined {
  const inline = env[SECRET_KEY_ENV];
  if (inline && keyFile)
    throw new SfsyncError('SECRET_KEY_AMBIGUOUS', `Both ${SECRET_KEY_ENV} and secretKeyFile (SFSYNC_SECRET_KEY_FILE) are set; keep one of them.`);
  if (inline) return { key: decoded(inline, SECRET_KEY_ENV), source: SECRET_KEY_ENV };
  if (!keyFile) return undefined;
  return readKeyFile(keyFile, `the key file ${keyFile}`);
}

/** Read a key file (`--new-key-file`, `secretKeyFile`); `source` names it in messages. */
export function readKeyFile(file: string, source: string): SecretKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new SfsyncError('SECRET_KEY_UNREADABLE', `Cannot read ${source} (${reason}); check its path and permissions.`, { cause });
  }
  return { key: decoded(text, source), source };
}

function decoded(text: string, source: string): Buffer {
  const key = decodeSecretKey(text);
  if (!key)
    throw new SfsyncError('SECRET_KEY_INVALID', `${source} is not a ${SECRET_KEY_BYTES}-byte key in base64 or hex; make one with \`openssl rand -base64 32\`.`);
  return key;
}
