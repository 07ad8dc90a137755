/**
 * Fast generation of realistic records for tests, demos and benchmarks.
 * Records go through the normal write path (validation, audit fields,
 * indexes) in batches, so seeded data is indistinguishable from API data.
 */
import type { SfValue, WriteOp } from '../ports.js';
import type { Org } from './org.js';

/** What a seed call did. */
export interface SeedResult {
  object: string;
  created: number;
  failed: number;
  /** The first failure's message, to make a bad template obvious. */
  firstError?: string;
  ms: number;
}

/** Options of {@link seedRecords}. */
export interface SeedOptions {
  /**
   * Field values for every record; strings may contain `{n}` (1-based index
   * within this call). Merged over the object's default generator.
   */
  template?: Record<string, SfValue>;
  /** Records per internal write batch (default 1000). */
  batchSize?: number;
}

const INDUSTRIES = ['Agriculture', 'Banking', 'Technology', 'Energy', 'Retail', 'Other'];
const CITIES = ['Paris', 'Lyon', 'Berlin', 'Austin', 'Osaka', 'Lima'];
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken', 'Margaret', 'Donald'];

function defaults(org: Org, object: string, n: number, parents: string[]): Record<string, SfValue> {
  switch (object) {
    case 'Account':
      return {
        Name: `Account ${n}`,
        Industry: INDUSTRIES[n % INDUSTRIES.length] ?? null,
        AnnualRevenue: (n % 100) * 10_000,
        NumberOfEmployees: n % 5000,
        BillingCity: CITIES[n % CITIES.length] ?? null,
        Phone: `+1 555 ${String(n % 10_000).padStart(4, '0')}`,
      };
    case 'Contact':
      return {
        FirstName: FIRST[n % FIRST.length] ?? null,
        LastName: `Contact ${n}`,
        Email: `contact${n}@example.com`,
        AccountId: parents.length > 0 ? (parents[n % parents.length] ?? null) : null,
      };
    case 'Lead':
      return { LastName: `Lead ${n}`, Company: `Company ${n}`, Email: `lead${n}@example.com` };
    case 'Opportunity':
      return {
        Name: `Opportunity ${n}`,
        StageName: 'Prospecting',
        CloseDate: '2030-01-01',
        Amount: n * 100,
        AccountId: parents.length > 0 ? (parents[n % parents.length] ?? null) : null,
      };
    case 'Case':
      return { Subject: `Case ${n}`, AccountId: parents.length > 0 ? (parents[n % parents.length] ?? null) : null };
    default: {
      const def = org.schema.getObject(object);
      return def?.fields.some((f) => f.name === 'Name' && f.createable) === true ? { Name: `${object} ${n}` } : {};
    }
  }
}

function fill(template: Record<string, SfValue>, n: number): Record<string, SfValue> {
  const out: Record<string, SfValue> = {};
  for (const [k, v] of Object.entries(template)) out[k] = typeof v === 'string' ? v.replace(/\{n\}/g, String(n)) : v;
  return out;
}

/** Create `count` records of `object`; Contacts/Opportunities/Cases link to existing Accounts round-robin. */
export function seedRecords(org: Org, objectName: string, count: number, options: SeedOptions = {}): SeedResult {
  const started = performance.now();
  const object = org.schema.getObject(objectName);
  if (object === undefined) throw new Error(`Cannot seed unknown object ${objectName}.`);
  const parents = ['Contact', 'Opportunity', 'Case'].includes(object.name) ? org.list('Account').map((r) => r.id) : [];
  const batchSize = options.batchSize ?? 1000;
  const result: SeedResult = { object: object.name, created: 0, failed: 0, ms: 0 };
  const ctx = org.systemContext();
  for (let start = 0; start < count; start += batchSize) {
    const ops: WriteOp[] = [];
    for (let n = start + 1; n <= Math.min(count, start + batchSize); n++) {
      const values = { ...defaults(org, object.name, n, parents), ...fill(options.template ?? {}, n) };
      ops.push({ kind: 'create', object: object.name, values });
    }
    for (const r of org.write(ops, { allOrNone: false }, ctx)) {
      if (r.success) result.created++;
      else {
        result.failed++;
        result.firstError ??= r.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ');
      }
    }
  }
  result.ms = Math.round(performance.now() - started);
  return result;
}

/** Named seed presets: `demo` is 2,000 Accounts and 5,000 Contacts linked to them. */
export function seedPreset(org: Org, preset: string): SeedResult[] {
  if (preset !== 'demo') throw new Error(`Unknown seed preset ${preset}; known: demo.`);
  return [seedRecords(org, 'Account', 2000, { template: { Ext_Id__c: 'A-{n}' } }), seedRecords(org, 'Contact', 5000, { template: { Ext_Id__c: 'C-{n}' } })];
}
