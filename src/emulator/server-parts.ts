/**
 * The parts the server mounts besides REST: Bulk API 2.0 under
 * `/services/data/vNN.N/jobs` and CometD under `/cometd/NN.N`. Loaded at
 * start so a missing or broken part disables its mount instead of the server.
 */
import type { HttpPart, OrgPort } from './ports.js';

/** The mounted parts; undefined when a part failed to load. */
export interface ServerParts {
  bulk: HttpPart | undefined;
  streaming: HttpPart | undefined;
}

/** Create both parts for an org. */
export async function loadParts(org: OrgPort, log: (message: string, error?: unknown) => void): Promise<ServerParts> {
  let bulk: HttpPart | undefined;
  let streaming: HttpPart | undefined;
  try {
    const mod = await import('./bulk/index.js');
    bulk = mod.createBulkApi(org);
  } catch (error) {
    log('Bulk API 2.0 is unavailable', error);
  }
  try {
    const mod = await import('./streaming/index.js');
    streaming = mod.createStreamingApi(org);
  } catch (error) {
    log('Streaming API is unavailable', error);
  }
  return { bulk, streaming };
}
