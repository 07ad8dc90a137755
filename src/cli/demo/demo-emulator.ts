/**
 * The demo's in-process emulator, made to look persistent: the emulator keeps
 * its org in memory, so on stop the demo writes the Accounts and Contacts to
 * `<dataDir>/emulator.json` and on the next start re-creates them in Id
 * order. Ids are the org's Id tag plus per-object counters, so an org started
 * with the saved Ids' tag gives the re-created records the same Ids the
 * Postgres rows already hold. When that cannot hold (a record was
 * purged, leaving a gap), the org is seeded afresh and the caller reloads.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from 'salesforce-emulator';

/** Objects the demo keeps. Accounts first: Contacts point at them. */
export const DEMO_OBJECTS = ['Account', 'Contact'] as const;

interface SnapshotRecord {
  id: string;
  deleted: boolean;
  values: Record<string, unknown>;
}

type Snapshot = Record<string, SnapshotRecord[]>;

/** A started demo emulator and how it came up. */
export interface DemoEmulator {
  emulator: RunningEmulator;
  /** `restored`: records as the last run left them; `seeded`: a fresh demo org. */
  origin: 'restored' | 'seeded';
  /** Write the snapshot, then stop the emulator. */
  stop(): Promise<void>;
}

/** Start the emulator on `port` with the last run's records, or the `demo` seed. */
export async function startDemoEmulator(dataDir: string, port: number): Promise<DemoEmulator> {
  const file = path.join(dataDir, 'emulator.json');
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Snapshot) : undefined;
  // Characters 4-8 of an Id are the tag of the org that made it (salesforce-emulator's `idTag`).
  const idTag = DEMO_OBJECTS.flatMap((o) => saved?.[o] ?? [])[0]?.id.slice(3, 8);
  const emulator = await startEmulator({ port, log: () => undefined, ...(idTag !== undefined && /^[0-9A-Za-z]{5}$/.test(idTag) ? { idTag } : {}) });
  let origin: DemoEmulator['origin'] = 'seeded';
  try {
    if (saved !== undefined && restore(emulator, saved)) origin = 'restored';
    else {
      emulator.org.reset();
      await seedDemo(emulator);
    }
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  return {
    emulator,
    origin,
    async stop() {
      try {
        const tmp = `${file}.tmp`;
        writeFileSync(tmp, JSON.stringify(snapshot(emulator)));
        renameSync(tmp, file);
      } finally {
        await emulator.stop();
      }
    },
  };
}

async function seedDemo(emulator: RunningEmulator): Promise<void> {
  const response = await fetch(`${emulator.url}/__emulator/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ preset: 'demo' }),
  });
  if (!response.ok) throw new Error(`seeding the demo org failed: HTTP ${response.status} ${await response.text()}`);
}

function snapshot(emulator: RunningEmulator): Snapshot {
  const out: Snapshot = {};
  for (const object of DEMO_OBJECTS) {
    const writable = writableFields(emulator, object);
    out[object] = emulator.org
      .list(object, true)
      .map((row) => ({
        id: row.id,
        deleted: row.isDeleted,
        values: Object.fromEntries(Object.entries(row.values).filter(([k, v]) => writable.has(k) && v !== null && v !== undefined)),
      }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return out;
}

/** Re-create every record in Id order; false (and nothing kept) when an Id comes out different. */
function restore(emulator: RunningEmulator, snap: Snapshot): boolean {
  const { org } = emulator;
  for (const object of DEMO_OBJECTS) {
    for (const record of snap[object] ?? []) {
      let id: string;
      try {
        id = org.create(object, record.values);
      } catch {
        return false;
      }
      if (id !== record.id) return false;
    }
  }
  const deleted = DEMO_OBJECTS.flatMap((o) => (snap[o] ?? []).filter((r) => r.deleted).map((r) => ({ kind: 'delete' as const, id: r.id })));
  if (deleted.length > 0) org.write(deleted, { allOrNone: false }, org.systemContext());
  return true;
}

function writableFields(emulator: RunningEmulator, object: string): Set<string> {
  const def = emulator.org.schema.getObject(object);
  return new Set((def?.fields ?? []).filter((f) => f.createable).map((f) => f.name));
}
