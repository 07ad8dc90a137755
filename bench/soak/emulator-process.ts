/**
 * The Salesforce emulator as a separate process (`sfsync emulator --port 0
 * --json`), so it runs on its own event loop like a real org would, and the
 * soak reads its addresses (REST and the Pub/Sub API's gRPC port) from the
 * one JSON line the command prints.
 */
import path from 'node:path';
import type { CleanupStack } from './cleanup.js';
import { startSfsync, type SfsyncChild } from './sfsync-process.js';

/** The running emulator process. */
export interface EmulatorProcess {
  /** Login and instance URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** The Pub/Sub API's gRPC target (plaintext), e.g. 127.0.0.1:40125; engines on that transport use `http://<this>`. */
  pubsub: string;
  process: SfsyncChild;
}

/** Start the emulator and wait (up to `timeoutMs`) for its address. */
export async function startEmulatorProcess(workDir: string, cleanup: CleanupStack, timeoutMs = 60_000): Promise<EmulatorProcess> {
  const child = startSfsync(['emulator', '--port', '0', '--json'], {
    cwd: workDir,
    env: { ...process.env },
    logFile: path.join(workDir, 'emulator.log'),
    cleanup,
  });
  cleanup.push('emulator', () => child.stop(5_000));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = child
      .stdout()
      .split('\n')
      .find((l) => l.startsWith('{'));
    if (line !== undefined) {
      const info = JSON.parse(line) as { url?: unknown; pubsub?: unknown };
      if (typeof info.url !== 'string') throw new Error(`sfsync emulator printed no url: ${line}`);
      if (typeof info.pubsub !== 'string') throw new Error(`sfsync emulator printed no Pub/Sub API address (see ${workDir}/emulator.log): ${line}`);
      return { url: info.url, pubsub: info.pubsub, process: child };
    }
    if (child.child.exitCode !== null || child.child.signalCode !== null)
      throw new Error(`sfsync emulator exited before listening (see ${workDir}/emulator.log)`);
    if (Date.now() > deadline) throw new Error(`sfsync emulator printed no address within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
