/**
 * The local Salesforce emulator: `startEmulator()` serves an in-memory org over
 * the real Salesforce wire protocols (OAuth/SOAP login, REST, Bulk API 2.0,
 * CometD streaming) plus a control API under `/__emulator/`. See the package
 * README (README.md next to package.json).
 *
 * @example
 * const emu = await startEmulator();
 * const conn = new jsforce.Connection({ loginUrl: emu.url, version: '59.0' });
 * await conn.login('admin@sfsync.test', 'sfsync');
 * await emu.stop();
 */
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { Org, type OrgOptions } from './org/org.js';
import { withProfile, type LatencyProfileName } from './org/latency-profile.js';
import { seedPreset } from './org/seed.js';
import { QueryLocators } from './rest/query-locators.js';
import { createEmulatorServer, type EmulatorLog, type ServerContext } from './server.js';
import { loadParts, type StreamingPartOptions } from './server-parts.js';
import type { StreamingApi } from './streaming/index.js';
import type { PubSubOptions, PubSubServer } from './pubsub/index.js';

export { Org } from './org/org.js';
export { DEFAULT_LOGIN } from './org/org-options.js';
export type { OrgOptions, OrgIdentityOptions } from './org/org.js';
export type { ControlSettings, ControlsInput, FaultRule, FaultKind } from './org/controls.js';
export type { AutomationRule } from './org/automation.js';
export type { SchemaConfig, CustomObjectConfig, CustomFieldConfig } from './org/schema-config.js';
export { seedRecords } from './org/seed.js';
export type { SeedResult, SeedOptions } from './org/seed.js';
export { normalizeId, idChecksum, to18 } from './org/ids.js';
export type { StreamingPartOptions } from './server-parts.js';
export type { StreamingApi } from './streaming/index.js';
export { LATENCY_PROFILES, latencyProfile, isLatencyProfileName, type LatencyProfileName } from './org/latency-profile.js';
export type { PubSubOptions, PubSubServer } from './pubsub/index.js';

/** Options of {@link startEmulator}; every org option (credentials, schema, controls, automation) applies too. */
export interface EmulatorOptions extends OrgOptions {
  /** Interface to bind; default `127.0.0.1` (the control API has no auth). */
  host?: string;
  /** Port; default 0 (a free port). */
  port?: number;
  /** Seed preset applied at start (`demo`: 2,000 Accounts + 5,000 linked Contacts); default none. */
  seed?: 'demo';
  /** Where unexpected errors are logged; default `console.error`. Tokens are never passed to it. */
  log?: EmulatorLog;
  /** Timing profile (org/latency-profile.ts): `real` answers at a real org's speed (REST 100–200 ms, Bulk jobs seconds, CometD 200 ms); default `none`. Explicit `controls` win. */
  profile?: LatencyProfileName;
  /** Streaming API timing; defaults are Salesforce's (connect held 110 s, idle client dropped after 40 s). Short values make timeout tests fast. */
  streaming?: StreamingPartOptions;
  /** The Pub/Sub API (gRPC) on its own port: `false` turns it off; default on, 127.0.0.1, a free port. */
  pubsub?: PubSubOptions | false;
}

/** A running emulator. */
export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`: the login URL and instance URL. */
  url: string;
  port: number;
  /** Direct access to the org for tests: seed, inspect, controls. */
  org: Org;
  /**
   * The Streaming API part (undefined if it failed to load): `dropClients()`
   * (every client gets `403::Unknown client` next), `clientCount`, `heldConnectCount`.
   */
  streaming: StreamingApi | undefined;
  /** The Pub/Sub API server (`address` is the gRPC target `127.0.0.1:PORT`); undefined when off or failed to load. */
  pubsub: PubSubServer | undefined;
  /** Close every connection (keep-alive and held long-polls too) and stop timers. */
  stop(): Promise<void>;
}

/** Start an emulator. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const controls = withProfile(options.profile, options.controls);
  const org = new Org(controls === undefined ? options : { ...options, controls });
  const log: EmulatorLog = options.log ?? ((message, error) => console.error(`[sfsync emulator] ${message}`, error ?? ''));
  const parts = await loadParts(org, log, options.streaming);
  const ctx: ServerContext = { org, parts, locators: new QueryLocators(), log, baseUrl: '' };
  const server = createEmulatorServer(ctx);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  ctx.baseUrl = url;
  if (options.seed !== undefined) seedPreset(org, options.seed);
  const pubsub = await startPubSub(ctx, options, log);
  ctx.pubsubAddress = pubsub?.address;
  ctx.pubsub = pubsub;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await Promise.allSettled([parts.bulk?.stop(), parts.streaming?.stop(), pubsub?.stop()]);
      org.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    })();
    return stopped;
  };
  return { url, port, org, streaming: parts.streaming, pubsub, stop };
}

/** Start the Pub/Sub API beside the HTTP server, over the streaming part's channel logs (none without streaming). */
async function startPubSub(ctx: ServerContext, options: EmulatorOptions, log: EmulatorLog): Promise<PubSubServer | undefined> {
  const streaming = ctx.parts.streaming;
  if (options.pubsub === false || streaming === undefined) return undefined;
  try {
    const mod = await import('./pubsub/index.js');
    return await mod.startPubSubServer(
      { org: ctx.org, channels: streaming.channels, instanceUrl: () => ctx.baseUrl },
      { host: options.host, ...options.pubsub },
    );
  } catch (error) {
    log('Pub/Sub API is unavailable', error);
    return undefined;
  }
}
