/**
 * Pub/Sub API authentication: every call carries the metadata headers
 * `accesstoken` (a session id), `instanceurl` (the org's URL) and `tenantid`
 * (its org id, 15 or 18 characters). All three must match a live session.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { OrgPort, Session } from '../ports.js';

/** The session the call's headers name, or undefined when any header is missing or wrong. */
export function authenticateCall(org: OrgPort, metadata: Metadata, instanceUrl: string): Session | undefined {
  const [token, url, tenant] = ['accesstoken', 'instanceurl', 'tenantid'].map((key) => {
    const value = metadata.get(key)[0];
    return typeof value === 'string' ? value.trim() : undefined;
  });
  if (!token || !url || !tenant) return undefined;
  const session = org.authenticate(`Bearer ${token}`);
  if (session === undefined) return undefined;
  if (tenant !== session.orgId && tenant !== session.orgId.slice(0, 15)) return undefined;
  return url.replace(/\/+$/, '') === instanceUrl ? session : undefined;
}
