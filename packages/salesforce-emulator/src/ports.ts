/**
 * The contract between the emulator's parts.
 *
 * The emulator is split so its parts can be read (and were built) separately:
 * - `org/`       the in-memory org: schema, records, ids, audit fields, writes, controls (owns Org)
 * - `soql/`      a pure SOQL engine: parse (soql-parser-js), validate against the schema, evaluate
 * - `rest/`, `auth/`, `server.ts`  the HTTP surface of REST, OAuth/SOAP login and the control API
 * - `bulk/`      Bulk API 2.0 ingest and query jobs, mounted by the server under `/services/data/vNN.N/jobs/`
 * - `streaming/` Bayeux long-polling at `/cometd/NN.N`: PushTopic, CDC and platform event channels
 *
 * Every part talks to the others only through the types below. Values are the
 * REST JSON forms, so REST can return a record without re-encoding it:
 * - string/textarea/picklist/id/reference/email/phone/url: string
 * - multipicklist: `"A;B;C"`
 * - int/double/currency/percent: number
 * - boolean: boolean
 * - date: `"2024-01-02"`; time: `"03:04:05.000Z"`
 * - datetime: `"2024-01-02T03:04:05.000+0000"` (always UTC, always milliseconds)
 * - null for an empty value (empty text is stored as null, as Salesforce does)
 */

/** One field value in REST JSON form (see the module comment). */
export type SfValue = string | number | boolean | null;

/** A record's fields by canonical API name (exact case as in describe). */
export type SfRecord = Record<string, SfValue>;

/** Field types from the partner WSDL `fieldType` enum that the emulator models. */
export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'picklist'
  | 'multipicklist'
  | 'combobox'
  | 'reference'
  | 'base64'
  | 'boolean'
  | 'currency'
  | 'int'
  | 'long'
  | 'double'
  | 'percent'
  | 'phone'
  | 'date'
  | 'datetime'
  | 'time'
  | 'url'
  | 'email'
  | 'encryptedstring'
  | 'address'
  | 'location';

/** A field as the org knows it; `describe` is rendered from this. */
export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  /** Max characters for text types (0 for others). */
  length: number;
  /** Total digits for numeric types (0 for others). */
  precision: number;
  /** Digits after the decimal point for numeric types (0 for others). */
  scale: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  unique: boolean;
  externalId: boolean;
  idLookup: boolean;
  /** True for formula (calculated) fields: read-only, computed on read. */
  calculated: boolean;
  /** A tiny formula language is enough here; see org/ for what is supported. */
  calculatedFormula: string | null;
  defaultedOnCreate: boolean;
  defaultValue: SfValue;
  /** Target objects of a reference field, e.g. `['Account']`. */
  referenceTo: string[];
  /** Relationship name of a reference field, e.g. `Account` for `AccountId`, `Parent__r` for `Parent__c`. */
  relationshipName: string | null;
  picklistValues: Array<{ value: string; label: string; active: boolean; defaultValue: boolean }>;
  restrictedPicklist: boolean;
  /** Compound fields (address/location) name their components' parent here. */
  compoundFieldName: string | null;
  custom: boolean;
}

/** A validation rule: when `errorWhen` matches a record about to be saved, the save fails. */
export interface ValidationRule {
  name: string;
  /** A SOQL WHERE expression evaluated against the record as it would be saved. */
  errorWhen: string;
  message: string;
  /** Field the error is reported on, if any. */
  field?: string;
}

/** An object as the org knows it. */
export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  /** Three-character Id prefix: `001` Account, `003` Contact, `a00`… for custom objects. */
  keyPrefix: string;
  custom: boolean;
  /** Whether Change Data Capture is enabled (its channel `/data/<Object>ChangeEvent` exists). */
  cdcEnabled: boolean;
  /** Platform event objects (`X__e`) are published, never stored or queried. */
  isPlatformEvent: boolean;
  fields: FieldDef[];
  validationRules: ValidationRule[];
}

