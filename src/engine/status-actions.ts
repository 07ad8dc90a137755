/**
 * The status page's actions: `POST /actions/{retry,discard,pause,resume,reload}`
 * with a form body holding the action token and the target. Each is one call
 * of the SQL function the CLI uses (sfsync.retry_failed, discard_failed,
 * pause, resume, request_reload).
 *
 * Safe against cross-site requests without cookies or sessions: the token
 * travels in the body, which another site's page cannot know, and a request
 * whose Origin is not this server is refused before the token is looked at.
 * The token is compared in constant time (SHA-256 of both, timingSafeEqual)
 * and never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type pg from 'pg';
import { settleFailed } from './failed-changes.js';

/** The actions, and what the page says after each. */
export const ACTIONS = ['retry', 'discard', 'pause', 'resume', 'reload'] as const;
export type StatusAction = (typeof ACTIONS)[number];

/** A refused or failed action: the HTTP status and a one-line reason for the page. */
export class ActionError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Largest form body accepted, bytes. */
const MAX_BODY = 4096;

/** True when `given` equals `expected`, in time independent of where they differ. */
export function tokenMatches(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (type !== 'application/x-www-form-urlencoded') throw new ActionError(415, 'Send the action as a form (application/x-www-form-urlencoded).');
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > MAX_BODY) throw new ActionError(413, 'The form is too large.');
  }
  return new URLSearchParams(body);
}

/** Refuse a request sent by another site's page (the browser sets Origin on every cross-site POST). */
function checkOrigin(req: IncomingMessage): void {
  if (req.headers['sec-fetch-site'] === 'cross-site') throw new ActionError(403, 'Actions are only accepted from this status page.');
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') {
    if (origin === 'null') throw new ActionError(403, 'Actions are only accepted from this status page.');
    return;
  }
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new ActionError(403, 'Actions are only accepted from this status page.');
  }
  if (host !== req.headers.host) throw new ActionError(403, 'Actions are only accepted from this status page.');
}

function positiveId(value: string | null, what: string): string {
  if (!value || !/^[1-9][0-9]{0,17}$/.test(value)) throw new ActionError(400, `Give the ${what} as a positive whole number.`);
  return value;
}

/** Check the request and run the action; returns the notice the page shows after it. */
export async function runAction(req: IncomingMessage, action: string, pool: pg.Pool, token: string | undefined): Promise<string> {
  if (!token) throw new ActionError(403, 'Actions are off: set metrics.actionToken (or SFSYNC_ACTION_TOKEN) and restart sfsync.');
  if (!(ACTIONS as readonly string[]).includes(action)) throw new ActionError(404, `No action ${action}.`);
  checkOrigin(req);
  const form = await readForm(req);
  if (!tokenMatches(form.get('token') ?? '', token)) throw new ActionError(403, 'Wrong action token.');
  switch (action as StatusAction) {
    case 'retry':
    case 'discard': {
      const id = Number(positiveId(form.get('id'), 'failed change id'));
      const n = await settleFailed(pool, action as 'retry' | 'discard', { ids: [id] });
      return n === 0
        ? `Failed change ${id} is no longer failed; nothing to ${action}.`
        : action === 'retry'
          ? `Queued failed change ${id} again.`
          : `Discarded failed change ${id}.`;
    }
    case 'pause':
    case 'resume': {
      const id = positiveId(form.get('mapping'), 'mapping id');
      const { rows } = await pool.query(`select sfsync.${action}($1) as id`, [id]);
      return rows.length
        ? `${action === 'pause' ? 'Paused' : 'Resumed'} mapping ${id}.`
        : `Mapping ${id} was already ${action === 'pause' ? 'paused' : 'running'}.`;
    }
    case 'reload': {
      const id = positiveId(form.get('mapping'), 'mapping id');
      await pool.query('select sfsync.request_reload($1)', [id]);
      return `Queued a reload of mapping ${id}.`;
    }
  }
}
