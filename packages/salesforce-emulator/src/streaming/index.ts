/**
 * The emulator's Streaming API: Bayeux long-polling at `/cometd/NN.N` with
 * PushTopic (`/topic/Name`), Change Data Capture (`/data/…ChangeEvent`,
 * `/data/ChangeEvents`) and platform event (`/event/X__e`) channels, replay
 * (`ext.replay`: -1, -2, N) and retention (docs/wire-notes.md, Streaming).
 *
 * Glossary:
 * - client / session: a Bayeux `clientId` from a handshake (bayeux-session.ts)
 * - channel log: the retained events of one channel, by replayId (event-log.ts)
 * - held connect: a `/meta/connect` answered only when events arrive or it times out
 *
 * @example
 * const streaming = createStreamingApi(org, { connectTimeoutMs: 2_000 });
 * // server: POST /cometd/59.0 → streaming.handle(req, res, { apiVersion: '59.0', path: '', search })
 * streaming.dropClients(); // every client re-handshakes after `403::Unknown client`
 * await streaming.stop();
 */
import type { HttpPart, OrgPort } from '../ports.js';
import { compileSoql } from '../soql/index.js';
import { BayeuxServer } from './bayeux-server.js';
import { ChannelRegistry } from './channel-registry.js';
import { attachEventSources } from './event-sources.js';
import type { CompileFilter } from './pushtopic-query.js';
import { PushTopicRegistry } from './pushtopic-registry.js';
import { handleCometdRequest } from './routes.js';

/** Options of {@link createStreamingApi}; every one has a Salesforce-like default. */
export interface StreamingOptions {
  /** How long a `/meta/connect` is held without events, and the advised `timeout` (default 110,000 ms). */
  connectTimeoutMs?: number;
  /** A client with no request for this long (and no held connect) is dropped (default 40,000 ms). */
  clientTimeoutMs?: number;
  /** Cap on retained events per channel, oldest forgotten first (default 100,000). */
  maxEventsPerChannel?: number;
  /** Refuse requests of known clients without the `BAYEUX_BROWSER` cookie (default true). */
  requireCookies?: boolean;
  /** Compiles PushTopic queries for WHERE matching (default: the SOQL engine's `compileSoql`). */
  compileFilter?: CompileFilter;
  /** Clock in epoch ms (default Date.now). */
  now?: () => number;
  /** Uniform [0,1) numbers for `controls.dropEventRate` (default Math.random). */
  random?: () => number;
}

/** The Streaming API part, with control hooks for `/__emulator/streaming/…`. */
export interface StreamingApi extends HttpPart {
  /** Forget every client now; each gets `403::Unknown client` next and re-handshakes. Returns how many were dropped. */
  dropClients(): number;
  /** Number of live Bayeux clients. */
  readonly clientCount: number;
  /** Number of `/meta/connect` requests held open right now. */
  readonly heldConnectCount: number;
  /** The channel logs and subscribers; the Pub/Sub API (pubsub/) reads the same ones. */
  readonly channels: ChannelRegistry;
}

/** Create the Streaming API part the server mounts at POST `/cometd/NN.N` (no server-side auth: it authenticates each batch). */
export function createStreamingApi(org: OrgPort, options: StreamingOptions = {}): StreamingApi {
  const now = options.now ?? Date.now;
  const connectTimeoutMs = options.connectTimeoutMs ?? 110_000;
  const compile = options.compileFilter ?? defaultCompile;
  const channels = new ChannelRegistry(org.controls, { maxEventsPerChannel: options.maxEventsPerChannel ?? 100_000, now });
  const topics = new PushTopicRegistry(org.records, org.schema, compile);
  const server = new BayeuxServer(
    { schema: org.schema, channels, topics },
    { connectTimeoutMs, clientTimeoutMs: options.clientTimeoutMs ?? 40_000, requireCookies: options.requireCookies ?? true },
  );
  const detach = attachEventSources(org, { channels, topics, now, random: options.random ?? Math.random });
  let stopped = false;
  return {
    async handle(req, res, route) {
      await handleCometdRequest(req, res, route, { org, server, connectTimeoutMs });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      detach();
      server.stop();
    },
    dropClients: () => server.dropClients(),
    channels,
    get clientCount() {
      return server.clientCount;
    },
    get heldConnectCount() {
      return server.heldConnectCount;
    },
  };
}

const defaultCompile: CompileFilter = (soql, schema) => compileSoql(soql, schema);
