/**
 * The read path's Salesforce functions against the emulator over HTTP with the
 * real jsforce: REST pages via nextRecordsUrl, COUNT(), Bulk 2.0 paged by locator.
 */
import type { Connection } from 'jsforce';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRecords, startEmulator, type RunningEmulator } from 'salesforce-emulator';
import { bulkQueryPages } from '../../src/salesforce/bulk-query.js';
import { countQuery, queryPages } from '../../src/salesforce/query-pages.js';

let emu: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  emu = await startEmulator();
  seedRecords(emu.org, 'Account', 4500, { template: { Name: 'Acme "{n}",\nline' } });
  conn = new jsforce.Connection({
    loginUrl: emu.url,
    version: '59.0',
    oauth2: { clientId: 'sfsync-local', clientSecret: 'sfsync-local-secret', loginUrl: emu.url },
  });
  await conn.login('admin@sfsync.test', 'sfsync');
});
afterAll(async () => {
  await emu?.stop();
});

describe('queryPages', () => {
  it('follows nextRecordsUrl and strips attributes', async () => {
    const sizes: number[] = [];
    let first: Record<string, unknown> | undefined;
    for await (const page of queryPages(conn, 'SELECT Id, Name FROM Account', { includeDeleted: true })) {
      sizes.push(page.length);
      first ??= page[0];
    }
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(4500);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    expect(first).not.toHaveProperty('attributes');
    expect(String(first?.['Name'])).toMatch(/^Acme "\d+",\nline$/);
  });

  it('counts', async () => {
    expect(await countQuery(conn, 'SELECT COUNT() FROM Account', { includeDeleted: false })).toBe(4500);
  });

  it('queryAll returns deleted rows', async () => {
    const [page] = await collect(queryPages(conn, 'SELECT Id FROM Account LIMIT 1', { includeDeleted: false }));
    const id = String(page?.[0]?.['Id']);
    await conn.sobject('Account').destroy(id);
    const rows = (await collect(queryPages(conn, `SELECT Id, IsDeleted FROM Account WHERE Id = '${id}'`, { includeDeleted: true }))).flat();
    expect(rows).toEqual([{ Id: id, IsDeleted: true }]);
  });
});

describe('bulkQueryPages', () => {
  it('pages by locator and parses CSV exactly', async () => {
    const pages = await collect(bulkQueryPages(conn, 'SELECT Id, Name FROM Account', { includeDeleted: true, maxRecords: 1000 }));
    expect(pages.length).toBe(5);
    const rows = pages.flat();
    expect(rows.length).toBe(4500);
    expect(new Set(rows.map((r) => r['Id'])).size).toBe(4500);
    expect(rows[0]?.['Name']).toMatch(/^Acme "\d+",\nline$/);
  });

  it('yields nothing for an empty result', async () => {
    const pages = await collect(bulkQueryPages(conn, "SELECT Id FROM Account WHERE Name = 'nobody'", { includeDeleted: false }));
    expect(pages).toEqual([]);
  });
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
