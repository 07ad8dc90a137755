/**
 * The in-memory org: implements OrgPort for the HTTP parts by wiring the
 * schema, records, the write path (org-writes.ts), validation and automation
 * rules, change events, sessions, API usage and the control knobs; offers
 * direct helpers (create, list, undelete, seed, reset, recycle bin) for tests.
 */
import type { ChangeEvent, OrgPort, PlatformEventMessage, QueryCursor, Session, WriteContext, WriteOp, WriteResult } from '../ports.js';
import { compileSoql, type CompiledQuery } from '../soql/index.js';
import { SessionStore } from '../auth/session-store.js';
import { AutomationRules, type AutomationRule } from './automation.js';
import { applyControls, defaultControls, type ControlSettings, type ControlsInput } from './controls.js';
import { IdGenerator, to18 } from './ids.js';
import { ModstampClock } from './modstamp-clock.js';
import { resolveIdentity, type OrgIdentity, type OrgOptions } from './org-options.js';
import { OrgRecordSource } from './org-record-source.js';
import { OrgWrites } from './org-writes.js';
import { RecordStore, type StoredRow } from './record-store.js';
import { Schema } from './schema.js';
import { ValidationRules } from './validation-rules.js';
import { OrgEvents } from './org-events.js';
import { publishPlatformEvent } from './platform-events.js';

export type { OrgIdentity, OrgIdentityOptions, OrgOptions } from './org-options.js';

const QUERY_CACHE_LIMIT = 500;
/** Recycle-bin retention: deleted records are purged after 15 days, as in Salesforce. */
export const RECYCLE_BIN_MS = 15 * 24 * 3600_000;
const PURGE_INTERVAL_MS = 3600_000;

/** One emulated Salesforce org. */
export class Org implements OrgPort {
  readonly schema: Schema;
  readonly records: OrgRecordSource;
  readonly controls: ControlSettings = defaultControls();
  readonly sessions: SessionStore;
  readonly identity: OrgIdentity;
  /** `00D` + this instance's tag + `000SFSY`: distinct per instance, as two real orgs' Ids are. */
  readonly orgId: string;
  /** API calls counted today (REST and Bulk; not OAuth, not the versions list). */
  apiUsage = 0;
  private readonly options: OrgOptions;
  private readonly store: RecordStore;
  private readonly ids: IdGenerator;
  private readonly events = new OrgEvents();
  private readonly queryCache = new Map<string, CompiledQuery>();
  private readonly validation: ValidationRules;
  private readonly automation: AutomationRules;
  private readonly writes: OrgWrites;
  private readonly purgeTimer: NodeJS.Timeout;
  private adminId = '';

