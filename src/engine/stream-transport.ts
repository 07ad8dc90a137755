/**
 * The seam between the stream subscriber and the wire. A transport keeps the
 * wanted channels subscribed, each from a replay position (-1 new events
 * only, -2 every retained one, N the events after N), follows the replay
 * position as events arrive, refreshes an expired token itself, and reports
 * events and failed subscribes in one form, whichever protocol carried them.
 *
 * Implementations: `StreamCometd` (stream-cometd.ts: Streaming API, Bayeux
 * long-polling) and `StreamPubSub` (stream-pubsub.ts: Pub/Sub API, gRPC +
 * Avro); `createStreamTransport` (create-stream-transport.ts) picks one.
 */
/** One delivered event, as the subscriber needs it. */
export interface StreamEvent {
  channel: string;
  /** The event's replay id, when it has one the store can keep (a safe integer). */
  replayId: number | undefined;
  /** CDC `ChangeEventHeader.changeOrigin` (`…;client=<id>` for sfsync's own writes). */
  changeOrigin: string | undefined;
  /** CDC changed field names (Pub/Sub bitmaps decoded; compound components as `Parent.Child`). */
  changedFields: string[];
  /** The event's fields (a Platform Event's, or a CDC event's body), when the transport could read them. */
  payload: Record<string, unknown> | undefined;
}

/** Why a subscribe failed: the replay id is no longer retained, the channel does not exist, or anything else. */
export type SubscribeFailure = 'invalid-replay' | 'no-such-channel' | 'other';

/** What every transport is given. */
export interface StreamTransportOptions {
  instanceUrl: string;
  apiVersion: string;
  token: string;
  /** The org id (Pub/Sub's `tenantid`); looked up when missing. */
  orgId?: string;
  /** The Pub/Sub API endpoint (`https://host:port`, or `http://` on loopback). */
  pubsubUrl?: string;
  /** A fresh access token (SalesforceClient.session({ refresh: true })). */
  refreshToken(): Promise<string>;
  onEvent(event: StreamEvent): void;
  /** A subscribe failed (after the transport handled what it could). */
  onSubscribeFailed(channel: string, failure: SubscribeFailure, message: string): void;
  /** A subscribe succeeded (or was accepted, for Pub/Sub). */
  onSubscribed?(channel: string): void;
  log(message: string, detail?: unknown): void;
}

/** A streaming connection that keeps wanted channels subscribed. */
export interface StreamTransport {
  /** Connect; rejects with a one-line reason when the server refuses. */
  start(): Promise<void>;
  /** Want `channel` from `replayFrom`; subscribes now when connected, else once connected. */
  want(channel: string, replayFrom: number): void;
  /** Stop wanting `channel`. */
  unwant(channel: string): void;
  /** Disconnect (bounded: a dead server must not hang shutdown). */
  stop(): Promise<void>;
}

/** Which transport: `cometd` (default) or `pubsub` (salesforce.streamingTransport). */
export type StreamTransportKind = 'cometd' | 'pubsub';
