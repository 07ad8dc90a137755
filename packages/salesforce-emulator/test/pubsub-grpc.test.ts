/**
 * The Pub/Sub API through @grpc/grpc-js as a client: GetTopic, GetSchema,
 * Subscribe with flow control and the three replay presets, Publish, the
 * CDC header's bitmaps (nested `n-0x…` for address components), the same
 * replay ids as CometD, Salesforce's errors for a bad token and a
 * replay id that is not retained, and the control API's dropped streams.
 */
import avro from 'avsc';
import { credentials, Metadata, status, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { loadSync } from '@grpc/proto-loader';
import { loadPubSubService, PUBSUB_PROTO_PATH } from '../src/pubsub/index.js';
import { encodeReplayId } from '../src/pubsub/replay-id.js';
import { login } from './core-helpers.js';
import { StreamingClient, waitFor } from './streaming-helpers.js';

type Unary = (request: unknown, metadata: Metadata, callback: (error: ServiceError | null, reply: unknown) => void) => void;
interface PubSubClient {
  GetTopic: Unary;
  GetSchema: Unary;
  Publish: Unary;
  Subscribe(metadata: Metadata): ClientDuplexStream<unknown, FetchResponse>;
  close(): void;
}
interface FetchResponse {
  events: Array<{ event: { id: string; schema_id: string; payload: Buffer }; replay_id: Buffer }>;
  latest_replay_id: Buffer;
  pending_num_requested: number;
}

let emu: RunningEmulator;
let client: PubSubClient;
let metadata: Metadata;
let conn: Awaited<ReturnType<typeof login>>;

beforeAll(async () => {
  emu = await startEmulator({
    log: () => undefined,
    schema: { objects: [{ name: 'Sync_Request__e', fields: [{ name: 'Record_Id__c', type: 'string' }] }] },
  });
  conn = await login(emu);
  metadata = headers(conn.accessToken ?? '');
  const PubSub = loadPubSubService();
  client = new PubSub(emu.pubsub!.address, credentials.createInsecure()) as unknown as PubSubClient;
});
afterAll(async () => {
  client?.close();
  await emu?.stop();
});

function headers(token: string): Metadata {
  const m = new Metadata();
  m.set('accesstoken', token);
  m.set('instanceurl', emu.url);
  m.set('tenantid', emu.org.orgId);
  return m;
}

function call<T>(method: Unary, request: unknown, md = metadata): Promise<T> {
  return new Promise((resolve, reject) => method.call(client, request, md, (error, reply) => (error ? reject(error) : resolve(reply as T))));
}

/**
 * A Subscribe stream that collects responses and its final error. Wait for
 * `state.accepted` before making the changes it should see: the stream is open
 * (and counted by `subscribeCount`) before its first request is read.
 */
function subscribe(first: Record<string, unknown>, md = metadata) {
  const stream = client.Subscribe(md);
  const responses: FetchResponse[] = [];
  const state: { error?: ServiceError; accepted?: boolean } = {};
  stream.on('data', (r: FetchResponse) => responses.push(r));
  stream.on('error', (e: ServiceError) => (state.error = e));
  // Response headers: the server has read the first request and placed the subscription (LATEST starts there).
  stream.on('metadata', () => (state.accepted = true));
  stream.write(first);
  const events = () => responses.flatMap((r) => r.events);
  return { stream, responses, events, state };
}

async function decoder(schemaId: string): Promise<avro.Type> {
  const info = await call<{ schema_json: string }>(client.GetSchema, { schema_id: schemaId });
  return avro.Type.forSchema(JSON.parse(info.schema_json) as avro.Schema);
}

describe('Pub/Sub API', () => {
  it('declares Salesforce’s wire shape: package, messages, field names and numbers, services', () => {
    const definition = loadSync(PUBSUB_PROTO_PATH, { keepCase: true });
    const shape = (name: string) =>
      ((definition[`eventbus.v1.${name}`] as { type: { field: Array<{ name: string; number: number }> } }).type.field ?? [])
        .map((f) => `${f.name}=${f.number}`)
        .join(' ');
    expect(shape('TopicInfo')).toBe('topic_name=1 tenant_guid=2 can_publish=3 can_subscribe=4 schema_id=5 rpc_id=6');
    expect(shape('ProducerEvent')).toBe('id=1 schema_id=2 payload=3 headers=4');
    expect(shape('ConsumerEvent')).toBe('event=1 replay_id=2');
    expect(shape('PublishResult')).toBe('replay_id=1 error=2 correlation_key=3');
    expect(shape('FetchRequest')).toBe('topic_name=1 replay_preset=2 replay_id=3 num_requested=4 auth_refresh=5');
    expect(shape('FetchResponse')).toBe('events=1 latest_replay_id=2 rpc_id=3 pending_num_requested=4');
    expect(shape('SchemaInfo')).toBe('schema_json=1 schema_id=2 rpc_id=3');
    expect(shape('PublishRequest')).toBe('topic_name=1 events=2 auth_refresh=3');
    expect(shape('PublishResponse')).toBe('results=1 schema_id=2 rpc_id=3');
    expect(shape('ManagedFetchRequest')).toBe('subscription_id=1 developer_name=2 num_requested=3 auth_refresh=4 commit_replay_id_request=5');
    expect(shape('CommitReplayResponse')).toBe('commit_request_id=1 replay_id=2 error=3 process_time=4');
    const preset = (definition['eventbus.v1.ReplayPreset'] as { type: { value: Array<{ name: string; number: number }> } }).type.value;
    expect(preset.map((v) => `${v.name}=${v.number}`)).toEqual(['LATEST=0', 'EARLIEST=1', 'CUSTOM=2']);
    expect(Object.keys(loadPubSubService().service)).toEqual(['Subscribe', 'GetSchema', 'GetTopic', 'Publish', 'PublishStream', 'ManagedSubscribe']);
    expect(loadPubSubService().service['Subscribe']?.path).toBe('/eventbus.v1.PubSub/Subscribe');
  });

  it('describes a CDC topic and serves its Avro schema', async () => {
    const topic = await call<{ topic_name: string; tenant_guid: string; can_publish: boolean; can_subscribe: boolean; schema_id: string }>(client.GetTopic, {
      topic_name: '/data/AccountChangeEvent',
    });
    expect(topic).toMatchObject({ topic_name: '/data/AccountChangeEvent', tenant_guid: emu.org.orgId, can_publish: false, can_subscribe: true });
    const schema = JSON.parse((await call<{ schema_json: string }>(client.GetSchema, { schema_id: topic.schema_id })).schema_json) as {
      name: string;
      fields: Array<{ name: string }>;
    };
    expect(schema.name).toBe('AccountChangeEvent');
    expect(schema.fields[0]!.name).toBe('ChangeEventHeader');
    expect(schema.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['Name', 'BillingAddress', 'LastModifiedDate']));
    expect(schema.fields.map((f) => f.name)).not.toContain('BillingCity');
  });

  it('delivers CDC events as Avro only as requested (flow control), with bitmaps and CometD replay ids', async () => {
    const cometd = new StreamingClient({ url: emu.url, token: conn.accessToken ?? '' });
    await cometd.handshake();
    await cometd.subscribe('/data/AccountChangeEvent');
    const sub = subscribe({ topic_name: '/data/AccountChangeEvent', replay_preset: 'LATEST', num_requested: 1 });
    await waitFor(() => sub.state.accepted, 20_000, 'the subscription');
    const created = (await conn.sobject('Account').create({ Name: 'Grpc', BillingCity: 'Lyon', Industry: 'Energy' })) as { id: string };
    await conn.sobject('Account').update({ Id: created.id, Name: 'Grpc 2', BillingCity: 'Paris', Industry: null });
    await waitFor(() => sub.events().length === 1, 20_000, 'the first event');
    // One requested, one delivered: the update waits for more credit.
    await new Promise((resolve) => setImmediate(resolve));
    expect(sub.responses.at(-1)!.pending_num_requested).toBe(0);
    expect(sub.events()).toHaveLength(1);
    sub.stream.write({ num_requested: 5 });
    await waitFor(() => sub.events().length === 2, 20_000, 'the second event after more credit');
    const [create, update] = sub.events();
    const type = await decoder(update!.event.schema_id);
    const schemaFields = (
      JSON.parse((await call<{ schema_json: string }>(client.GetSchema, { schema_id: update!.event.schema_id })).schema_json) as {
        fields: Array<{ name: string }>;
      }
    ).fields.map((f) => f.name);
    const decoded = type.fromBuffer(update!.event.payload) as Record<string, unknown> & { ChangeEventHeader: Record<string, unknown> };
    expect(decoded.ChangeEventHeader).toMatchObject({ entityName: 'Account', changeType: 'UPDATE', recordIds: [created.id] });
    expect(decoded['Name']).toBe('Grpc 2');
    expect(decoded['Industry']).toBeNull();
    expect(decoded['BillingAddress']).toMatchObject({ City: 'Paris' });
    const bit = (name: string) => 1n << BigInt(schemaFields.indexOf(name));
    const [top, ...nested] = decoded.ChangeEventHeader['changedFields'] as string[];
    expect(BigInt(top!) & bit('Name')).toBe(bit('Name'));
    const billing = schemaFields.indexOf('BillingAddress');
    const cityPosition = (type.schema() as { fields: Array<{ name: string; type: unknown }> }).fields[billing]!.type as [
      string,
      { fields: Array<{ name: string }> },
    ];
    expect(nested).toEqual([`${billing}-${hex(1n << BigInt(cityPosition[1].fields.findIndex((f) => f.name === 'City')))}`]);
    const nulled = decoded.ChangeEventHeader['nulledFields'] as string[];
    expect(nulled).toHaveLength(1);
    expect(BigInt(nulled[0]!)).toBe(bit('Industry'));
    // CometD saw the same events with the same replay ids.
    await waitFor(() => (cometd.events.get('/data/AccountChangeEvent')?.length ?? 0) >= 2, 20_000, 'the CometD events');
    const cometdIds = cometd.events.get('/data/AccountChangeEvent')!.map((m) => (m.data as { event: { replayId: number } }).event.replayId);
    expect([create, update].map((e) => Number(e!.replay_id.readBigUInt64BE()))).toEqual(cometdIds.slice(0, 2));
    sub.stream.end();
    await cometd.disconnect();
  });

  it('replays with EARLIEST and CUSTOM, and refuses a replay id that is not retained', async () => {
    const earliest = subscribe({ topic_name: '/data/AccountChangeEvent', replay_preset: 'EARLIEST', num_requested: 100 });
    await waitFor(() => earliest.events().length >= 2, 20_000, 'the retained events');
    const first = earliest.events()[0]!.replay_id;
    earliest.stream.end();
    const custom = subscribe({ topic_name: '/data/AccountChangeEvent', replay_preset: 'CUSTOM', replay_id: first, num_requested: 100 });
    await waitFor(() => custom.events().length === earliest.events().length - 1, 20_000, 'the events after the first');
    expect(custom.events()[0]!.replay_id.equals(earliest.events()[1]!.replay_id)).toBe(true);
    custom.stream.end();
    const lost = subscribe({ topic_name: '/data/AccountChangeEvent', replay_preset: 'CUSTOM', replay_id: encodeReplayId(999_999_999), num_requested: 1 });
    const error = await waitFor(() => lost.state.error, 20_000, 'the replay error');
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.metadata.get('error-code')).toEqual(['sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted']);
  });

  it('publishes a platform event that Pub/Sub and CometD subscribers both receive', async () => {
    const topic = await call<{ schema_id: string; can_publish: boolean }>(client.GetTopic, { topic_name: '/event/Sync_Request__e' });
    expect(topic.can_publish).toBe(true);
    const type = await decoder(topic.schema_id);
    const sub = subscribe({ topic_name: '/event/Sync_Request__e', replay_preset: 'LATEST', num_requested: 10 });
    await waitFor(() => sub.state.accepted, 20_000, 'the subscription');
    const payload = type.toBuffer({ CreatedDate: Date.now(), CreatedById: null, Record_Id__c: '001000000000001AAA' });
    const reply = await call<{ results: Array<{ replay_id: Buffer; error: unknown; correlation_key: string }> }>(client.Publish, {
      topic_name: '/event/Sync_Request__e',
      events: [{ id: 'e-1', schema_id: topic.schema_id, payload }],
    });
    expect(reply.results[0]).toMatchObject({ error: null, correlation_key: 'e-1' });
    await waitFor(() => sub.events().length === 1, 20_000, 'the published event');
    const [event] = sub.events();
    expect(event!.replay_id.equals(reply.results[0]!.replay_id)).toBe(true);
    expect(type.fromBuffer(event!.event.payload)).toMatchObject({ Record_Id__c: '001000000000001AAA' });
    sub.stream.end();
  });

  it('serves /data/ChangeEvents with each object’s schema, and says where it listens in /__emulator/stats', async () => {
    const sub = subscribe({ topic_name: '/data/ChangeEvents', replay_preset: 'LATEST', num_requested: 10 });
    await waitFor(() => sub.state.accepted, 20_000, 'the subscription');
    await conn.sobject('Contact').create({ LastName: 'Mixed' });
    await waitFor(() => sub.events().length === 1, 20_000, 'the Contact event');
    const type = await decoder(sub.events()[0]!.event.schema_id);
    expect((type.schema() as { name: string }).name).toBe('com.sforce.eventbus.ContactChangeEvent');
    expect(type.fromBuffer(sub.events()[0]!.event.payload)).toMatchObject({
      LastName: 'Mixed',
      ChangeEventHeader: { entityName: 'Contact', changeType: 'CREATE' },
    });
    sub.stream.end();
    const stats = (await (await fetch(`${emu.url}/__emulator/stats`)).json()) as { pubsub: string };
    expect(stats.pubsub).toBe(emu.pubsub!.address);
  });

  it('sends an idle stream an empty FetchResponse with the latest replay id (keepalive)', async () => {
    const quiet = await startEmulator({ log: () => undefined, pubsub: { keepaliveMs: 50 } });
    const PubSub = loadPubSubService();
    const other = new PubSub(quiet.pubsub!.address, credentials.createInsecure()) as unknown as PubSubClient;
    try {
      const session = await login(quiet);
      const md = new Metadata();
      md.set('accesstoken', session.accessToken ?? '');
      md.set('instanceurl', quiet.url);
      md.set('tenantid', quiet.org.orgId.slice(0, 15));
      const stream = other.Subscribe(md);
      const responses: FetchResponse[] = [];
      stream.on('data', (r: FetchResponse) => responses.push(r));
      let accepted = false;
      stream.on('error', () => undefined);
      stream.on('metadata', () => (accepted = true));
      stream.write({ topic_name: '/data/AccountChangeEvent', replay_preset: 'LATEST', num_requested: 1 });
      await waitFor(() => accepted, 20_000, 'the subscription');
      await session.sobject('Account').create({ Name: 'Before quiet' });
      // A keepalive may come before the event too: look for the event, then for an empty response after it.
      const withEvent = await waitFor(() => responses.findIndex((r) => r.events.length === 1) + 1 || undefined, 20_000, 'the event');
      const keepalive = await waitFor(() => responses.slice(withEvent).find((r) => r.events.length === 0), 20_000, 'a keepalive after the event');
      expect(keepalive.latest_replay_id.equals(responses[withEvent - 1]!.events[0]!.replay_id)).toBe(true);
      stream.end();
    } finally {
      other.close();
      await quiet.stop();
    }
  });

  it('drops every Subscribe stream with UNAVAILABLE on POST /__emulator/pubsub/drop-streams', async () => {
    const sub = subscribe({ topic_name: '/data/AccountChangeEvent', replay_preset: 'LATEST', num_requested: 1 });
    await waitFor(() => sub.state.accepted && emu.pubsub!.subscribeCount === 1, 20_000, 'the subscription, the earlier streams closed');
    const reply = (await (await fetch(`${emu.url}/__emulator/pubsub/drop-streams`, { method: 'POST' })).json()) as { dropped: number };
    expect(reply.dropped).toBe(1);
    const error = await waitFor(() => sub.state.error, 20_000, 'the stream error');
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.metadata.get('error-code')).toEqual(['sfdc.platform.eventbus.grpc.service.unavailable']);
    expect(emu.pubsub!.subscribeCount).toBe(0);
  });

  it('answers a bad token with UNAUTHENTICATED and Salesforce’s error code', async () => {
    const error = await call(client.GetTopic, { topic_name: '/data/AccountChangeEvent' }, headers('not-a-token')).then(
      () => undefined,
      (e: ServiceError) => e,
    );
    expect(error?.code).toBe(status.UNAUTHENTICATED);
    expect(error?.metadata.get('error-code')).toEqual(['sfdc.platform.eventbus.grpc.service.auth.error']);
    expect(error?.details).toMatch(/rpcId: /);
    const sub = subscribe({ topic_name: '/data/AccountChangeEvent', replay_preset: 'LATEST', num_requested: 1 }, headers('not-a-token'));
    expect((await waitFor(() => sub.state.error, 20_000, 'the stream error')).code).toBe(status.UNAUTHENTICATED);
  });
});

function hex(bits: bigint): string {
  const h = bits.toString(16).toUpperCase();
  return `0x${h.length % 2 === 0 ? h : `0${h}`}`;
}
