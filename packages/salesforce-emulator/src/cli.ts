/**
 * The `salesforce-emulator` command: serve an emulator until SIGINT, SIGTERM
 * or SIGHUP, then close every socket and exit 0. bin/salesforce-emulator.js
 * runs this file (through tsx in a checkout, compiled from dist/ when
 * installed).
 *
 *   salesforce-emulator [--port N] [--host H] [--seed demo] [--username U --password P --client-id C --client-secret S] [--json]
 */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { DEFAULT_LOGIN, startEmulator } from './index.js';

const USAGE = `Usage: salesforce-emulator [--port N] [--host H] [--seed demo] [--username U] [--password P] [--client-id C] [--client-secret S] [--json]

Serve a local, in-memory Salesforce org (OAuth/SOAP login, REST, SOQL, Bulk API 2.0,
CometD streaming, and a control API under /__emulator/) until Ctrl-C.

Options:
  --port <port>    TCP port (0 = a free one; default 0)
  --host <host>    interface to bind (default 127.0.0.1; the control API has no auth)
  --seed <preset>  seed preset to load at start (demo: 2,000 Accounts + 5,000 Contacts)
  --username <u>   the admin user's login (default ${DEFAULT_LOGIN.username})
  --password <p>   the admin user's password (default ${DEFAULT_LOGIN.password})
  --client-id <c>  the connected app's consumer key (default ${DEFAULT_LOGIN.clientId})
  --client-secret <s>  the connected app's consumer secret (default ${DEFAULT_LOGIN.clientSecret})
  --json           print the listening address and login as one JSON line
  -h, --help       show this help
`;

class UsageError extends Error {}

interface CliOptions {
  port: number;
  host: string;
  seed: 'demo' | undefined;
  json: boolean;
  login: { username: string; password: string; clientId: string; clientSecret: string };
}

function parse(argv: string[]): CliOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        username: { type: 'string', default: DEFAULT_LOGIN.username },
        password: { type: 'string', default: DEFAULT_LOGIN.password },
        'client-id': { type: 'string', default: DEFAULT_LOGIN.clientId },
        'client-secret': { type: 'string', default: DEFAULT_LOGIN.clientSecret },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  // Digits only: Number() reads "" as 0 and "0x50" as 80.
  const port = /^\d{1,5}$/.test(values.port) ? Number(values.port) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be a TCP port number (0-65535), not "${values.port}".`);
  // "" would bind every interface.
  if (!isHostSyntax(values.host)) throw new UsageError(`--host must be an IP address or host name of this machine, e.g. 127.0.0.1, not "${values.host}".`);
  if (values.seed !== undefined && values.seed !== 'demo') throw new UsageError(`Unknown seed preset "${values.seed}"; the one preset is "demo".`);
  const login = { username: values.username, password: values.password, clientId: values['client-id'], clientSecret: values['client-secret'] };
  for (const [flag, value] of Object.entries({
    username: login.username,
    password: login.password,
    'client-id': login.clientId,
    'client-secret': login.clientSecret,
  })) {
    if (value.trim() === '') throw new UsageError(`--${flag} must not be empty; give a value or leave the option out for the default.`);
  }
  return { port, host: values.host, seed: values.seed, json: values.json, login };
}

function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

function isHostSyntax(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1');
  return isIP(h) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(h);
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Resolve on the first signal; a second one while stopping exits at once (130). */
function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = () => {
      for (const s of SIGNALS) {
        process.off(s, onSignal);
        process.once(s, () => process.exit(130));
      }
      resolve();
    };
    for (const signal of SIGNALS) process.on(signal, onSignal);
  });
}

/** Run the command with `argv` (the arguments after the command name); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`salesforce-emulator: ${error.message}\nRun salesforce-emulator --help for usage.`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const { port, host, seed, json, login } = options;
  let emulator;
  try {
    emulator = await startEmulator({ port, host, ...login, ...(seed ? { seed } : {}) });
  } catch (error) {
    const cause = error as NodeJS.ErrnoException;
    // A port in use or reserved is the port's fault; an address this machine lacks (or a name that does not resolve) is the host's.
    const portProblem = cause.code === 'EADDRINUSE' || cause.code === 'EACCES';
    const fix = portProblem ? 'pick another --port' : 'pick a --host that is an address of this machine, e.g. 127.0.0.1';
    const what = portProblem ? `port ${port} on ${host}` : `host ${host}`;
    console.error(`salesforce-emulator: could not listen on ${what} (${cause.code ?? cause.message}); ${fix}.`);
    return 1;
  }
  if (!isLoopbackHost(host)) {
    // Allowed (a container, a test network), but said once: anyone who reaches it can reset the org or mint sessions.
    console.error(
      `salesforce-emulator: warning: --host ${host} serves the emulator beyond this machine, and its control API (/__emulator/) has no authentication; use 127.0.0.1 unless the network is yours.`,
    );
  }
  const { username, password, clientId, clientSecret } = login;
  const orgId = emulator.org.orgId;
  if (json) console.log(JSON.stringify({ url: emulator.url, port: emulator.port, orgId, username, password, clientId, clientSecret }));
  else {
    console.log(`Salesforce emulator on ${emulator.url} (login: ${username} / ${password}; client ${clientId} / ${clientSecret})`);
    console.log(`control API: ${emulator.url}/__emulator/  — stop with Ctrl-C`);
  }
  await waitForSignal();
  await emulator.stop();
  return 0;
}
