// A module resolve hook that bin/sfsync.js registers in a checkout: workspace
// packages (packages/*) export their TypeScript sources under the
// "salesforce-emulator-source" condition and their compiled dist/ otherwise,
// and a checkout has no dist/. tsc and vitest set the same condition in their
// configs; npm scripts that run tsx pass --conditions.
const CONDITION = 'salesforce-emulator-source';

export async function resolve(specifier, context, nextResolve) {
  if (context.conditions.includes(CONDITION)) return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, CONDITION] });
}
