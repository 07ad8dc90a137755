/**
 * SOAP partner `login` and `logout` at `/services/Soap/u/{version}`: what
 * jsforce uses without client credentials. jsforce reads the reply by regex,
 * so only the elements it looks for matter (docs/wire-notes.md, SOAP login).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http.js';
import type { Org } from '../org/org.js';
import { findUser } from './oauth-endpoints.js';

const XML_TYPE = 'text/xml;charset=UTF-8';
const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENVELOPE_CLOSE = '</soapenv:Body></soapenv:Envelope>';

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function xmlUnescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The text of the first `<name>` element (any namespace prefix). */
function element(xml: string, name: string): string | undefined {
  const m = new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:\\w+:)?${name}>`).exec(xml);
  return m?.[1] === undefined ? undefined : xmlUnescape(m[1]);
}

function send(res: ServerResponse, status: number, body: string): void {
  const text = ENVELOPE_OPEN + body + ENVELOPE_CLOSE;
  res.writeHead(status, { 'Content-Type': XML_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function fault(res: ServerResponse, code: string, message: string): void {
  send(res, 500, `<soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${xmlEscape(`${code}: ${message}`)}</faultstring></soapenv:Fault>`);
}

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
  if (!/<(?:\w+:)?login[\s>]/.test(xml)) {
    fault(res, 'INVALID_OPERATION', 'The emulator supports only the login and logout SOAP calls.');
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
