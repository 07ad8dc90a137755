/**
 * A connection's stored secrets (`sfsync.connections.secrets`, jsonb): per
 * field either `{ "sealed": "v1…" }` (secret-envelope.ts, when a key is set)
 * or `{ "ref": "@/path" | "env:NAME" }` (no key: where to read it at login,
 * never the value). Fields not stored come from the config/env, as for a
 * single org.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SfsyncError } from '../errors.js';
import { openSecret, SecretOpenError, sealedKeyId, sealSecret, keyId, type SecretBinding } from './secret-envelope.js';
import { SECRET_KEY_ENV, type SecretKey } from './secret-key.js';

/** The secrets a connection may store; jwtKey is the PEM text of the JWT key file. */
export const SECRET_FIELDS = ['password', 'clientSecret', 'refreshToken', 'jwtKey'] as const;
/** One of {@link SECRET_FIELDS}. */
export type SecretField = (typeof SECRET_FIELDS)[number];

/** How one secret is stored. */
export type StoredSecret = { sealed: string } | { ref: string };
/** A connection's stored secrets, by field. */
export type StoredSecrets = Partial<Record<SecretField, StoredSecret>>;
/** Secret values in clear, by field (in memory only). */
export type SecretValues = Partial<Record<SecretField, string>>;

/** A secret as given to `sfsync connect`: its value and the reference it was read from. */
export interface GivenSecret {
  value: string;
  /** `@/absolute/path` or `env:NAME`. */
  ref: string;
}

/** The flag each field is given with, for messages. */
const FLAGS: Record<SecretField, string> = {
  password: '--password',
  clientSecret: '--client-secret',
  refreshToken: '--refresh-token',
  jwtKey: '--jwt-key-file',
};

/**
 * Read a secret reference: `@path` (the file's text, trimmed) or `env:NAME`
 * (that variable). `where` names where it was given. An empty secret is refused.
 */
export function readSecretRef(ref: string, where: string): string {
  let text: string | undefined;
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    text = process.env[name];
    if (text === undefined || text.trim() === '')
      throw new SfsyncError('SECRET_UNREADABLE', `The environment variable ${name} given for ${where} is not set; export it or store the secret again.`);
  } else if (ref.startsWith('@')) {
    const file = ref.slice(1);
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
      throw new SfsyncError('SECRET_UNREADABLE', `Cannot read the secret file "${file}" given for ${where} (${reason}); check its path and permissions.`, {
        cause,
      });
    }
    if (text.trim() === '') throw new SfsyncError('SECRET_EMPTY', `The secret file "${file}" given for ${where} is empty; write the secret into it.`);
  } else {
    throw new SfsyncError('USAGE', `${where} must be @/path/to/file or env:NAME; a secret on the command line shows in ps and shell history.`);
  }
  return text.trim();
}

/** A `--password`-style flag (`@file` or `env:NAME`) read now; the file reference is made absolute so it still works from another directory. */
export function givenSecret(flag: string, ref: string, cwd = process.cwd()): GivenSecret {
  const value = readSecretRef(ref, flag);
  return { value, ref: ref.startsWith('@') ? `@${path.resolve(cwd, ref.slice(1))}` : ref };
}

/** What to store for `given`: sealed under `key` when there is one, else only the references. */
export function storeSecrets(
  connection: { name: string; loginUrl: string },
  given: Partial<Record<SecretField, GivenSecret>>,
  key: SecretKey | undefined,
): StoredSecrets {
  const out: StoredSecrets = {};
  for (const field of SECRET_FIELDS) {
    const secret = given[field];
    if (!secret) continue;
    out[field] = key ? { sealed: sealSecret(key.key, secret.value, binding(connection, field)) } : { ref: secret.ref };
  }
  return out;
}

/**
 * The secrets a login of `authKind` sends: the client secret with the OAuth
 * password and client-credentials flows, and with the refresh-token flow
 * when one is set (`hasClientSecret`).
 */
export function secretsUsedBy(authKind: string, hasClientSecret: boolean): SecretField[] {
  switch (authKind) {
    case 'soap':
      return ['password'];
    case 'password':
      return ['password', 'clientSecret'];
    case 'client_credentials':
      return ['clientSecret'];
    case 'jwt':
      return ['jwtKey'];
    default:
      return hasClientSecret ? ['refreshToken', 'clientSecret'] : ['refreshToken'];
  }
}

