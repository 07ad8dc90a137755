/**
 * The OAuth token endpoint's success body, shared by every grant.
 */
import { createHmac } from 'node:crypto';
import type { Session } from '../ports.js';

/** The identity URL of a session's user: `{base}/id/{orgId}/{userId}`. */
export function identityUrl(baseUrl: string, session: Pick<Session, 'orgId' | 'userId'>): string {
  return `${baseUrl}/id/${session.orgId}/${session.userId}`;
}

/** Salesforce's token reply; `signature` is HMAC-SHA256(id + issued_at) keyed by the client secret. */
export function tokenResponse(baseUrl: string, session: Session, clientSecret: string, refreshToken?: string): Record<string, string> {
  const id = identityUrl(baseUrl, session);
  const issuedAt = String(Date.now());
  const signature = createHmac('sha256', clientSecret)
    .update(id + issuedAt)
    .digest('base64');
  return {
    access_token: session.accessToken,
    ...(refreshToken !== undefined ? { refresh_token: refreshToken } : {}),
    instance_url: baseUrl,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
    signature,
    scope: refreshToken !== undefined ? 'api refresh_token' : 'api',
  };
}
