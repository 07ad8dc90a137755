/**
 * sfsync's structured logs: pino JSON lines on stderr (stdout stays for a
 * command's own output, so `--json` output parses). Secrets never reach a log
 * line: the paths below are censored wherever an object carrying them is
 * logged (config, connection settings, HTTP headers, token responses).
 */
import pino, { type Logger } from 'pino';

/** Keys censored at the top level and up to two levels down. */
const SECRET_KEYS = [
  'password',
  'clientSecret',
  'client_secret',
  'refreshToken',
  'refresh_token',
  'accessToken',
  'access_token',
  'jwtKeyFile',
  'assertion',
  'databaseUrl',
  'connectionString',
  'authorization',
  'Authorization',
  'sessionId',
  'actionToken',
];

/** pino redaction paths for {@link SECRET_KEYS}, at depths 0 to 2, plus request headers. */
export const REDACT_PATHS: string[] = [...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]), 'req.headers.cookie', 'headers.cookie'];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level; default `info`. */
  level?: string;
  /** Where lines go; default stderr (fd 2). */
  destination?: pino.DestinationStream;
}

/** A pino logger with sfsync's base fields and redaction. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { app: 'sfsync', pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}
