/**
 * The status page's HTML escapes every value (record values and Salesforce's
 * messages are written by whoever can write the org or the table), renders
 * actions only with a token, and compares the token exactly.
 */
import { describe, expect, it } from 'vitest';
import { tokenMatches } from '../../src/engine/status-actions.js';
import { escapeHtml, renderStatusPage, type StatusPageData } from '../../src/engine/status-page.js';

const EVIL = `<script>alert("x")</script>' onmouseover='x`;

function data(): StatusPageData {
  return {
    at: new Date('2026-01-02T03:04:05Z'),
    report: {
      connections: [
        { connection: 'default', state: 'active', lastError: null, apiUsage: 10, apiLimit: 100, apiBudget: 50, governor: 'normal', reportedAt: null },
      ],
      mappings: [
        {
          mappingId: 7,
          connection: 'default',
          sobject: 'Account',
          table: 'salesforce.account',
          mode: 'read_write',
          state: 'active',
          lastPollAt: null,
          lastPollOutcome: null,
          pullLagSeconds: 3,
          pushLagSeconds: null,
          pendingChanges: 0,
          failedChanges: 1,
          apiCallsToday: 4,
          conflictsToday: 2,
          driftFixedToday: 5,
          lastError: null,
        },
      ],
    },
    failed: [
      {
        id: 9,
        mappingId: 7,
        connection: 'default',
        sobject: 'Account',
        table: 'salesforce.account',
        recordId: 1,
        sfid: EVIL,
        op: 'update',
        changed: {},
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        errorMessage: EVIL,
        attempts: 1,
        failedAt: null,
      },
    ],
    windows: [],
  };
}

describe('status page', () => {
  it('escapes every value from the database', () => {
    const html = renderStatusPage(data(), { actions: true, nonce: 'abc', notice: EVIL });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain(`' onmouseover='`);
    expect(html).toContain(escapeHtml(EVIL));
    // The one script is the page's own, with its nonce.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('<script nonce="abc">');
  });

  it('renders actions only with a token', () => {
    expect(renderStatusPage(data(), { actions: true, nonce: 'n' })).toContain('action="/actions/retry"');
    const readOnly = renderStatusPage(data(), { actions: false, nonce: 'n' });
    expect(readOnly).not.toContain('<form');
    expect(readOnly).toContain('Read-only');
  });

  it('compares the token exactly, whatever the lengths', () => {
    expect(tokenMatches('a-long-enough-token-1', 'a-long-enough-token-1')).toBe(true);
    expect(tokenMatches('a-long-enough-token-2', 'a-long-enough-token-1')).toBe(false);
    expect(tokenMatches('', 'a-long-enough-token-1')).toBe(false);
    expect(tokenMatches('a-long-enough-token-1x', 'a-long-enough-token-1')).toBe(false);
  });
});
