/**
 * Load the configuration: defaults < file < `SFSYNC_*` env (and `DATABASE_URL`) < flags.
 * A bad file or value fails with one line naming the key and the fix.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SfsyncError } from '../errors.js';
import { configSchema, type SfsyncConfig, type SfsyncConfigInput } from './config-schema.js';

/** Default config file name, looked up in the working directory. */
export const DEFAULT_CONFIG_FILE = 'sfsync.config.json';

/** Environment variables and the config keys they set (numbers and booleans are converted, then zod checks them). */
const ENV_KEYS: Record<string, [keyof SfsyncConfigInput, string?, ('number' | 'boolean')?]> = {
  DATABASE_URL: ['databaseUrl'],
  SFSYNC_DATA_DIR: ['dataDir'],
  SFSYNC_SECRET_KEY_FILE: ['secretKeyFile'],
  SFSYNC_LOGIN_URL: ['salesforce', 'loginUrl'],
  SFSYNC_TRUST_STORED_LOGIN_URL: ['salesforce', 'trustStoredLoginUrl', 'boolean'],
  SFSYNC_API_VERSION: ['salesforce', 'apiVersion'],
  SFSYNC_AUTH_KIND: ['salesforce', 'authKind'],
  SFSYNC_USERNAME: ['salesforce', 'username'],
  SFSYNC_PASSWORD: ['salesforce', 'password'],
  SFSYNC_CLIENT_ID: ['salesforce', 'clientId'],
  SFSYNC_CLIENT_SECRET: ['salesforce', 'clientSecret'],
  SFSYNC_JWT_KEY_FILE: ['salesforce', 'jwtKeyFile'],
  SFSYNC_REFRESH_TOKEN: ['salesforce', 'refreshToken'],
  SFSYNC_STREAMING_TRANSPORT: ['salesforce', 'streamingTransport'],
  SFSYNC_PUBSUB_URL: ['salesforce', 'pubsubUrl'],
  SFSYNC_LOG_LEVEL: ['logLevel'],
  SFSYNC_METRICS_HOST: ['metrics', 'host'],
  SFSYNC_METRICS_PORT: ['metrics', 'port', 'number'],
  SFSYNC_ACTION_TOKEN: ['metrics', 'actionToken'],
  SFSYNC_WORKER_CONCURRENCY: ['worker', 'concurrency', 'number'],
  SFSYNC_FEED_ENABLED: ['feed', 'enabled', 'boolean'],
  SFSYNC_FEED_RETENTION_HOURS: ['feed', 'retentionHours', 'number'],
};

/** Where to read from. */
export interface LoadConfigOptions {
  /** Config file; default `sfsync.config.json` in `cwd` when it exists (an explicit path must exist). */
  file?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Highest precedence (CLI flags). */
  overrides?: SfsyncConfigInput;
}

/** Load and validate the configuration. */
export function loadConfig(options: LoadConfigOptions = {}): SfsyncConfig {
  const cwd = options.cwd ?? process.cwd();
  const fromFile = readConfigFile(options.file, cwd);
  const fromEnv = readEnv(options.env ?? process.env);
  const merged = deepMerge(deepMerge(fromFile, fromEnv), options.overrides ?? {});
  return validateConfig(merged, `${options.file ?? DEFAULT_CONFIG_FILE}, SFSYNC_* env or flags`);
}

/** Validate `input` (named `source` in the message); CONFIG_INVALID, one line, on the first problem. */
export function validateConfig(input: SfsyncConfigInput, source: string): SfsyncConfig {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw configError(parsed.error, source);
  return parsed.data;
}

function readConfigFile(file: string | undefined, cwd: string): SfsyncConfigInput {
  const target = path.resolve(cwd, file ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(target, 'utf8');
  } catch (cause) {
    if (file === undefined && (cause as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new SfsyncError('CONFIG_UNREADABLE', `Cannot read the config file ${target}: ${(cause as Error).message}; check the path given to --config.`, {
      cause,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new SfsyncError(
      'CONFIG_INVALID',
      `The config file ${target} is not valid JSON (${(cause as Error).message}); fix the syntax or run \`sfsync init\` for a fresh one.`,
      { cause },
    );
  }
  // `null`, `5` or `[]` used to be taken as an empty file: every setting silently at its default.
  if (!isPlainObject(parsed)) {
    const found = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
    throw new SfsyncError(
      'CONFIG_INVALID',
      `The config file ${target} must be a JSON object ({ ... }), not ${found}; fix it or run \`sfsync init --force\` for a fresh one.`,
    );
  }
  return parsed as SfsyncConfigInput;
}

function readEnv(env: NodeJS.ProcessEnv): SfsyncConfigInput {
  const out: Record<string, unknown> = {};
  for (const [name, [key, sub, type]] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = type === 'number' ? toNumber(name, raw) : type === 'boolean' ? toBoolean(name, raw) : raw;
    if (sub) out[key] = { ...(out[key] as object | undefined), [sub]: value };
    else out[key] = value;
  }
  return out as SfsyncConfigInput;
}

/** A whole number; anything else fails naming the variable (zod would name only the key). */
function toNumber(name: string, raw: string): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new SfsyncError('CONFIG_INVALID', `${name} must be a whole number, not "${raw}"; fix or unset it.`);
  return Number(raw);
}

/** 1/true/yes or 0/false/no; anything else fails naming the variable. */
function toBoolean(name: string, raw: string): boolean {
  if (/^(1|true|yes)$/i.test(raw.trim())) return true;
  if (/^(0|false|no)$/i.test(raw.trim())) return false;
  throw new SfsyncError('CONFIG_INVALID', `${name} must be 1, true or yes (or 0, false or no), not "${raw}"; fix or unset it.`);
}

function deepMerge<T extends object>(base: T, over: T): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(over as Record<string, unknown>)) {
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function configError(error: z.ZodError, source: string): SfsyncError {
  const issue = error.issues[0]!;
  const key = issue.path.join('.') || '(root)';
  const hint = issue.code === 'unrecognized_keys' ? `remove ${issue.keys.join(', ')}` : 'fix the value';
  return new SfsyncError('CONFIG_INVALID', `Invalid configuration at "${key}" (${issue.message}) from ${source}; ${hint}.`);
}

/**
 * Resolve a secret given as `@/path/to/file` to the file's contents (trimmed);
 * other values as they are. `setting` names where it was given (e.g.
 * `SFSYNC_PASSWORD`) for the message. An empty file is refused: read as "no
 * secret", an empty client secret made jsforce fall back to a SOAP login
 * while `connect` stored the password flow.
 */
export function readSecret(value: string | undefined, setting = 'the secret setting'): string | undefined {
  if (value === undefined || !value.startsWith('@')) return value;
  const file = value.slice(1);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new SfsyncError('SECRET_UNREADABLE', `Cannot read the secret file "${file}" given for ${setting} (${reason}); check its path and permissions.`, {
      cause,
    });
  }
  if (text.trim() === '') throw new SfsyncError('SECRET_EMPTY', `The secret file "${file}" given for ${setting} is empty; write the secret into it.`);
  return text.trim();
}
