/**
 * SOAP partner `login` and `logout` at `/services/Soap/u/{version}`: what
 * jsforce uses without client credentials (`merge` and `undelete` go to soap/data-calls.ts). jsforce reads the reply by regex,
 * so only the elements it looks for matter (docs/wire-notes.md, SOAP login).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http.js';
import type { Org } from '../org/org.js';
import { handleDataCall, isDataCall } from '../soap/data-calls.js';
import { element, sendFault as fault, sendSoap as send, xmlEscape } from '../soap/soap-xml.js';
import { findUser } from './oauth-endpoints.js';

/** POST /services/Soap/u/{version}: login or logout. */
export async function handleSoap(req: IncomingMessage, res: ServerResponse, org: Org, baseUrl: string, version: string): Promise<void> {
  const xml = (await readBody(req, 1024 * 1024)).toString('utf8');
  if (/<(?:\w+:)?logout[\s/>]/.test(xml)) {
    const sessionId = element(xml, 'sessionId');
    if (sessionId === undefined || org.sessions.get(sessionId) === undefined) {
      fault(res, 'INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
      return;
    }
    org.sessions.revoke(sessionId);
    send(res, 200, '<logoutResponse/>');
    return;
  }
  if (isDataCall(xml)) {
    handleDataCall(xml, res, org, version);
    return;
  }
  if (!/<(?:\w+:)?login[\s>]/.test(xml)) {
    fault(res, 'INVALID_OPERATION', 'The emulator supports only the login, logout, merge and undelete SOAP calls.');
    return;
  }
  const user = findUser(org, element(xml, 'username'));
  if (user === undefined || element(xml, 'password') !== org.identity.password) {
    fault(res, 'INVALID_LOGIN', 'Invalid username, password, security token; or user locked out.');
    return;
  }
  const session = org.sessions.issue(user);
  const orgId15 = org.orgId.slice(0, 15);
  send(
    res,
    200,
    [
      '<loginResponse><result>',
      `<metadataServerUrl>${baseUrl}/services/Soap/m/${version}/${orgId15}</metadataServerUrl>`,
      '<passwordExpired>false</passwordExpired><sandbox>true</sandbox>',
      `<serverUrl>${baseUrl}/services/Soap/u/${version}/${orgId15}</serverUrl>`,
      `<sessionId>${session.accessToken}</sessionId><userId>${session.userId}</userId>`,
      `<userInfo><organizationId>${org.orgId}</organizationId><organizationName>sfsync emulator</organizationName>`,
      `<sessionSecondsValid>${Math.round(org.controls.tokenTtlMs / 1000)}</sessionSecondsValid>`,
      `<userEmail>${xmlEscape(org.identity.username)}</userEmail><userFullName>Sfsync Admin</userFullName>`,
      `<userId>${session.userId}</userId><userName>${xmlEscape(session.username)}</userName></userInfo>`,
      '</result></loginResponse>',
    ].join(''),
  );
}
