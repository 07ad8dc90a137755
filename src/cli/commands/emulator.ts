import type { Command } from 'commander';
import { isHostSyntax, isLoopbackHost } from '../../config/login-url.js';
import { SfsyncError } from '../../errors.js';
import { action } from '../run-command.js';
import { waitForSignal } from '../wait-for-signal.js';

interface EmulatorFlags {
  port: string;
  host: string;
  seed?: string;
  json?: boolean;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
}

/**
 * `sfsync emulator [--port N] [--host H] [--seed demo] [--username U --password P --client-id C --client-secret S]`:
 * serve the local Salesforce emulator until stopped. Each run is its own org (its own organization Id and Id space),
 * so a second one with other credentials stands in for a second org.
 */
export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .description('serve the local Salesforce emulator (REST, Bulk 2.0, streaming, control API under /__emulator/) until stopped')
    .option('--port <port>', 'TCP port (0 = a free one)', '0')
    .option('--host <host>', 'interface to bind (the control API has no auth: keep it local)', '127.0.0.1')
    .option('--seed <preset>', 'seed preset to load at start (demo: 2,000 Accounts + 5,000 Contacts)')
    .option('--username <username>', "the admin user's login", 'admin@sfsync.test')
    .option('--password <password>', "the admin user's password", 'sfsync')
    .option('--client-id <clientId>', "the connected app's consumer key", 'sfsync-local')
    .option('--client-secret <clientSecret>', "the connected app's consumer secret", 'sfsync-local-secret')
    .option('--json', 'print the listening address, organization Id and login as one JSON line')
    .action(
      action(async (flags: EmulatorFlags) => {
        // Digits only: Number() reads "" as 0 and "0x50" as 80.
        const port = /^\d{1,5}$/.test(flags.port) ? Number(flags.port) : Number.NaN;
        if (!(port >= 0 && port <= 65535)) {
          throw new SfsyncError('USAGE', `--port must be a TCP port number (0-65535), not "${flags.port}".`);
        }
        // "" would bind every interface.
        if (!isHostSyntax(flags.host)) {
          throw new SfsyncError('USAGE', `--host must be an IP address or host name of this machine, e.g. 127.0.0.1, not "${flags.host}".`);
        }
        if (flags.seed !== undefined && flags.seed !== 'demo') {
          throw new SfsyncError('USAGE', `Unknown seed preset "${flags.seed}"; the one preset is "demo".`);
        }
        const login = { username: flags.username, password: flags.password, clientId: flags.clientId, clientSecret: flags.clientSecret };
        for (const [flag, value] of Object.entries({
          username: login.username,
          password: login.password,
          'client-id': login.clientId,
          'client-secret': login.clientSecret,
        })) {
          if (value.trim() === '') throw new SfsyncError('USAGE', `--${flag} must not be empty; give a value or leave the option out for the default.`);
        }
        const { startEmulator } = await import('salesforce-emulator');
        const emulator = await startEmulator({ port, host: flags.host, ...login, ...(flags.seed === 'demo' ? { seed: 'demo' as const } : {}) }).catch(
          (cause: NodeJS.ErrnoException) => {
            // A port in use or reserved is the port's fault; an address this machine lacks (or a name that does not resolve) is the host's.
            const portProblem = cause.code === 'EADDRINUSE' || cause.code === 'EACCES';
            const fix = portProblem ? 'pick another --port' : 'pick a --host that is an address of this machine, e.g. 127.0.0.1';
            const what = portProblem ? `port ${port} on ${flags.host}` : `host ${flags.host}`;
            throw new SfsyncError('EMULATOR_FAILED', `The emulator could not listen on ${what} (${cause.code ?? cause.message}); ${fix}.`, { cause });
          },
        );
        if (!isLoopbackHost(flags.host)) {
          // Allowed (a container, a test network), but said once: anyone who reaches it can reset the org or mint sessions.
          console.error(
            `sfsync: warning: --host ${flags.host} serves the emulator beyond this machine, and its control API (/__emulator/) has no authentication; use 127.0.0.1 unless the network is yours.`,
          );
        }
        const info = { url: emulator.url, port: emulator.port, orgId: emulator.org.orgId, ...login };
        if (flags.json) console.log(JSON.stringify(info));
        else {
          console.log(
            `Salesforce emulator on ${emulator.url}, org ${info.orgId} (login: ${login.username} / ${login.password}; client ${login.clientId} / ${login.clientSecret})`,
          );
          console.log(`control API: ${emulator.url}/__emulator/  — stop with Ctrl-C`);
        }
        await waitForSignal();
        await emulator.stop();
      }),
    );
}
