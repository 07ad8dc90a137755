/**
 * Bayeux message shapes and the exact error strings Salesforce replies with
 * (docs/wire-notes.md, Streaming). Every reply travels in an HTTP 200 JSON array;
 * failures are `successful:false` messages with an `error` of the form
 * `<code>::<text>`.
 */

/** An incoming Bayeux message: untrusted JSON, so every field is checked before use. */
export type IncomingMessage = Record<string, unknown>;

/** Advice the server attaches to a reply. */
export interface Advice {
  interval?: number;
  timeout?: number;
  reconnect?: 'retry' | 'handshake' | 'none';
}

/** A reply or delivered message as sent to the client. */
export interface OutgoingMessage {
  channel?: string;
  id?: unknown;
  clientId?: string;
  successful?: boolean;
  error?: string;
  advice?: Advice;
  subscription?: unknown;
  data?: unknown;
  ext?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A delivered event: `{channel, data}` (a type alias, so it is assignable to {@link OutgoingMessage}). */
export type EventMessage = {
  channel: string;
  data: unknown;
};

/** The error strings, built exactly as Salesforce words them. */
export const BayeuxErrors = {
  handshakeDenied: '403::Handshake denied',
  authInvalid: '401::Authentication invalid',
  authRequired: '401::Request requires authentication',
  unknownClient: '403::Unknown client',
  channelMissing: (channel: string): string => `400::The channel you requested to subscribe to doesn't exist {${channel}}`,
  invalidReplayId: (replayId: unknown): string =>
    `400::The replayId {${String(replayId)}} you provided was invalid.  ` +
    'Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.',
  replayMapMismatch: (channel: string, map: Record<string, unknown>): string =>
    `400::The replayId for channel {${channel}} wasn't found using the provided replay ID map {${formatMap(map)}}. ` +
    'Please provide a valid replay ID map whose key is the subscribed channel.',
  leadingSlash: "400::Channel subscriptions must start with a leading '/'",
  versionMissing: (latest: string): string => `400::API version in the URI is mandatory. URI format: '/cometd/${latest}'`,
  versionUnsupported: (latest: string): string =>
    `400::Unsupported API version. Only API versions '37.0' and later are supported. URI format: '/cometd/${latest}'`,
  connectionType: (type: unknown): string => `400::Invalid connection type {${String(type)}}`,
  missingCookie: (clientId: string): string => `400::Client ${clientId} has established a session, but no BAYEUX_BROWSER cookie present`,
  publishDenied: (channel: string): string => `403::Publish denied {${channel}}`,
  unknownMeta: (channel: string): string => `400::Unknown meta channel {${channel}}`,
  missingChannel: '400::Every Bayeux message must be a JSON object with a string channel',
  notArray: '400::The request body must be a JSON array of Bayeux messages',
  badJson: (detail: string): string => `400::The request body is not valid JSON: ${detail}`,
  notPost: (method: string): string => `400::Bayeux requests must be POSTed, not ${method}`,
} as const;

/** Java-style map text, as Salesforce echoes the replay map: `/topic/X=-1, /topic/Y=5`. */
function formatMap(map: Record<string, unknown>): string {
  return Object.entries(map)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(', ');
}

/** A reply to `message` on its channel, echoing its `id` (and `clientId` when given). */
export function replyTo(message: IncomingMessage, fields: OutgoingMessage): OutgoingMessage {
  const reply: OutgoingMessage = {};
  if (typeof message['channel'] === 'string') reply.channel = message['channel'];
  if (message['id'] !== undefined) reply.id = message['id'];
  return { ...reply, ...fields };
}

/** An unsuccessful reply to `message`. */
export function errorReply(message: IncomingMessage, error: string, extra: OutgoingMessage = {}): OutgoingMessage {
  return replyTo(message, { ...extra, error, successful: false });
}
