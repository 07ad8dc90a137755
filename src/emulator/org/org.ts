/**
 * The in-memory org: schema, records, writes with allOrNone, change events,
 * sessions, API usage and the control knobs. Implements OrgPort for the HTTP
 * parts and offers direct helpers (create, get, list, seed, reset) for tests.
 */
import { randomUUID } from 'node:crypto';
import type {
  ChangeEvent, ObjectDef, OrgPort, PlatformEventMessage, QueryCursor, SfRecord, Session, WriteContext, WriteOp, WriteResult,
} from '../ports.js';
import { compileCondition, compileSoql, type CompiledQuery } from '../soql/index.js';
import { SessionStore } from '../auth/session-store.js';
import { AUTOMATION_ORIGIN, compileRule, ruleApplies, type AutomationRule, type CompiledRule } from './automation.js';
import { applyControls, defaultControls, type ControlSettings, type ControlsInput } from './controls.js';
import { IdGenerator, to18 } from './ids.js';
import { OrgRecordSource } from './org-record-source.js';
import { RecordStore, type StoredRow } from './record-store.js';
import { stageVersion, type WriterEnv } from './record-writer.js';
import type { SchemaConfig } from './schema-config.js';
import { Schema } from './schema.js';
import { applyOp } from './write-ops.js';
import { WriteTransaction, type StagedChange } from './write-transaction.js';
import { WriteFailure } from './write-failure.js';
import { OrgEvents } from './org-events.js';
import { publishPlatformEvent } from './platform-events.js';
import { checkPushTopicQuery } from './pushtopic-query-check.js';

/** Credentials and identity of the org; every field has a default. */
export interface OrgIdentityOptions {
  /** Default `admin@sfsync.test`. */
  username?: string;
  /** Default `sfsync`. */
  password?: string;
  /** Connected app consumer key; default `sfsync-local`. */
  clientId?: string;
  /** Connected app consumer secret; default `sfsync-local-secret`. */
  clientSecret?: string;
  /** PEM certificate or public key that verifies JWT bearer assertions (RS256); default none (JWT grant refused). */
  jwtPublicKey?: string;
  /** Also return a refresh_token from the password grant (real Salesforce does not); default false. */
  issueRefreshTokens?: boolean;
}

/** Everything an Org is built from. */
export interface OrgOptions extends OrgIdentityOptions {
  /** Custom objects, fields and validation rules. */
  schema?: SchemaConfig;
  /** Initial control settings. */
  controls?: ControlsInput;
  /** Initial automation rules. */
  automation?: AutomationRule[];
}

/** Resolved identity settings. */
export type OrgIdentity = Required<Omit<OrgIdentityOptions, 'jwtPublicKey'>> & { jwtPublicKey: string | undefined };

