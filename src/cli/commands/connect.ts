import path from 'node:path';
import type { Command } from 'commander';
import type { SalesforceSettings } from '../../config/config-schema.js';
import { givenSecret, type GivenSecret, type SecretField } from '../../config/stored-secrets.js';
import { SfsyncError } from '../../errors.js';
import { withSession } from '../cli-session.js';
import { action } from '../run-command.js';

interface ConnectFlags {
  name: string;
  loginUrl?: string;
  apiVersion?: string;
  auth?: string;
  username?: string;
  clientId?: string;
  password?: string;
  clientSecret?: string;
  refreshToken?: string;
  jwtKeyFile?: string;
  rotateKey?: boolean;
  newKeyFile?: string;
  json?: boolean;
}

/** Secret flags accept only `@/path/to/file` or `env:NAME`: a value on the command line would show in `ps` and shell history. */
function secretFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!value.startsWith('@') && !/^env:[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    throw new SfsyncError(
      'SECRET_ON_COMMAND_LINE',
      `Pass ${flag} as @/path/to/file or env:NAME (or use the SFSYNC_* environment variable): a secret on the command line shows in ps and shell history.`,
    );
  }
  return value;
}

/**
 * `sfsync connect`: log in with the configured flow (password, client
 * credentials, JWT bearer, refresh token, SOAP), and store the connection row
 * (login/instance URL, API version, auth kind, username, client id) with what
 * it needs to log in again by itself: with a secret key (SFSYNC_SECRET_KEY or
 * secretKeyFile) every secret the login used, sealed; without one, the
 * references (`@file`, `env:NAME`) of the secret flags, never a value.
 * `--rotate-key --new-key-file <path>` re-seals every connection's secrets.
 */
export function registerConnect(program: Command): void {
  program
    .command('connect')
    .description('test a Salesforce login and store the connection (never its secrets)')
    .option('--name <name>', 'connection name', 'default')
    .option('--login-url <url>', 'login URL (SFSYNC_LOGIN_URL; default https://login.salesforce.com)')
    .option('--api-version <v>', 'REST API version, e.g. 59.0 (SFSYNC_API_VERSION)')
    .option('--auth <kind>', 'password, client_credentials, jwt, refresh_token or soap (default: inferred from what is set)')
    .option('--username <user>', 'username (SFSYNC_USERNAME)')
    .option('--client-id <id>', 'connected app consumer key (SFSYNC_CLIENT_ID)')
    .option('--password <@file|env:NAME>', 'password file or variable (or SFSYNC_PASSWORD)')
    .option('--client-secret <@file|env:NAME>', 'client secret file or variable (or SFSYNC_CLIENT_SECRET)')
    .option('--refresh-token <@file|env:NAME>', 'refresh token file or variable (or SFSYNC_REFRESH_TOKEN)')
    .option('--jwt-key-file <path>', 'PEM private key for the JWT bearer flow (SFSYNC_JWT_KEY_FILE)')
    .option('--rotate-key', "re-seal every connection's stored secrets under the key in --new-key-file (no login)")
    .option('--new-key-file <path>', 'with --rotate-key: file holding the new key (32 bytes, base64 or hex)')
    .option('--json', 'print the stored connection as JSON')
    .action(
      action(async (flags: ConnectFlags, command: Command) => {
        if (flags.rotateKey) return rotateKey(command, flags);
        if (flags.newKeyFile) throw new SfsyncError('USAGE', '--new-key-file goes with --rotate-key; add --rotate-key or leave it out.');
        if (!/^[a-z][a-z0-9_]{0,39}$/.test(flags.name)) {
          throw new SfsyncError('USAGE', `Connection name "${flags.name}" must be 1-40 lower-case letters, digits or _, starting with a letter.`);
        }
        for (const [flag, value] of [
          ['--login-url', flags.loginUrl],
          ['--api-version', flags.apiVersion],
          ['--auth', flags.auth],
          ['--username', flags.username],
          ['--client-id', flags.clientId],
          ['--jwt-key-file', flags.jwtKeyFile],
        ] as const) {
          // "" used to be skipped, silently logging in with the config/env value instead.
          if (value === '') throw new SfsyncError('USAGE', `${flag} must not be empty; leave it out to use the config/env value.`);
        }
        const salesforce: Partial<SalesforceSettings> = {};
        if (flags.loginUrl) salesforce.loginUrl = flags.loginUrl;
        if (flags.apiVersion) salesforce.apiVersion = flags.apiVersion;
        if (flags.auth) salesforce.authKind = flags.auth as SalesforceSettings['authKind'];
        if (flags.username) salesforce.username = flags.username;
        if (flags.clientId) salesforce.clientId = flags.clientId;
        // The JWT key is read where the login reads it (its messages name the file); sealed or referenced after the login.
        if (flags.jwtKeyFile) salesforce.jwtKeyFile = path.resolve(flags.jwtKeyFile);
        const given = readSecretFlags(flags);
        const { connectAndSave } = await import('../save-connection.js');
        const saved = await withSession(command, ({ config, pool }) => connectAndSave(pool, config, flags.name, given), { overrides: { salesforce } });
        if (flags.json) console.log(JSON.stringify(saved));
        else
          console.log(
            `connected to ${saved.instanceUrl ?? saved.loginUrl} (${saved.authKind}${saved.username ? ` as ${saved.username}` : ''}); stored connection "${saved.name}" (id ${saved.id}${describeSecrets(saved.secrets)})`,
          );
      }),
    );
}

