/**
 * The identity URL `/id/{orgId}/{userId}` (what `conn.identity()` reads).
 * Authorised by the `Authorization` header or the `oauth_token` parameter.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http.js';
import type { Org } from '../org/org.js';

/** GET /id/{orgId}/{userId} */
export function handleIdentity(req: IncomingMessage, res: ServerResponse, org: Org, baseUrl: string, path: string, search: URLSearchParams): void {
  const token = search.get('oauth_token');
  const session = org.authenticate(token !== null ? `Bearer ${token}` : req.headers.authorization);
  if (session === undefined) {
    sendJson(res, 403, 'Bad_OAuth_Token');
    return;
  }
  const [, , orgId, userId] = path.split('/');
  if (orgId !== org.orgId || userId !== session.userId) {
    sendJson(res, 404, 'Bad_Id');
    return;
  }
  const user = org.records.get(userId);
  const v = (name: string): unknown => user?.values[name] ?? null;
  const rest = `${baseUrl}/services/data/v{version}/`;
  sendJson(res, 200, {
    id: `${baseUrl}/id/${orgId}/${userId}`,
    asserted_user: true,
    user_id: userId,
    organization_id: orgId,
    username: session.username,
    nick_name: v('Alias'),
    display_name: v('Name'),
    email: v('Email'),
    first_name: v('FirstName'),
    last_name: v('LastName'),
    active: true,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: 0,
    status: { created_date: null, body: null },
    photos: { picture: null, thumbnail: null },
    urls: {
      enterprise: `${baseUrl}/services/Soap/c/{version}/${orgId.slice(0, 15)}`,
      partner: `${baseUrl}/services/Soap/u/{version}/${orgId.slice(0, 15)}`,
      rest,
      sobjects: `${rest}sobjects/`,
      search: `${rest}search/`,
      query: `${rest}query/`,
      recent: `${rest}recent/`,
      profile: `${baseUrl}/${userId}`,
    },
    last_modified_date: v('LastModifiedDate'),
  });
}
