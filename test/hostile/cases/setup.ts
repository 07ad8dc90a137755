/**
 * Hostile setup: config files and `SFSYNC_*` values that cannot work, bad
 * flags to init, connect, start, emulator, reload, status and migrate, and a
 * stored login URL pointed away from the configured one. Each is refused at
 * load or before anything is served, sent or stored.
 */
import type { HostileCase } from '../hostile-case.js';

/** `sfsync --config {dir}/<name> <command…>` with that file holding `content`. */
const withConfig = (name: string, content: unknown, ...command: string[]): Pick<HostileCase, 'cli' | 'files'> => ({
  cli: ['--config', `{dir}/${name}`, ...(command.length > 0 ? command : ['status'])],
  files: { [name]: typeof content === 'string' ? content : JSON.stringify(content) },
});

/** The world's connection, its login URL moved away from SFSYNC_LOGIN_URL (a path only: undone exactly). */
const movedLoginUrl = {
  setupSql: "update sfsync.connections set login_url = login_url || '/elsewhere' where id = 1",
  undoSql: "update sfsync.connections set login_url = regexp_replace(login_url, '/elsewhere$', '') where id = 1",
};

const invalid = (key: string) => new RegExp(`Invalid configuration at "${key.replace(/\./g, '\\.')}".*\\[CONFIG_INVALID\\]`);

