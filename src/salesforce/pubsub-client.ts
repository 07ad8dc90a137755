/**
 * A client of Salesforce's Pub/Sub API (`eventbus.v1.PubSub`, gRPC): the
 * service definition comes from the `pubsub_api.proto` the
 * salesforce-emulator package ships (wire-identical to Salesforce's), loaded
 * by @grpc/proto-loader (protobufjs parses the text; it needs no install
 * script). Every call carries the `accesstoken`, `instanceurl` and
 * `tenantid` metadata; payloads are Avro, decoded with the schema GetSchema
 * returns, cached by schema id.
 */
import { createRequire } from 'node:module';
import avro from 'avsc';
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  type ClientDuplexStream,
  type GrpcObject,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { AvroRecordSchema } from './pubsub-bitmap.js';

/** A FetchResponse as proto-loader hands it over. */
export interface FetchResponse {
  events: Array<{ event: { id: string; schema_id: string; payload: Buffer }; replay_id: Buffer }>;
  latest_replay_id: Buffer;
  rpc_id: string;
  pending_num_requested: number;
}

/** A FetchRequest (the first names the topic and start; later ones only add num_requested). */
export interface FetchRequest {
  topic_name?: string;
  replay_preset?: 'LATEST' | 'EARLIEST' | 'CUSTOM';
  replay_id?: Buffer;
  num_requested: number;
}

/** A decoded schema: the Avro type and its JSON (for the bitmap positions). */
export interface PubSubSchema {
  type: avro.Type;
  json: AvroRecordSchema;
}

/** Credentials of the calls. */
export interface PubSubAuth {
  accessToken: string;
  instanceUrl: string;
  orgId: string;
}

interface RawClient {
  Subscribe(metadata: Metadata): ClientDuplexStream<FetchRequest, FetchResponse>;
  GetSchema(
    request: { schema_id: string },
    metadata: Metadata,
    options: { deadline: number },
    callback: (error: ServiceError | null, reply?: { schema_json: string }) => void,
  ): void;
  close(): void;
}

let service: ServiceClientConstructor | undefined;

/** How long a GetSchema may take before the event is handled without its payload, ms. */
const SCHEMA_DEADLINE_MS = 10_000;

function pubSubService(): ServiceClientConstructor {
  if (service === undefined) {
    const proto = createRequire(import.meta.url).resolve('salesforce-emulator/pubsub_api.proto');
    const definition = loadSync(proto, { keepCase: true, longs: Number, enums: String, defaults: true });
    service = ((loadPackageDefinition(definition)['eventbus'] as GrpcObject)['v1'] as GrpcObject)['PubSub'] as ServiceClientConstructor;
  }
  return service;
}

/** One channel to the Pub/Sub API, with the schema cache. */
export class PubSubClient {
  private readonly raw: RawClient;
  private readonly schemas = new Map<string, Promise<PubSubSchema>>();

  /** `url`: `https://host:port` (TLS) or `http://127.0.0.1:port` (plaintext, the emulator). */
  constructor(
    url: string,
    private auth: PubSubAuth,
  ) {
    const parsed = new URL(url);
    const tls = parsed.protocol === 'https:';
    const target = `${parsed.hostname.includes(':') ? `[${parsed.hostname}]` : parsed.hostname}:${parsed.port || (tls ? '443' : '80')}`;
    const Client = pubSubService();
    // Its own subchannel pool: with grpc-js' process-wide pool, a client opened just after another closed
    // (a leader handing over inside one process) could take the closing connection and wait on it forever.
    this.raw = new Client(target, tls ? credentials.createSsl() : credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    }) as unknown as RawClient;
  }

  /** Use a refreshed token from now on. */
  setToken(accessToken: string): void {
    this.auth = { ...this.auth, accessToken };
  }

  /** Open a Subscribe stream (the caller writes the first FetchRequest). */
  subscribe(): ClientDuplexStream<FetchRequest, FetchResponse> {
    return this.raw.Subscribe(this.metadata());
  }

  /** The schema of an id, fetched once (a failed fetch is not cached). */
  schema(schemaId: string): Promise<PubSubSchema> {
    let cached = this.schemas.get(schemaId);
    if (cached === undefined) {
      cached = new Promise<PubSubSchema>((resolve, reject) =>
        // A deadline: events of the channel wait for their schema, and must not wait on a call that never answers.
        this.raw.GetSchema({ schema_id: schemaId }, this.metadata(), { deadline: Date.now() + SCHEMA_DEADLINE_MS }, (error, reply) => {
          if (error || reply === undefined) return reject(error ?? new Error('GetSchema returned nothing'));
          const json = JSON.parse(reply.schema_json) as AvroRecordSchema;
          resolve({ json, type: avro.Type.forSchema(json as unknown as avro.Schema) });
        }),
      );
      this.schemas.set(schemaId, cached);
      cached.catch(() => this.schemas.delete(schemaId));
    }
    return cached;
  }

  close(): void {
    this.raw.close();
  }

  private metadata(): Metadata {
    const metadata = new Metadata();
    metadata.set('accesstoken', this.auth.accessToken);
    metadata.set('instanceurl', this.auth.instanceUrl);
    metadata.set('tenantid', this.auth.orgId);
    return metadata;
  }
}

/** Pub/Sub replay ids are 8-byte big-endian numbers, the CometD replayId; undefined for any other form. */
export function replayIdNumber(bytes: Buffer): number | undefined {
  if (bytes.length !== 8) return undefined;
  const value = bytes.readBigUInt64BE();
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

/** A stored replayId → the bytes of a CUSTOM replay. */
export function replayIdBytes(replayId: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(replayId));
  return bytes;
}
