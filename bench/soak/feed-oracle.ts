/**
 * The change feed's oracle, run once the sync has converged: did the feed
 * miss a change, and did it keep each record's changes in order?
 * - Outbound: every change Salesforce has from Postgres (an outbox row settled
 *   success, or merged into one, with an sfid and no error) is one outbound
 *   entry, and a record's outbound entries come in the order the app made the
 *   changes (outbox id order): the two sequences must be equal.
 * - Inbound and outbound together: folding a row's entries in position order
 *   (insert sets the values, update merges the changed fields) must give the
 *   row's values as the table holds them now. A change the feed missed, or
 *   two it swapped, leaves a field at another value. `@<id>` references the
 *   app wrote are read through the parent row's sfid, as the push resolved them.
 * - The reader's own notes: no gap in positions, nothing handed twice with
 *   other content.
 */
import type pg from 'pg';
import { foldEntries } from '../../src/feed/feed.js';
import type { SoakFeedEntry } from './feed-reader.js';
import type { FeedReader } from './feed-reader.js';
import type { SoakObject } from './ledger.js';
import { same } from './oracle.js';
import { COMPARED_FIELDS, type Snapshot } from './snapshot.js';

/** The feed's verdict. */
export interface FeedVerdict {
  entries: number;
  /** Changes with no entry, or rows whose folded entries differ from the table. */
  missed: number;
  /** Records whose entries are all there but in another order. */
  outOfOrder: number;
  /** Gaps in positions and entries handed again with other content. */
  readerProblems: number;
  /** The first offenders, one line each. */
  offenders: string[];
}

interface PushedChange {
  mapping_id: string;
  record_id: string;
  op: string;
  changed: Record<string, unknown>;
}

/** Judge the feed the reader collected against the outbox and the final tables. */
export async function judgeFeed(reader: FeedReader, db: pg.Pool, snap: Snapshot): Promise<FeedVerdict> {
  const verdict: FeedVerdict = {
    entries: reader.entries.size,
    missed: 0,
    outOfOrder: 0,
    readerProblems: reader.problems.length,
    offenders: [...reader.problems],
  };
  const ordered = [...reader.entries.values()].sort((a, b) => a.position - b.position);
  const byRecord = group(ordered, (e) => `${e.mappingId}:${e.recordId}`);
  const { rows: pushed } = await db.query<PushedChange>(
    `select mapping_id::text, record_id::text, op::text, changed from sfsync.outbox
      where state in ('success', 'merged') and error is null and sfid is not null order by id`,
  );
  for (const [key, changes] of group(pushed, (c) => `${c.mapping_id}:${c.record_id}`)) {
    const expected = changes.map((c) => `${c.op} ${JSON.stringify(c.changed)}`);
    const actual = (byRecord.get(key) ?? []).filter((e) => e.direction === 'outbound').map((e) => `${e.op} ${JSON.stringify(e.changed)}`);
    if (expected.join('\n') === actual.join('\n')) continue;
    const sorted = (xs: string[]) => [...xs].sort().join('\n');
    if (sorted(expected) === sorted(actual)) {
      verdict.outOfOrder++;
      verdict.offenders.push(`feed order: record ${key}: pushed ${expected.join(' | ')}; feed ${actual.join(' | ')}`);
    } else {
      verdict.missed++;
      verdict.offenders.push(
        `feed missed: record ${key}: pushed ${expected.length} change(s), the feed has ${actual.length}: ${expected.join(' | ')} vs ${actual.join(' | ')}`,
      );
    }
  }
  const { rows: mappings } = await db.query<{ id: string; sobject: SoakObject }>('select id::text, sobject from sfsync.mappings');
  const accountSfids = new Map(snap.pg.Account.map((r) => [r.id, r.sfid]));
  for (const { id: mappingId, sobject } of mappings) {
    for (const row of snap.pg[sobject] ?? []) {
      const folded = foldEntries(byRecord.get(`${mappingId}:${row.id}`) ?? []);
      const diffs = COMPARED_FIELDS[sobject]
        .filter((f) => !same(resolve(folded[f.field], accountSfids), row.values[f.field], f.kind))
        .map((f) => `${f.field} feed=${JSON.stringify(folded[f.field] ?? null)} table=${JSON.stringify(row.values[f.field] ?? null)}`);
      if (diffs.length > 0) {
        verdict.missed++;
        verdict.offenders.push(`feed missed: ${sobject} row ${row.id} (${row.tag}): ${diffs.join(', ')}`);
      }
    }
  }
  verdict.offenders = verdict.offenders.slice(0, 10);
  return verdict;
}

/** `@<id>` (a local parent, as the app wrote it) → that row's sfid. */
function resolve(value: unknown, sfids: Map<string, string | null>): unknown {
  return typeof value === 'string' && value.startsWith('@') ? (sfids.get(value.slice(1)) ?? value) : value;
}

function group<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

export type { SoakFeedEntry };
