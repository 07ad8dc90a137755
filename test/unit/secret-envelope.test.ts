/**
 * The stored-secret envelope (AES-256-GCM, connection name + login URL +
 * field as AAD) and the rules around it: a secret opens only under its key
 * and for its binding; any change to its text fails; the messages name the
 * connection and the fix.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyId, openSecret, sealSecret, SecretOpenError, type SecretBinding } from '../../src/config/secret-envelope.js';
import { decodeSecretKey, loadSecretKey } from '../../src/config/secret-key.js';
import { openStoredSecrets, parseStoredSecrets, resealSecrets, storeSecrets } from '../../src/config/stored-secrets.js';

const key = randomBytes(32);
const other = randomBytes(32);
const binding: SecretBinding = { connection: 'acme', loginUrl: 'https://acme.my.salesforce.com', field: 'password' };
const dir = mkdtempSync(path.join(tmpdir(), 'sfsync-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failure(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof SecretOpenError ? error.reason : String(error);
  }
  return undefined;
}

describe('secret envelope', () => {
  it('opens what it sealed, and never holds the plaintext', () => {
    const sealed = sealSecret(key, 'p@ss w0rd;é', binding);
    expect(sealed).toMatch(/^v1\.[0-9a-f]{16}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('w0rd');
    expect(openSecret(key, sealed, binding)).toBe('p@ss w0rd;é');
    // A fresh IV each time: the same secret seals to different text.
    expect(sealSecret(key, 'p@ss w0rd;é', binding)).not.toBe(sealed);
  });

  it('compares the login URL in normalized form (trailing slash, default port)', () => {
    const sealed = sealSecret(key, 's', binding);
    expect(openSecret(key, sealed, { ...binding, loginUrl: 'https://acme.my.salesforce.com:443/' })).toBe('s');
  });

  it('refuses a wrong key as such', () => {
    expect(failure(() => openSecret(other, sealSecret(key, 's', binding), binding))).toBe('wrong-key');
  });

  it('refuses every tampered part', () => {
    const sealed = sealSecret(key, 'secret', binding);
    const parts = sealed.split('.');
    for (const index of [2, 3, 4]) {
      const bytes = Buffer.from(parts[index]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      const tampered = parts.map((p, i) => (i === index ? bytes.toString('base64url') : p)).join('.');
      expect(
        failure(() => openSecret(key, tampered, binding)),
        `part ${index}`,
      ).toBe('tampered');
    }
    expect(failure(() => openSecret(key, 'v1.abc', binding))).toBe('malformed');
  });

  it('refuses a wrong AAD: another connection, login URL or field', () => {
    const sealed = sealSecret(key, 'secret', binding);
    expect(failure(() => openSecret(key, sealed, { ...binding, connection: 'globex' }))).toBe('tampered');
    expect(failure(() => openSecret(key, sealed, { ...binding, loginUrl: 'https://attacker.example.com' }))).toBe('tampered');
    expect(failure(() => openSecret(key, sealed, { ...binding, field: 'clientSecret' }))).toBe('tampered');
  });
});

describe('secret key', () => {
  it('reads 32 bytes as base64 or hex, nothing else', () => {
    expect(decodeSecretKey(key.toString('base64'))).toEqual(key);
    expect(decodeSecretKey(key.toString('hex'))).toEqual(key);
    expect(decodeSecretKey(randomBytes(16).toString('base64'))).toBeUndefined();
    expect(decodeSecretKey('correct horse battery staple')).toBeUndefined();
  });

  it('comes from SFSYNC_SECRET_KEY or the key file, not both', () => {
    const file = path.join(dir, 'key');
    writeFileSync(file, `${other.toString('base64')}\n`);
    expect(loadSecretKey(undefined, {})).toBeUndefined();
    expect(loadSecretKey(undefined, { SFSYNC_SECRET_KEY: key.toString('base64') })?.key).toEqual(key);
    expect(loadSecretKey(file, {})?.key).toEqual(other);
    expect(() => loadSecretKey(file, { SFSYNC_SECRET_KEY: key.toString('base64') })).toThrow(/keep one of them/);
    expect(() => loadSecretKey(undefined, { SFSYNC_SECRET_KEY: 'short' })).toThrow(/openssl rand -base64 32/);
  });
});

describe('stored secrets', () => {
  const acme = { name: 'acme', loginUrl: 'https://acme.my.salesforce.com' };
  const given = { password: { value: 'pw', ref: '@/run/acme-password' }, clientSecret: { value: 'cs', ref: 'env:ACME_SECRET' } };

  it('stores references only without a key, sealed values with one', () => {
    expect(storeSecrets(acme, given, undefined)).toEqual({ password: { ref: '@/run/acme-password' }, clientSecret: { ref: 'env:ACME_SECRET' } });
    const sealed = storeSecrets(acme, given, { key, source: 'test' });
    expect(JSON.stringify(sealed)).not.toMatch(/"pw"|"cs"|acme-password|ACME_SECRET/);
    expect(openStoredSecrets({ ...acme, secrets: sealed }, { key, source: 'test' })).toEqual({ password: 'pw', clientSecret: 'cs' });
  });

  it('fails in one line naming the connection and the fix', () => {
    const secrets = storeSecrets(acme, given, { key, source: 'test' });
    expect(() => openStoredSecrets({ ...acme, secrets }, undefined)).toThrow(
      /^Connection "acme" has encrypted secrets but no key is set; set SFSYNC_SECRET_KEY/,
    );
    expect(() => openStoredSecrets({ ...acme, secrets }, { key: other, source: 'SFSYNC_SECRET_KEY' })).toThrow(
      new RegExp(`^Connection "acme"'s secrets were sealed under key ${keyId(key)}, not SFSYNC_SECRET_KEY .*--rotate-key`),
    );
    expect(() => openStoredSecrets({ ...acme, loginUrl: 'https://evil.example.com', secrets }, { key, source: 'test' })).toThrow(
      /^Connection "acme"'s stored --password does not open for login URL https:\/\/evil\.example\.com: .*run `sfsync connect --name acme/,
    );
    // A secret copied onto another connection does not open there.
    expect(() => openStoredSecrets({ name: 'globex', loginUrl: acme.loginUrl, secrets }, { key, source: 'test' })).toThrow(/does not open/);
  });

  it('re-seals under a new key, keeping references', () => {
    const secrets = { ...storeSecrets(acme, { password: given.password }, { key, source: 'old' }), clientSecret: { ref: 'env:ACME_SECRET' } };
    const resealed = resealSecrets({ ...acme, secrets }, { key, source: 'old' }, { key: other, source: 'new' });
    expect(resealed.clientSecret).toEqual({ ref: 'env:ACME_SECRET' });
    expect(openStoredSecrets({ ...acme, secrets: { password: resealed.password! } }, { key: other, source: 'new' })).toEqual({ password: 'pw' });
    expect(() => openStoredSecrets({ ...acme, secrets: { password: resealed.password! } }, { key, source: 'old' })).toThrow(/sealed under key/);
  });

  it('refuses stored secrets of an unknown shape', () => {
    expect(parseStoredSecrets('acme', {})).toEqual({});
    expect(() => parseStoredSecrets('acme', { password: 'pw' })).toThrow(/Connection "acme" has unreadable stored secrets/);
    expect(() => parseStoredSecrets('acme', { token: { ref: '@x' } })).toThrow(/unreadable/);
  });
});
