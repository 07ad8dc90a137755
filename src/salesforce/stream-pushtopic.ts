/**
 * The PushTopic sfsync creates for an object without Change Data Capture:
 * `sfsync_<Object>` (≤ 25 characters), NotifyForFields All, a Query selecting
 * Id and the mapped fields (falling back to Id alone when that would pass
 * Salesforce's 1,300-character Query limit — with NotifyForFields All every
 * field change notifies either way; the event only triggers a poll).
 */
import { soqlString } from './soql-literals.js';
import type { SalesforceClient } from './salesforce-client.js';

const MAX_QUERY = 1300;

/** The PushTopic query for a mapping. */
export function pushTopicQuery(sobject: string, fields: readonly string[]): string {
  const names = ['Id', ...fields.filter((f) => f.toLowerCase() !== 'id')];
  const full = `SELECT ${names.join(', ')} FROM ${sobject}`;
  return full.length <= MAX_QUERY ? full : `SELECT Id FROM ${sobject}`;
}

/** Create (or update) the PushTopic `name`; returns its channel `/topic/<name>`. */
export async function ensurePushTopic(client: SalesforceClient, name: string, sobject: string, fields: readonly string[]): Promise<string> {
  const query = pushTopicQuery(sobject, fields);
  let existing: { Id: string; Query: string; IsActive: boolean } | undefined;
  for await (const page of client.queryPages(`SELECT Id, Query, IsActive FROM PushTopic WHERE Name = ${soqlString(name)}`, { includeDeleted: false })) {
    existing ??= page[0] as typeof existing;
  }
  const values = {
    Query: query,
    ApiVersion: Number(client.apiVersion),
    NotifyForFields: 'All',
    NotifyForOperationCreate: true,
    NotifyForOperationUpdate: true,
    NotifyForOperationDelete: true,
    NotifyForOperationUndelete: true,
    IsActive: true,
  };
  if (!existing) {
    const [result] = await client.create('PushTopic', [{ Name: name, Description: 'sfsync: wakes the poll of this object', ...values }]);
    if (result && !result.success) throw new Error(`Creating PushTopic ${name} failed: ${result.errors.map((e) => e.message).join('; ')}`);
  } else if (existing.Query !== query || !existing.IsActive) {
    const [result] = await client.update('PushTopic', [{ Id: existing.Id, ...values }]);
    if (result && !result.success) throw new Error(`Updating PushTopic ${name} failed: ${result.errors.map((e) => e.message).join('; ')}`);
  }
  return `/topic/${name}`;
}
