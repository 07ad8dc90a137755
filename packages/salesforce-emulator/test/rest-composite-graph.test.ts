/**
 * `/composite/graph` through jsforce's `conn.request`: references between the
 * nodes of a graph, all-or-nothing per graph (a failed graph leaves nothing,
 * its neighbours commit), the reply shape, and the documented limits.
 */
import type { Connection } from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { failure, login } from './core-helpers.js';

interface NodeResult {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}
interface GraphReply {
  graphs: Array<{ graphId: string; graphResponse: { compositeResponse: NodeResult[] }; isSuccessful: boolean }>;
}

const V = '/services/data/v59.0';

function accountWithContact(graphId: string, accountName: string, contactLastName: string | null) {
  return {
    graphId,
    compositeRequest: [
      { method: 'POST', url: `${V}/sobjects/Account/`, referenceId: `${graphId}_acct`, body: { Name: accountName } },
      {
        method: 'POST',
        url: `${V}/sobjects/Contact/`,
        referenceId: `${graphId}_contact`,
        body: { LastName: contactLastName, AccountId: `@{${graphId}_acct.id}` },
      },
      { method: 'GET', url: `${V}/sobjects/Contact/@{${graphId}_contact.id}?fields=AccountId`, referenceId: `${graphId}_read` },
    ],
  };
}

