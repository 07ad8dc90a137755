/**
 * The soak drives sfsync only through its public command: `node bin/sfsync.js
 * <args>` as a child process. Two shapes: a one-shot command (migrate,
 * connect, map) whose exit code must be 0, and a long-running one (emulator,
 * start) whose output goes to a log file and which can be SIGKILLed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CleanupStack } from './cleanup.js';

/** The repository root (bench/soak/ is two levels down). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The sfsync command's entry point. */
export const SFSYNC_BIN = path.join(REPO_ROOT, 'bin', 'sfsync.js');

/** Where and how a child runs. */
export interface SfsyncRunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Run `sfsync <args>` to completion; throws with its stderr when it exits non-zero or outlives `timeoutMs`. */
export function runSfsync(args: string[], options: SfsyncRunOptions & { timeoutMs?: number; cleanup: CleanupStack }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SFSYNC_BIN, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    options.cleanup.adopt(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`sfsync ${args.join(' ')} exited ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ') || stdout.trim()}`));
    });
  });
}

/** A long-running sfsync child. */
export interface SfsyncChild {
  child: ChildProcess;
  /** Resolves with the exit code or signal once the process has exited. */
  exited: Promise<string>;
  /** Everything it wrote to stdout so far. */
  stdout(): string;
  /** SIGKILL (if still running) and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM, wait up to `graceMs`, then SIGKILL. */
  stop(graceMs?: number): Promise<void>;
}

/** Start `sfsync <args>`; stderr is appended to `logFile`, stdout kept in memory and appended too. */
export function startSfsync(args: string[], options: SfsyncRunOptions & { logFile: string; cleanup: CleanupStack }): SfsyncChild {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(process.execPath, [SFSYNC_BIN, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  options.cleanup.adopt(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    log.write(c);
  });
  child.stderr!.on('data', (c: Buffer) => log.write(c));
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(String(code ?? signal));
      log.end();
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    exited,
    stdout: () => out,
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
    async stop(graceMs = 10_000) {
      if (running()) child.kill('SIGTERM');
      const timer = setTimeout(() => running() && child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
