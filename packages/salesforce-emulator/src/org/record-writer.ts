/**
 * The write operations of one record (create, update, delete, undelete,
 * hardDelete), staged into a WriteTransaction. Each op validates fully
 * before staging, so a failed op leaves nothing behind.
 */
import type { FieldDef, ObjectDef, SfRecord, SfValue, WriteContext } from '../ports.js';
import { applyInput } from './apply-input.js';
import { cascade, type StageChildVersion } from './cascade-delete.js';
import { formatDateTime } from './datetime.js';
import type { IdGenerator } from './ids.js';
import type { StoredRow } from './record-store.js';
import type { Schema } from './schema.js';
import type { ChangeKind, WriteTransaction } from './write-transaction.js';
import { WriteFailure } from './write-failure.js';

/** What the writer needs from the org. */
export interface WriterEnv {
  readonly schema: Schema;
  readonly ids: IdGenerator;
  /** The next SystemModstamp (epoch ms, never decreasing). */
  nextStamp(): number;
  /** The next org-wide write sequence number. */
  nextSeq(): number;
  /** The next value of an auto-number field such as CaseNumber. */
  nextAutoNumber(object: string, field: string): string;
  /** Throws FIELD_CUSTOM_VALIDATION_EXCEPTION when a validation rule matches. */
  checkValidationRules(object: ObjectDef, values: SfRecord): void;
}

/** Fields whose value the org derives from others (Contact.Name from FirstName + LastName). */
const DERIVED_NAME_OBJECTS = new Set(['Contact', 'Lead', 'User']);

/**
 * One template per object, built by JSON.parse so it is a fast-mode object:
 * spreading it gives every row the same compact hidden class. Adding 30+
 * properties one by one with keyed stores would push V8 into dictionary mode
 * (about 1 KB more per record, which matters at 1,000,000 records).
 */
const templates = new WeakMap<ObjectDef, SfRecord>();

function templateOf(object: ObjectDef): SfRecord {
  let template = templates.get(object);
  if (template === undefined) {
    const fields = object.fields.filter((f) => !f.calculated).map((f) => [f.name, f.type === 'boolean' ? false : null]);
    template = JSON.parse(JSON.stringify(Object.fromEntries(fields))) as SfRecord;
    templates.set(object, template);
  }
  return template;
}

/** Build a stored row; values are laid out in schema order so every row of an object shares one shape. */
export function makeRow(object: ObjectDef, id: string, values: SfRecord, stampMs: number, seq: number): StoredRow {
  const ordered: SfRecord = { ...templateOf(object) };
  for (const f of object.fields) {
    if (!f.calculated) ordered[f.name] = values[f.name] ?? (f.type === 'boolean' ? false : null);
  }
  return { object: object.name, id, values: ordered, systemModstampMs: stampMs, isDeleted: ordered.IsDeleted === true, seq, superseded: false };
}

/** Per-object constants of a create, computed once instead of per record. */
interface CreatePlan {
  defaults: Array<[string, SfValue]>;
  hasOwner: boolean;
  /** Boolean fields: a null input stores false, as makeRow does. */
  booleans: Set<string>;
}

const createPlans = new WeakMap<ObjectDef, CreatePlan>();

function createPlanOf(env: WriterEnv, object: ObjectDef): CreatePlan {
  let plan = createPlans.get(object);
  if (plan === undefined) {
    plan = {
      defaults: object.fields.filter((f) => f.defaultedOnCreate && f.createable && f.defaultValue !== null).map((f) => [f.name, f.defaultValue]),
      hasOwner: env.schema.getField(object, 'OwnerId') !== undefined,
      booleans: new Set(object.fields.filter((f) => f.type === 'boolean').map((f) => f.name)),
    };
    createPlans.set(object, plan);
  }
  return plan;
}

/** Stage a create; returns the new Id. */
export function stageCreate(env: WriterEnv, tx: WriteTransaction, object: ObjectDef, input: Record<string, unknown>, ctx: WriteContext): string {
  const given = applyInput(env.schema, tx, object, input, 'create', ['Id']);
  const plan = createPlanOf(env, object);
  // Built straight into the object's template (one allocation, one hidden class), not copied by makeRow.
  const values: SfRecord = { ...templateOf(object) };
  for (const [name, value] of plan.defaults) values[name] = value;
  if (plan.hasOwner) values.OwnerId = ctx.userId;
  if (object.name === 'Case') values.CaseNumber = env.nextAutoNumber('Case', 'CaseNumber');
  for (const key in given) values[key] = given[key] ?? (plan.booleans.has(key) ? false : null);
  finishValues(env, object, values);
  const stamp = env.nextStamp();
  const id = env.ids.next(object.keyPrefix);
  const when = formatDateTime(stamp);
  values.Id = id;
  values.IsDeleted = false;
  values.CreatedDate = when;
  values.CreatedById = ctx.userId;
  values.LastModifiedDate = when;
  values.LastModifiedById = ctx.userId;
  values.SystemModstamp = when;
  const row: StoredRow = { object: object.name, id, values, systemModstampMs: stamp, isDeleted: false, seq: env.nextSeq(), superseded: false };
  checkUnique(env, tx, object, row);
  // CREATE's changedFields (every non-null field) are derived when an event is emitted, not per seeded row.
  tx.stage({ id, object: object.name, kind: 'CREATE', prev: undefined, next: row, changedFields: [], ctx });
  return id;
}