/** Case-insensitive schema lookups (Salesforce names are case-insensitive). */
export interface SchemaLookup {
  getObject(name: string): ObjectDef | undefined;
  getField(object: ObjectDef, name: string): FieldDef | undefined;
  /** The field of `object` whose `relationshipName` is `name` (case-insensitive), e.g. `Account` → AccountId. */
  getRelationship(object: ObjectDef, name: string): FieldDef | undefined;
  listObjects(): ObjectDef[];
  /**
   * The child relationship of `parent` named `name` (case-insensitive), as describe's
   * `childRelationships[].relationshipName` spells it: `Contacts` on Account → Contact.AccountId.
   * Optional so other SchemaLookup implementations keep compiling; without it subqueries are INVALID_FIELD.
   */
  getChildRelationship?(parent: ObjectDef, name: string): { object: ObjectDef; field: FieldDef; relationshipName?: string } | undefined;
}

/** A stored record. `values` holds every field (nulls included) in REST JSON form, formula fields excluded. */
export interface StoredRecord {
  readonly object: string;
  readonly id: string;
  readonly values: Readonly<SfRecord>;
  /** SystemModstamp as epoch milliseconds; the ordering key of the modstamp index. */
  readonly systemModstampMs: number;
  readonly isDeleted: boolean;
}

/** A range over SystemModstamp in epoch ms; each bound optional. */
export interface ModstampRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

/** What the SOQL engine reads. Implemented by the org. Only *visible* records (see delayed commit) are returned. */
export interface RecordSource {
  /**
   * Records of one object. With `modstamp`, only those in range, in ascending
   * (or descending) SystemModstamp order, served from an index: O(log n + k).
   * Without it, every record in insertion order.
   */
  scan(object: string, options: { includeDeleted: boolean; modstamp?: ModstampRange; order?: 'asc' | 'desc' }): Iterable<StoredRecord>;
  /** Any visible record by 15- or 18-character Id (for parent relationship fields), deleted or not. */
  get(id: string): StoredRecord | undefined;
  /** Evaluate a formula field for a record (null when it cannot be computed). */
  formula(record: StoredRecord, field: FieldDef): SfValue;
}

/** Options of one SOQL execution. */
export interface SoqlOptions {
  /** queryAll: include IsDeleted = true rows. */
  includeDeleted: boolean;
  /** API version for `attributes.url`, e.g. `59.0`. */
  apiVersion: string;
  /** The clock for date literals (TODAY, LAST_N_DAYS:n). */
  now: Date;
}

/** A lazily shaped query result, so a 1M-row window returns its first page at once. */
export interface QueryCursor {
  /** The object queried, canonical name. */
  readonly object: string;
  /** Exact number of matching rows (for COUNT(): the count). */
  readonly totalSize: number;
  /** True for `SELECT COUNT() …`: no records, totalSize is the answer. */
  readonly isCount: boolean;
  /** Select-list column paths in SELECT order, canonical case: `Id`, `Account.Name`, `expr0` for aggregates. */
  readonly columns: string[];
  /** Rows not yet taken. */
  readonly remaining: number;
  /** The next `n` rows as REST records (`attributes`, nested parent objects, `null` for an empty lookup). */
  take(n: number): Array<Record<string, unknown>>;
  /** Relationship names of parent-to-child subqueries in the SELECT list (Bulk refuses them); absent or empty when none. */
  readonly childRelationships?: string[];
  /** The next `n` rows as flat values in `columns` order (for Bulk CSV). */
  takeFlat(n: number): SfValue[][];
}

/** A Salesforce error as REST returns it in a list, and Collections per record (as `statusCode`). */
export interface SfError {
  statusCode: string;
  message: string;
  fields: string[];
}

/** The result of one record write. */
export type WriteResult =
  | {
      success: true;
      id: string;
      created?: boolean;
      /** merge: the Ids of the records merged into (and deleted for) the master `id`. */
      mergedRecordIds?: string[];
      /** merge: the Ids of the related records re-parented to the master. */
      updatedRelatedIds?: string[];
    }
  | { success: false; id?: string; errors: SfError[] };

/** Who writes, for audit fields and CDC `changeOrigin`. */
export interface WriteContext {
  /** The session's user Id (CreatedById / LastModifiedById / commitUser). */
  userId: string;
  /** `com/salesforce/api/<rest|soap|bulkapi>/<ver>;client=<Sforce-Call-Options client>`; empty when unknown. */
  changeOrigin: string;
}

/**
 * One write of a batch. `values` use REST JSON forms; a relationship may be set
 * by the parent's external id as `{ Account: { Ext_Id__c: 'A-1' } }`.
 */
