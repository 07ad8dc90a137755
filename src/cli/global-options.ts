/**
 * Options every subcommand accepts (`sfsync --config x status`), and the
 * configuration they produce: defaults < config file < `SFSYNC_*` env < flags.
 */
import type { Command } from 'commander';
import type { SfsyncConfig, SfsyncConfigInput } from '../config/config-schema.js';
import { SfsyncError } from '../errors.js';

/** The global flags as commander parses them. */
export interface GlobalFlags {
  config?: string;
  databaseUrl?: string;
  dataDir?: string;
  logLevel?: string;
  trustStoredLoginUrl?: boolean;
  streamingTransport?: string;
}

/** Register the global flags on the root program. */
export function addGlobalOptions(program: Command): void {
  program
    .option('--config <file>', 'config file (default: ./sfsync.config.json when it exists)')
    .option('--database-url <url>', 'Postgres connection string (default: DATABASE_URL, else an embedded Postgres under --data-dir)')
    .option('--data-dir <dir>', 'directory of the embedded Postgres and local state (default: .sfsync, or SFSYNC_DATA_DIR)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default: info)')
    .option('--streaming-transport <transport>', 'cometd (Streaming API) or pubsub (Pub/Sub API over gRPC) for CDC and platform events (default: cometd)')
    .option(
      '--trust-stored-login-url',
      "log in at a stored connection's login URL even when it is not salesforce.loginUrl, sending it the configured secrets (SFSYNC_TRUST_STORED_LOGIN_URL)",
    );
}

/** A listing command's `--limit`: a positive whole number, or a one-line usage error. */
export function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit <= 0) throw new SfsyncError('USAGE', `--limit must be a positive whole number, not "${value}".`);
  return limit;
}

/** The global flags seen from any (sub)command. */
export function globalFlags(command: Command): GlobalFlags {
  return command.optsWithGlobals<GlobalFlags>();
}

/**
 * Load the configuration for `command`, with its global flags (and `extra`
 * flag values) on top. The loader is imported here, not at the top: it pulls
 * zod (~250 ms under tsx), which `--help` and commander's errors never need.
 */
export async function configFor(command: Command, extra: SfsyncConfigInput = {}): Promise<SfsyncConfig> {
  const { loadConfig } = await import('../config/load-config.js');
  const flags = globalFlags(command);
  const overrides: Record<string, unknown> = { ...extra };
  if (flags.databaseUrl) overrides.databaseUrl = flags.databaseUrl;
  if (flags.dataDir) overrides.dataDir = flags.dataDir;
  if (flags.logLevel) overrides.logLevel = flags.logLevel;
  const salesforce: Record<string, unknown> = { ...extra.salesforce };
  if (flags.trustStoredLoginUrl) salesforce.trustStoredLoginUrl = true;
  if (flags.streamingTransport) salesforce.streamingTransport = flags.streamingTransport;
  if (Object.keys(salesforce).length > 0) overrides.salesforce = salesforce as SfsyncConfigInput['salesforce'];
  return loadConfig({ ...(flags.config ? { file: flags.config } : {}), overrides: overrides as SfsyncConfigInput });
}
