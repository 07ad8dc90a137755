/**
 * The parts the server mounts besides REST: Bulk API 2.0 under
 * `/services/data/vNN.N/jobs` and CometD under `/cometd/NN.N`. Loaded at
 * start so a missing or broken part disables its mount instead of the server.
 */
import type { HttpPart, OrgPort } from './ports.js';
import type { StreamingApi } from './streaming/index.js';

/** Streaming options `startEmulator` passes through (the rest keep their defaults). */
export interface StreamingPartOptions {
  /** How long a `/meta/connect` is held without events, and the advised `timeout`; default 110,000 ms (Salesforce's). */
  connectTimeoutMs?: number;
  /** A client silent for this long (no held connect) is dropped → `403::Unknown client`; default 40,000 ms. */
  clientTimeoutMs?: number;
}

/** The mounted parts; undefined when a part failed to load. */
export interface ServerParts {
  bulk: HttpPart | undefined;
  streaming: StreamingApi | undefined;
}

/** Create both parts for an org. */
export async function loadParts(
  org: OrgPort,
  log: (message: string, error?: unknown) => void,
  streamingOptions: StreamingPartOptions = {},
): Promise<ServerParts> {
  let bulk: HttpPart | undefined;
  let streaming: StreamingApi | undefined;
  try {
    const mod = await import('./bulk/index.js');
    bulk = mod.createBulkApi(org);
  } catch (error) {
    log('Bulk API 2.0 is unavailable', error);
  }
  try {
    const mod = await import('./streaming/index.js');
    streaming = mod.createStreamingApi(org, streamingOptions);
  } catch (error) {
    log('Streaming API is unavailable', error);
  }
  return { bulk, streaming };
}
