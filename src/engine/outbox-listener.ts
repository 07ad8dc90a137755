/**
 * The `outbox-listener` component: LISTENs on `sfsync:outbox` and queues a
 * debounced `sfsync:push` per mapping (job key `sfsync:push:<id>`), applies
 * mapping requests made from SQL (`sfsync:mappings`), and every
 * config.push.sweepIntervalMs sweeps for work whose NOTIFY nobody heard
 * (sfsync.mappings_to_push(): due changes, retries whose time has come,
 * claims of dead processes, pauses that ended), retries PARENT_FAILED children
 * whose parent has an sfid by now (outbox/outbox.ts `retryAllOrphans`) and keeps the hourly
 * `sfsync:prune-outbox` job queued. The LISTEN connection is a
 * dedicated pooled client; on loss it reconnects with back-off (100 ms
 * doubling to 5 s) and sweeps at once, since NOTIFYs were missed meanwhile.
 */
import { retryAllOrphans } from '../outbox/outbox.js';
import type pg from 'pg';
import { applyMappingRequests } from '../mapping/apply-mapping-requests.js';
import { jobKeys } from '../jobs/payloads.js';
import type { EngineComponent, EngineContext } from '../jobs/context.js';

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5000;
/** Finished outbox changes are pruned hourly; the sweep re-queues the prune job at most this often. */
const PRUNE_EVERY_MS = 3600_000;
const PRUNE_REQUEUE_MS = 600_000;

/** The component, registered in engine/components.ts. */
export const outboxListener: EngineComponent = {
  name: 'outbox-listener',
  async start(context) {
    const listener = new OutboxListener(context);
    await listener.connect();
    void listener.sweep();
    const timer = setInterval(() => void listener.sweep(), context.config.push.sweepIntervalMs);
    return {
      async stop() {
        clearInterval(timer);
        await listener.close();
      },
    };
  },
};

class OutboxListener {
  private client: pg.PoolClient | undefined;
  private closed = false;
  private backoff = BACKOFF_MIN_MS;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private sweeping = false;
  private pruneQueuedAt = -Infinity;

  constructor(private readonly context: EngineContext) {}

  async connect(): Promise<void> {
    const client = await this.context.pool.connect();
    client.on('notification', (message) => this.onNotification(message.channel, message.payload ?? ''));
    client.on('error', (error) => this.lost(client, error));
    await client.query('listen "sfsync:outbox"; listen "sfsync:mappings"');
    this.client = client;
    this.backoff = BACKOFF_MIN_MS;
  }

  private lost(client: pg.PoolClient, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.release(error);
    if (this.closed) return;
    this.context.logger.warn({ err: error }, 'outbox listener lost its connection; reconnecting');
    const retry = () => {
      if (this.closed) return;
      this.connect().then(
        () => this.sweep(),
        () => {
          this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
          setTimeout(retry, this.backoff);
        },
      );
    };
    setTimeout(retry, this.backoff);
  }

  private onNotification(channel: string, payload: string): void {
    if (channel === 'sfsync:outbox') this.queuePush(payload);
    else if (channel === 'sfsync:mappings') {
      const message = safeJson(payload);
      if (message?.action === 'changed' && typeof message.mappingId === 'string') void this.applyRequests([message.mappingId]);
    }
  }

  /** Debounce: the first NOTIFY of a burst arms a timer; the push is queued when it fires. */
  private queuePush(mappingId: string): void {
    if (!/^\d+$/.test(mappingId) || this.timers.has(mappingId)) return;
    this.timers.set(
      mappingId,
      setTimeout(() => {
        this.timers.delete(mappingId);
        this.context
          .addJob('sfsync:push', { mappingId }, { jobKey: jobKeys.push(mappingId) })
          .catch((error: unknown) => this.context.logger.error({ err: error, mappingId }, 'queueing a push failed'));
      }, this.context.config.push.debounceMs),
    );
  }

  private async applyRequests(ids?: string[]): Promise<void> {
    try {
      const applied = await applyMappingRequests(this.context.pool, (id) => this.context.salesforce(id), ids);
      if (applied.length > 0) this.context.logger.info({ mappings: applied }, 'applied mapping requests');
    } catch (error) {
      this.context.logger.error({ err: error }, 'applying mapping requests failed');
    }
  }

  async sweep(): Promise<void> {
    if (this.sweeping || this.closed) return;
    this.sweeping = true;
    try {
      await this.applyRequests();
      const { rows } = await this.context.pool.query<{ id: string }>('select id::text from sfsync.mappings_to_push() as id');
      for (const { id } of rows) this.queuePush(id);
      const healed = await retryAllOrphans(this.context.pool);
      if (healed > 0) this.context.logger.info({ healed }, 'children whose parent reached Salesforce are sent again');
      if (Date.now() - this.pruneQueuedAt >= PRUNE_REQUEUE_MS) {
        // preserve_run_at: an already queued prune keeps its time, so this never postpones it.
        await this.context.addJob(
          'sfsync:prune-outbox',
          {},
          { jobKey: jobKeys.pruneOutbox, jobKeyMode: 'preserve_run_at', runAt: new Date(Date.now() + PRUNE_EVERY_MS) },
        );
        await this.context.addJob(
          'sfsync:prune-feed',
          {},
          { jobKey: jobKeys.pruneFeed, jobKeyMode: 'preserve_run_at', runAt: new Date(Date.now() + PRUNE_EVERY_MS) },
        );
        this.pruneQueuedAt = Date.now();
      }
    } catch (error) {
      if (!this.closed) this.context.logger.error({ err: error }, 'outbox sweep failed');
    } finally {
      this.sweeping = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.query('unlisten *').catch(() => undefined);
      client.release();
    }
  }
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
