/**
 * How a mapping plan is shown: the SQL statements, each ending in `;`, under
 * a comment naming the mapping — exactly what `applyMapping` would run.
 */
import type { MappingPlan } from '../mapping/plan-mapping.js';

/** The plan as a psql-runnable script. */
export function formatPlan(plan: MappingPlan): string {
  const header = `-- ${plan.spec.sobject} → ${plan.spec.schema}.${plan.spec.table} (${plan.spec.mode}, mapping ${plan.mappingId}${plan.isNew ? ', new' : ''})`;
  if (!plan.changed) return `${header}\n-- up to date: nothing to run`;
  return [header, ...plan.statements.map((s) => `${s.trimEnd()};`)].join('\n\n');
}

/** The plan for `--json`. */
export function planJson(plan: MappingPlan): Record<string, unknown> {
  return {
    mappingId: Number(plan.mappingId),
    sobject: plan.spec.sobject,
    schema: plan.spec.schema,
    table: plan.spec.table,
    mode: plan.spec.mode,
    fields: plan.fieldInfo.map((f) => f.name),
    isNew: plan.isNew,
    changed: plan.changed,
    addedFields: plan.addedFields,
    statements: plan.statements,
  };
}
