/**
 * What an Org is built from: identity (credentials of the admin user and the
 * connected app), schema, initial controls and automation, and the identity
 * defaults every emulator shares.
 */
import type { AutomationRule } from './automation.js';
import type { ControlsInput } from './controls.js';
import type { SchemaConfig } from './schema-config.js';

/** Credentials and identity of the org; every field has a default. */
export interface OrgIdentityOptions {
  /** Default `admin@sfsync.test`. */
  username?: string;
  /** Default `sfsync`. */
  password?: string;
  /** Connected app consumer key; default `sfsync-local`. */
  clientId?: string;
  /** Connected app consumer secret; default `sfsync-local-secret`. */
  clientSecret?: string;
  /** PEM certificate or public key that verifies JWT bearer assertions (RS256); default none (JWT grant refused). */
  jwtPublicKey?: string;
  /** Also return a refresh_token from the password grant (real Salesforce does not); default false. */
  issueRefreshTokens?: boolean;
  /**
   * Five base-62 characters that mark this org's record Ids (after the key
   * prefix) and its organization Id. Default: a fresh random tag no other org of
   * this process has, so two emulators side by side never hand out the same Id.
   * Give the tag of an earlier run to re-create its records with the same Ids.
   */
  idTag?: string;
}

/** Everything an Org is built from. */
export interface OrgOptions extends OrgIdentityOptions {
  /** Custom objects, fields and validation rules. */
  schema?: SchemaConfig;
  /** Initial control settings. */
  controls?: ControlsInput;
  /** Initial automation rules. */
  automation?: AutomationRule[];
}

/** Resolved identity settings. */
export type OrgIdentity = Required<Omit<OrgIdentityOptions, 'jwtPublicKey' | 'idTag'>> & { jwtPublicKey: string | undefined };

/** The default org's login: what the demo, the tests, the benchmarks and the soak use. */
export const DEFAULT_LOGIN = {
  username: 'admin@sfsync.test',
  password: 'sfsync',
  clientId: 'sfsync-local',
  clientSecret: 'sfsync-local-secret',
} as const;

/** Identity options with their defaults filled in. */
export function resolveIdentity(options: OrgIdentityOptions): OrgIdentity {
  return {
    username: options.username ?? DEFAULT_LOGIN.username,
    password: options.password ?? DEFAULT_LOGIN.password,
    clientId: options.clientId ?? DEFAULT_LOGIN.clientId,
    clientSecret: options.clientSecret ?? DEFAULT_LOGIN.clientSecret,
    jwtPublicKey: options.jwtPublicKey,
    issueRefreshTokens: options.issueRefreshTokens ?? false,
  };
}
