/**
 * Open query cursors behind `nextRecordsUrl` locators (`01g…-2000`). A cursor
 * lives 15 minutes after its last page (Salesforce's inactivity timeout) and
 * at most {@link MAX_OPEN} stay open; older ones are closed first.
 */
import { randomBytes } from 'node:crypto';
import type { QueryCursor } from '../ports.js';
import { to18 } from '../org/ids.js';

/** Idle lifetime of a cursor: 15 minutes. */
export const LOCATOR_TTL_MS = 15 * 60_000;
/** Open cursors kept; Salesforce allows far fewer per user, but tests open many. */
const MAX_OPEN = 1000;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

interface OpenCursor {
  cursor: QueryCursor;
  batchSize: number;
  offset: number;
  expiresAt: number;
}

/** The open cursors of one server. */
export class QueryLocators {
  private readonly open = new Map<string, OpenCursor>();

  /** @param ttlMs idle lifetime (default {@link LOCATOR_TTL_MS}) */
  constructor(private readonly ttlMs = LOCATOR_TTL_MS) {}

  /** Keep a cursor with rows left; returns its locator for the next page. */
  save(cursor: QueryCursor, batchSize: number, offset: number): string {
    this.sweep();
    if (this.open.size >= MAX_OPEN) {
      const oldest = this.open.keys().next().value;
      if (oldest !== undefined) this.open.delete(oldest);
    }
    const id = to18(`01g${randomId(12)}`);
    this.open.set(id, { cursor, batchSize, offset, expiresAt: Date.now() + this.ttlMs });
    return `${id}-${offset}`;
  }

  /** The cursor of a locator, positioned at its offset; undefined when unknown, expired or not at that offset. */
  resume(locator: string): { cursor: QueryCursor; batchSize: number; offset: number; id: string } | undefined {
    const dash = locator.lastIndexOf('-');
    const id = dash < 0 ? locator : locator.slice(0, dash);
    const offset = dash < 0 ? Number.NaN : Number(locator.slice(dash + 1));
    const entry = this.open.get(id);
    if (entry === undefined || entry.expiresAt <= Date.now() || entry.offset !== offset) return undefined;
    return { cursor: entry.cursor, batchSize: entry.batchSize, offset, id };
  }

  /** Move a cursor on after a page; forget it when done. */
  advance(id: string, offset: number, done: boolean): string | undefined {
    const entry = this.open.get(id);
    if (entry === undefined) return undefined;
    // Re-insert so iteration order stays least-recently-used first.
    this.open.delete(id);
    if (done) return undefined;
    entry.offset = offset;
    entry.expiresAt = Date.now() + this.ttlMs;
    this.open.set(id, entry);
    return `${id}-${offset}`;
  }

  /** Close every cursor now (a control: makes the next queryMore fail with INVALID_QUERY_LOCATOR). */
  expireAll(): number {
    const n = this.open.size;
    this.open.clear();
    return n;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.open) if (entry.expiresAt <= now) this.open.delete(id);
  }
}

function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += BASE62[b % 62];
  return out;
}