/** Stage an update of a live record. */
export function stageUpdate(env: WriterEnv, tx: WriteTransaction, prev: StoredRow, input: Record<string, unknown>, ctx: WriteContext): void {
  const object = requireObject(env, prev.object);
  const given = applyInput(env.schema, tx, object, input, 'update', ['Id']);
  const values: SfRecord = { ...prev.values, ...given };
  finishValues(env, object, values);
  stageVersion(env, tx, object, prev, values, 'UPDATE', ctx);
}

/** Stage a new version of `prev` with `values` (audit fields are set here). Automation uses it too. */
export function stageVersion(
  env: WriterEnv,
  tx: WriteTransaction,
  object: ObjectDef,
  prev: StoredRow,
  values: SfRecord,
  kind: ChangeKind,
  ctx: WriteContext,
  deletedWith?: string,
): void {
  const stamp = env.nextStamp();
  const when = formatDateTime(stamp);
  Object.assign(values, { LastModifiedDate: when, LastModifiedById: ctx.userId, SystemModstamp: when });
  const made = makeRow(object, prev.id, values, stamp, env.nextSeq());
  const row: StoredRow = deletedWith === undefined ? made : { ...made, deletedWith };
  if (kind !== 'DELETE') checkUnique(env, tx, object, row);
  const changedFields = Object.keys(row.values).filter((k) => k !== 'SystemModstamp' && k !== 'IsDeleted' && row.values[k] !== prev.values[k]);
  tx.stage({ id: prev.id, object: object.name, kind, prev, next: row, changedFields, ctx });
}

/** Stage a soft delete (to the recycle bin), an undelete, or a hard delete. */
export function stageDeletion(env: WriterEnv, tx: WriteTransaction, kind: 'delete' | 'undelete' | 'hardDelete', id: string, ctx: WriteContext): void {
  const prev = tx.latest(id);
  if (prev === undefined) throw new WriteFailure('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
  const object = requireObject(env, prev.object);
  if (kind === 'hardDelete') {
    tx.stage({ id, object: object.name, kind: 'HARD_DELETE', prev, next: null, changedFields: [], ctx });
    return;
  }
  if (kind === 'delete' && prev.isDeleted) throw new WriteFailure('ENTITY_IS_DELETED', 'entity is deleted');
  if (kind === 'undelete' && !prev.isDeleted) throw new WriteFailure('UNDELETE_FAILED', 'Entity is not in the recycle bin');
  const stageChild: StageChildVersion = (childObject, child, childKind, deletedWith, childCtx) =>
    stageVersion(env, tx, childObject, child, { ...child.values, IsDeleted: childKind === 'DELETE' }, childKind, childCtx, deletedWith);
  const getObject = (name: string) => env.schema.getObject(name);
  // Children leave before their parent and come back after it, so a reader applying events in order never sees an orphan.
  if (kind === 'delete') cascade(tx, getObject, prev, 'DELETE', ctx, stageChild);
  const values: SfRecord = { ...prev.values, IsDeleted: kind === 'delete' };
  stageVersion(env, tx, object, prev, values, kind === 'delete' ? 'DELETE' : 'UNDELETE', ctx);
  if (kind === 'undelete') cascade(tx, getObject, prev, 'UNDELETE', ctx, stageChild);
}

/** Derived fields, required fields and validation rules, on the full values about to be saved. */
function finishValues(env: WriterEnv, object: ObjectDef, values: SfRecord): void {
  if (DERIVED_NAME_OBJECTS.has(object.name)) {
    const first = values.FirstName;
    values.Name = [typeof first === 'string' ? first : '', values.LastName ?? ''].join(' ').trim() || null;
  }
  const missing = requiredFieldsOf(object).filter((f) => values[f.name] === null || values[f.name] === undefined);
  if (missing.length > 0) {
    const names = missing.map((f) => f.name);
    throw new WriteFailure('REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names);
  }
  env.checkValidationRules(object, values);
}

const requiredFields = new WeakMap<ObjectDef, FieldDef[]>();

/** Fields a save must fill (computed once per object: this runs for every written record). */
function requiredFieldsOf(object: ObjectDef): FieldDef[] {
  let fields = requiredFields.get(object);
  if (fields === undefined) {
    fields = object.fields.filter((f) => !f.nillable && f.createable && f.type !== 'boolean');
    requiredFields.set(object, fields);
  }
  return fields;
}

function checkUnique(env: WriterEnv, tx: WriteTransaction, object: ObjectDef, row: StoredRow): void {
  for (const f of object.fields) {
    if (!f.unique) continue;
    const value: SfValue | undefined = row.values[f.name];
    if (value === null || value === undefined) continue;
    const other = tx.findByValue(object.name, f.name, value).find((id) => id !== row.id && tx.latest(id)?.isDeleted === false);
    if (other !== undefined) {
      throw new WriteFailure('DUPLICATE_VALUE', `duplicate value found: ${f.name} duplicates value on record with id: ${other}`, [f.name]);
    }
  }
}

/** The fields a CREATE event lists: every non-null field except IsDeleted and SystemModstamp. */
export function nonNullFields(row: StoredRow): string[] {
  return Object.keys(row.values).filter((k) => k !== 'SystemModstamp' && k !== 'IsDeleted' && row.values[k] !== null);
}

/** The object definition of a stored object name (always present: rows are only created for known objects). */
export function requireObject(env: WriterEnv, name: string): ObjectDef {
  const object = env.schema.getObject(name);
  if (object === undefined) throw new WriteFailure('INVALID_TYPE', `sObject type '${name}' is not supported.`);
  return object;
}