/** The secret flags, each read now (a bad file fails before any login); `--jwt-key-file` is a path, referenced as `@path`. */
function readSecretFlags(flags: ConnectFlags): Partial<Record<SecretField, GivenSecret>> {
  const given: Partial<Record<SecretField, GivenSecret>> = {};
  const refs: Array<[SecretField, string, string | undefined]> = [
    ['password', 'salesforce.password (SFSYNC_PASSWORD, --password)', secretFlag('--password', flags.password)],
    ['clientSecret', 'salesforce.clientSecret (SFSYNC_CLIENT_SECRET, --client-secret)', secretFlag('--client-secret', flags.clientSecret)],
    ['refreshToken', 'salesforce.refreshToken (SFSYNC_REFRESH_TOKEN, --refresh-token)', secretFlag('--refresh-token', flags.refreshToken)],
  ];
  for (const [field, flag, ref] of refs) if (ref !== undefined) given[field] = givenSecret(flag, ref);
  // Only its reference here (value ''): the login reads the file; with a key, secretsToStore seals what it holds.
  if (flags.jwtKeyFile !== undefined) given.jwtKey = { value: '', ref: `@${path.resolve(flags.jwtKeyFile)}` };
  return given;
}

/** `; secrets: password sealed, clientSecret @/path` — what was stored, never a value. */
function describeSecrets(secrets: Record<string, string>): string {
  const parts = Object.entries(secrets).map(([field, how]) => `${field} ${how}`);
  return parts.length > 0 ? `; secrets: ${parts.join(', ')}` : '';
}

/** `sfsync connect --rotate-key --new-key-file <path>`: no login, one transaction. */
async function rotateKey(command: Command, flags: ConnectFlags): Promise<void> {
  if (!flags.newKeyFile)
    throw new SfsyncError('USAGE', '--rotate-key needs --new-key-file <path> (32 random bytes, base64 or hex: `openssl rand -base64 32`).');
  const { rotateConnectionSecrets } = await import('../connection-secrets.js');
  const rotated = await withSession(command, ({ config, pool }) => rotateConnectionSecrets(config, pool, flags.newKeyFile!));
  if (flags.json) console.log(JSON.stringify(rotated));
  else
    console.log(
      `re-sealed the secrets of ${rotated.connections.length} connection(s) under key ${rotated.keyId}; point SFSYNC_SECRET_KEY or secretKeyFile at the new key before the next \`sfsync start\``,
    );
}
