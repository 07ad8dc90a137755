/**
 * Server-side automation, as a record-triggered flow would do it: after an
 * API insert/update of an object, set a field to a value or a formula's
 * result, as a second save with its own (later) SystemModstamp and an
 * automation change origin — the writes a sync must not mistake for its own.
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
  /** Field to set. */
  field: string;
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
    this.compiled.push(compileRule(rule));
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
    const rules = this.compiled.filter((c) => ruleApplies(c.rule, row.object, kind));
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
    this.clock.advancePast(row.systemModstampMs);
    stageVersion(env, tx, object, row, values, 'UPDATE', { userId, changeOrigin: AUTOMATION_ORIGIN });
  }
}
