/**
 * Server-side automation, as a record-triggered flow would do it: after an
 * API insert/update of an object, set a field to a value or a formula's
 * result, as a second save with its own (later) SystemModstamp and an
 * automation change origin — the writes a sync must not mistake for its own.
 * A rule may instead publish a Platform Event naming the saved record's Id
 * (`publish`), once per record and transaction, after the transaction
 * commits (Salesforce's "publish after commit"): a rolled-back save publishes nothing.
 */
import type { ObjectDef, SfRecord, SfValue } from '../ports.js';
import { compileFormula, type Formula } from './formula.js';
import type { ModstampClock } from './modstamp-clock.js';
import { stageVersion, type WriterEnv } from './record-writer.js';
import type { Schema } from './schema.js';
import type { WriteTransaction } from './write-transaction.js';

/** One automation rule. */
export interface AutomationRule {
  /** Object API name, e.g. `Account`. */
  object: string;
  /** Triggering events (default both). */
  on?: Array<'insert' | 'update'>;
  /** Field to set (a rule sets a field, or publishes an event). */
  field?: string;
  /** Publish this Platform Event after the save commits, with the record's Id in `idField`, e.g. `{ event: 'Sync_Request__e', idField: 'Record_Id__c' }`. */
  publish?: { event: string; idField: string };
  /** A literal value to set … */
  value?: SfValue;
  /** … or a formula (org/formula.ts), e.g. `UPPER(Name)` or `NOW()`. */
  expression?: string;
}

/** The change origin automation writes carry (no API client is involved). */
export const AUTOMATION_ORIGIN = 'com/salesforce/automation/flow';

/** A rule with its formula compiled. */
export interface CompiledRule {
  rule: AutomationRule;
  compute: Formula;
}

/** Validate and compile a rule; throws on a bad formula. */
export function compileRule(rule: AutomationRule): CompiledRule {
  if (rule.expression !== undefined) return { rule, compute: compileFormula(rule.expression) };
  const value = rule.value ?? null;
  return { rule, compute: () => value };
}

/** Whether a rule fires for this object and event. */
export function ruleApplies(rule: AutomationRule, object: string, event: 'insert' | 'update'): boolean {
  return rule.object.toLowerCase() === object.toLowerCase() && (rule.on ?? ['insert', 'update']).includes(event);
}

/** The automation rules of one org, run after each insert/update. */
export class AutomationRules {
  private compiled: CompiledRule[] = [];

  constructor(
    private readonly schema: Schema,
    private readonly clock: ModstampClock,
  ) {}

  /** Add a rule (compiled now: a bad formula throws here). */
  add(rule: AutomationRule): void {
    if (this.schema.getObject(rule.object) === undefined) throw new Error(`Automation names unknown object ${rule.object}.`);
    if ((rule.field === undefined) === (rule.publish === undefined))
      throw new Error('An automation rule either sets a field or publishes an event: give one of field and publish.');
    if (rule.publish !== undefined) {
      const event = this.schema.getObject(rule.publish.event);
      if (event === undefined || !event.isPlatformEvent)
        throw new Error(`Automation publishes ${rule.publish.event}, which is not a platform event of the schema.`);
      if (this.schema.getField(event, rule.publish.idField) === undefined)
        throw new Error(`Platform event ${event.name} has no field ${rule.publish.idField}.`);
    }
    this.compiled.push(compileRule(rule));
  }

  /** The events to publish for one committed transaction's saves: one per record and publishing rule. */
  eventsFor(saves: ReadonlyArray<{ id: string; object: string; kind: 'insert' | 'update' }>): Array<{ event: string; payload: Record<string, unknown> }> {
    const out: Array<{ event: string; payload: Record<string, unknown> }> = [];
    for (const save of saves) {
      for (const { rule } of this.compiled) {
        if (rule.publish !== undefined && ruleApplies(rule, save.object, save.kind))
          out.push({ event: rule.publish.event, payload: { [rule.publish.idField]: save.id } });
      }
    }
    return out;
  }

  /** Current rules, in the order they were added. */
  get rules(): AutomationRule[] {
    return this.compiled.map((c) => c.rule);
  }

  /** Remove every rule. */
  clear(): void {
    this.compiled = [];
  }

  /**
   * After the save of record `id` in `tx`, stage one more version with the
   * fields the matching rules set — only if a value actually changes —
   * written by `userId` with the automation change origin.
   */
  run(env: WriterEnv, tx: WriteTransaction, id: string, kind: 'insert' | 'update', userId: string): void {
    const row = tx.latest(id);
    if (row === undefined) return;
    const rules = this.compiled.filter((c) => c.rule.field !== undefined && ruleApplies(c.rule, row.object, kind));
    if (rules.length === 0) return;
    const object = this.schema.getObject(row.object) as ObjectDef;
    const values: SfRecord = { ...row.values };
    let changed = false;
    for (const { rule, compute } of rules) {
      const field = this.schema.getField(object, rule.field!);
      if (field === undefined) continue;
      const value = compute((path) => values[this.schema.getField(object, path)?.name ?? path] ?? null, new Date());
      if (values[field.name] !== value) {
        values[field.name] = value;
        changed = true;
      }
    }
    if (!changed) return;
    // A flow saves after the API save: its stamp must be strictly later, even within the same millisecond.
    this.clock.advancePast(row.systemModstampMs);
    stageVersion(env, tx, object, row, values, 'UPDATE', { userId, changeOrigin: AUTOMATION_ORIGIN });
  }
}
