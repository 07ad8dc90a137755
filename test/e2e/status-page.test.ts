/**
 * The status page in a real browser (Debian's chromium, driven by
 * playwright-core): it loads, shows the change Salesforce refused with
 * Salesforce's error, and a retry from the page (with the action token) sends
 * it once the org lets it through. Screenshots go to
 * test-artifacts/status-page-*.png for a person to look at.
 *
 * The page's refusals (no token configured, a wrong token, another site's
 * form) are checked with plain HTTP requests.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../../src/db/pool.js';
import { startMetricsServer, type RunningMetricsServer } from '../../src/engine/metrics-server.js';
import { applyMapping } from '../../src/mapping/apply-mapping.js';
import { REPO_ROOT } from '../support/run-cli.js';
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';
import { waitFor } from '../support/wait-for.js';

const TOKEN = 'status-page-test-token-0123456789';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');

let h: SyncHarness;
let page: RunningMetricsServer;
let readOnly: RunningMetricsServer;
let browser: Browser | undefined;
let accountId: string;

/** Debian's chromium (`.ci/run` installs it); the test fails, naming the fix, when it is missing. */
function chromiumPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim().split('\n')[0]!;
  } catch {
    throw new Error('chromium is not installed: `apt-get install chromium` (Debian), as .ci/run does');
  }
}

beforeAll(async () => {
  h = await startSyncHarness({
    emulator: {
      schema: {
        validationRules: {
          Account: [{ name: 'locked', errorWhen: "Description = 'locked' AND Phone = '555-0100'", message: 'This account is locked', field: 'Phone' }],
        },
      },
    },
  });
  accountId = h.emulator.org.create('Account', { Name: 'Locked Corp', Description: 'locked' });
  const sf = await h.salesforce();
  await withClient(h.pool, (c) =>
    applyMapping(c, sf, { connectionId: h.connectionId, sobject: 'Account', fields: ['Name', 'Phone'], mode: 'read_write', streaming: 'off' }),
  );
  await h.startEngine();
  await waitFor(async () => (await h.pool.query(`select 1 from salesforce.account where sfid = $1`, [accountId])).rowCount === 1, {
    what: 'the initial load',
  });
  page = await startMetricsServer(h.pool, '127.0.0.1', 0, { actionToken: TOKEN });
  readOnly = await startMetricsServer(h.pool, '127.0.0.1', 0);
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await page?.stop();
  await readOnly?.stop();
  await h?.stop();
});

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual' as const,
});

describe('the status page', () => {
  it('shows a change Salesforce refused, and a retry from the page sends it', async () => {
    await h.pool.query(`update salesforce.account set phone = '555-0100' where sfid = $1`, [accountId]);
    const { rows } = await waitFor(
      async () => {
        const result = await h.pool.query<{ id: string }>(`select id::text from sfsync.failed_changes where sfid = $1`, [accountId]);
        return result.rowCount ? result : undefined;
      },
      { what: 'the refused change' },
    );
    const failedId = rows[0]!.id;

    const tab = await browser!.newPage();
    await tab.goto(page.url);
    await expect.poll(() => tab.locator('h1').textContent()).toBe('sfsync status');
    const row = tab.locator('tr', { hasText: 'This account is locked' });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    expect(await row.textContent()).toContain('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    await tab.screenshot({ path: path.join(ARTIFACTS, 'status-page-failed.png'), fullPage: true });

    // The org's admin unlocks the account; the operator retries from the page.
    h.emulator.org.write([{ kind: 'update', id: accountId, values: { Description: null } }], { allOrNone: true }, h.emulator.org.systemContext());
    await tab.fill('#token', TOKEN);
    await Promise.all([tab.waitForURL(/notice=/), row.locator('button', { hasText: 'retry' }).click()]);
    expect(await tab.locator('.notice').textContent()).toBe(`Queued failed change ${failedId} again.`);
    await waitFor(() => h.emulator.org.latest(accountId)?.values.Phone === '555-0100', { what: 'the retried change in Salesforce' });
    await tab.goto(page.url);
    await expect.poll(() => tab.locator('#failed').textContent()).toBe('Failed changes (0)');
    await tab.screenshot({ path: path.join(ARTIFACTS, 'status-page-retried.png'), fullPage: true });
    await tab.close();
  });

  it('without a token the page has no actions and refuses them; a wrong token or another site is refused', async () => {
    const html = await (await fetch(readOnly.url)).text();
    expect(html).toContain('Read-only');
    expect(html).not.toContain('<form');
    expect((await fetch(`${readOnly.url}/actions/pause`, form({ token: TOKEN, mapping: '1' }))).status).toBe(403);
    expect((await fetch(`${page.url}/actions/pause`, form({ token: 'wrong-token-wrong-token', mapping: '1' }))).status).toBe(403);
    const crossSite = form({ token: TOKEN, mapping: '1' });
    const refused = await fetch(`${page.url}/actions/pause`, { ...crossSite, headers: { ...crossSite.headers, origin: 'http://evil.example' } });
    expect(refused.status).toBe(403);
    const { rows } = await h.pool.query(`select state from sfsync.mappings`);
    expect(rows.map((r) => r.state)).not.toContain('paused');
  });
});
