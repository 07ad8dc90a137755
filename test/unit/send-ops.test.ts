/** sendOps keeps its calls flowing through the connection's limiter and reports each call as it returns (pure; a scripted client). */
import { describe, expect, it } from 'vitest';
import { sendOps, type PushOp } from '../../src/outbound/send.js';
import type { RecordResult, SalesforceClient, SfRow } from '../../src/salesforce/salesforce-client.js';

/** A client whose update calls return only when the test says so. */
function scriptedClient() {
  const calls: Array<{ ids: string[]; finish: () => void }> = [];
  const client = {
    update: (_sobject: string, records: SfRow[]) =>
      new Promise<RecordResult[]>((resolve) => {
        const ids = records.map((r) => String(r.Id));
        calls.push({ ids, finish: () => resolve(ids.map((id) => ({ success: true, id, errors: [] }))) });
      }),
  } as unknown as SalesforceClient;
  return { client, calls };
}

const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
};

describe('sendOps', () => {
  it('starts the next call when any call returns, not when the slowest of a wave does, and reports each call as it returns', async () => {
    const { client, calls } = scriptedClient();
    const ops: PushOp[] = ['a', 'b', 'c'].map((id) => ({ recordId: id, kind: 'update', body: { Id: `001${id}` }, sfid: `001${id}` }));
    const reported: string[][] = [];
    const sending = sendOps(
      client,
      ops,
      { sobject: 'Account', externalIdField: null, batchSize: 1, concurrency: 2, bulkThreshold: 1000, connectionId: 'send-ops-test' },
      (part, outcomes) => reported.push(part.map((op) => `${op.recordId}:${outcomes.get(op.recordId)?.kind}`)),
    );
    await until(() => calls.length === 2);
    calls[1]!.finish();
    // 'a' is still in flight: the third call starts anyway, and 'b' is reported before the send ends.
    await until(() => calls.length === 3);
    expect(reported).toEqual([['b:success']]);
    calls[2]!.finish();
    calls[0]!.finish();
    const { outcomes, api } = await sending;
    expect(api).toBe('collections');
    expect(reported).toEqual([['b:success'], ['c:success'], ['a:success']]);
    expect([...outcomes.keys()].sort()).toEqual(['a', 'b', 'c']);
  });
});
