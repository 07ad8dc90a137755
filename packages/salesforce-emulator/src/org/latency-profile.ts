/**
 * Timing profiles: named sets of controls that make the emulator answer at
 * a real org's speed instead of in microseconds, so a benchmark can say what
 * a user will see. `startEmulator({ profile: 'real' })` or
 * `salesforce-emulator --profile real`; explicit `controls` still win.
 *
 * The `real` figures, and where each comes from (all are estimates of a
 * typical org reached from a cloud region near its instance, not a
 * measurement of any one org):
 * - REST call: 100–200 ms, uniform (mean 150 ms). Salesforce's trust site
 *   long published an average server transaction time "well under 300 ms";
 *   add 20–80 ms of network round trip from a nearby region. Applied to every
 *   call, OAuth, Bulk and CometD requests included, as the existing
 *   `latency` control does.
 * - Bulk API 2.0 job: a queue wait of 1 s before InProgress, then 0.5 ms per
 *   record for ingest (10,000 records: 6 s) and 0.01 ms per record for query
 *   (1,000,000 records: 11 s). Salesforce documents only the shape — jobs
 *   are queued, cut into internal batches of 10,000 records processed in
 *   parallel, a batch that runs past 5 minutes is retried, and a batch that
 *   "takes a few seconds" is a sign to send bigger ones — not a rate; the
 *   rates are estimates within that shape.
 * - CometD delivery: 200 ms after the commit. Change events are published
 *   asynchronously after the transaction commits and Salesforce states no
 *   delivery SLA; 200 ms is an estimate of the quiet-instance case.
 */
import type { ControlsInput } from './controls.js';

/** Names accepted by `profile`; `none` is the default (every delay 0). */
export type LatencyProfileName = 'none' | 'real';

/** Every profile name, for help texts and validation. */
export const LATENCY_PROFILES: readonly LatencyProfileName[] = ['none', 'real'];

/** The controls a profile sets (see the module comment for the sources). */
export function latencyProfile(name: LatencyProfileName): ControlsInput {
  switch (name) {
    case 'none':
      return {};
    case 'real':
      return {
        latency: [100, 200],
        bulkJobDelayMs: 1000,
        bulkIngestMsPerRecord: 0.5,
        bulkQueryMsPerRecord: 0.01,
        streamDeliveryDelayMs: 200,
      };
  }
}

/** Whether `name` is a profile name (for parsing a CLI flag or a config value). */
export function isLatencyProfileName(name: string): name is LatencyProfileName {
  return (LATENCY_PROFILES as readonly string[]).includes(name);
}

/** A profile's controls under explicit ones (explicit win, key by key). */
export function withProfile(name: LatencyProfileName | undefined, controls: ControlsInput | undefined): ControlsInput | undefined {
  if (name === undefined || name === 'none') return controls;
  return { ...latencyProfile(name), ...controls };
}
