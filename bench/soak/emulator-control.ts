/**
 * The emulator's control API (`/__emulator/…`, JSON, no auth), as the soak
 * uses it: set and clear faults, expire sessions, drop streaming clients
 * (CometD) and Subscribe streams (Pub/Sub API), and
 * read every record of an object (the oracle's view of Salesforce, and a way to
 * settle a write whose outcome the workload could not see).
 */

/** A fault rule (packages/salesforce-emulator/README.md, Controls). */
export interface FaultRule {
  kind: '5xx' | 'UNABLE_TO_LOCK_ROW' | 'REQUEST_LIMIT_EXCEEDED';
  rate?: number;
  pathPrefix?: string;
  method?: string;
}

/** The controls the soak changes (a subset of `PUT /__emulator/faults`). */
export interface SoakControls {
  faults?: FaultRule[];
  dropEventRate?: number;
  commitDelayMs?: number;
  lostResponses?: { rate: number; next?: number; pathPrefix?: string; method?: string };
  /** API calls allowed a day before every call is refused (default 15,000). */
  dailyApiLimit?: number;
}

/** A record as the control API renders it: every field, `attributes` included. */
export type EmulatorRecord = Record<string, unknown> & { Id: string; IsDeleted: boolean; SystemModstamp: string };

/** A client of one emulator's control API. */
export class EmulatorControl {
  constructor(private readonly baseUrl: string) {}

  /** Merge controls (`PUT /__emulator/faults`). */
  async setControls(controls: SoakControls): Promise<void> {
    await this.call('PUT', '/faults', controls);
  }

  /** Every access token is invalid from now on. */
  async expireSessions(): Promise<void> {
    await this.call('POST', '/sessions/expire');
  }

  /** Forget every CometD client; returns how many were dropped. */
  async dropStreamingClients(): Promise<number> {
    const body = (await this.call('POST', '/streaming/drop-clients')) as { dropped?: number };
    return body.dropped ?? 0;
  }

  /** End every Pub/Sub API Subscribe stream (UNAVAILABLE); returns how many were dropped. */
  async dropPubSubStreams(): Promise<number> {
    const body = (await this.call('POST', '/pubsub/drop-streams')) as { dropped?: number };
    return body.dropped ?? 0;
  }

  /** Writes accepted but not yet visible (delayed commits still running). */
  async pendingCommits(): Promise<number> {
    const body = (await this.call('GET', '/stats')) as { pendingCommits?: number };
    return body.pendingCommits ?? 0;
  }

  /** Every record of `object` (deleted ones too when asked), in SystemModstamp order. */
  async records(object: string, includeDeleted = false): Promise<EmulatorRecord[]> {
    const query = `?limit=100000000${includeDeleted ? '&includeDeleted=true' : ''}`;
    const body = (await this.call('GET', `/records/${object}${query}`)) as { records: EmulatorRecord[] };
    return body.records;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}/__emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator control ${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : {};
  }
}
