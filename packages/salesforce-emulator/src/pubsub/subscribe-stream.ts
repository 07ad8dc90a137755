/**
 * One `Subscribe` stream: the first FetchRequest names the topic and where
 * to start (LATEST, EARLIEST, or CUSTOM after a replay id); every request
 * adds `num_requested` (at most 100 each) to the events the client will
 * take. Retained and new events queue here and go out in FetchResponses only
 * while requested events remain (flow control); with none to send for
 * `keepaliveMs`, an empty FetchResponse carries the latest replay id. A
 * session that ends is noticed at the client's next FetchRequest (as CometD
 * notices it at the next connect: events already requested still arrive):
 * the stream fails UNAUTHENTICATED, and the client refreshes its token and
 * resubscribes after the last event it received.
 */
import { Metadata, type ServerDuplexStream, type ServiceError } from '@grpc/grpc-js';
import type { OrgPort, Session } from '../ports.js';
import type { ChannelRegistry, ChannelSubscriber } from '../streaming/channel-registry.js';
import { parseChannel } from '../streaming/channel-name.js';
import { encodeEvent, entityOf } from './avro-event.js';
import type { EventSchemas } from './event-schemas.js';
import { authenticateCall } from './pubsub-auth.js';
import { PubSubErrors } from './pubsub-errors.js';
import { decodeReplayId, encodeReplayId } from './replay-id.js';

/** A FetchRequest as proto-loader hands it over (keepCase, enums as strings). */
export interface FetchRequest {
  topic_name: string;
  replay_preset: 'LATEST' | 'EARLIEST' | 'CUSTOM';
  replay_id: Buffer;
  num_requested: number;
  auth_refresh: string;
}

/** What a Subscribe stream needs. */
export interface SubscribeDeps {
  org: OrgPort;
  channels: ChannelRegistry;
  schemas: EventSchemas;
  instanceUrl: () => string;
  keepaliveMs: number;
  /** Track live streams so stop() can end them. */
  streams: Set<{ end(error?: ServiceError): void }>;
}

/** Salesforce's cap on num_requested per FetchRequest. */
const MAX_REQUESTED = 100;

interface Logged {
  event: { replayId: number; EventUuid?: string };
}

/** Serve one Subscribe call. */
export function serveSubscribe(call: ServerDuplexStream<FetchRequest, unknown>, deps: SubscribeDeps): void {
  const queue: unknown[] = [];
  let topic: string | undefined;
  let session: Session | undefined;
  let credit = 0;
  let lastReplayId = 0;
  let lastSentMs = Date.now();
  let done = false;
  let pumpQueued = false;
  // Delivery runs inside the org's write: queue the event and encode it on the next turn, batching what else arrives.
  const subscriber: ChannelSubscriber = {
    deliver: (message) => {
      queue.push(message.data);
      if (pumpQueued) return;
      pumpQueued = true;
      setImmediate(() => {
        pumpQueued = false;
        pump();
      });
    },
  };
  const handle = {
    end: (error?: ServiceError) => {
      if (done) return;
      done = true;
      clearInterval(keepalive);
      if (topic !== undefined) deps.channels.unsubscribe(topic, subscriber);
      deps.streams.delete(handle);
      if (error !== undefined) call.emit('error', error);
      else call.end();
    },
  };
  deps.streams.add(handle);
  const keepalive = setInterval(
    () => {
      if (topic === undefined || Date.now() - lastSentMs < deps.keepaliveMs) return;
      send([]);
    },
    Math.max(10, Math.min(deps.keepaliveMs, 1000)),
  );
  keepalive.unref();

  const send = (events: unknown[]) => {
    const consumerEvents = events.map((data) => toConsumerEvent(data, topic!, deps));
    if (events.length > 0) lastReplayId = (events.at(-1) as Logged).event.replayId;
    lastSentMs = Date.now();
    call.write({
      events: consumerEvents,
      latest_replay_id: lastReplayId > 0 ? encodeReplayId(lastReplayId) : Buffer.alloc(0),
      rpc_id: crypto.randomUUID(),
      pending_num_requested: credit,
    });
  };

  const pump = () => {
    if (done || credit === 0 || queue.length === 0) return;
    try {
      while (credit > 0 && queue.length > 0) {
        const batch = queue.splice(0, Math.min(credit, MAX_REQUESTED));
        credit -= batch.length;
        send(batch);
      }
    } catch (error) {
      // An event this stream cannot encode ends this stream only; CometD and other streams still get it.
      handle.end(PubSubErrors.internal((error as Error).message));
    }
  };

  const sessionAlive = () => session !== undefined && deps.org.authenticate(`Bearer ${session.accessToken}`) !== undefined;

  call.on('data', (request: FetchRequest) => {
    if (done) return;
    const first = topic === undefined;
    const error = first ? start(request) : more(request);
    if (error !== undefined) return handle.end(error);
    // Response headers now tell the client the subscription is accepted (a refused one gets trailers only).
    if (first) call.sendMetadata(new Metadata());
    pump();
  });
  call.on('end', () => handle.end());
  call.on('cancelled', () => handle.end());
  call.on('error', () => handle.end());

  /** The first request: authenticate, resolve the topic and start position, queue the replay. */
  const start = (request: FetchRequest): ServiceError | undefined => {
    session = authenticateCall(deps.org, call.metadata, deps.instanceUrl());
    if (session === undefined) return PubSubErrors.auth();
    const target = parseChannel(request.topic_name, deps.org.schema);
    if (target === undefined || target.kind === 'topic') return PubSubErrors.topicNotFound(request.topic_name);
    if (!(request.num_requested > 0)) return PubSubErrors.requestedInvalid();
    let from: number;
    if (request.replay_preset === 'EARLIEST') from = -2;
    else if (request.replay_preset === 'CUSTOM') {
      const decoded = decodeReplayId(request.replay_id);
      if (decoded === undefined) return PubSubErrors.replayIdInvalid();
      from = decoded;
    } else from = -1;
    const replay = deps.channels.replay(request.topic_name, from);
    if (!replay.ok) return PubSubErrors.replayIdCorrupted();
    topic = request.topic_name;
    if (from >= 0) lastReplayId = from;
    for (const event of replay.events) queue.push(event.data);
    deps.channels.subscribe(topic, subscriber);
    credit = Math.min(request.num_requested, MAX_REQUESTED);
    return undefined;
  };

  /** A later request: more credit (same topic only), and a session check. */
  const more = (request: FetchRequest): ServiceError | undefined => {
    if (request.topic_name && request.topic_name !== topic) return PubSubErrors.topicChanged();
    if (!sessionAlive()) return PubSubErrors.auth();
    credit += Math.max(0, Math.min(request.num_requested, MAX_REQUESTED));
    return undefined;
  };
}

function toConsumerEvent(data: unknown, topic: string, deps: SubscribeDeps): unknown {
  const logged = data as Logged;
  const objectName = topic.startsWith('/event/') ? topic.slice('/event/'.length) : entityOf(data);
  const object = objectName === undefined ? undefined : deps.org.schema.getObject(objectName);
  if (object === undefined) throw new Error(`no object for an event on ${topic}`);
  const schema = deps.schemas.of(object);
  return {
    event: { id: logged.event.EventUuid ?? crypto.randomUUID(), schema_id: schema.id, payload: encodeEvent(schema, data), headers: [] },
    replay_id: encodeReplayId(logged.event.replayId),
  };
}
