/**
 * Families for composite graphs: when a push round of a parent mapping sends
 * inserts (no sfid, no External ID value to link by: `create`, not `upsert`),
 * it also claims, from the other read_write mappings of the connection with
 * a lookup to the parent's object, the never-sent child inserts whose lookup
 * holds `@<parent id>` (or `@<Object>:<parent id>`). Each parent and its
 * children then go as one graph (send-families.ts), instead of the children
 * waiting (WAITING_FOR_PARENT) for the parent's round trip and write-back.
 *
 * Lock order. A child mapping's rows are claimed by
 * `sfsync.claim_waiting_children` under that mapping's claim lock
 * (CLAIM_LOCK_CLASS, the lock `claim_outbox` takes), in a transaction of its
 * own, after the parent's claim committed: no transaction holds two
 * mappings' claim locks, so claims of different mappings never wait on each
 * other in a cycle. A concurrent push of the child mapping claims a record
 * before (claim_waiting_children skips records with a claimed change) or
 * after (claim_outbox skips it the same way): never both. The claims carry
 * the push's backend pid; if the process dies, `recover_outbox` of the child
 * mapping (its next push, queued by the outbox sweep through
 * `mappings_to_push`) takes them back as changes of unknown outcome, looked
 * up before they are sent again. A push round that throws hands them back
 * the same way ({@link releaseChildClaims}). The write-back then locks the
 * parent's rows before the children's (write-back.ts).
 *
 * Left to today's path (handed back untouched, never sent): a child of
 * unknown outcome (a graph is all or nothing, but a child of an earlier
 * graph whose reply was lost is looked up on its own), one whose other
 * references cannot be sent yet, one with an External ID value (an upsert),
 * one whose latest values no longer name a parent of the round, the
 * children of a family over {@link NODES_PER_REQUEST} nodes, and those of
 * child objects past the 14th (a request holds 15 different objects).
 * Children another push holds are waited for, briefly ({@link claimChildren}).
 */
import pg from 'pg';
import { sql } from 'kysely';
import { run, sfsync } from '../db/typed-query.js';
import type { FieldInfo } from '../mapping/field-info.js';
import { claimWaitingChildren, handBackClaims, releaseClaims, waitingChildrenInFlight } from '../outbox/outbox.js';
import { NODE_KINDS_PER_REQUEST, NODES_PER_REQUEST } from '../salesforce/composite-graph.js';
import { loadPushMapping, type PushMapping } from './claim.js';
import { coalesceChanges, type CoalescedChange } from './coalesce.js';
import { resolveReferences, type ResolvedReference } from './references.js';
import type { PushOp } from './send.js';
import { toSalesforceRecord } from './values.js';

/** A child of a family: its mapping, change and op (the lookup to the parent reads `@{p.id}`). */
export interface FamilyChild {
  mapping: PushMapping;
  change: CoalescedChange;
  op: PushOp;
  /** The lookup to the parent, for the write-back to store the parent's sfid in place of `local`. */
  field: FieldInfo;
  local: string;
  /** The child's other references, resolved before the send. */
  resolved: ResolvedReference[];
}

/** A parent insert and the child inserts that go with it in one graph. */
export interface Family {
  parent: PushOp;
  children: FamilyChild[];
}

/** Child records claimed per child mapping and round at most (the parent round claims up to 10,000 records too). */
const CHILD_CLAIM_LIMIT = 10_000;

/** The reference id of the parent node: children name it as `@{p.id}`. */
export const PARENT_REFERENCE = 'p';

/**
 * Claim the waiting children of the round's parent inserts, as families.
 * Only parents with at least one child come back: the others go as today.
 */
export async function claimFamilies(db: pg.ClientBase, mapping: PushMapping, ops: PushOp[], claimedBy: string): Promise<Family[]> {
  const parents = new Map(ops.filter((o) => o.kind === 'create').map((o) => [o.recordId, o]));
  if (parents.size === 0) return [];
  const families = new Map<string, FamilyChild[]>();
  const handBack: string[] = [];
  // A request holds at most 15 different objects: the parents' and 14 child objects.
  for (const childId of (await childMappingIds(db, mapping)).slice(0, NODE_KINDS_PER_REQUEST - 1)) {
    const child = await loadPushMapping(db, childId);
    if (!child?.active || child.pausedUntil) continue;
    for (const { parentId, member } of await claimFromMapping(db, mapping, child, parents, claimedBy, handBack)) {
      const list = families.get(parentId) ?? [];
      list.push(member);
      families.set(parentId, list);
    }
  }
  const out: Family[] = [];
  for (const [parentId, children] of families) {
    if (1 + children.length > NODES_PER_REQUEST) handBack.push(...children.flatMap((c) => c.change.rowIds));
    else out.push({ parent: parents.get(parentId)!, children });
  }
  await handBackClaims(db, handBack);
  return out;
}

