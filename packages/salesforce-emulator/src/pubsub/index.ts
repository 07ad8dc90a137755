/**
 * The emulator's Pub/Sub API: Salesforce's `eventbus.v1.PubSub` gRPC service
 * (proto/pubsub_api.proto) on its own port, plaintext, bound to 127.0.0.1.
 * It reads the same channel logs as CometD (streaming/), so both transports
 * deliver the same CDC and platform events with the same replay ids; payloads
 * are Avro binary in the schemas of avro-schema.ts.
 *
 * Served: GetTopic, GetSchema, Subscribe (flow control, LATEST/EARLIEST/CUSTOM),
 * Publish (platform events). PublishStream and ManagedSubscribe answer UNIMPLEMENTED.
 *
 * @example
 * const pubsub = await startPubSubServer({ org, channels, instanceUrl: () => url });
 * // client: new PubSub(`127.0.0.1:${pubsub.port}`, credentials.createInsecure())
 * await pubsub.stop();
 */
import { fileURLToPath } from 'node:url';
import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type GrpcObject,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServiceClientConstructor,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { OrgPort } from '../ports.js';
import type { ChannelRegistry } from '../streaming/channel-registry.js';
import { parseChannel } from '../streaming/channel-name.js';
import { EventSchemas } from './event-schemas.js';
import { authenticateCall } from './pubsub-auth.js';
import { PubSubErrors } from './pubsub-errors.js';
import { publishEvents, type PublishRequest } from './publish-events.js';
import { serveSubscribe, type FetchRequest } from './subscribe-stream.js';

/** The proto file this package ships (package root `proto/`, from src/pubsub and dist/pubsub alike). */
export const PUBSUB_PROTO_PATH = fileURLToPath(new URL('../../proto/pubsub_api.proto', import.meta.url));

/** Options of {@link startPubSubServer}. */
export interface PubSubOptions {
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Port; default 0 (a free one). */
  port?: number;
  /** An idle Subscribe stream gets an empty FetchResponse this often, ms; default 270,000 (Salesforce's 270 s). */
  keepaliveMs?: number;
}

/** What the service reads: the org and the streaming part's channel logs. */
export interface PubSubDeps {
  org: OrgPort;
  channels: ChannelRegistry;
  /** The instance URL clients must send in `instanceurl` (the emulator's URL, known once it listens). */
  instanceUrl: () => string;
}

/** A running Pub/Sub server. */
export interface PubSubServer {
  /** `127.0.0.1:PORT`, the gRPC target. */
  address: string;
  port: number;
  /** Number of open Subscribe streams. */
  readonly subscribeCount: number;
  /** End every Subscribe stream now with UNAVAILABLE, as a dropped connection does (clients reopen after their last event); returns how many. */
  dropStreams(): number;
  /** End every stream (UNAVAILABLE) and close the port. */
  stop(): Promise<void>;
}

/** Load the service definition (protobufjs runs without its install script: proto-loader parses the .proto text). */
export function loadPubSubService(): ServiceClientConstructor {
  const definition = loadSync(PUBSUB_PROTO_PATH, { keepCase: true, longs: Number, enums: String, defaults: true });
  const eventbus = (loadPackageDefinition(definition)['eventbus'] as GrpcObject)['v1'] as GrpcObject;
  return eventbus['PubSub'] as ServiceClientConstructor;
}

/** Start serving the Pub/Sub API. */
export async function startPubSubServer(deps: PubSubDeps, options: PubSubOptions = {}): Promise<PubSubServer> {
  const { org, channels } = deps;
  const schemas = new EventSchemas(org.schema);
  const streams = new Set<{ end(error?: ServiceError): void }>();
  const server = new Server();
  const authed = (metadata: Parameters<typeof authenticateCall>[1]) => authenticateCall(org, metadata, deps.instanceUrl().replace(/\/+$/, ''));
  const instanceUrl = () => deps.instanceUrl().replace(/\/+$/, '');
  const implementation: UntypedServiceImplementation = {
    GetTopic(call: ServerUnaryCall<{ topic_name: string }, unknown>, callback: sendUnaryData<unknown>) {
      const session = authed(call.metadata);
      if (session === undefined) return callback(PubSubErrors.auth());
      const name = call.request.topic_name;
      const target = parseChannel(name, org.schema);
      if (target === undefined || target.kind === 'topic') return callback(PubSubErrors.topicNotFound(name));
      const schemaId = target.kind === 'cdc-all' ? '' : schemas.of(target.object).id;
      callback(null, {
        topic_name: name,
        tenant_guid: session.orgId,
        can_publish: target.kind === 'event',
        can_subscribe: true,
        schema_id: schemaId,
        rpc_id: crypto.randomUUID(),
      });
    },
    GetSchema(call: ServerUnaryCall<{ schema_id: string }, unknown>, callback: sendUnaryData<unknown>) {
      if (authed(call.metadata) === undefined) return callback(PubSubErrors.auth());
      const id = call.request.schema_id;
      const schema = schemas.byId(id);
      if (schema === undefined) return callback(PubSubErrors.schemaNotFound(id));
      callback(null, { schema_json: JSON.stringify(schema.schema), schema_id: id, rpc_id: crypto.randomUUID() });
    },
    Subscribe(call: ServerDuplexStream<FetchRequest, unknown>) {
      serveSubscribe(call, { org, channels, schemas, instanceUrl, keepaliveMs: options.keepaliveMs ?? 270_000, streams });
    },
    Publish(call: ServerUnaryCall<PublishRequest, unknown>, callback: sendUnaryData<unknown>) {
      const session = authed(call.metadata);
      if (session === undefined) return callback(PubSubErrors.auth());
      const reply = publishEvents(call.request, session, { org, channels, schemas });
      if ('code' in reply) return callback(reply);
      callback(null, reply);
    },
    PublishStream(call: ServerDuplexStream<unknown, unknown>) {
      call.emit('error', PubSubErrors.unimplemented('PublishStream'));
    },
    ManagedSubscribe(call: ServerDuplexStream<unknown, unknown>) {
      call.emit('error', PubSubErrors.unimplemented('ManagedSubscribe'));
    },
  };
  server.addService(loadPubSubService().service, implementation);
  const host = options.host ?? '127.0.0.1';
  const target = `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 0}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(target, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  let stopped: Promise<void> | undefined;
  return {
    address: `${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get subscribeCount() {
      return streams.size;
    },
    dropStreams() {
      const open = [...streams];
      for (const stream of open) stream.end(PubSubErrors.unavailable());
      return open.length;
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        for (const stream of [...streams]) stream.end();
        server.forceShutdown();
        resolve();
      });
      return stopped;
    },
  };
}
