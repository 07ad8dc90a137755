/**
 * sfsync's configuration, validated by zod. Every field has its default here;
 * precedence is defaults < config file < `SFSYNC_*` env < flags (load-config.ts).
 */
import { z } from 'zod';

const positiveInt = z.number().int().positive();

/** How sfsync reaches Salesforce. Secrets may be given inline or as `@/path/to/file`. */
export const salesforceSchema = z
  .object({
    /** Login URL; default `https://login.salesforce.com` (the demo points it at the emulator). */
    loginUrl: z.string().url().default('https://login.salesforce.com'),
    /** REST API version; default `59.0` (jsforce's own default, 50.0, is too old). */
    apiVersion: z.string().regex(/^\d{2}\.0$/, 'apiVersion looks like 59.0').default('59.0'),
    /** Which OAuth flow; default: `password` when a password is set, else `client_credentials`, `jwt` or `refresh_token` by what is set. */
    authKind: z.enum(['password', 'client_credentials', 'jwt', 'refresh_token', 'soap']).optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    clientId: z.string().optional(),
    clientSecret: z.string().optional(),
    /** PEM private key file for the JWT bearer flow. */
    jwtKeyFile: z.string().optional(),
    refreshToken: z.string().optional(),
    /** `Sforce-Call-Options: client=<id>`: how sfsync's own writes are recognised in CDC `changeOrigin`. Default `sfsync`. */
    callOptionsClient: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/).default('sfsync'),
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
    batchSize: positiveInt.max(200).default(200),
    /** How long a NOTIFY waits for more before a push is queued, ms; default 5. */
    debounceMs: z.number().int().min(0).default(5),
    /** Sweep for changes whose NOTIFY nobody heard, ms; default 5000. */
    sweepIntervalMs: positiveInt.default(5000),
    /** Retry back-off base and cap, ms; defaults 1000 and 300000. */
    retryBaseMs: positiveInt.default(1000),
    retryMaxMs: positiveInt.default(300_000),
    /** Finished outbox changes (success, merged, ignored) are deleted this many hours after they finished; default 168 (7 days). */
    keepDoneHours: positiveInt.default(168),
  })
  .strict();

/** Inbound (Salesforce → Postgres) tuning. */
export const pollSchema = z
  .object({
    /** Above this many records in a window, use Bulk API 2.0 query; default 10000. */
    bulkThreshold: positiveInt.default(10_000),
    /** A window's upper bound stays this far behind now, ms; default 1000. */
    upperLagMs: z.number().int().min(0).default(1000),
    /** How many secondary (drift) polls run at once, bounding their DB connections; default 2. */
    secondaryConcurrency: positiveInt.max(16).default(2),
    /** Debounce of event-triggered polls, ms; default 20. */
    eventDebounceMs: z.number().int().min(0).default(20),
    /** Cron of the full reconciliation (graphile-worker crontab syntax); default nightly at 03:17. */
    reconcileCron: z.string().default('17 3 * * *'),
  })
  .strict();

/** The whole configuration. */
export const configSchema = z
  .object({
    /** Postgres; default `DATABASE_URL`, else an embedded server under `dataDir`. */
    databaseUrl: z.string().optional(),
    /** Directory of the embedded Postgres and local state; default `.sfsync`. */
    dataDir: z.string().default('.sfsync'),
    salesforce: salesforceSchema.default(() => salesforceSchema.parse({})),
    push: pushSchema.default(() => pushSchema.parse({})),
    poll: pollSchema.default(() => pollSchema.parse({})),
    worker: z
      .object({
        /** graphile-worker concurrency; default 8. */
        concurrency: positiveInt.max(64).default(8),
      })
      .strict()
      .default({ concurrency: 8 }),
    metrics: z
      .object({
        /** Bind address of /metrics and /healthz; default 127.0.0.1. */
        host: z.string().default('127.0.0.1'),
        /** Port; default 9464; 0 turns the endpoint off. */
        port: z.number().int().min(0).max(65535).default(9464),
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
