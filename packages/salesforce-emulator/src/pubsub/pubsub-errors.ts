/**
 * Pub/Sub API failures as Salesforce reports them: a gRPC status code, a
 * message ending in ` rpcId: <id>`, and the `error-code` and `rpc-id`
 * trailing metadata that clients branch on
 * (`sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted` →
 * resubscribe from EARLIEST or LATEST).
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

/** The failures the emulator reports. */
export const PubSubErrors = {
  auth: () =>
    fail(
      status.UNAUTHENTICATED,
      'sfdc.platform.eventbus.grpc.service.auth.error',
      'An authentication exception occurred. Provide valid authentication via metadata headers.',
    ),
  topicNotFound: (topic: string) =>
    fail(status.NOT_FOUND, 'sfdc.platform.eventbus.grpc.service.topic.not.found', `Topic ${topic} does not exist or is not available to Pub/Sub API.`),
  notPublishable: (topic: string) =>
    fail(
      status.PERMISSION_DENIED,
      'sfdc.platform.eventbus.grpc.service.publish.not.allowed',
      `Publishing to ${topic} is not allowed; only platform event topics accept events.`,
    ),
  schemaNotFound: (id: string) => fail(status.NOT_FOUND, 'sfdc.platform.eventbus.grpc.service.schema.not.found', `Schema ${id} was not found.`),
  replayIdCorrupted: () =>
    fail(
      status.INVALID_ARGUMENT,
      'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted',
      'The Replay ID validation failed. Ensure that the Replay ID is valid and within the retention window.',
    ),
  replayIdInvalid: () =>
    fail(
      status.INVALID_ARGUMENT,
      'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.validation.failed',
      'The Replay ID validation failed. A CUSTOM replay preset needs a replay_id from an earlier event.',
    ),
  requestedInvalid: () =>
    fail(
      status.INVALID_ARGUMENT,
      'sfdc.platform.eventbus.grpc.fetch.requested.events.invalid',
      'num_requested must be a positive number on the first FetchRequest.',
    ),
  topicChanged: () =>
    fail(
      status.INVALID_ARGUMENT,
      'sfdc.platform.eventbus.grpc.subscription.topic.mismatch',
      'A Subscribe stream reads one topic; start another stream for another topic.',
    ),
  internal: (reason: string) => fail(status.INTERNAL, 'sfdc.platform.eventbus.grpc.service.internal', `An event could not be delivered: ${reason}`),
  unavailable: () => fail(status.UNAVAILABLE, 'sfdc.platform.eventbus.grpc.service.unavailable', 'The connection to the event bus was lost; subscribe again.'),
  unimplemented: (method: string) =>
    fail(status.UNIMPLEMENTED, 'sfdc.platform.eventbus.grpc.service.unimplemented', `${method} is not served by the sfsync emulator.`),
};

function fail(code: status, errorCode: string, message: string): ServiceError {
  const rpcId = crypto.randomUUID();
  const metadata = new Metadata();
  metadata.set('error-code', errorCode);
  metadata.set('rpc-id', rpcId);
  return Object.assign(new Error(`${message} rpcId: ${rpcId}`), { code, details: `${message} rpcId: ${rpcId}`, metadata });
}
