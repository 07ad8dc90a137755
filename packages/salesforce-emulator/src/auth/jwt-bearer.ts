/**
 * Verification of the OAuth 2.0 JWT bearer assertion: RS256 signature against
 * the configured certificate or public key, `iss` = client id, `sub` = username,
 * `aud` = a login URL, `exp` in the future.
 */
import { createPublicKey, verify } from 'node:crypto';

/** Why an assertion was refused, in token-endpoint error terms. */
export class JwtRejected extends Error {
  constructor(
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}

/** What a valid assertion asserts. */
export interface JwtClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
}

function decodePart(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/**
 * Verify an assertion and return its subject (the username).
 * @param audiences accepted `aud` values (the emulator's own URL, login/test.salesforce.com)
 */
export function verifyJwtBearer(assertion: string, publicKeyPem: string | undefined, clientId: string, audiences: string[]): string {
  if (publicKeyPem === undefined) throw new JwtRejected('invalid_grant', 'invalid assertion: no certificate is configured for JWT bearer');
  const parts = assertion.split('.');
  const [headerPart, payloadPart, signaturePart] = parts;
  if (parts.length !== 3 || headerPart === undefined || payloadPart === undefined || signaturePart === undefined) {
    throw new JwtRejected('invalid_grant', 'invalid assertion');
  }
  let header: { alg?: unknown };
  let claims: Partial<JwtClaims>;
  try {
    header = decodePart(headerPart) as { alg?: unknown };
    claims = decodePart(payloadPart) as Partial<JwtClaims>;
  } catch {
    throw new JwtRejected('invalid_grant', 'invalid assertion');
  }
  if (header.alg !== 'RS256') throw new JwtRejected('invalid_grant', 'invalid assertion: algorithm must be RS256');
  const key = createPublicKey(publicKeyPem);
  const signed = Buffer.from(`${headerPart}.${payloadPart}`);
  if (!verify('RSA-SHA256', signed, key, Buffer.from(signaturePart, 'base64url'))) {
    throw new JwtRejected('invalid_grant', 'invalid assertion');
  }
  if (claims.iss !== clientId) throw new JwtRejected('invalid_client_id', 'client identifier invalid');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const normalized = audiences.map((a) => a.replace(/\/$/, ''));
  if (!aud.some((a) => typeof a === 'string' && normalized.includes(a.replace(/\/$/, '')))) {
    throw new JwtRejected('invalid_grant', 'audience is invalid');
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
    throw new JwtRejected('invalid_grant', 'expired authorization code');
  }
  if (typeof claims.sub !== 'string') throw new JwtRejected('invalid_grant', 'invalid assertion');
  return claims.sub;
}
