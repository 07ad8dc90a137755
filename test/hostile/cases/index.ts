/** Every hostile-input case, tagged with its area (the describe block it runs in). */
import type { HostileCase } from '../hostile-case.js';
import { mappingCases } from './mappings.js';
import { setupCases } from './setup.js';
import { sqlFunctionCases } from './sql-functions.js';

export const allCases: Array<HostileCase & { area: string }> = [
  ...mappingCases.map((c) => ({ ...c, area: 'mappings' })),
  ...setupCases.map((c) => ({ ...c, area: 'setup' })),
  ...sqlFunctionCases.map((c) => ({ ...c, area: 'SQL functions' })),
];
