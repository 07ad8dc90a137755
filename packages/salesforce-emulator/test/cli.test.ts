/**
 * The `salesforce-emulator` command as a user runs it: bin/salesforce-emulator.js
 * under plain node (tsx loads the sources in a checkout), no build step.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/salesforce-emulator.js', import.meta.url));

function run(args: string[]): { child: ReturnType<typeof spawn>; exit: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, exit };
}

function firstLine(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end >= 0) {
        child.stdout?.off('data', onData);
        resolve(text.slice(0, end));
      }
    };
    child.stdout?.on('data', onData);
    child.on('close', (code) => reject(new Error(`exited ${code} before printing a line`)));
  });
}

describe('salesforce-emulator command', () => {
  it('serves an org on a free port, prints it as JSON, and stops cleanly on SIGTERM', async () => {
    const { child, exit } = run(['--port', '0', '--json']);
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const info = JSON.parse(await firstLine(child)) as { url: string; port: number; username: string; clientId: string };
    expect(info).toMatchObject({ url: `http://127.0.0.1:${info.port}`, username: 'admin@sfsync.test', clientId: 'sfsync-local' });
    const versions = (await (await fetch(`${info.url}/services/data/`)).json()) as Array<{ version: string }>;
    expect(versions.map((v) => v.version)).toContain('59.0');
    const stats = (await (await fetch(`${info.url}/__emulator/stats`)).json()) as { objects: Record<string, number>; apiUsage: unknown };
    expect(stats.objects.Account ?? 0).toBe(0);
    expect(stats.apiUsage).toEqual({ used: 0, limit: 15000 });
    child.kill('SIGTERM');
    expect((await exit).code).toBe(0);
  });

  it('serves the org with the login given by --username, --password, --client-id and --client-secret', async () => {
    const { child, exit } = run(['--port', '0', '--json', '--username', 'u@x.test', '--password', 'p', '--client-id', 'c', '--client-secret', 's']);
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const info = JSON.parse(await firstLine(child)) as { url: string; orgId: string; username: string; clientId: string; clientSecret: string };
    expect(info).toMatchObject({ username: 'u@x.test', password: 'p', clientId: 'c', clientSecret: 's' });
    expect(info.orgId).toMatch(/^00D[0-9A-Za-z]{15}$/);
    const token = (body: Record<string, string>) =>
      fetch(`${info.url}/services/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', ...body }) });
    const ok = (await (await token({ client_id: 'c', client_secret: 's', username: 'u@x.test', password: 'p' })).json()) as { id: string };
    expect(ok.id).toContain(`/id/${info.orgId}/`);
    expect((await token({ client_id: 'sfsync-local', client_secret: 'sfsync-local-secret', username: 'admin@sfsync.test', password: 'sfsync' })).status).toBe(
      400,
    );
    child.kill('SIGTERM');
    expect((await exit).code).toBe(0);
  });

  it('refuses an empty --password with exit code 2', async () => {
    const { code, stderr } = await run(['--password', '']).exit;
    expect(code).toBe(2);
    expect(stderr).toMatch(/^salesforce-emulator: --password must not be empty/);
  });

  it('refuses a bad port with exit code 2 and one line naming the fix', async () => {
    const { code, stdout, stderr } = await run(['--port', '0x50']).exit;
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^salesforce-emulator: --port must be a TCP port number \(0-65535\), not "0x50"\./);
  });
});
