/**
 * Server-side automation, as a record-triggered flow would do it: after an
 * API insert/update of an object, set a field to a value or a formula's
 * result, as a second save with its own (later) SystemModstamp and an
 * automation change origin — the writes a sync must not mistake for its own.
 */
import type { SfValue } from '../ports.js';
import { compileFormula, type Formula } from './formula.js';

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
