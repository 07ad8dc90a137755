/**
 * The Pub/Sub API transport (salesforce.streamingTransport = `pubsub`): one
 * gRPC Subscribe stream per wanted channel, from LATEST (-1), EARLIEST (-2)
 * or CUSTOM after a replay id; events are Avro, decoded with the schema
 * GetSchema gives (cached by id) to read the CDC header's changeOrigin and
 * changedFields bitmaps. Flow control: 100 events are requested at the start
 * and each batch received is requested again, so the server never holds more
 * than 100 for us. The transport follows the replay id of every event, so
 * a stream reopened after a network failure resumes where it stopped.
 *
 * Failures, by the stream's gRPC status and `error-code` trailer:
 * - UNAUTHENTICATED: refresh the token once, reopen every stream;
 * - INVALID_ARGUMENT …replayid…: `invalid-replay` (the subscriber falls back
 *   to a poll and wants the channel again from -1);
 * - NOT_FOUND / PERMISSION_DENIED: `no-such-channel` (an object without CDC);
 * - anything else (UNAVAILABLE, a dropped connection): reopen after 1 s,
 *   doubling up to 30 s.
 */
import { status, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { bitmapFieldNames } from '../salesforce/pubsub-bitmap.js';
import { PubSubClient, replayIdBytes, replayIdNumber, type FetchRequest, type FetchResponse } from '../salesforce/pubsub-client.js';
import type { StreamEvent, StreamTransport, StreamTransportOptions } from './stream-transport.js';

/** Events requested at the start and kept requested (Salesforce's per-request maximum). */
const BATCH = 100;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;

interface OpenStream {
  call: ClientDuplexStream<FetchRequest, FetchResponse>;
  /** Events are handled in order: decoding may wait for a schema. */
  chain: Promise<void>;
  closed: boolean;
}

/** Pub/Sub API subscriptions of one connection. */
export class StreamPubSub implements StreamTransport {
  private client: PubSubClient | undefined;
  private readonly wanted = new Set<string>();
  /** Channel → where to resume: a number (-1, -2, N) or the exact bytes of the last event. */
  private readonly position = new Map<string, number | Buffer>();
  private readonly streams = new Map<string, OpenStream>();
  private readonly retryMs = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private refreshing: Promise<void> | undefined;
  private stopped = false;

  constructor(readonly options: StreamTransportOptions) {}

  async start(): Promise<void> {
    const { orgId, pubsubUrl } = this.options;
    if (!orgId)
      throw new Error(
        'The Salesforce session does not name its org id, which the Pub/Sub API needs as tenantid; log in again or use --streaming-transport cometd.',
      );
    if (!pubsubUrl) throw new Error('No Pub/Sub API endpoint; set salesforce.pubsubUrl (SFSYNC_PUBSUB_URL).');
    this.client = new PubSubClient(pubsubUrl, { accessToken: this.options.token, instanceUrl: this.options.instanceUrl, orgId });
    for (const channel of this.wanted) this.open(channel);
  }

  want(channel: string, replayFrom: number): void {
    this.wanted.add(channel);
    this.position.set(channel, replayFrom);
    if (this.client !== undefined && !this.streams.has(channel)) this.open(channel);
  }

  unwant(channel: string): void {
    this.wanted.delete(channel);
    this.close(channel);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const channel of [...this.streams.keys()]) this.close(channel);
    this.client?.close();
  }

  private open(channel: string): void {
    if (this.stopped || this.client === undefined || !this.wanted.has(channel)) return;
    const call = this.client.subscribe();
    const stream: OpenStream = { call, chain: Promise.resolve(), closed: false };
    this.streams.set(channel, stream);
    // Response headers mean the server accepted the subscription (a refused one ends with trailers only).
    call.on('metadata', () => this.options.onSubscribed?.(channel));
    call.on('data', (response: FetchResponse) => {
      stream.chain = stream.chain.then(() => this.receive(channel, stream, response));
    });
    call.on('error', (error: ServiceError) => void this.failed(channel, stream, error));
    call.on('end', () => void this.failed(channel, stream, undefined));
    const preset = this.preset(channel);
    this.options.log(
      `Pub/Sub subscribe ${channel} from ${preset.replay_preset}`,
      preset.replay_id === undefined ? undefined : replayIdNumber(preset.replay_id),
    );
    call.write({ topic_name: channel, num_requested: BATCH, ...preset });
  }

  /** The first request's replay preset for the channel's position. */
  private preset(channel: string): Pick<FetchRequest, 'replay_preset' | 'replay_id'> {
    const at = this.position.get(channel) ?? -1;
    if (Buffer.isBuffer(at)) return { replay_preset: 'CUSTOM', replay_id: at };
    if (at === -2) return { replay_preset: 'EARLIEST' };
    if (at < 0) return { replay_preset: 'LATEST' };
    return { replay_preset: 'CUSTOM', replay_id: replayIdBytes(at) };
  }

  private async receive(channel: string, stream: OpenStream, response: FetchResponse): Promise<void> {
    if (stream.closed) return;
    this.retryMs.delete(channel);
    for (const { event, replay_id } of response.events) {
      this.position.set(channel, replay_id);
      this.options.onEvent(await this.decode(channel, event, replay_id));
    }
    if (response.events.length > 0 && !stream.closed) stream.call.write({ num_requested: response.events.length });
  }

  /** The event as the subscriber needs it; an undecodable payload still counts (the poll reads the data). */
  private async decode(channel: string, event: FetchResponse['events'][number]['event'], replayId: Buffer): Promise<StreamEvent> {
    const base: StreamEvent = { channel, replayId: replayIdNumber(replayId), changeOrigin: undefined, changedFields: [], payload: undefined };
    try {
      const schema = await this.client!.schema(event.schema_id);
      const record = schema.type.fromBuffer(event.payload) as { ChangeEventHeader?: { changeOrigin?: string; changedFields?: string[] } } & Record<
        string,
        unknown
      >;
      const header = record.ChangeEventHeader;
      if (header === undefined) return { ...base, payload: record };
      return { ...base, payload: record, changeOrigin: header.changeOrigin, changedFields: bitmapFieldNames(schema.json, header.changedFields ?? []) };
    } catch (error) {
      this.options.log('a Pub/Sub event could not be decoded; it still wakes the poll', error);
      return base;
    }
  }

  private async failed(channel: string, stream: OpenStream, error: ServiceError | undefined): Promise<void> {
    if (stream.closed) return;
    stream.closed = true;
    if (this.streams.get(channel) === stream) this.streams.delete(channel);
    await stream.chain.catch(() => undefined);
    if (this.stopped || !this.wanted.has(channel)) return;
    const code = error?.code;
    const errorCode = String(error?.metadata?.get('error-code')[0] ?? '');
    const message = error?.details ?? 'the Subscribe stream ended';
    if (code === status.UNAUTHENTICATED) return this.refreshAndReopen();
    if (code === status.INVALID_ARGUMENT && /replayid/.test(errorCode)) return this.options.onSubscribeFailed(channel, 'invalid-replay', message);
    if (code === status.NOT_FOUND || code === status.PERMISSION_DENIED) return this.options.onSubscribeFailed(channel, 'no-such-channel', message);
    const delay = this.retryMs.get(channel) ?? RETRY_MIN_MS;
    this.retryMs.set(channel, Math.min(delay * 2, RETRY_MAX_MS));
    this.options.log(`Pub/Sub stream of ${channel} ended (${message}); reopening in ${delay} ms`);
    this.later(delay, () => this.open(channel));
  }

  /** New token (one refresh at a time), then reopen every wanted channel that has no stream. */
  private refreshAndReopen(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        this.client?.setToken(await this.options.refreshToken());
        this.options.log('stream token refreshed; resubscribing');
        for (const channel of this.wanted) if (!this.streams.has(channel)) this.open(channel);
      } catch (error) {
        this.options.log('stream token refresh failed; retrying', error);
        this.later(RETRY_MIN_MS, () => void this.refreshAndReopen());
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private close(channel: string): void {
    const stream = this.streams.get(channel);
    if (stream === undefined) return;
    stream.closed = true;
    this.streams.delete(channel);
    stream.call.cancel();
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
}
