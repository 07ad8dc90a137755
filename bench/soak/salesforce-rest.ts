/**
 * The Salesforce side's app: plain REST through fetch, logged in with the
 * OAuth password grant, as another integration writing to the org would.
 *
 * It talks API v58.0 while the engine talks v59.0 (SFSYNC_API_VERSION), so the
 * fault rules and lost replies, narrowed to `/services/data/v59.0`, hit only
 * the engine: the workload's own writes either succeed or fail visibly. An
 * expired session (which hits everyone) is answered 401 before anything is
 * done, so it logs in again and repeats the call. Anything else that leaves
 * the outcome unknown (a socket error) is reported as `unknown` for the
 * caller to settle by looking the record up.
 */
import { DEFAULT_LOGIN } from 'salesforce-emulator';

/** The workload's API version (the engine's is 59.0). */
export const WORKLOAD_API_VERSION = '58.0';

/** The emulator's default login. */
export const EMULATOR_LOGIN = DEFAULT_LOGIN;

/** A REST reply, or `unknown` when no reply came (the write may or may not have happened). */
export type RestReply = { kind: 'reply'; status: number; body: unknown } | { kind: 'unknown'; error: string };

/** One record's outcome in an sObject Collections reply. */
export interface CollectionResult {
  id?: string | null;
  success: boolean;
  errors?: Array<{ statusCode?: string; message?: string }>;
}

/** A logged-in REST client. */
export class SalesforceRest {
  private token = '';
  private instanceUrl = '';
  /** Logins done (the first plus one per expired session). */
  logins = 0;

  constructor(private readonly loginUrl: string) {}

  /** OAuth 2.0 username-password grant. */
  async login(): Promise<void> {
    const form = new URLSearchParams({
      grant_type: 'password',
      client_id: EMULATOR_LOGIN.clientId,
      client_secret: EMULATOR_LOGIN.clientSecret,
      username: EMULATOR_LOGIN.username,
      password: EMULATOR_LOGIN.password,
    });
    const response = await fetch(`${this.loginUrl}/services/oauth2/token`, { method: 'POST', body: form, signal: AbortSignal.timeout(30_000) });
    const body = (await response.json()) as { access_token?: string; instance_url?: string };
    if (!response.ok || !body.access_token) throw new Error(`OAuth login failed: ${response.status} ${JSON.stringify(body)}`);
    this.token = body.access_token;
    this.instanceUrl = body.instance_url ?? this.loginUrl;
    this.logins++;
  }

  /** `method /services/data/v58.0<path>`; a 401 logs in again and repeats (nothing happened on a 401). */
  async request(method: string, path: string, body?: unknown): Promise<RestReply> {
    for (let attempt = 0; ; attempt++) {
      const reply = await this.once(method, path, body);
      if (reply.kind === 'reply' && reply.status === 401 && attempt < 3) {
        await this.login();
        continue;
      }
      return reply;
    }
  }

  private async once(method: string, path: string, body?: unknown): Promise<RestReply> {
    let response: Response;
    try {
      response = await fetch(`${this.instanceUrl}/services/data/v${WORKLOAD_API_VERSION}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      return { kind: 'unknown', error: (error as Error).message };
    }
    try {
      const text = await response.text();
      return { kind: 'reply', status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    } catch (error) {
      return { kind: 'unknown', error: (error as Error).message };
    }
  }
}

/** The first error code of a REST error body (`[{errorCode, message}]`), for logs and counters. */
export function errorCodeOf(body: unknown): string {
  if (Array.isArray(body) && body[0] && typeof body[0] === 'object') return String((body[0] as { errorCode?: unknown }).errorCode ?? 'UNKNOWN');
  return 'UNKNOWN';
}
