/**
 * Access tokens, refresh tokens and authorization codes of one org. Tokens are
 * random (never derived from credentials) and never logged.
 */
import { randomBytes } from 'node:crypto';
import type { Session } from '../ports.js';

/** The user a session belongs to. */
export interface SessionUser {
  userId: string;
  username: string;
}

function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** Issues and resolves sessions. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly refreshTokens = new Map<string, SessionUser>();
  private readonly codes = new Map<string, { user: SessionUser; expiresAt: number }>();

  /**
   * @param orgId the 18-character org Id (tokens start with its 15-character form, as real ones do)
   * @param ttlMs current access token lifetime, read at issue time
   */
  constructor(
    private readonly orgId: string,
    private readonly ttlMs: () => number,
  ) {}

  /** A new access token for a user. */
  issue(user: SessionUser): Session {
    const session: Session = {
      accessToken: `${this.orgId.slice(0, 15)}!${randomToken(48)}`,
      userId: user.userId,
      orgId: this.orgId,
      username: user.username,
      expiresAt: Date.now() + this.ttlMs(),
    };
    this.sessions.set(session.accessToken, session);
    return session;
  }

  /** The live session of a token, or undefined when unknown, revoked or expired. */
  get(token: string): Session | undefined {
    const session = this.sessions.get(token);
    if (session === undefined) return undefined;
    if (session.expiresAt <= Date.now()) {
      this.sessions.delete(token);
      return undefined;
    }
    return session;
  }

  /** Resolve `Bearer x` / `OAuth x`. */
  authenticate(header: string | undefined): Session | undefined {
    const m = header === undefined ? null : /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(header);
    return m?.[1] === undefined ? undefined : this.get(m[1]);
  }

  /** Revoke an access token or a refresh token (and, for a refresh token, nothing else). */
  revoke(token: string): boolean {
    return this.sessions.delete(token) || this.refreshTokens.delete(token);
  }

  /** Expire every access token now; refresh tokens stay valid so clients can recover. */
  expireAll(): number {
    const n = this.sessions.size;
    this.sessions.clear();
    return n;
  }

  /** Number of live access tokens. */
  get size(): number {
    return this.sessions.size;
  }

  /** A long-lived refresh token for a user. */
  issueRefreshToken(user: SessionUser): string {
    const token = `5Aep${randomToken(40)}`;
    this.refreshTokens.set(token, user);
    return token;
  }

  /** The user of a refresh token. */
  redeemRefreshToken(token: string): SessionUser | undefined {
    return this.refreshTokens.get(token);
  }

  /** A single-use authorization code (valid 15 minutes, as Salesforce's). */
  issueCode(user: SessionUser): string {
    const code = `aPrx${randomToken(32)}`;
    this.codes.set(code, { user, expiresAt: Date.now() + 15 * 60_000 });
    return code;
  }

  /** Redeem a code once. */
  redeemCode(code: string): SessionUser | undefined {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    return entry !== undefined && entry.expiresAt > Date.now() ? entry.user : undefined;
  }
}