/** One child mapping's children of these parents, claimed; those that cannot join a graph are added to `handBack`. */
async function claimFromMapping(
  db: pg.ClientBase,
  mapping: PushMapping,
  child: PushMapping,
  parents: Map<string, PushOp>,
  claimedBy: string,
  handBack: string[],
): Promise<Array<{ parentId: string; member: FamilyChild }>> {
  const isParent = (object: string) => object.toLowerCase() === mapping.sobject.toLowerCase();
  const fields = child.fieldInfo.filter((f) => f.type === 'reference' && !f.removed && f.createable && f.referenceTo.some(isParent));
  if (fields.length === 0) return [];
  const objects = [...new Set(fields.flatMap((f) => f.referenceTo).filter(isParent))];
  const values = [...parents.keys()].flatMap((id) => [`@${id}`, ...objects.map((o) => `@${o}:${id}`)]);
  const groups = await claimChildren(
    db,
    child.id,
    claimedBy,
    fields.map((f) => f.name),
    values,
  );
  const candidates: Array<{ parentId: string; member: Omit<FamilyChild, 'resolved'> }> = [];
  for (const group of groups) {
    const change = coalesceChanges(group);
    const body = toSalesforceRecord(child.fieldInfo, change.values, 'insert');
    const link = change.op === 'insert' ? familyLink(fields, body, parents, objects) : undefined;
    const ext = child.externalIdField ? body[child.externalIdField] : undefined;
    if (!link || (ext !== undefined && ext !== null)) {
      handBack.push(...change.rowIds, ...change.deferredIds);
      continue;
    }
    body[link.field.name] = `@{${PARENT_REFERENCE}.id}`;
    const op: PushOp = { recordId: change.recordId, kind: 'create', body };
    candidates.push({ parentId: link.parentId, member: { mapping: child, change, op, field: link.field, local: link.local } });
  }
  // The children's other lookups (to other local parents) resolve as in any round; one that must wait goes its own way.
  const refs = await resolveReferences(
    db,
    child,
    candidates.map((c) => c.member.op),
  );
  const ready = new Set(refs.ready.filter((o) => !refs.byExternalId.has(o.recordId)).map((o) => o.recordId));
  const out: Array<{ parentId: string; member: FamilyChild }> = [];
  for (const { parentId, member } of candidates) {
    if (ready.has(member.change.recordId))
      out.push({ parentId, member: { ...member, resolved: refs.resolved.filter((r) => r.recordId === member.change.recordId) } });
    else handBack.push(...member.change.rowIds);
  }
  return out;
}

/**
 * Claim the waiting children; while a push of the child mapping holds some of
 * them (the same commit queued it, and it finds they wait: a database-only
 * round, ~0.3 s for 5,000), claim again as it hands them back, for up to
 * {@link IN_FLIGHT_WAIT_MS}. Past that the parents go without them, as they
 * would have without graphs.
 */
async function claimChildren(db: pg.ClientBase, childId: string, claimedBy: string, fields: string[], values: string[]) {
  const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
  const groups = await claimWaitingChildren(db, childId, claimedBy, fields, values, CHILD_CLAIM_LIMIT);
  while (Date.now() < deadline && groups.length < CHILD_CLAIM_LIMIT && (await waitingChildrenInFlight(db, childId, claimedBy, fields, values))) {
    await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_POLL_MS));
    groups.push(...(await claimWaitingChildren(db, childId, claimedBy, fields, values, CHILD_CLAIM_LIMIT - groups.length)));
  }
  return groups;
}

/**
 * How long a round waits at most for children another push holds (see
 * claimChildren). That push only hands them back, but on a loaded machine its
 * round took over a second (CI, 2 cores): at 1 s the parents went alone and the
 * children one round trip later, three calls instead of one.
 */
const IN_FLIGHT_WAIT_MS = 5000;
/** How often it looks again meanwhile. */
const IN_FLIGHT_POLL_MS = 25;

/** The child's lookup naming one of the parents (`@<id>` or `@<Object>:<id>`), if any. */
function familyLink(
  fields: FieldInfo[],
  body: PushOp['body'],
  parents: Map<string, PushOp>,
  objects: string[],
): { field: FieldInfo; local: string; parentId: string } | undefined {
  for (const field of fields) {
    const value = body[field.name];
    if (typeof value !== 'string') continue;
    const match = /^@(?:([A-Za-z][A-Za-z0-9_]*):)?(\d{1,17})$/.exec(value);
    if (!match || !parents.has(match[2]!)) continue;
    if (match[1] === undefined ? field.referenceTo.length !== 1 : !objects.includes(match[1])) continue;
    return { field, local: value, parentId: match[2]! };
  }
  return undefined;
}

/** Hand back, as changes of unknown outcome, the children a failed round claimed under `claimedBy` (sfsync.release_claims per child mapping). */
export async function releaseChildClaims(db: pg.ClientBase, mapping: PushMapping, claimedBy: string): Promise<void> {
  for (const id of await childMappingIds(db, mapping)) await releaseClaims(db, id, claimedBy);
}

/** read_write mappings of the connection, other than this one, with a lookup to its object. */
async function childMappingIds(db: pg.ClientBase, mapping: PushMapping): Promise<string[]> {
  const rows = await run(
    db,
    sfsync
      .selectFrom('mappings as m')
      .select('m.id')
      .where('m.connection_id', '=', mapping.connectionId)
      .where('m.mode', '=', 'read_write')
      .where('m.id', '<>', mapping.id)
      .where(
        sql<boolean>`exists (select 1 from jsonb_array_elements(m.field_info) f, jsonb_array_elements_text(f -> 'referenceTo') r
                              where f ->> 'type' = 'reference' and lower(r) = lower(${mapping.sobject}))`,
      )
      .orderBy('m.id'),
  );
  return rows.map((r) => r.id);
}
