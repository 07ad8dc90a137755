/**
 * The demo's emulator keeps its records across runs: a second start re-creates
 * them with the Ids the first run handed out (the saved Ids' tag is the new
 * org's `idTag`), although every emulator draws a fresh tag by default.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { startDemoEmulator } from '../../src/cli/demo/demo-emulator.js';

it('restores the saved records with the same Ids on the next start', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sfsync-demo-emulator-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const first = await startDemoEmulator(dir, 0);
  let firstStopped = false;
  onTestFinished(async () => {
    if (!firstStopped) await first.emulator.stop();
  });
  expect(first.origin).toBe('seeded');
  const ids = first.emulator.org.list('Contact').map((r) => r.id);
  const tag = first.emulator.org.idTag;
  await first.stop();
  firstStopped = true;
  const second = await startDemoEmulator(dir, 0);
  onTestFinished(() => second.emulator.stop());
  expect(second.origin).toBe('restored');
  expect(second.emulator.org.idTag).toBe(tag);
  expect(second.emulator.org.list('Contact').map((r) => r.id)).toEqual(ids);
});
