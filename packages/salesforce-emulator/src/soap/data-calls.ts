/**
 * The SOAP partner data calls REST has no counterpart for: `merge` (jsforce
 * `conn.soap.merge`, the call Salesforce's API offers for merging; REST would
 * need a custom Apex REST class, which no org has by default) and `undelete`
 * (jsforce `conn.soap.undelete`). Each needs the session in `SessionHeader`
 * and counts as one API call, as REST calls do.
 */
import type { ServerResponse } from 'node:http';
import type { Org } from '../org/org.js';
import type { WriteContext, WriteResult } from '../ports.js';
import { children, element, elements, sendFault, sendSoap, xmlEscape, xmlUnescape } from './soap-xml.js';

/** Merge requests per SOAP call (SOAP API Developer Guide, merge()). */
export const MERGE_REQUEST_LIMIT = 200;
/** Ids per undelete call. */
export const UNDELETE_LIMIT = 200;

const CALL = /<(?:\w+:)?(merge|undelete)[\s>]/;

/** Whether the envelope holds a call this module answers. */
export function isDataCall(xml: string): boolean {
  return CALL.test(xml);
}

/** Answer a `merge` or `undelete` call. */
export function handleDataCall(xml: string, res: ServerResponse, org: Org, version: string): void {
  const session = org.authenticate(`Bearer ${element(xml, 'sessionId') ?? ''}`);
  if (session === undefined) {
    sendFault(res, 'INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
    return;
  }
  if (!org.countApiCall()) {
    sendFault(res, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    return;
  }
  const ctx: WriteContext = { userId: session.userId, changeOrigin: `com/salesforce/api/soap/${version}` };
  const call = CALL.exec(xml)?.[1];
  if (call === 'merge') merge(xml, res, org, ctx);
  else undelete(xml, res, org, ctx);
}

function merge(xml: string, res: ServerResponse, org: Org, ctx: WriteContext): void {
  const requests = elements(xml, 'mergeRequests');
  if (requests.length === 0 || requests.length > MERGE_REQUEST_LIMIT) {
    sendFault(res, 'INVALID_ARGUMENT', `merge() takes 1 to ${MERGE_REQUEST_LIMIT} merge requests; this call has ${requests.length}.`);
    return;
  }
  // Each request is its own transaction: one failing leaves the others done.
  const results = requests.map((request) => {
    const master = elements(request, 'masterRecord')[0] ?? '';
    let object = '';
    let masterId = '';
    const values: Record<string, unknown> = {};
    for (const [name, inner, nil] of children(master)) {
      const text = xmlUnescape(inner);
      if (name === 'type') object = text;
      else if (name === 'Id') masterId = text;
      else if (name === 'fieldsToNull') values[text] = null;
      else values[name] = nil ? null : text;
    }
    const mergeIds = elements(request, 'recordToMergeIds').map(xmlUnescape);
    const [result] = org.write([{ kind: 'merge', object, masterId, mergeIds, values }], { allOrNone: true }, ctx);
    return mergeResultXml(result);
  });
  sendSoap(res, 200, `<mergeResponse>${results.join('')}</mergeResponse>`);
}

function undelete(xml: string, res: ServerResponse, org: Org, ctx: WriteContext): void {
  const ids = elements(xml, 'ids').map(xmlUnescape);
  if (ids.length === 0 || ids.length > UNDELETE_LIMIT) {
    sendFault(res, 'INVALID_ARGUMENT', `undelete() takes 1 to ${UNDELETE_LIMIT} Ids; this call has ${ids.length}.`);
    return;
  }
  const results = org.undelete(ids, ctx).map((r, i) => `<result>${errorsXml(r)}${idXml(r.success ? r.id : ids[i])}<success>${r.success}</success></result>`);
  sendSoap(res, 200, `<undeleteResponse>${results.join('')}</undeleteResponse>`);
}

function mergeResultXml(result: WriteResult | undefined): string {
  if (result === undefined || !result.success) return `<result>${errorsXml(result)}<id xsi:nil="true"/><success>false</success></result>`;
  const merged = (result.mergedRecordIds ?? []).map((id) => `<mergedRecordIds>${id}</mergedRecordIds>`).join('');
  const related = (result.updatedRelatedIds ?? []).map((id) => `<updatedRelatedIds>${id}</updatedRelatedIds>`).join('');
  return `<result><id>${result.id}</id>${merged}<success>true</success>${related}</result>`;
}

function errorsXml(result: WriteResult | undefined): string {
  if (result === undefined || result.success) return '';
  return result.errors
    .map((e) => {
      const fields = e.fields.map((f) => `<fields>${xmlEscape(f)}</fields>`).join('');
      return `<errors>${fields}<message>${xmlEscape(e.message)}</message><statusCode>${e.statusCode}</statusCode></errors>`;
    })
    .join('');
}

function idXml(id: string | undefined): string {
  return id === undefined ? '<id xsi:nil="true"/>' : `<id>${xmlEscape(id)}</id>`;
}
