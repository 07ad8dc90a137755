import type { Command } from 'commander';
import type { SalesforceSettings } from '../../config/config-schema.js';
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
  json?: boolean;
}

/** Secret flags accept only `@/path/to/file`: a value on the command line would show in `ps` and shell history. */
function secretFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!value.startsWith('@')) {
    throw new SfsyncError(
      'SECRET_ON_COMMAND_LINE',
      `Pass ${flag} as @/path/to/file (or use the SFSYNC_* environment variable): a secret on the command line shows in ps and shell history.`,
    );
  }
  return value;
}

/**
 * `sfsync connect`: log in with the configured flow (password, client
 * credentials, JWT bearer, refresh token, SOAP), and store the connection row
 * (login/instance URL, API version, auth kind, username, client id — never a
 * secret). Secrets come from SFSYNC_* env, the config file, or `@file` flags.
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
    .option('--password <@file>', 'password file (or SFSYNC_PASSWORD)')
    .option('--client-secret <@file>', 'client secret file (or SFSYNC_CLIENT_SECRET)')
    .option('--refresh-token <@file>', 'refresh token file (or SFSYNC_REFRESH_TOKEN)')
    .option('--jwt-key-file <path>', 'PEM private key for the JWT bearer flow (SFSYNC_JWT_KEY_FILE)')
    .option('--json', 'print the stored connection as JSON')
    .action(
      action(async (flags: ConnectFlags, command: Command) => {
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
        const secrets = {
          password: secretFlag('--password', flags.password),
          clientSecret: secretFlag('--client-secret', flags.clientSecret),
          refreshToken: secretFlag('--refresh-token', flags.refreshToken),
          jwtKeyFile: flags.jwtKeyFile,
        };
        for (const [key, value] of Object.entries(secrets)) if (value !== undefined) (salesforce as Record<string, string>)[key] = value;
        // Loaded here, not at start-up: jsforce is heavy and most commands never need it.
        const { checkApiVersion, connectSalesforce, resolveAuthKind } = await import('../../salesforce/connect.js');
        const { readDailyApiUsage, saveConnection } = await import('../save-connection.js');
        const saved = await withSession(
          command,
          async ({ config, pool }) => {
            const settings = config.salesforce;
            const authKind = resolveAuthKind(settings);
            const conn = await connectSalesforce(settings);
            await checkApiVersion(conn, settings.apiVersion);
            const usage = await readDailyApiUsage(conn);
            return saveConnection(pool, {
              name: flags.name,
              loginUrl: settings.loginUrl,
              instanceUrl: conn.instanceUrl || null,
              apiVersion: settings.apiVersion,
              authKind,
              username: settings.username ?? null,
              clientId: settings.clientId ?? null,
              usage,
            });
          },
          { overrides: { salesforce } },
        );
        if (flags.json) console.log(JSON.stringify(saved));
        else
          console.log(
            `connected to ${saved.instanceUrl ?? saved.loginUrl} (${saved.authKind}${saved.username ? ` as ${saved.username}` : ''}); stored connection "${saved.name}" (id ${saved.id})`,
          );
      }),
    );
}
