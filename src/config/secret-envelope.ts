/**
 * The envelope of a stored secret: AES-256-GCM (node:crypto) under the
 * operator's key, with the connection's name, login URL and the secret's
 * field as additional authenticated data. Sealed that way, a secret opens
 * only for the connection and login URL it was stored for: a database writer
 * who points `login_url` elsewhere, or copies one connection's secret onto
 * another, gets an authentication failure instead of a password sent away.
 *
 * Text form: `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url parts). The key
 * id (8 bytes of a SHA-256 of the key) lets a wrong key be told apart from a
 * tampered secret; it reveals nothing usable about the key.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { normalizeLoginUrl } from './login-url.js';

/** Bytes of an AES-256 key. */
export const SECRET_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/** What a secret is bound to. */
export interface SecretBinding {
  /** The connection's name (`sfsync.connections.name`). */
  connection: string;
  /** The connection's login URL; compared in normalized form (login-url.ts). */
  loginUrl: string;
  /** Which secret: password, clientSecret, refreshToken or jwtKey. */
  field: string;
}

/** Why a sealed secret did not open. */
export type OpenFailure = 'malformed' | 'wrong-key' | 'tampered';

/** Thrown by {@link openSecret}; `reason` says which failure it was. */
export class SecretOpenError extends Error {
  constructor(readonly reason: OpenFailure) {
    super(`sealed secret did not open (${reason})`);
    this.name = 'SecretOpenError';
  }
}

/** The key's public id: 16 hex digits of SHA-256("sfsync secret key id" ‖ key). */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('sfsync secret key id\0').update(key).digest('hex').slice(0, 16);
}

/** The additional authenticated data: version, connection, normalized login URL and field, NUL-separated. */
export function bindingData(binding: SecretBinding): Buffer {
  return Buffer.from([VERSION, binding.connection, normalizeLoginUrl(binding.loginUrl), binding.field].join('\0'), 'utf8');
}

/** Seal `plaintext` under `key` (32 bytes) for `binding`; a fresh random IV each time. */
export function sealSecret(key: Buffer, plaintext: string, binding: SecretBinding): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(bindingData(binding));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, keyId(key), iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** The key id a sealed secret names, or undefined when it is not an envelope. */
export function sealedKeyId(sealed: string): string | undefined {
  const parts = sealed.split('.');
  return parts.length === 5 && parts[0] === VERSION ? parts[1] : undefined;
}

/**
 * Open a sealed secret. Throws {@link SecretOpenError}: `wrong-key` when it
 * names another key, `tampered` when the key matches but the text, IV, tag
 * or binding (connection, login URL, field) does not, `malformed` otherwise.
 */
export function openSecret(key: Buffer, sealed: string, binding: SecretBinding): string {
  assertKey(key);
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretOpenError('malformed');
  const [, id, ivText, bodyText, tagText] = parts as [string, string, string, string, string];
  if (id !== keyId(key)) throw new SecretOpenError('wrong-key');
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretOpenError('malformed');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(bindingData(binding));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretOpenError('tampered');
  }
}

function assertKey(key: Buffer): void {
  if (key.length !== SECRET_KEY_BYTES) throw new RangeError(`an AES-256 key is ${SECRET_KEY_BYTES} bytes, not ${key.length}`);
}
