/**
 * Where latch keeps the tokens a provider issued (access token, refresh token, expiry), on the
 * server, per user and provider — never in the session cookie, which stays small whatever the
 * provider returns. `getAccessToken()` reads them and refreshes them when they are near expiry;
 * the store makes that race-free across instances: writes are compare-and-set on a version, and
 * a short lock lets one instance refresh while the others wait and read its result.
 *
 * @example
 * ```ts
 * import { RedisProviderTokenStore } from "latch/provider-tokens/redis";
 * NextAuth({ providers: [Google], providerTokens: { store: RedisProviderTokenStore(redis) } });
 * ```
 */
export interface ProviderTokenStore {
  /** The stored tokens of `userId` at `provider`, or null. */
  get(userId: string, provider: string): Promise<StoredProviderTokens | null>;
  /**
   * Writes tokens when the stored version is still `expectedVersion` (`null`: only when nothing is
   * stored — or always, with `force`), bumping the version. Returns the new version, or `null`
   * when another writer got there first (nothing is written then).
   */
  put(userId: string, provider: string, tokens: ProviderTokens, expectedVersion: number | null, options?: { force?: boolean }): Promise<number | null>;
  /**
   * Deletes the tokens of `userId` at `provider`. Sign-out, sign-out everywhere and unlinking an
   * account leave the tokens in place; call it (e.g. from `events.signOut`) when they should go.
   * latch calls it itself only for accounts nobody proved were the user's: when an email link
   * proves the address of a user stored unverified, and the accounts linked before are unlinked.
   */
  delete(userId: string, provider: string): Promise<void>;
  /**
   * Takes the refresh lock of `userId` at `provider` for `ttlMs` (it expires on its own if the
   * holder dies). Returns the lock, or null when someone else holds it.
   */
  lock(userId: string, provider: string, ttlMs: number): Promise<ProviderTokenLock | null>;
}

/** A held lock. Releasing a lock that expired, or that someone else took since, does nothing. */
export interface ProviderTokenLock {
  release(): Promise<void>;
}

/** The tokens of one user at one provider. */
export interface ProviderTokens {
  accessToken: string;
  refreshToken?: string | undefined;
  /** Seconds since the epoch; absent when the provider gave no lifetime. */
  expiresAt?: number | undefined;
  scope?: string | undefined;
  tokenType?: string | undefined;
  /** Set when a refresh failed for good (revoked grant): the user must sign in again. */
  error?: "RefreshTokenError" | undefined;
}

/** Tokens as stored, with their version (1 for the first write). */
export interface StoredProviderTokens extends ProviderTokens {
  version: number;
}
