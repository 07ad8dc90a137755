/**
 * sfsync's configuration, validated by zod. Every field has its default here;
 * precedence is defaults < config file < `SFSYNC_*` env < flags (load-config.ts).
 */
import { z } from 'zod';
import { nextCronTime } from './cron.js';
import { isHostSyntax, loginUrlProblem, pubsubUrlProblem } from './login-url.js';

const positiveInt = z.number().int().positive();

/** Salesforce's Pub/Sub API endpoint (salesforce.pubsubUrl's default). */
export const DEFAULT_PUBSUB_URL = 'https://api.pubsub.salesforce.com:7443';

/** Salesforce's limit of records per sObject Collections call; push.batchSize may not exceed it (salesforce/collections.ts sends in batches of it). */
export const COLLECTION_LIMIT = 200;
/** The longest delay Node's timers take (about 24.8 days); a larger one fires at once, every millisecond for an interval. */
const MAX_TIMER_MS = 2_147_483_647;
const delayMs = z.number().int().min(0).max(MAX_TIMER_MS);
/** An optional text setting: "" is refused rather than read as "unset", which hid typos in secrets. */
const nonEmpty = () => z.string().min(1, 'must not be empty; remove the key to leave it unset');

const loginUrl = z.string().superRefine((value, ctx) => {
  const problem = loginUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Checked with the parser the scheduler uses: an expression it cannot read made every re-seed fail, every 30 s. */
const cron = z.string().superRefine((value, ctx) => {
  try {
    nextCronTime(value, new Date());
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `${(error as Error).message.replace(/\.$/, '')}; e.g. "17 3 * * *" is 03:17 UTC daily` });
  }
});

