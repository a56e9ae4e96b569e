/**
 * The adapter interface: method for method Auth.js's (`@auth/core/adapters`), with the same
 * null and return semantics and the same default schema, so every `@auth/*-adapter` works with
 * latch unchanged. Every method is optional in the type; what a feature needs is checked when
 * the config is resolved.
 *
 * @example
 * ```ts
 * import type { Adapter } from "latch/adapters";
 * const adapter: Adapter = PostgresAdapter(pool);
 * ```
 */
// Self-contained on purpose, but for `User` (a type-only import): the public types in
// ../types.ts import these.
import type { User } from "../types.js";

type Awaitable<T> = T | PromiseLike<T>;

/**
 * A user as stored: `id` and `email` always present, `emailVerified` a date or null. It extends
 * `User`, as in Auth.js: a field an app adds to `User` (`declare module "latch"`) is one stored
 * users have too.
 */
export interface AdapterUser extends User {
  id: string;
  name?: string | null | undefined;
  email: string;
  emailVerified: Date | null;
  image?: string | null | undefined;
}

/** The kinds of account an adapter stores. */
export type AdapterAccountType = "oauth" | "oidc" | "email" | "webauthn";

/** A provider account linked to a user, keyed by (provider, providerAccountId). */
export interface AdapterAccount {
  userId: string;
  type: AdapterAccountType;
  provider: string;
  providerAccountId: string;
  access_token?: string | undefined;
  refresh_token?: string | undefined;
  /** Seconds since the epoch. */
  expires_at?: number | undefined;
  id_token?: string | undefined;
  scope?: string | undefined;
  token_type?: string | undefined;
  session_state?: string | undefined;
  [key: string]: unknown;
}

/** A database session: an opaque token, its user, and when it ends. */
export interface AdapterSession {
  sessionToken: string;
  userId: string;
  expires: Date;
}

/** A single-use token (magic link): `token` is stored hashed. */
export interface VerificationToken {
  identifier: string;
  token: string;
  expires: Date;
}

/** A WebAuthn credential. */
export interface AdapterAuthenticator {
  credentialID: string;
  userId: string;
  providerAccountId: string;
  counter: number;
  credentialBackedUp: boolean;
  credentialPublicKey: string;
  credentialDeviceType: string;
  transports?: string | null | undefined;
}

/** Auth.js's adapter interface. */
export interface Adapter {
  createUser?(user: AdapterUser): Awaitable<AdapterUser>;
  getUser?(id: string): Awaitable<AdapterUser | null>;
  getUserByEmail?(email: string): Awaitable<AdapterUser | null>;
  getUserByAccount?(providerAccountId: Pick<AdapterAccount, "provider" | "providerAccountId">): Awaitable<AdapterUser | null>;
  updateUser?(user: Partial<AdapterUser> & Pick<AdapterUser, "id">): Awaitable<AdapterUser>;
  /** Deletes the user and, by cascade, their accounts and sessions. */
  deleteUser?(userId: string): Promise<void> | Awaitable<AdapterUser | null | undefined>;
  linkAccount?(account: AdapterAccount): Promise<void> | Awaitable<AdapterAccount | null | undefined>;
  unlinkAccount?(providerAccountId: Pick<AdapterAccount, "provider" | "providerAccountId">): Promise<void> | Awaitable<AdapterAccount | undefined>;
  createSession?(session: { sessionToken: string; userId: string; expires: Date }): Awaitable<AdapterSession>;
  getSessionAndUser?(sessionToken: string): Awaitable<{ session: AdapterSession; user: AdapterUser } | null>;
  updateSession?(session: Partial<AdapterSession> & Pick<AdapterSession, "sessionToken">): Awaitable<AdapterSession | null | undefined>;
  deleteSession?(sessionToken: string): Promise<void> | Awaitable<AdapterSession | null | undefined>;
  /**
   * latch's addition (not in Auth.js): deletes every session of a user and returns how many
   * there were. "Sign out everywhere" with database sessions needs it.
   */
  deleteSessionsByUserId?(userId: string): Awaitable<number>;
  /**
   * latch's addition (not in Auth.js): every account linked to a user. When an email link proves
   * an address a user was stored with unproven, latch unlinks the accounts that did not prove it
   * (pre-account hijacking); without this method it can unlink only passkeys.
   */
  listAccountsByUserId?(userId: string): Awaitable<AdapterAccount[]>;
  createVerificationToken?(verificationToken: VerificationToken): Awaitable<VerificationToken | null | undefined>;
  /** Returns the token and deletes it — only when both identifier and token match; atomically. */
  useVerificationToken?(params: { identifier: string; token: string }): Awaitable<VerificationToken | null>;
  /**
   * latch's addition (not in Auth.js): stores the token (the same token again gets the new
   * expiry) and deletes every other token its identifier has, in one step; two replacements at
   * the same moment may each keep theirs. latch uses it for codes an app makes itself
   * (`generateVerificationToken`): only the newest code sent to an address works, so guesses
   * cannot aim at several live codes at once. Without it, older codes work until they expire.
   */
  replaceVerificationToken?(verificationToken: VerificationToken): Awaitable<VerificationToken | null | undefined>;
  getAccount?(providerAccountId: AdapterAccount["providerAccountId"], provider: AdapterAccount["provider"]): Awaitable<AdapterAccount | null>;
  getAuthenticator?(credentialID: AdapterAuthenticator["credentialID"]): Awaitable<AdapterAuthenticator | null>;
  createAuthenticator?(authenticator: AdapterAuthenticator): Awaitable<AdapterAuthenticator>;
  listAuthenticatorsByUserId?(userId: AdapterAuthenticator["userId"]): Awaitable<AdapterAuthenticator[]>;
  updateAuthenticatorCounter?(credentialID: AdapterAuthenticator["credentialID"], newCounter: AdapterAuthenticator["counter"]): Awaitable<AdapterAuthenticator>;
}