/** Whether any stored secret is sealed (needs the key). */
export function hasSealed(secrets: StoredSecrets): boolean {
  return Object.values(secrets).some((s) => 'sealed' in s);
}

/** Whether any stored secret is a reference (not bound to the login URL by the key). */
export function hasRefs(secrets: StoredSecrets): boolean {
  return Object.values(secrets).some((s) => 'ref' in s);
}

/**
 * Open every stored secret of `connection`. Fails with one line naming the
 * connection and the fix when the key is missing or wrong, or a sealed
 * secret does not open for this name and login URL.
 */
export function openStoredSecrets(connection: { name: string; loginUrl: string; secrets: StoredSecrets }, key: SecretKey | undefined): SecretValues {
  const out: SecretValues = {};
  for (const field of SECRET_FIELDS) {
    const stored = connection.secrets[field];
    if (!stored) continue;
    out[field] =
      'ref' in stored ? readSecretRef(stored.ref, `connection "${connection.name}"'s stored ${FLAGS[field]}`) : unseal(connection, field, stored.sealed, key);
  }
  return out;
}

/**
 * Re-seal every sealed secret of `connection` from `from` to `to`
 * (`sfsync connect --rotate-key`); references are kept as they are.
 */
export function resealSecrets(connection: { name: string; loginUrl: string; secrets: StoredSecrets }, from: SecretKey, to: SecretKey): StoredSecrets {
  const out: StoredSecrets = {};
  for (const field of SECRET_FIELDS) {
    const stored = connection.secrets[field];
    if (!stored) continue;
    out[field] = 'ref' in stored ? stored : { sealed: sealSecret(to.key, unseal(connection, field, stored.sealed, from), binding(connection, field)) };
  }
  return out;
}

/** The stored jsonb as {@link StoredSecrets}; anything else is refused naming the connection. */
export function parseStoredSecrets(name: string, raw: unknown): StoredSecrets {
  const out: StoredSecrets = {};
  if (raw === null || raw === undefined) return out;
  const bad = () =>
    new SfsyncError('SECRET_INVALID', `Connection "${name}" has unreadable stored secrets; run \`sfsync connect --name ${name} …\` again to store them.`);
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad();
  for (const [field, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(SECRET_FIELDS as readonly string[]).includes(field) || typeof value !== 'object' || value === null) throw bad();
    const v = value as Record<string, unknown>;
    if (typeof v.sealed === 'string') out[field as SecretField] = { sealed: v.sealed };
    else if (typeof v.ref === 'string') out[field as SecretField] = { ref: v.ref };
    else throw bad();
  }
  return out;
}

function binding(connection: { name: string; loginUrl: string }, field: SecretField): SecretBinding {
  return { connection: connection.name, loginUrl: connection.loginUrl, field };
}

function unseal(connection: { name: string; loginUrl: string }, field: SecretField, sealed: string, key: SecretKey | undefined): string {
  const name = connection.name;
  if (!key)
    throw new SfsyncError(
      'SECRET_KEY_MISSING',
      `Connection "${name}" has encrypted secrets but no key is set; set ${SECRET_KEY_ENV} or SFSYNC_SECRET_KEY_FILE (secretKeyFile) to the key used at \`sfsync connect\`.`,
    );
  try {
    return openSecret(key.key, sealed, binding(connection, field));
  } catch (error) {
    if (!(error instanceof SecretOpenError)) throw error;
    if (error.reason === 'wrong-key')
      throw new SfsyncError(
        'SECRET_KEY_WRONG',
        `Connection "${name}"'s secrets were sealed under key ${sealedKeyId(sealed) ?? '?'}, not ${key.source} (key ${keyId(key.key)}); set the key used at \`sfsync connect\` (or at the last --rotate-key), or run \`sfsync connect --name ${name} …\` again.`,
      );
    throw new SfsyncError(
      'SECRET_TAMPERED',
      `Connection "${name}"'s stored ${FLAGS[field]} does not open for login URL ${connection.loginUrl}: it was altered, or the connection's name or login URL changed since \`sfsync connect\`; run \`sfsync connect --name ${name} …\` again.`,
    );
  }
}
