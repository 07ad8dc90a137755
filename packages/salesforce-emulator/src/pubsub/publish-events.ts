/**
 * `Publish`: platform events sent as Avro in the topic's current schema are
 * decoded and published through the org (validated like a REST publish),
 * so CometD and Pub/Sub subscribers receive them alike. Each event gets its
 * own result: a replay id, or an error with `PUBLISH` and the reason.
 */
import type { ServiceError } from '@grpc/grpc-js';
import type { OrgPort, Session } from '../ports.js';
import type { ChannelRegistry } from '../streaming/channel-registry.js';
import { parseChannel } from '../streaming/channel-name.js';
import { publishValues } from './avro-event.js';
import type { EventSchemas } from './event-schemas.js';
import { PubSubErrors } from './pubsub-errors.js';
import { encodeReplayId } from './replay-id.js';

/** A PublishRequest as proto-loader hands it over. */
export interface PublishRequest {
  topic_name: string;
  events: Array<{ id: string; schema_id: string; payload: Buffer }>;
}

interface PublishResult {
  replay_id: Buffer;
  error: { code: 'PUBLISH'; msg: string } | null;
  correlation_key: string;
}

/** Publish every event of the request; a topic that is not a platform event's fails the whole call. */
export function publishEvents(
  request: PublishRequest,
  session: Session,
  deps: { org: OrgPort; channels: ChannelRegistry; schemas: EventSchemas },
): ServiceError | { results: PublishResult[]; schema_id: string; rpc_id: string } {
  const { org, channels } = deps;
  const target = parseChannel(request.topic_name, org.schema);
  if (target === undefined || target.kind === 'topic') return PubSubErrors.topicNotFound(request.topic_name);
  if (target.kind !== 'event') return PubSubErrors.notPublishable(request.topic_name);
  const schema = deps.schemas.of(target.object);
  const results = request.events.map((event): PublishResult => {
    const failed = (msg: string): PublishResult => ({ replay_id: Buffer.alloc(0), error: { code: 'PUBLISH', msg }, correlation_key: event.id });
    if (event.schema_id !== schema.id)
      return failed(`Schema ${event.schema_id} is not the topic's current schema ${schema.id}; call GetTopic and GetSchema again.`);
    let decoded: Record<string, unknown>;
    try {
      decoded = schema.type.fromBuffer(event.payload) as Record<string, unknown>;
    } catch (error) {
      return failed(`The payload is not Avro of schema ${schema.id}: ${(error as Error).message}`);
    }
    // The org emits synchronously and streaming assigns the replay id then: listen on the channel meanwhile.
    let replayId: number | undefined;
    const catcher = { deliver: (m: { data: unknown }) => (replayId = (m.data as { event: { replayId: number } }).event.replayId) };
    channels.subscribe(request.topic_name, catcher);
    try {
      const result = org.publish(target.object.name, publishValues(schema, decoded), { userId: session.userId, changeOrigin: 'com/salesforce/api/pubsub' });
      if (!result.success) return failed(result.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; '));
    } finally {
      channels.unsubscribe(request.topic_name, catcher);
    }
    // A dropped event (controls.dropEventRate) was accepted but got no replay id.
    return { replay_id: replayId === undefined ? Buffer.alloc(0) : encodeReplayId(replayId), error: null, correlation_key: event.id };
  });
  return { results, schema_id: schema.id, rpc_id: crypto.randomUUID() };
}