export const setupCases: HostileCase[] = [
  // Config files that are not a configuration
  { name: 'config file holding null (was read as empty)', ...withConfig('null.json', 'null'), message: /must be a JSON object.*not null.*\[CONFIG_INVALID\]/ },
  { name: 'config file holding a number', ...withConfig('five.json', '5'), message: /must be a JSON object.*not a number/ },
  { name: 'config file holding an array', ...withConfig('array.json', '[]'), message: /must be a JSON object.*not an array/ },
  { name: 'config file holding a string', ...withConfig('string.json', '"sfsync"'), message: /must be a JSON object.*not a string/ },

  // poll.reconcileCron: accepted before, then every re-seed failed and stopped at the first mapping
  {
    name: 'reconcileCron in words',
    ...withConfig('cron-words.json', { poll: { reconcileCron: 'every night' } }),
    message: /"poll\.reconcileCron".*needs 5 fields.*17 3 \* \* \*/,
  },
  {
    name: 'reconcileCron that never matches (30 February)',
    ...withConfig('cron-never.json', { poll: { reconcileCron: '0 0 30 2 *' } }),
    message: /"poll\.reconcileCron".*never matches/,
  },
  {
    name: 'reconcileCron minute out of range',
    ...withConfig('cron-range.json', { poll: { reconcileCron: '61 3 * * *' } }),
    message: /"poll\.reconcileCron".*out of range 0-59/,
  },
  { name: 'reconcileCron with a zero step', ...withConfig('cron-step.json', { poll: { reconcileCron: '*/0 * * * *' } }), message: /"poll\.reconcileCron"/ },
  {
    name: 'start with a reconcileCron in words fails before serving',
    ...withConfig('cron-start.json', { poll: { reconcileCron: '@nightly' } }, 'start', '--no-migrate'),
    message: invalid('poll.reconcileCron'),
  },

  // Login URLs: https anywhere, http only to this machine
  {
    name: 'loginUrl with ftp://',
    ...withConfig('ftp.json', { salesforce: { loginUrl: 'ftp://login.salesforce.com' } }),
    env: { SFSYNC_LOGIN_URL: '' },
    message: /"salesforce\.loginUrl".*https:\/\//,
  },
  {
    name: 'loginUrl with javascript:',
    ...withConfig('js.json', { salesforce: { loginUrl: 'javascript:alert(1)' } }),
    env: { SFSYNC_LOGIN_URL: '' },
    message: /"salesforce\.loginUrl".*https:\/\//,
  },
  {
    name: 'loginUrl over http to another host',
    ...withConfig('http.json', { salesforce: { loginUrl: 'http://login.example.com' } }),
    env: { SFSYNC_LOGIN_URL: '' },
    message: /"salesforce\.loginUrl".*in clear.*localhost only/,
  },
  {
    name: 'loginUrl carrying a user and password',
    ...withConfig('userinfo.json', { salesforce: { loginUrl: 'https://admin:pw@login.salesforce.com' } }),
    env: { SFSYNC_LOGIN_URL: '' },
    message: /"salesforce\.loginUrl".*must not carry a user/,
  },
  {
    name: 'loginUrl with a query',
    ...withConfig('query.json', { salesforce: { loginUrl: 'https://login.salesforce.com/?x=1' } }),
    env: { SFSYNC_LOGIN_URL: '' },
    message: /"salesforce\.loginUrl".*query/,
  },
  { name: 'SFSYNC_LOGIN_URL with ftp://', cli: ['status'], env: { SFSYNC_LOGIN_URL: 'ftp://login.salesforce.com' }, message: invalid('salesforce.loginUrl') },
  {
    name: 'SFSYNC_LOGIN_URL over http to another host',
    cli: ['migrate'],
    env: { SFSYNC_LOGIN_URL: 'http://login.example.com' },
    message: invalid('salesforce.loginUrl'),
  },
  {
    name: 'SFSYNC_LOGIN_URL that is not a URL',
    cli: ['status'],
    env: { SFSYNC_LOGIN_URL: 'login.salesforce.com' },
    message: /"salesforce\.loginUrl".*not a URL/,
  },

  // Other salesforce settings
  {
    name: 'an empty clientSecret in the config file (was read as unset)',
    ...withConfig('empty-secret.json', { salesforce: { clientSecret: '' } }),
    env: { SFSYNC_CLIENT_SECRET: '' },
    message: /"salesforce\.clientSecret".*must not be empty/,
  },
  {
    name: 'an empty username in the config file',
    ...withConfig('empty-user.json', { salesforce: { username: '' } }),
    env: { SFSYNC_USERNAME: '' },
    message: /"salesforce\.username".*must not be empty/,
  },
  // Streaming transport: the Pub/Sub endpoint gets the access token in every call's metadata
  {
    name: 'a streaming transport sfsync does not speak',
    cli: ['status', '--streaming-transport', 'websocket'],
    message: /"salesforce\.streamingTransport".*cometd.*pubsub.*\[CONFIG_INVALID\]/,
  },
  {
    name: 'SFSYNC_PUBSUB_URL in clear text to another host',
    cli: ['status'],
    env: { SFSYNC_PUBSUB_URL: 'http://pubsub.example.com:7443' },
    message: /"salesforce\.pubsubUrl".*must use https:\/\/.*access token in clear.*\[CONFIG_INVALID\]/,
  },
  {
    name: 'a pubsubUrl with a path',
    ...withConfig('pubsub-path.json', { salesforce: { pubsubUrl: 'https://api.pubsub.salesforce.com:7443/eventbus' } }),
    message: /"salesforce\.pubsubUrl".*only https:\/\/host:port/,
  },
  {
    name: 'trustStoredLoginUrl as a string',
    ...withConfig('trust.json', { salesforce: { trustStoredLoginUrl: 'yes' } }),
    message: /"salesforce\.trustStoredLoginUrl".*boolean/,
  },
  {
    name: 'SFSYNC_TRUST_STORED_LOGIN_URL that is not a yes or no',
    cli: ['status'],
    env: { SFSYNC_TRUST_STORED_LOGIN_URL: 'maybe' },
    message: /SFSYNC_TRUST_STORED_LOGIN_URL must be 1, true or yes.*\[CONFIG_INVALID\]/,
  },

  // Numbers: zero, negative, fractional, beyond what a timer or Postgres takes
  {
    name: 'push.sweepIntervalMs beyond a timer (fired every millisecond)',
    ...withConfig('sweep.json', { push: { sweepIntervalMs: 3_000_000_000 } }),
    message: invalid('push.sweepIntervalMs'),
  },
  {
    name: 'push.keepDoneHours beyond make_interval',
    ...withConfig('keep.json', { push: { keepDoneHours: 10_000_000 } }),
    message: invalid('push.keepDoneHours'),
  },
  {
    name: 'SFSYNC_METRICS_PORT that is not a number',
    cli: ['status'],
    env: { SFSYNC_METRICS_PORT: 'abc' },
    message: /SFSYNC_METRICS_PORT must be a whole number.*\[CONFIG_INVALID\]/,
  },
  {
    name: 'SFSYNC_WORKER_CONCURRENCY in exponent form',
    cli: ['status'],
    env: { SFSYNC_WORKER_CONCURRENCY: '1e3' },
    message: /SFSYNC_WORKER_CONCURRENCY must be a whole number/,
  },

  // Hosts, directories, levels
  {
    name: 'metrics.host empty (bound every interface)',
    ...withConfig('host-empty.json', { metrics: { host: '' } }),
    env: { SFSYNC_METRICS_HOST: '' },
    message: /"metrics\.host".*IP address or host name/,
  },
  {
    name: 'SFSYNC_METRICS_HOST that is not a host',
    cli: ['status'],
    env: { SFSYNC_METRICS_HOST: '0.0.0.0; rm -rf /' },
    message: /"metrics\.host".*IP address or host name/,
  },
  {
    name: 'dataDir empty (the cluster would go into the working directory)',
    ...withConfig('datadir.json', { dataDir: '' }),
    env: { SFSYNC_DATA_DIR: '' },
    message: /"dataDir".*must not be empty/,
  },
  {
    name: 'databaseUrl empty (was an embedded Postgres instead)',
    ...withConfig('dburl.json', { databaseUrl: '' }),
    env: { DATABASE_URL: '' },
    message: /"databaseUrl".*must not be empty/,
  },

  // init
  {
    name: 'init --login-url that is not a URL (was exit 2 and a zod dump)',
    cli: ['--config', '{dir}/init-a.json', 'init', '--login-url', 'notaurl'],
    message: /"salesforce\.loginUrl".*not a URL.*from --login-url.*\[CONFIG_INVALID\]/,
  },
  {
    name: 'init --login-url javascript:',
    cli: ['--config', '{dir}/init-b.json', 'init', '--login-url', 'javascript:alert(1)'],
    message: /"salesforce\.loginUrl".*https:\/\//,
  },
  { name: 'init --login-url empty', cli: ['--config', '{dir}/init-c.json', 'init', '--login-url', ''], message: /--login-url must not be empty.*\[USAGE\]/ },
  {
    name: 'init into a directory that does not exist',
    cli: ['--config', '{dir}/no/such/dir/sfsync.json', 'init'],
    message: /Cannot write .*ENOENT.*\[CONFIG_UNWRITABLE\]/,
  },

  // connect: settings that cannot work are refused before they are stored
  { name: 'connect --login-url ftp://', cli: ['connect', '--login-url', 'ftp://login.salesforce.com'], message: invalid('salesforce.loginUrl') },
  {
    name: 'connect --login-url over http to another host',
    cli: ['connect', '--login-url', 'http://login.example.com'],
    message: /"salesforce\.loginUrl".*in clear/,
  },
  { name: 'connect --login-url empty (was the env value)', cli: ['connect', '--login-url', ''], message: /--login-url must not be empty.*\[USAGE\]/ },
  {
    name: 'connect --api-version the org does not serve (map later said "no object")',
    cli: ['connect', '--api-version', '99.0'],
    message: /serves API versions 50\.0 to 62\.0, not 99\.0.*--api-version.*\[SF_API_VERSION_UNSUPPORTED\]/,
  },
  {
    name: 'connect --client-secret from an empty file (was a SOAP login stored as password)',
    cli: ['connect', '--client-secret', '@{dir}/empty-secret'],
    files: { 'empty-secret': '\n' },
    env: { SFSYNC_CLIENT_SECRET: '' },
    message: /secret file ".*empty-secret" given for salesforce\.clientSecret.*is empty.*\[SECRET_EMPTY\]/,
  },
  {
    name: 'connect --password from a missing file (was reported as a failed login)',
    cli: ['connect', '--password', '@{dir}/no-password'],
    env: { SFSYNC_PASSWORD: '' },
    message: /secret file ".*no-password" given for salesforce\.password.*ENOENT.*\[SECRET_UNREADABLE\]/,
  },
  {
    name: 'SFSYNC_PASSWORD naming a missing file',
    cli: ['connect'],
    env: { SFSYNC_PASSWORD: '@{dir}/no-password' },
    message: /secret file ".*no-password" given for salesforce\.password.*\[SECRET_UNREADABLE\]/,
  },
  { name: 'connect --password @ with no path', cli: ['connect', '--password', '@'], env: { SFSYNC_PASSWORD: '' }, message: /\[SECRET_UNREADABLE\]/ },
  {
    name: 'connect --refresh-token from an empty file',
    cli: ['connect', '--auth', 'refresh_token', '--refresh-token', '@{dir}/empty-token'],
    files: { 'empty-token': '' },
    message: /empty-token" given for salesforce\.refreshToken.*is empty.*\[SECRET_EMPTY\]/,
  },
  {
    name: 'connect --jwt-key-file that does not exist',
    cli: ['connect', '--auth', 'jwt', '--jwt-key-file', '{dir}/no.key'],
    message: /JWT key file ".*no\.key".*ENOENT.*\[SECRET_UNREADABLE\]/,
  },
  {
    name: 'connect --jwt-key-file that is not a key',
    cli: ['connect', '--auth', 'jwt', '--jwt-key-file', '{dir}/not.key'],
    files: { 'not.key': 'hello\n' },
    message: /not\.key" is not a PEM RSA private key.*\[SECRET_INVALID\]/,
  },
  {
    name: 'connect --auth password without a client secret (was a silent SOAP login)',
    cli: ['connect', '--auth', 'password'],
    env: { SFSYNC_CLIENT_SECRET: '' },
    message: /SFSYNC_CLIENT_SECRET is not set.*\[SF_NO_CREDENTIALS\]/,
  },

  // A stored login URL moved elsewhere: the configured secrets are not sent there
  {
    name: 'map --plan on a connection whose login_url was changed in the database',
    cli: ['map', 'Account', '--fields', 'Name', '--plan'],
    ...movedLoginUrl,
    message: /Connection "default" logs in at .*\/elsewhere, but the configured credentials are for .*--trust-stored-login-url.*\[LOGIN_URL_UNTRUSTED\]/,
  },
  { name: 'mappings --plan on a connection whose login_url was changed', cli: ['mappings', '--plan'], ...movedLoginUrl, message: /\[LOGIN_URL_UNTRUSTED\]/ },
  {
    name: 'start with a connection whose login_url was changed fails before serving',
    cli: ['start', '--no-migrate'],
    ...movedLoginUrl,
    message: /Connection "default" logs in at .*\/elsewhere.*\[LOGIN_URL_UNTRUSTED\]/,
  },

  // start
  {
    name: 'start --metrics-port that is not a number',
    cli: ['start', '--metrics-port', 'abc'],
    message: /--metrics-port must be a TCP port number.*\[USAGE\]/,
  },
  { name: 'start --metrics-port 70000', cli: ['start', '--metrics-port', '70000'], message: /--metrics-port must be a TCP port number/ },
  {
    name: 'start --metrics-port empty (was 0: the endpoint silently off)',
    cli: ['start', '--metrics-port', ''],
    message: /--metrics-port must be a TCP port number/,
  },

  // emulator: all fail before it listens
  { name: 'emulator --port in hex (was port 80)', cli: ['emulator', '--port', '0x50'], message: /--port must be a TCP port number/ },
  { name: 'emulator --port empty (was a random port)', cli: ['emulator', '--port', ''], message: /--port must be a TCP port number/ },
  { name: 'emulator --host empty (bound every interface)', cli: ['emulator', '--host', ''], message: /--host must be an IP address or host name.*\[USAGE\]/ },
  { name: 'emulator --host that is not a host', cli: ['emulator', '--host', 'local host'], message: /--host must be an IP address or host name/ },
  {
    name: 'emulator --host this machine lacks (blamed the port)',
    cli: ['emulator', '--host', '203.0.113.5'],
    message: /could not listen on host 203\.0\.113\.5.*pick a --host.*\[EMULATOR_FAILED\]/,
  },

  // reload --timeout: checked before anything is queued
  {
    name: 'reload --wait --timeout that is not a number (never timed out)',
    cli: ['reload', 'Account', '--wait', '--timeout', 'abc'],
    message: /--timeout must be a number of seconds.*\[USAGE\]/,
  },
  { name: 'reload --wait --timeout 0', cli: ['reload', 'Account', '--wait', '--timeout', '0'], message: /--timeout must be a number of seconds/ },
  { name: 'reload --wait --timeout negative', cli: ['reload', 'Contact', '--wait', '--timeout', '-5'], message: /--timeout must be a number of seconds/ },
  { name: 'reload --timeout in exponent form', cli: ['reload', 'Account', '--timeout', '1e9'], message: /--timeout must be a number of seconds/ },

  // status and migrate
  { name: 'migrate with a config file that is not an object', ...withConfig('migrate-null.json', 'null', 'migrate'), message: /must be a JSON object/ },
];
