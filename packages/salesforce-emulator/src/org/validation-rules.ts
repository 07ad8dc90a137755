/**
 * Save-time validation: each object's validation rules (`errorWhen`
 * conditions, compiled once from the schema) and the PushTopic query check.
 * A rule that matches fails the save with FIELD_CUSTOM_VALIDATION_EXCEPTION.
 */
import type { ObjectDef, RecordSource, SfRecord } from '../ports.js';
import { compileCondition } from '../soql/index.js';
import { checkPushTopicQuery } from './pushtopic-query-check.js';
import type { Schema } from './schema.js';
import { WriteFailure } from './write-failure.js';

/** The compiled validation rules of one org. */
export class ValidationRules {
  /** Object name → one test per rule, in the order of `object.validationRules`. */
  private readonly rules = new Map<string, Array<(values: SfRecord) => boolean>>();

  /** Compiles every rule now: a bad condition throws here. `records` answers cross-object lookups in conditions. */
  constructor(
    private readonly schema: Schema,
    records: RecordSource,
  ) {
    for (const object of schema.listObjects()) {
      if (object.validationRules.length === 0) continue;
      this.rules.set(
        object.name,
        object.validationRules.map((r) => {
          const test = compileCondition(object, r.errorWhen, schema);
          return (values: SfRecord) => test(values, records);
        }),
      );
    }
  }

  /** Throws a WriteFailure when the values about to be saved break a rule. */
  check(object: ObjectDef, values: SfRecord): void {
    if (object.name === 'PushTopic') checkPushTopicQuery(this.schema, values);
    const checks = this.rules.get(object.name);
    if (checks === undefined) return;
    object.validationRules.forEach((rule, i) => {
      if (checks[i]?.(values) === true) {
        throw new WriteFailure('FIELD_CUSTOM_VALIDATION_EXCEPTION', rule.message, rule.field === undefined ? [] : [rule.field]);
      }
    });
  }
}
