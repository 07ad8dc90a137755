/**
 * The emulator's control knobs: everything tests, demos and benchmarks change
 * at run time (latency, injected faults, API limit, session TTL, delayed
 * commit, lost responses, dropped streaming events). Set through
 * `startEmulator({ controls })`, `org.setControls()` or `PUT /__emulator/faults`.
 */
import type { EmulatorControls } from '../ports.js';

/** Fault kinds the server can inject instead of handling a request. */
export type FaultKind = '5xx' | 'UNABLE_TO_LOCK_ROW' | 'REQUEST_LIMIT_EXCEEDED';

/** One fault-injection rule. */
export interface FaultRule {
  kind: FaultKind;
  /** Fraction (0–1) of matching requests that fail (default 1). */
  rate?: number;
  /** Only requests whose path starts with this (default: every /services/data request). */
  pathPrefix?: string;
  /** Only this HTTP method (default: any). */
  method?: string;
  /** Fail at most this many requests, then the rule retires (default: unlimited). */
  count?: number;
}

/** Added latency per API call: a fixed value (min = max) or a uniform random range. */
export interface LatencySetting {
  minMs: number;
  maxMs: number;
}

/** Lost responses: the write commits, then the socket is destroyed instead of replying. */
export interface LostResponseSetting {
  /** Fraction (0–1) of write calls whose reply is lost (default 0). */
  rate: number;
  /** Lose the replies of the next N write calls regardless of `rate` (default 0). */
  next: number;
  /** Only write calls whose path starts with this, e.g. `/services/data/v59.0/composite/sobjects` (default: every write). */
  pathPrefix?: string;
  /** Only this HTTP method, e.g. `PATCH` (default: every write method). */
  method?: string;
}

/** Every knob; defaults in {@link defaultControls}. */
export interface ControlSettings extends EmulatorControls {
  latency: LatencySetting;
  faults: FaultRule[];
  /** Daily API request allowance (default 15 000, Developer Edition's figure). */
  dailyApiLimit: number;
  /** Access token lifetime in ms (default 2 h, Salesforce's default session timeout). */
  tokenTtlMs: number;
  /** Delayed commit: writes become visible to queries and change events this many ms later (default 0). */
  commitDelayMs: number;
  lostResponses: LostResponseSetting;
}

/** Partial settings as accepted by the options and the control API. `latency` may be a number. */
export type ControlsInput = Partial<Omit<ControlSettings, 'latency' | 'lostResponses'>> & {
  latency?: number | [number, number] | Partial<LatencySetting>;
  lostResponses?: Partial<LostResponseSetting>;
};

/** Fresh defaults: no latency, no faults, nothing dropped. */
export function defaultControls(): ControlSettings {
  return {
    dropEventRate: 0,
    pushTopicRetentionMs: 24 * 3600_000,
    cdcRetentionMs: 72 * 3600_000,
    bulkJobDelayMs: 0,
    bulkIngestMsPerRecord: 0,
    bulkQueryMsPerRecord: 0,
    streamDeliveryDelayMs: 0,
    latency: { minMs: 0, maxMs: 0 },
    faults: [],
    dailyApiLimit: 15_000,
    tokenTtlMs: 2 * 3600_000,
    commitDelayMs: 0,
    lostResponses: { rate: 0, next: 0 },
  };
}

/** Merge a partial input into live settings (in place, so parts holding the object see the change). */
export function applyControls(target: ControlSettings, input: ControlsInput): void {
  const { latency, lostResponses, faults, ...rest } = input;
  for (const [key, value] of Object.entries(rest)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`Control ${key} must be a non-negative number.`);
    }
    if (key in target) (target as unknown as Record<string, number>)[key] = value;
    else throw new Error(`Unknown control ${key}.`);
  }
  if (latency !== undefined) target.latency = parseLatency(latency);
  if (lostResponses !== undefined) target.lostResponses = mergeLostResponses(target.lostResponses, lostResponses);
  if (faults !== undefined) target.faults = faults.map(checkFault);
}

function parseLatency(input: number | [number, number] | Partial<LatencySetting>): LatencySetting {
  if (typeof input === 'number') return { minMs: input, maxMs: input };
  if (Array.isArray(input)) return { minMs: input[0], maxMs: Math.max(input[0], input[1]) };
  const minMs = input.minMs ?? 0;
  return { minMs, maxMs: Math.max(minMs, input.maxMs ?? minMs) };
}

function checkFault(rule: FaultRule): FaultRule {
  if (!['5xx', 'UNABLE_TO_LOCK_ROW', 'REQUEST_LIMIT_EXCEEDED'].includes(rule.kind)) {
    throw new Error(`Unknown fault kind ${String(rule.kind)}; use 5xx, UNABLE_TO_LOCK_ROW or REQUEST_LIMIT_EXCEEDED.`);
  }
  return { ...rule };
}

/** `rate` and `next` merge; the filter is replaced (a setting without `pathPrefix`/`method` clears them, so one test's filter never leaks into the next). */
function mergeLostResponses(current: LostResponseSetting, input: Partial<LostResponseSetting>): LostResponseSetting {
  for (const key of ['pathPrefix', 'method'] as const) {
    if (input[key] !== undefined && typeof input[key] !== 'string') throw new Error(`Control lostResponses.${key} must be a string.`);
  }
  const out: LostResponseSetting = { rate: input.rate ?? current.rate, next: input.next ?? current.next };
  if (input.pathPrefix !== undefined) out.pathPrefix = input.pathPrefix;
  if (input.method !== undefined) out.method = input.method;
  return out;
}