describe('/composite/graph', () => {
  let emu: RunningEmulator;
  let conn: Connection;
  const graph = (body: unknown, version = '59.0') =>
    conn.request<GraphReply>({
      method: 'POST',
      url: `/services/data/v${version}/composite/graph`,
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
    });

  beforeAll(async () => {
    emu = await startEmulator();
    conn = await login(emu);
  });
  afterAll(async () => {
    await emu?.stop();
  });
  beforeEach(() => emu.org.reset());

  it('creates related records through @{ref.id} and answers graphs[].graphResponse.compositeResponse with isSuccessful', async () => {
    conn = await login(emu);
    const reply = await graph({ graphs: [accountWithContact('g1', 'Cloudy Consulting', 'Cashman')] });
    expect(reply.graphs).toHaveLength(1);
    const [g] = reply.graphs;
    expect(g).toMatchObject({ graphId: 'g1', isSuccessful: true });
    const [acct, contact, read] = g?.graphResponse.compositeResponse ?? [];
    expect(acct).toMatchObject({ httpStatusCode: 201, referenceId: 'g1_acct', body: { success: true } });
    expect(contact).toMatchObject({ httpStatusCode: 201, referenceId: 'g1_contact' });
    const accountId = (acct?.body as { id: string }).id;
    expect(read).toMatchObject({ httpStatusCode: 200, body: { AccountId: accountId } });
    expect(emu.org.list('Contact')[0]?.values.AccountId).toBe(accountId);
  });

  it('rolls back a failed graph entirely while the other graphs of the call commit', async () => {
    conn = await login(emu);
    const reply = await graph({ graphs: [accountWithContact('good', 'Kept', 'Kept'), accountWithContact('bad', 'Rolled back', null)] });
    const [good, bad] = reply.graphs;
    expect(good?.isSuccessful).toBe(true);
    expect(bad?.isSuccessful).toBe(false);
    const [acct, contact, read] = bad?.graphResponse.compositeResponse ?? [];
    // The failing node keeps its error; the node that had run and the one that never ran are halted.
    expect(contact).toMatchObject({ httpStatusCode: 400, referenceId: 'bad_contact', body: [{ errorCode: 'REQUIRED_FIELD_MISSING' }] });
    expect(acct).toMatchObject({ httpStatusCode: 400, body: [{ errorCode: 'PROCESSING_HALTED' }] });
    expect(read).toMatchObject({ httpStatusCode: 400, body: [{ errorCode: 'PROCESSING_HALTED' }] });
    expect(emu.org.list('Account').map((r) => r.values.Name)).toEqual(['Kept']);
    expect(emu.org.list('Account', true)).toHaveLength(1);
    expect(emu.org.list('Contact')).toHaveLength(1);
  });

  it('keeps references inside their graph', async () => {
    conn = await login(emu);
    const other = {
      graphId: 'other',
      compositeRequest: [{ method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'c', body: { LastName: 'X', AccountId: '@{g1_acct.id}' } }],
    };
    const reply = await graph({ graphs: [accountWithContact('g1', 'A', 'B'), other] });
    expect(reply.graphs[1]).toMatchObject({ isSuccessful: false, graphResponse: { compositeResponse: [{ body: [{ errorCode: 'INVALID_REFERENCE' }] }] } });
  });

  it('counts as one API call however many nodes it carries', async () => {
    conn = await login(emu);
    const before = emu.org.apiUsage;
    await graph({ graphs: [accountWithContact('a', 'A', 'A'), accountWithContact('b', 'B', 'B')] });
    expect(emu.org.apiUsage - before).toBe(1);
  });

  it('accepts 500 nodes and refuses 501 with 400 LIMIT_EXCEEDED, writing nothing', async () => {
    conn = await login(emu);
    const nodes = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({ method: 'POST', url: `${V}/sobjects/Account`, referenceId: `${prefix}${i}`, body: { Name: `${prefix}${i}` } }));
    const ok = await graph({ graphs: [{ graphId: 'big', compositeRequest: nodes(500, 'n') }] });
    expect(ok.graphs[0]?.isSuccessful).toBe(true);
    expect(emu.org.list('Account')).toHaveLength(500);
    emu.org.reset();
    conn = await login(emu);
    const error = await failure(
      graph({
        graphs: [
          { graphId: 'one', compositeRequest: nodes(300, 'a') },
          { graphId: 'two', compositeRequest: nodes(201, 'b') },
        ],
      }),
    );
    expect(error.errorCode).toBe('LIMIT_EXCEEDED');
    expect(error.message).toMatch(/more than 500 nodes/);
    expect(emu.org.list('Account')).toHaveLength(0);
  });

  it('refuses more than 75 graphs, duplicate graphIds, and a chain of references deeper than 15', async () => {
    conn = await login(emu);
    const tiny = (id: string) => ({ graphId: id, compositeRequest: [{ method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'r', body: { Name: id } }] });
    expect((await failure(graph({ graphs: Array.from({ length: 76 }, (_, i) => tiny(`g${i}`)) }))).errorCode).toBe('LIMIT_EXCEEDED');
    expect((await failure(graph({ graphs: [tiny('same'), tiny('same')] }))).errorCode).toBe('INVALID_INPUT');
    const chain = Array.from({ length: 16 }, (_, i) => ({
      method: 'POST',
      url: `${V}/sobjects/Account`,
      referenceId: `a${i}`,
      body: i === 0 ? { Name: 'root' } : { Name: `child ${i}`, ParentId: `@{a${i - 1}.id}` },
    }));
    const deep = await graph({ graphs: [{ graphId: 'deep', compositeRequest: chain }] });
    expect(deep.graphs[0]?.isSuccessful).toBe(false);
    expect(deep.graphs[0]?.graphResponse.compositeResponse[15]?.body).toEqual([expect.objectContaining({ errorCode: 'INVALID_INPUT' })]);
    expect(emu.org.list('Account')).toHaveLength(0);
    const fifteen = await graph({ graphs: [{ graphId: 'ok', compositeRequest: chain.slice(0, 15) }] });
    expect(fifteen.graphs[0]?.isSuccessful).toBe(true);
  });

  it('halts the graphs after the 14th failed one with PROCESSING_HALTED', async () => {
    conn = await login(emu);
    const failing = (id: string) => ({ graphId: id, compositeRequest: [{ method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'c', body: {} }] });
    const good = { graphId: 'last', compositeRequest: [{ method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'a', body: { Name: 'never' } }] };
    const reply = await graph({ graphs: [...Array.from({ length: 14 }, (_, i) => failing(`f${i}`)), good] });
    expect(reply.graphs.filter((g) => !g.isSuccessful)).toHaveLength(15);
    expect(reply.graphs[14]?.graphResponse.compositeResponse[0]?.body).toEqual([expect.objectContaining({ errorCode: 'PROCESSING_HALTED' })]);
    expect(emu.org.list('Account')).toHaveLength(0);
  });

  it('refuses nodes other than record resources, and is not served before API 50.0', async () => {
    conn = await login(emu);
    const query = await graph({
      graphs: [{ graphId: 'q', compositeRequest: [{ method: 'GET', url: `${V}/query?q=SELECT+Id+FROM+Account`, referenceId: 'q' }] }],
    });
    expect(query.graphs[0]).toMatchObject({ isSuccessful: false, graphResponse: { compositeResponse: [{ body: [{ errorCode: 'INVALID_URL' }] }] } });
    const old = await failure(graph({ graphs: [accountWithContact('g', 'A', 'B')] }, '49.0'));
    expect(old.errorCode).toBe('NOT_FOUND');
  });
});
