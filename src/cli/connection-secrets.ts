/**
 * What `sfsync connect` stores of a connection's secrets, and
 * `sfsync connect --rotate-key`. The envelope and the key are
 * config/secret-envelope.ts and config/secret-key.ts; the rules are in
 * config/stored-secrets.ts.
 */
import type pg from 'pg';
import type { SfsyncConfig } from '../config/config-schema.js';
import { readSecret } from '../config/load-config.js';
import { keyId } from '../config/secret-envelope.js';
import { loadSecretKey, readKeyFile } from '../config/secret-key.js';
import {
  parseStoredSecrets,
  resealSecrets,
  secretsUsedBy,
  storeSecrets,
  type GivenSecret,
  type SecretField,
  type StoredSecrets,
} from '../config/stored-secrets.js';
import { SfsyncError } from '../errors.js';

/**
 * The secrets to store for a login of `authKind`: those given as flags, and,
 * when a key is set, also those the login takes from the config/env, so the
 * connection can log in by itself. Without a key only the flags' references
 * are stored; the rest stays with the config/env, as for a single org.
 */
export function secretsToStore(
  config: SfsyncConfig,
  connection: { name: string; loginUrl: string; authKind: string },
  given: Partial<Record<SecretField, GivenSecret>>,
): StoredSecrets {
  const key = loadSecretKey(config.secretKeyFile);
  const all = { ...given };
  if (key) {
    const sf = config.salesforce;
    const fromConfig: Record<SecretField, () => string | undefined> = {
      password: () => readSecret(sf.password, 'salesforce.password (SFSYNC_PASSWORD)'),
      clientSecret: () => readSecret(sf.clientSecret, 'salesforce.clientSecret (SFSYNC_CLIENT_SECRET)'),
      refreshToken: () => readSecret(sf.refreshToken, 'salesforce.refreshToken (SFSYNC_REFRESH_TOKEN)'),
      jwtKey: () => (sf.jwtKeyFile === undefined ? undefined : readSecret(`@${sf.jwtKeyFile}`, 'salesforce.jwtKeyFile (SFSYNC_JWT_KEY_FILE)')),
    };
    for (const field of secretsUsedBy(connection.authKind, Boolean(given.clientSecret ?? sf.clientSecret))) {
      // A flag's value is never empty; '' is --jwt-key-file's reference, whose file the config's jwtKeyFile names.
      if (all[field]?.value) continue;
      const value = fromConfig[field]();
      if (value !== undefined) all[field] = { value, ref: '' };
    }
  }
  return storeSecrets(connection, all, key);
}

/** What `--rotate-key` did. */
export interface RotatedKey {
  keyId: string;
  connections: string[];
}

/**
 * Re-seal every connection's sealed secrets from the current key
 * (SFSYNC_SECRET_KEY / secretKeyFile) to the key in `newKeyFile`, in one
 * transaction: all connections or none. A secret that does not open under the
 * current key fails naming its connection, and nothing changes.
 */
export async function rotateConnectionSecrets(config: SfsyncConfig, pool: pg.Pool, newKeyFile: string): Promise<RotatedKey> {
  const to = readKeyFile(newKeyFile, `the new key file ${newKeyFile}`);
  const from = loadSecretKey(config.secretKeyFile);
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { run, sfsync } = await import('../db/typed-query.js');
    const rows = await run(client, sfsync.selectFrom('connections').select(['id', 'name', 'login_url', 'secrets']).orderBy('id').forUpdate());
    const rotated: string[] = [];
    for (const row of rows) {
      const secrets = parseStoredSecrets(row.name, row.secrets);
      if (!Object.values(secrets).some((s) => 'sealed' in s)) continue;
      if (!from)
        throw new SfsyncError(
          'SECRET_KEY_MISSING',
          `Connection "${row.name}" has encrypted secrets but no current key is set; set SFSYNC_SECRET_KEY or SFSYNC_SECRET_KEY_FILE to the key they were sealed under, then run --rotate-key again.`,
        );
      const resealed = resealSecrets({ name: row.name, loginUrl: row.login_url, secrets }, from, to);
      await run(
        client,
        sfsync
          .updateTable('connections')
          .set({ secrets: JSON.stringify(resealed), updated_at: new Date() })
          .where('id', '=', row.id),
      );
      rotated.push(row.name);
    }
    await client.query('commit');
    return { keyId: keyId(to.key), connections: rotated };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