/** The org Id every emulator uses (stable, so logs and fixtures can name it). */
export const ORG_ID = to18('00D5g000000SFSY');

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
  readonly orgId = ORG_ID;
  /** API calls counted today (REST and Bulk; not OAuth, not the versions list). */
  apiUsage = 0;
  private readonly options: OrgOptions;
  private readonly store: RecordStore;
  private readonly ids = new IdGenerator();
  private readonly events = new OrgEvents();
  private readonly queryCache = new Map<string, CompiledQuery>();
  private readonly rules = new Map<string, Array<(values: SfRecord) => boolean>>();
  private automation: CompiledRule[] = [];
  private batch: WriteTransaction | undefined;
  private readonly purgeTimer: NodeJS.Timeout;
  private readonly timers = new Set<NodeJS.Timeout>();
  private lastStamp = 0;
  private seq = 0;
  private autoNumber = 0;
  private adminId = '';
  private readonly indexed = new Map<string, string[]>();
  private readonly env: WriterEnv;

  constructor(options: OrgOptions = {}) {
    this.options = options;
    this.identity = {
      username: options.username ?? 'admin@sfsync.test',
      password: options.password ?? 'sfsync',
      clientId: options.clientId ?? 'sfsync-local',
      clientSecret: options.clientSecret ?? 'sfsync-local-secret',
      jwtPublicKey: options.jwtPublicKey,
      issueRefreshTokens: options.issueRefreshTokens ?? false,
    };
    this.schema = new Schema(options.schema);
    this.store = new RecordStore((object) => this.indexedFields(object));
    this.records = new OrgRecordSource(this.schema, this.store);
    this.sessions = new SessionStore(ORG_ID, () => this.controls.tokenTtlMs);
    this.env = {
      schema: this.schema,
      ids: this.ids,
      nextStamp: () => this.nextStamp(),
      nextSeq: () => ++this.seq,
      nextAutoNumber: () => String(++this.autoNumber).padStart(8, '0'),
      checkValidationRules: (object, values) => this.checkRules(object, values),
    };
    this.compileValidationRules();
    if (options.controls !== undefined) applyControls(this.controls, options.controls);
    for (const rule of options.automation ?? []) this.addAutomation(rule);
    this.createAdmin();
    this.purgeTimer = setInterval(() => this.emptyRecycleBin(RECYCLE_BIN_MS), PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
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
    const tx = this.batch ?? new WriteTransaction(this.store, (object) => this.indexedFields(object));
    const start = tx.mark;
    const results: WriteResult[] = [];
    let failed = false;
    for (const op of ops) {
      const mark = tx.mark;
      try {
        results.push(applyOp(this.env, tx, op, ctx, (t, id, kind) => this.runAutomation(t, id, kind)));
      } catch (error) {
        if (!(error instanceof WriteFailure)) throw error;
        tx.truncate(mark);
        failed = true;
        results.push({ success: false, errors: error.errors });
      }
    }
    if (failed && options.allOrNone) {
      tx.truncate(start);
      return results.map(rolledBack);
    }
    if (this.batch === undefined) this.commit(tx.changes);
    return results;
  }

  /**
   * Run `fn` with every write staged into one transaction that commits only
   * if `fn` returns true (composite allOrNone). `fn` must be synchronous, so
   * no other request's writes can land in the batch.
   */
  atomically(fn: () => boolean): boolean {
    if (this.batch !== undefined) return fn();
    const tx = new WriteTransaction(this.store, (object) => this.indexedFields(object));
    this.batch = tx;
    let ok = false;
    try {
      ok = fn();
    } finally {
      this.batch = undefined;
    }
    if (ok) this.commit(tx.changes);
    return ok;
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
    if (this.schema.getObject(rule.object) === undefined) throw new Error(`Automation names unknown object ${rule.object}.`);
    this.automation.push(compileRule(rule));
  }

  /** Current automation rules. */
  get automationRules(): AutomationRule[] {
    return this.automation.map((c) => c.rule);
  }

  /** Remove every automation rule. */
  clearAutomation(): void {
    this.automation = [];
  }

  /** A write context for direct (test/seed) writes: the admin user, no API origin. */
  systemContext(changeOrigin = ''): WriteContext {
    return { userId: this.adminId, changeOrigin };
  }

  /** The newest version of a record (even one awaiting a delayed commit), deleted or not. */
  latest(id: string): StoredRow | undefined {
    return (this.batch ?? this.store).latest(id);
  }

  /** Live (undeleted) records whose unique / external-id `field` equals `value` (case-insensitive text). */
  findByExternalId(object: string, field: string, value: unknown): StoredRow[] {
    const out: StoredRow[] = [];
    const source = this.batch ?? this.store;
    for (const id of source.findByValue(object, field, value)) {
      const row = source.latest(id);
      if (row !== undefined && !row.isDeleted) out.push(row);
    }
    return out;
  }

  /** The earliest SystemModstamp of a write not yet visible (delayed commit), if any. */
  oldestInFlightStamp(): number | undefined {
    return this.store.oldestPendingStamp();
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
    return this.write(ids.map((id) => ({ kind: 'undelete', id })), { allOrNone: false }, ctx);
  }

  /** Back to a fresh org: no records but the admin user, no sessions, default controls and API usage. */
  reset(): void {
    this.clearTimers();
    this.store.clear();
    this.ids.reset();
    this.sessions.expireAll();
    this.apiUsage = 0;
    Object.assign(this.controls, defaultControls());
    if (this.options.controls !== undefined) applyControls(this.controls, this.options.controls);
    this.automation = [];
    for (const rule of this.options.automation ?? []) this.addAutomation(rule);
    this.createAdmin();
  }

  /** Cancel pending delayed commits and timers (server stop). */
  stop(): void {
    this.clearTimers();
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

  private nextStamp(): number {
    // Never backwards, even if the wall clock steps back; equal stamps are allowed (ms precision).
    this.lastStamp = Math.max(Date.now(), this.lastStamp);
    return this.lastStamp;
  }

  private commit(changes: readonly StagedChange[]): void {
    if (changes.length === 0) return;
    const delay = this.controls.commitDelayMs;
    for (const c of changes) this.store.accept(c.id, c.object, c.prev, c.next, delay > 0);
    const transactionKey = randomUUID();
    const makeVisible = (): void => {
      const now = Date.now();
      for (const c of changes) {
        const visible = this.store.commit(c.id, c.object, c.next, c.next?.seq ?? Number.MAX_SAFE_INTEGER);
        // Purging the recycle bin removes records whose DELETE was already published: no second event.
        if (visible && !(c.kind === 'HARD_DELETE' && c.prev?.isDeleted === true)) this.events.emitChange(c, now, transactionKey);
      }
    };
    if (delay <= 0) {
      makeVisible();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      makeVisible();
    }, delay);
    this.timers.add(timer);
  }

  private runAutomation(tx: WriteTransaction, id: string, kind: 'insert' | 'update'): void {
    const row = tx.latest(id);
    if (row === undefined) return;
    const rules = this.automation.filter((c) => ruleApplies(c.rule, row.object, kind));
    if (rules.length === 0) return;
    const object = this.schema.getObject(row.object) as ObjectDef;
    const values: SfRecord = { ...row.values };
    let changed = false;
    for (const { rule, compute } of rules) {
      const field = this.schema.getField(object, rule.field);
      if (field === undefined) continue;
      const value = compute((path) => values[this.schema.getField(object, path)?.name ?? path] ?? null, new Date());
      if (values[field.name] !== value) {
        values[field.name] = value;
        changed = true;
      }
    }
    if (!changed) return;
    // A flow saves after the API save: its stamp must be strictly later, even within the same millisecond.
    this.lastStamp = Math.max(this.lastStamp, row.systemModstampMs + 1);
    stageVersion(this.env, tx, object, row, values, 'UPDATE', { userId: this.adminId, changeOrigin: AUTOMATION_ORIGIN });
  }

  private checkRules(object: ObjectDef, values: SfRecord): void {
    if (object.name === 'PushTopic') checkPushTopicQuery(this.schema, values);
    const checks = this.rules.get(object.name);
    if (checks === undefined) return;
    object.validationRules.forEach((rule, i) => {
      if (checks[i]?.(values) === true) {
        throw new WriteFailure('FIELD_CUSTOM_VALIDATION_EXCEPTION', rule.message, rule.field === undefined ? [] : [rule.field]);
      }
    });
  }

  private compileValidationRules(): void {
    for (const object of this.schema.listObjects()) {
      if (object.validationRules.length === 0) continue;
      this.rules.set(object.name, object.validationRules.map((r) => {
        const test = compileCondition(object, r.errorWhen, this.schema);
        return (values: SfRecord) => test(values, this.records);
      }));
    }
  }

  private indexedFields(object: string): string[] {
    let fields = this.indexed.get(object);
    if (fields === undefined) {
      const def = this.schema.getObject(object);
      fields = def === undefined ? [] : def.fields.filter((f) => f.unique || f.externalId).map((f) => f.name);
      this.indexed.set(object, fields);
    }
    return fields;
  }

  private createAdmin(): void {
    const ctx = { userId: to18('005000000000000'), changeOrigin: '' };
    const values = { Username: this.identity.username, LastName: 'Admin', FirstName: 'Sfsync', Email: 'admin@sfsync.test', Alias: 'admin' };
    const [result] = this.write([{ kind: 'create', object: 'User', values }], { allOrNone: true }, ctx);
    if (result === undefined || !result.success) throw new Error(`Could not create the admin user: ${JSON.stringify(result)}`);
    this.adminId = result.id;
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

function rolledBack(result: WriteResult): WriteResult {
  if (!result.success) return result;
  return {
    success: false,
    ...(result.created !== undefined ? { created: result.created } : {}),
    errors: [{
      statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
      fields: [],
    }],
  } as WriteResult;
}
