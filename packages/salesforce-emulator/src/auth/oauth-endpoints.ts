/**
 * `/services/oauth2/token` (password, client_credentials, refresh_token, JWT
 * bearer, authorization_code), `/services/oauth2/authorize` (auto-approving
 * code flow) and `/services/oauth2/revoke`. Errors are Salesforce's
 * `{error, error_description}` bodies (docs/wire-notes.md, OAuth errors).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../http.js';
import type { Org } from '../org/org.js';
import type { SessionUser } from './session-store.js';
import { JwtRejected, verifyJwtBearer } from './jwt-bearer.js';
import { tokenResponse } from './token-response.js';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** A token endpoint refusal. */
class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}

/** The org's user for a username (only the admin user can log in). */
export function findUser(org: Org, username: string | null | undefined): SessionUser | undefined {
  if (typeof username !== 'string' || username.toLowerCase() !== org.identity.username.toLowerCase()) return undefined;
  return { userId: org.adminUserId, username: org.identity.username };
}

async function readForm(req: IncomingMessage, search: URLSearchParams): Promise<URLSearchParams> {
  const body = (await readBody(req, 1024 * 1024)).toString('utf8');
  const form = new URLSearchParams(body);
  // Some clients put grant parameters in the query string; the body wins.
  for (const [k, v] of search) if (!form.has(k)) form.set(k, v);
  return form;
}

/** POST /services/oauth2/token */
export async function handleToken(req: IncomingMessage, res: ServerResponse, org: Org, baseUrl: string, search: URLSearchParams): Promise<void> {
  if (req.method !== 'POST') {
    sendJson(res, 405, { error: 'invalid_request', error_description: 'must use HTTP POST' });
    return;
  }
  const form = await readForm(req, search);
  try {
    const { user, refresh } = grant(org, form, baseUrl);
    const session = org.sessions.issue(user);
    const refreshToken = refresh ? org.sessions.issueRefreshToken(user) : undefined;
    sendJson(res, 200, tokenResponse(baseUrl, session, org.identity.clientSecret, refreshToken));
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    sendJson(res, error.status, { error: error.error, error_description: error.message });
  }
}

function grant(org: Org, form: URLSearchParams, baseUrl: string): { user: SessionUser; refresh: boolean } {
  const type = form.get('grant_type');
  const id = org.identity;
  const checkClient = (secretRequired: boolean): void => {
    if (form.get('client_id') !== id.clientId) throw new OAuthError(400, 'invalid_client_id', 'client identifier invalid');
    const secret = form.get('client_secret');
    if ((secretRequired || secret !== null) && secret !== id.clientSecret) {
      throw new OAuthError(400, 'invalid_client', 'invalid client credentials');
    }
  };
  switch (type) {
    case 'password': {
      checkClient(true);
      const user = findUser(org, form.get('username'));
      if (user === undefined || form.get('password') !== id.password) throw new OAuthError(400, 'invalid_grant', 'authentication failure');
      return { user, refresh: id.issueRefreshTokens };
    }
    case 'client_credentials':
      checkClient(true);
      return { user: { userId: org.adminUserId, username: id.username }, refresh: false };
    case 'refresh_token': {
      checkClient(false);
      const user = org.sessions.redeemRefreshToken(form.get('refresh_token') ?? '');
      if (user === undefined) throw new OAuthError(400, 'invalid_grant', 'expired access/refresh token');
      return { user, refresh: false };
    }
    case 'authorization_code': {
      checkClient(true);
      const user = org.sessions.redeemCode(form.get('code') ?? '');
      if (user === undefined) throw new OAuthError(400, 'invalid_grant', 'invalid authorization code');
      return { user, refresh: true };
    }
    case JWT_GRANT:
      return { user: jwtUser(org, form.get('assertion') ?? '', baseUrl), refresh: false };
    default:
      throw new OAuthError(400, 'unsupported_grant_type', 'grant type not supported');
  }
}

function jwtUser(org: Org, assertion: string, baseUrl: string): SessionUser {
  const audiences = [baseUrl, 'https://login.salesforce.com', 'https://test.salesforce.com'];
  let username: string;
  try {
    username = verifyJwtBearer(assertion, org.identity.jwtPublicKey, org.identity.clientId, audiences);
  } catch (error) {
    if (error instanceof JwtRejected) throw new OAuthError(400, error.error, error.message);
    throw new OAuthError(400, 'invalid_grant', 'invalid assertion');
  }
  const user = findUser(org, username);
  if (user === undefined) throw new OAuthError(400, 'invalid_grant', "user hasn't approved this consumer");
  return user;
}

/** GET /services/oauth2/authorize: approves at once and redirects with a code (there is no login page). */
export function handleAuthorize(res: ServerResponse, org: Org, search: URLSearchParams): void {
  const redirect = search.get('redirect_uri');
  if (search.get('client_id') !== org.identity.clientId || redirect === null) {
    sendJson(res, 400, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
    return;
  }
  const code = org.sessions.issueCode({ userId: org.adminUserId, username: org.identity.username });
  const target = new URL(redirect);
  target.searchParams.set('code', code);
  const state = search.get('state');
  if (state !== null) target.searchParams.set('state', state);
  res.writeHead(302, { Location: target.toString() });
  res.end();
}

/** POST (or GET) /services/oauth2/revoke with `token=`. */
export async function handleRevoke(req: IncomingMessage, res: ServerResponse, org: Org, search: URLSearchParams): Promise<void> {
  const form = await readForm(req, search);
  const token = form.get('token');
  if (token === null || !org.sessions.revoke(token)) {
    sendJson(res, 400, { error: 'unsupported_token_type', error_description: 'this token type is not supported' });
    return;
  }
  res.writeHead(200);
  res.end();
}