  constructor(options: OrgOptions = {}) {
    this.options = options;
    this.identity = resolveIdentity(options);
    if (options.idTag !== undefined && !/^[0-9A-Za-z]{5}$/.test(options.idTag)) {
      throw new Error(`idTag must be five letters or digits (0-9, A-Z, a-z), not "${options.idTag}".`);
    }
    this.ids = new IdGenerator(options.idTag);
    this.schema = new Schema(options.schema);
    const indexedFields = indexedFieldLookup(this.schema);
    this.store = new RecordStore(indexedFields);
    this.records = new OrgRecordSource(this.schema, this.store);
    this.orgId = to18(`00D${this.ids.tag}000SFSY`);
    this.sessions = new SessionStore(this.orgId, () => this.controls.tokenTtlMs);
    const clock = new ModstampClock();
    this.validation = new ValidationRules(this.schema, this.records);
    this.automation = new AutomationRules(this.schema, clock);
    this.writes = new OrgWrites({
      schema: this.schema,
      store: this.store,
      ids: this.ids,
      clock,
      events: this.events,
      indexedFields,
      commitDelayMs: () => this.controls.commitDelayMs,
      checkValidationRules: (object, values) => this.validation.check(object, values),
      afterSave: (tx, id, kind) => this.automation.run(this.writes.env, tx, id, kind, this.adminId),
    });
    if (options.controls !== undefined) applyControls(this.controls, options.controls);
    for (const rule of options.automation ?? []) this.addAutomation(rule);
    this.createAdmin();
    this.purgeTimer = setInterval(() => this.emptyRecycleBin(RECYCLE_BIN_MS), PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  /** The five characters after the key prefix of every Id this org hands out (the `idTag` option). */
  get idTag(): string {
    return this.ids.tag;
  }

  /** The admin user's Id (CreatedById of API writes). */
  get adminUserId(): string {
    return this.adminId;
  }

  query(soql: string, options: { includeDeleted: boolean; apiVersion: string }): QueryCursor {
    let compiled = this.queryCache.get(soql);
    if (compiled === undefined) {
      compiled = compileSoql(soql, this.schema);
      if (this.queryCache.size >= QUERY_CACHE_LIMIT) this.queryCache.clear();
      this.queryCache.set(soql, compiled);
    }
    return compiled.execute(this.records, { ...options, now: new Date() });
  }

  write(ops: WriteOp[], options: { allOrNone: boolean }, ctx: WriteContext): WriteResult[] {
    return this.writes.write(ops, options, ctx);
  }

  /**
   * Run `fn` with every write staged into one transaction that commits only
   * if `fn` returns true (composite allOrNone). `fn` must be synchronous, so
   * no other request's writes can land in the batch.
   */
  atomically(fn: () => boolean): boolean {
    return this.writes.atomically(fn);
  }

  publish(object: string, payload: Record<string, unknown>, ctx: WriteContext): WriteResult {
    return publishPlatformEvent(this.schema, object, payload, ctx, (message) => this.events.emitPlatformEvent(message));
  }

  onChange(listener: (event: ChangeEvent) => void): () => void {
    return this.events.onChange(listener);
  }

  onPlatformEvent(listener: (event: PlatformEventMessage) => void): () => void {
    return this.events.onPlatformEvent(listener);
  }

  authenticate(authorizationHeader: string | undefined): Session | undefined {
    return this.sessions.authenticate(authorizationHeader);
  }

  /** Count one API call; false when the daily limit is already used up (the call must be refused). */
  countApiCall(): boolean {
    if (this.apiUsage >= this.controls.dailyApiLimit) return false;
    this.apiUsage++;
    return true;
  }

  /** Change control settings (partial). */
  setControls(input: ControlsInput): void {
    applyControls(this.controls, input);
  }

  /** Add an automation rule (compiled now: a bad formula throws here). */
  addAutomation(rule: AutomationRule): void {
    this.automation.add(rule);
  }

  /** Current automation rules. */
  get automationRules(): AutomationRule[] {
    return this.automation.rules;
  }

  /** Remove every automation rule. */
  clearAutomation(): void {
    this.automation.clear();
  }

  /** A write context for direct (test/seed) writes: the admin user, no API origin. */
  systemContext(changeOrigin = ''): WriteContext {
    return { userId: this.adminId, changeOrigin };
  }

  /** The newest version of a record (even one awaiting a delayed commit), deleted or not. */
  latest(id: string): StoredRow | undefined {
    return this.writes.latest(id);
  }

  /** Live (undeleted) records whose unique / external-id `field` equals `value` (case-insensitive text). */
  findByExternalId(object: string, field: string, value: unknown): StoredRow[] {
    return this.writes.findByExternalId(object, field, value);
  }

  /** The earliest SystemModstamp of a write not yet visible (delayed commit), if any. */
  oldestInFlightStamp(): number | undefined {
    return this.store.oldestPendingStamp();
  }

  /**
   * When the latest physically deleted record of `object` (purged from the
   * recycle bin or hard-deleted) had been deleted, epoch ms; undefined when none was.
   */
  lastPhysicalDelete(object: string): number | undefined {
    return this.store.lastPhysicalDelete(object);
  }

  /** Visible records of an object in SystemModstamp order. */
  list(object: string, includeDeleted = false): StoredRow[] {
    const name = this.schema.getObject(object)?.name ?? object;
    return [...this.store.scan(name, includeDeleted)];
  }

  /** Visible record counts per object (deleted ones included), and writes awaiting a delayed commit. */
  counts(): { objects: Record<string, number>; pendingCommits: number } {
    const objects: Record<string, number> = {};
    for (const name of this.store.objects()) objects[name] = this.store.count(name);
    return { objects, pendingCommits: this.store.pendingCount };
  }

  /** Create one record directly (tests, seeding); throws on failure. */
  create(object: string, values: Record<string, unknown>): string {
    const [result] = this.write([{ kind: 'create', object, values }], { allOrNone: true }, this.systemContext());
    if (result === undefined || !result.success) throw new Error(`create ${object} failed: ${JSON.stringify(result)}`);
    return result.id;
  }

  /**
   * Undelete records from the recycle bin through the normal write path (same
   * Id, SystemModstamp bumped, CDC `UNDELETE`, PushTopic `undeleted`).
   * Salesforce's REST API has no undelete (SOAP and Apex do); sync tests need one.
   * Each Id succeeds or fails on its own (`UNDELETE_FAILED` when not in the bin).
   */
  undelete(ids: string[], ctx: WriteContext = this.systemContext()): WriteResult[] {
    return this.write(
      ids.map((id) => ({ kind: 'undelete', id })),
      { allOrNone: false },
      ctx,
    );
  }

  /** Back to a fresh org: no records but the admin user, no sessions, default controls and API usage. */
  reset(): void {
    this.writes.cancelDelayedCommits();
    this.store.clear();
    this.ids.reset();
    this.sessions.expireAll();
    this.apiUsage = 0;
    Object.assign(this.controls, defaultControls());
    if (this.options.controls !== undefined) applyControls(this.controls, this.options.controls);
    this.automation.clear();
    for (const rule of this.options.automation ?? []) this.addAutomation(rule);
    this.createAdmin();
  }

  /** Cancel pending delayed commits and timers (server stop). */
  stop(): void {
    this.writes.cancelDelayedCommits();
    clearInterval(this.purgeTimer);
  }

  /** Purge deleted records older than `olderThanMs` from the recycle bin (default: all). Returns the number purged. */
  emptyRecycleBin(olderThanMs = 0): number {
    const cutoff = Date.now() - olderThanMs;
    const ops: WriteOp[] = [];
    for (const name of this.store.objects()) {
      for (const row of this.store.scan(name, true)) {
        if (row.isDeleted && row.systemModstampMs <= cutoff) ops.push({ kind: 'hardDelete', id: row.id });
      }
    }
    this.write(ops, { allOrNone: false }, this.systemContext());
    return ops.length;
  }

  private createAdmin(): void {
    const ctx = { userId: to18('005000000000000'), changeOrigin: '' };
    const values = { Username: this.identity.username, LastName: 'Admin', FirstName: 'Sfsync', Email: 'admin@sfsync.test', Alias: 'admin' };
    const [result] = this.write([{ kind: 'create', object: 'User', values }], { allOrNone: true }, ctx);
    if (result === undefined || !result.success) throw new Error(`Could not create the admin user: ${JSON.stringify(result)}`);
    this.adminId = result.id;
  }
}

/** Canonical names of each object's unique / external-id fields, computed once per object (the schema never changes). */
function indexedFieldLookup(schema: Schema): (object: string) => string[] {
  const cache = new Map<string, string[]>();
  return (object) => {
    let fields = cache.get(object);
    if (fields === undefined) {
      const def = schema.getObject(object);
      fields = def === undefined ? [] : def.fields.filter((f) => f.unique || f.externalId).map((f) => f.name);
      cache.set(object, fields);
    }
    return fields;
  };
}
