/**
 * getDeleted's `earliestDateAvailable` (docs/wire-notes.md, Replication): the time of
 * the last physically deleted record of the object, so a replicating client
 * whose last sync point is before it knows some deletes are gone for good
 * (purged from the recycle bin, or hard-deleted) and must re-sync fully.
 */
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { control, login } from './core-helpers.js';

const MINUTE = 60_000;

/** The replication window a client would ask for: the last 10 minutes up to 2 minutes from now. */
function window(): { start: Date; end: Date } {
  return { start: new Date(Date.now() - 10 * MINUTE), end: new Date(Date.now() + 2 * MINUTE) };
}

function ms(text: string): number {
  return Date.parse(text.replace(/\+0000$/, 'Z'));
}

describe('getDeleted earliestDateAvailable', () => {
  let emu: RunningEmulator;
  let conn: Connection;
  beforeAll(async () => {
    emu = await startEmulator();
    conn = await login(emu);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  it('moves past a record purged from the recycle bin, which getDeleted no longer lists', async () => {
    const { id } = (await conn.sobject('Account').create({ Name: 'Purged' })) as { id: string };
    await conn.sobject('Account').destroy(id);
    const { start, end } = window();
    const before = await conn.sobject('Account').deleted(start, end);
    expect(before.deletedRecords.map((d) => d.id)).toEqual([id]);
    const deletedAt = ms(before.deletedRecords[0]?.deletedDate ?? '');
    // Nothing was physically deleted yet: everything deleted in the window is still available.
    expect(ms(before.earliestDateAvailable)).toBeLessThanOrEqual(start.getTime());

    await control(emu, 'POST', '/recycle-bin/empty', {});
    const after = await conn.sobject('Account').deleted(start, end);
    expect(after.deletedRecords).toEqual([]);
    // A client synced up to any point at or before the purged delete sees that it lost it.
    expect(ms(after.earliestDateAvailable)).toBeGreaterThan(deletedAt);
    expect(after.earliestDateAvailable).toMatch(/:00\.000\+0000$/);
    // Other objects lost nothing.
    const contacts = await conn.sobject('Contact').deleted(start, end);
    expect(ms(contacts.earliestDateAvailable)).toBeLessThanOrEqual(start.getTime());
  });

  it('moves past a hard delete, which never reaches the recycle bin', async () => {
    const { id } = (await conn.sobject('Case').create({ Subject: 'Hard-deleted' })) as { id: string };
    const { start } = window();
    const hardDeletedFrom = Date.now();
    const results = await conn.bulk2.loadAndWaitForResults({ object: 'Case', operation: 'hardDelete', input: `Id\n${id}\n` });
    expect(results.failedResults).toEqual([]);
    const end = new Date(Date.now() + 2 * MINUTE);
    const deleted = await conn.sobject('Case').deleted(start, end);
    expect(deleted.deletedRecords).toEqual([]);
    expect(ms(deleted.earliestDateAvailable)).toBeGreaterThan(Math.floor(hardDeletedFrom / MINUTE) * MINUTE);
  });
});
