/**
 * The soak run's knobs and their command-line form. Kept apart from the run
 * so the test can build options directly and the CLI parsing stays trivial:
 *
 *   npm run soak -- --seed 42 --seconds 150 [--faults a,b,c|all|none] [--engines 2] [--transports cometd,pubsub] [--quiet-timeout 120] [--keep]
 */

/** Every fault the timeline knows, in the order they are listed. */
export const FAULT_NAMES = [
  '5xx',
  'lock',
  'drop-events',
  'late-commits',
  'session-expiry',
  'api-limit',
  'pg-restart',
  'stream-drop',
  'kill',
  'lost-replies',
] as const;

/** One fault of {@link FAULT_NAMES}. */
export type FaultName = (typeof FAULT_NAMES)[number];

/** How an engine receives streaming events (`salesforce.streamingTransport`). */
export const TRANSPORT_NAMES = ['cometd', 'pubsub'] as const;

/** One transport of {@link TRANSPORT_NAMES}. */
export type TransportName = (typeof TRANSPORT_NAMES)[number];

/** What one soak run does. */
export interface SoakOptions {
  /** Seed of the workload's and the timeline's PRNG. */
  seed: number;
  /** Length of the workload (faults happen inside it). */
  seconds: number;
  /** The faults to inject (empty: none). */
  faults: FaultName[];
  /** Number of `sfsync start` processes. */
  engines: number;
  /** Engine i streams over `transports[i % length]`: the default alternates CometD and the Pub/Sub API, so leadership moves between them. */
  transports: TransportName[];
  /** How long the oracle waits for both sides to agree once the workload and faults stop. */
  quietTimeoutSeconds: number;
  /** Keep the work directory (engine logs, CLI output) instead of removing it. */
  keep: boolean;
  /** Where progress lines go (default: console.log). */
  log?: (line: string) => void;
}

/** Defaults of every option. */
export const DEFAULT_OPTIONS: Omit<SoakOptions, 'log'> = {
  seed: 1,
  seconds: 150,
  faults: [...FAULT_NAMES],
  engines: 2,
  transports: ['cometd', 'pubsub'],
  quietTimeoutSeconds: 120,
  keep: false,
};

/** `--faults` value → fault list: `all` (default), `none`, or a comma list of names. */
export function parseFaults(value: string): FaultName[] {
  const trimmed = value.trim();
  if (trimmed === 'all') return [...FAULT_NAMES];
  if (trimmed === 'none' || trimmed === '') return [];
  const names = trimmed
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(FAULT_NAMES as readonly string[]).includes(name)) {
      throw new Error(`Unknown fault "${name}"; use all, none or some of ${FAULT_NAMES.join(', ')}.`);
    }
  }
  return [...new Set(names)] as FaultName[];
}

/** `--transports` value → the engines' transports in turn: a comma list of cometd and pubsub (e.g. `pubsub` for all on the Pub/Sub API). */
export function parseTransports(value: string): TransportName[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new Error(`--transports needs a comma list of ${TRANSPORT_NAMES.join(', ')}.`);
  for (const name of names) {
    if (!(TRANSPORT_NAMES as readonly string[]).includes(name)) throw new Error(`Unknown transport "${name}"; use ${TRANSPORT_NAMES.join(' or ')}.`);
  }
  return names as TransportName[];
}

/** Parse `process.argv.slice(2)`; throws one line naming a bad flag. */
export function parseSoakArgs(argv: string[]): SoakOptions {
  const options: SoakOptions = { ...DEFAULT_OPTIONS, faults: [...DEFAULT_OPTIONS.faults], transports: [...DEFAULT_OPTIONS.transports] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--keep') {
      options.keep = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value.`);
    switch (flag) {
      case '--seed':
        options.seed = positiveInt(flag, value, 0);
        break;
      case '--seconds':
        options.seconds = positiveInt(flag, value, 10);
        break;
      case '--faults':
        options.faults = parseFaults(value);
        break;
      case '--engines':
        options.engines = positiveInt(flag, value, 1);
        break;
      case '--transports':
        options.transports = parseTransports(value);
        break;
      case '--quiet-timeout':
        options.quietTimeoutSeconds = positiveInt(flag, value, 1);
        break;
      default:
        throw new Error(`Unknown flag ${flag}; use --seed, --seconds, --faults, --engines, --transports, --quiet-timeout, --keep.`);
    }
  }
  return options;
}

function positiveInt(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer ≥ ${min}, not "${value}".`);
  return n;
}