export type WriteOp =
  | { kind: 'create'; object: string; values: Record<string, unknown> }
  | { kind: 'update'; object?: string; id: string; values: Record<string, unknown> }
  | { kind: 'upsert'; object: string; externalIdField: string; values: Record<string, unknown> }
  | { kind: 'delete'; id: string }
  | { kind: 'hardDelete'; id: string }
  | { kind: 'undelete'; id: string }
  /** SOAP merge(): `mergeIds` (one or two) go into `masterId`; `values` are set on the master as an update would. */
  | { kind: 'merge'; object: string; masterId: string; mergeIds: string[]; values: Record<string, unknown> };

/** A change as CDC publishes it, emitted when the change becomes visible (after any delayed commit). */
export interface ChangeEvent {
  object: string;
  changeType: 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';
  recordIds: string[];
  /** Names of fields whose value changed (CREATE: every non-null field). */
  changedFields: string[];
  /** The full record after the change (before it, for DELETE). */
  record: SfRecord;
  /** Epoch ms of the commit. */
  commitTimestamp: number;
  transactionKey: string;
  commitUser: string;
  changeOrigin: string;
}

/** A published platform event (`POST /sobjects/X__e`). */
export interface PlatformEventMessage {
  object: string;
  payload: SfRecord;
  /** The EventUuid. */
  uuid: string;
}

/** A session as auth/ issues it. */
export interface Session {
  accessToken: string;
  userId: string;
  orgId: string;
  username: string;
  expiresAt: number;
}

/** The org: everything the HTTP parts need. Implemented in `org/`. */
export interface OrgPort {
  readonly schema: SchemaLookup;
  readonly records: RecordSource;
  /** Run SOQL against visible records. Throws `SoqlError` (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE). */
  query(soql: string, options: { includeDeleted: boolean; apiVersion: string }): QueryCursor;
  /**
   * Apply writes. With `allOrNone`, any failure rolls every write of the call back
   * (the failed ones keep their error, the others get ALL_OR_NONE_OPERATION_ROLLED_BACK).
   * Without it, each op commits or fails on its own. Results are in input order.
   */
  write(ops: WriteOp[], options: { allOrNone: boolean }, ctx: WriteContext): WriteResult[];
  /** Publish a platform event. */
  publish(object: string, payload: Record<string, unknown>, ctx: WriteContext): WriteResult;
  /** Listen to visible changes. Returns an unsubscribe function. */
  onChange(listener: (event: ChangeEvent) => void): () => void;
  onPlatformEvent(listener: (event: PlatformEventMessage) => void): () => void;
  /** Resolve an `Authorization` header (`Bearer x` / `OAuth x`) to a live session, or undefined. */
  authenticate(authorizationHeader: string | undefined): Session | undefined;
  /** The emulator's control knobs that streaming and bulk consult. */
  readonly controls: EmulatorControls;
}

/** Knobs that change behaviour for tests, demos and benchmarks. Settable through `/__emulator/faults`. */
export interface EmulatorControls {
  /** Fraction (0–1) of streaming events silently dropped. */
  dropEventRate: number;
  /** Retention of streaming events in ms: PushTopic/generic (default 24 h) and CDC/platform events (default 72 h). */
  pushTopicRetentionMs: number;
  cdcRetentionMs: number;
  /** How long Bulk jobs take to move through InProgress, in ms (default 0: next tick). */
  bulkJobDelayMs: number;
  /** Bulk processing time per record, added to `bulkJobDelayMs`: ingest jobs and query jobs (default 0; see org/latency-profile.ts). */
  bulkIngestMsPerRecord: number;
  bulkQueryMsPerRecord: number;
  /** CometD delivery delay after the commit, in ms (default 0). */
  streamDeliveryDelayMs: number;
}

/** Where the server routed a request, for the parts it mounts (bulk/, streaming/). */
export interface RouteInfo {
  /** `59.0` */
  apiVersion: string;
  /** Path below the part's mount point, e.g. `/ingest/750…/batches` below `/services/data/v59.0/jobs`. */
  path: string;
  search: URLSearchParams;
  /** The authenticated session (bulk/: always set; streaming/: resolve it yourself from the header). */
  session?: Session;
}

/** An HTTP part the server mounts. `stop()` ends held requests and timers. */
export interface HttpPart {
  handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, route: RouteInfo): Promise<void>;
  stop(): Promise<void>;
}
