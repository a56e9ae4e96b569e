/**
 * A revocation store ends JWT sessions at once, on every instance: a session token carries a
 * session id (`sid`) and its sign-in time (`auth_time`), and every read asks the store, in one
 * round trip, whether that session was revoked or its user signed out everywhere after it began.
 * `getToken()` does not ask it: it only decrypts the cookie.
 *
 * @example
 * ```ts
 * import { RedisRevocationStore } from "latch/revocation/redis";
 * NextAuth({ providers, revocation: RedisRevocationStore(redis) });
 * ```
 */
export interface RevocationStore {
  /** Ends one session; kept until `until` (the token's expiry), after which the token is dead anyway. */
  revokeSession(sid: string, until: Date): Promise<void>;
  /**
   * Ends every session of `userId` that began before `before` ("sign out everywhere"). The
   * cut-off is kept at least the store's own `maxAge`, and at least until `until` when latch
   * passes it: the longest a session token or refresh token begun before can live.
   */
  revokeUser(userId: string, before: Date, until?: Date): Promise<void>;
  /** True when the session was revoked, or began (`authTime`, seconds) before its user's cut-off. */
  isRevoked(session: { sid: string | undefined; userId: string | undefined; authTime: number | undefined }): Promise<boolean>;
}