const pubsubUrl = z.string().superRefine((value, ctx) => {
  const problem = pubsubUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const host = z.string().refine(isHostSyntax, 'must be an IP address or host name, e.g. 127.0.0.1');

/** How sfsync reaches Salesforce. Secrets may be given inline or as `@/path/to/file`. */
export const salesforceSchema = z
  .object({
    /** Login URL; default `https://login.salesforce.com` (the demo points it at the emulator). */
    loginUrl: loginUrl.default('https://login.salesforce.com'),
    /**
     * Log in at a stored connection's login URL even when it is not `loginUrl`
     * (config/env secrets are only sent to `loginUrl` otherwise: login-url.ts);
     * default false. Secrets sealed per connection (`sfsync connect` with a
     * secret key) are bound to the connection's name and login URL by
     * AES-GCM instead, and need no such check.
     */
    trustStoredLoginUrl: z.boolean().optional(),
    /** REST API version; default `59.0` (jsforce's own default, 50.0, is too old). */
    apiVersion: z
      .string()
      .regex(/^\d{2}\.0$/, 'apiVersion looks like 59.0')
      .default('59.0'),
    /** Which OAuth flow; default: `password` when a password is set, else `client_credentials`, `jwt` or `refresh_token` by what is set. */
    authKind: z.enum(['password', 'client_credentials', 'jwt', 'refresh_token', 'soap']).optional(),
    username: nonEmpty().optional(),
    password: nonEmpty().optional(),
    clientId: nonEmpty().optional(),
    clientSecret: nonEmpty().optional(),
    /** PEM private key file for the JWT bearer flow. */
    jwtKeyFile: nonEmpty().optional(),
    refreshToken: nonEmpty().optional(),
    /**
     * How the stream subscriber receives CDC and platform events: `cometd`
     * (Streaming API, Bayeux long-polling) or `pubsub` (Pub/Sub API, gRPC with
     * Avro payloads; PushTopic channels still go through CometD, which Pub/Sub
     * does not carry). Default `cometd` (optional so settings built in code need not name it).
     */
    streamingTransport: z.enum(['cometd', 'pubsub']).optional(),
    /** The Pub/Sub API endpoint: https = TLS, http = plaintext (loopback only: the emulator); default {@link DEFAULT_PUBSUB_URL}. */
    pubsubUrl: pubsubUrl.optional(),
    /** `Sforce-Call-Options: client=<id>`: how sfsync's own writes are recognised in CDC `changeOrigin`. Default `sfsync`. */
    callOptionsClient: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/)
      .default('sfsync'),
  })
  .strict();

/** Outbound (Postgres → Salesforce) tuning. */
export const pushSchema = z
  .object({
    /** Above this many pending records a push uses Bulk API 2.0 ingest; default 2000. */
    bulkThreshold: positiveInt.default(2000),
    /** sObject Collections calls in flight per connection; default 4. */
    concurrency: positiveInt.max(25).default(4),
    /** Records per Collections call (Salesforce's maximum is 200); default 200. */
    batchSize: positiveInt.max(COLLECTION_LIMIT).default(COLLECTION_LIMIT),
    /** How long a NOTIFY waits for more before a push is queued, ms; default 5. */
    debounceMs: delayMs.default(5),
    /** Sweep for changes whose NOTIFY nobody heard, ms; default 5000. */
    sweepIntervalMs: positiveInt.max(MAX_TIMER_MS).default(5000),
    /** Retry back-off base and cap, ms; defaults 1000 and 300000. */
    retryBaseMs: positiveInt.max(MAX_TIMER_MS).default(1000),
    retryMaxMs: positiveInt.max(MAX_TIMER_MS).default(300_000),
    /** Finished outbox changes (success, merged, ignored) are deleted this many hours after they finished; default 168 (7 days), at most 10 years (Postgres' make_interval takes an int). */
    keepDoneHours: positiveInt.max(87_600).default(168),
    /**
     * New parents without an External ID go with their new children (lookups holding `@<id>`) as composite
     * graphs: one call per up to 75 families, all or nothing per family; default true. false: children wait
     * for their parent's sfid (WAITING_FOR_PARENT) as before.
     */
    compositeGraphs: z.boolean().default(true),
  })
  .strict();

/** Inbound (Salesforce → Postgres) tuning. */
export const pollSchema = z
  .object({
    /** Above this many records in a window, use Bulk API 2.0 query; default 10000. */
    bulkThreshold: positiveInt.default(10_000),
    /** A window's upper bound stays this far behind now, ms; default 1000. */
    upperLagMs: delayMs.default(1000),
    /** How many secondary (drift) polls run at once, bounding their DB connections; default 2. */
    secondaryConcurrency: positiveInt.max(16).default(2),
    /** Debounce of event-triggered polls, ms; default 20. */
    eventDebounceMs: delayMs.default(20),
    /** While the API governor has stopped a connection, one `/limits` call this often (ms) learns whether usage fell; default 300000 (5 min, 288 calls a day at most). */
    budgetProbeMs: positiveInt.max(MAX_TIMER_MS).default(300_000),
    /** Cron of the full reconciliation (graphile-worker crontab syntax); default nightly at 03:17. */
    reconcileCron: cron.default('17 3 * * *'),
  })
  .strict();

/** The change feed (docs/schema.md, "The change feed"). */
export const feedSchema = z
  .object({
    /**
     * Append every change sfsync applies to a table, and every change it pushes, to `sfsync.feed`;
     * default false: a database nobody reads the feed of pays nothing for it.
     */
    enabled: z.boolean().default(false),
    /** Entries are deleted this many hours after they settled (hourly `sfsync:prune-feed`); default 24, at most 10 years. */
    retentionHours: positiveInt.max(87_600).default(24),
  })
  .strict();

/** The whole configuration. */
export const configSchema = z
  .object({
    /** Postgres; default `DATABASE_URL`, else an embedded server under `dataDir`. */
    databaseUrl: nonEmpty().optional(),
    /**
     * File holding the key that seals connections' stored secrets (32 bytes,
     * base64 or hex: `openssl rand -base64 32`); default unset. The
     * `SFSYNC_SECRET_KEY` variable may hold the key itself instead.
     */
    secretKeyFile: nonEmpty().optional(),
    /** Directory of the embedded Postgres and local state; default `.sfsync`. */
    dataDir: nonEmpty().default('.sfsync'),
    salesforce: salesforceSchema.default(() => salesforceSchema.parse({})),
    push: pushSchema.default(() => pushSchema.parse({})),
    poll: pollSchema.default(() => pollSchema.parse({})),
    feed: feedSchema.default(() => feedSchema.parse({})),
    worker: z
      .object({
        /** graphile-worker concurrency; default 8. */
        concurrency: positiveInt.max(64).default(8),
      })
      .strict()
      .default({ concurrency: 8 }),
    metrics: z
      .object({
        /** Bind address of /metrics and /healthz; default 127.0.0.1 ("" would bind every interface). Another is allowed, with a warning. */
        host: host.default('127.0.0.1'),
        /** Port; default 9464; 0 turns the endpoint off. */
        port: z.number().int().min(0).max(65535).default(9464),
        /**
         * Secret that the status page's actions (retry, discard, pause, resume, reload) must be posted with;
         * default none: the page is read-only. At least 16 characters; set it through SFSYNC_ACTION_TOKEN rather than the file.
         */
        actionToken: z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 16`)').optional(),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 9464 }),
    /** Log level (pino); default `info`. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();

/** The validated configuration. */
export type SfsyncConfig = z.infer<typeof configSchema>;
/** Salesforce settings after validation. */
export type SalesforceSettings = z.infer<typeof salesforceSchema>;
/** Config as a file or flags may give it (every field optional). */
export type SfsyncConfigInput = z.input<typeof configSchema>;
