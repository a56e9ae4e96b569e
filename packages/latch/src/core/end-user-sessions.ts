/**
 * Ending every session of one user, as `signOutEverywhere()` (the user's own choice) and
 * `revokeUser()` (the app's: a ban, a deleted account) do: database rows are deleted, JWT
 * sessions are cut off through the revocation store. One rule, so the two cannot drift apart.
 */
import { MissingAdapterMethods, UnsupportedStrategy } from "../errors.js";
import type { SessionRevokedAuditEvent } from "../types.js";
import { emitAudit } from "./audit.js";
import type { ResolvedConfig } from "./config.js";
import { CLOCK_TOLERANCE } from "./session/jwe-checks.js";

/**
 * How long a revocation must be kept to outlive what it ends: any copy of a JWT session token
 * (renewed up to `maxAge` from now, a thief's included) and every refresh family, which may live
 * for `bearer.refreshTokens.absoluteMaxAge` (90 days by default) however long the session's own
 * tokens live — each plus the clock tolerance a token's expiry is read with. Once the store
 * forgets, a token it no longer refuses would work again.
 *
 * @example
 * ```ts
 * await revocation.revokeSession(sid, revocationHorizon(resolved, token.exp * 1000));
 * ```
 */
export function revocationHorizon(resolved: ResolvedConfig, atLeastMs = 0): Date {
  // Bearer tokens issued from the cookie are not cut at the session's expiry: their lifetime too.
  const longest = Math.max(resolved.jwtMaxAge, resolved.sessionMaxAge, resolved.bearer?.maxAge ?? 0, resolved.bearer?.refresh?.absoluteMaxAge ?? 0);
  // A token is still accepted CLOCK_TOLERANCE seconds past its exp: so must its revocation be.
  return new Date(Math.max(atLeastMs, Date.now() + longest * 1000) + CLOCK_TOLERANCE * 1000);
}

/**
 * Throws, saying what to set, unless the config can end a user's sessions: database sessions
 * need the adapter's `deleteSessionsByUserId`, JWT sessions a `revocation` store.
 *
 * @example
 * ```ts
 * requireEndable(resolved, "signOutEverywhere()");
 * ```
 */
export function requireEndable(resolved: ResolvedConfig, caller: string): void {
  if (resolved.strategy === "database") {
    if (!resolved.adapter?.deleteSessionsByUserId) {
      throw new MissingAdapterMethods(`${caller} with database sessions needs the adapter method deleteSessionsByUserId (latch's SQLite, PostgreSQL and Redis adapters have it).`);
    }
  } else if (!resolved.revocation) {
    throw new UnsupportedStrategy(`${caller} with JWT sessions needs a revocation store: set \`revocation\` (e.g. RedisRevocationStore) in the config.`);
  }
}

/**
 * Ends every session of `userId` on every device, now: database rows are deleted (with them
 * their refresh tokens), JWT sessions get a cut-off in the `revocation` store (which their bearer
 * and refresh tokens also answer to). A database session's bearer tokens already issued live
 * out their lifetime. Throws what is missing, saying what to set, before ending anything.
 *
 * @example
 * ```ts
 * await endUserSessions(resolved, "user-1", "sign-out-everywhere", "signOutEverywhere()", request);
 * ```
 */
export async function endUserSessions(
  resolved: ResolvedConfig,
  userId: string,
  reason: SessionRevokedAuditEvent["reason"],
  caller: string,
  request?: Request,
): Promise<void> {
  requireEndable(resolved, caller);
  const { adapter, revocation } = resolved;
  if (resolved.strategy === "database") {
    // The rows are the sessions: their refresh families end with them. Bearer tokens already
    // issued live out their lifetime (bearer.maxAge): a user cut-off in a revocation store would
    // refuse them, but database bearer tokens carry no sign-in time, so it would refuse the
    // user's later ones too — and the time a token is signed cannot tell a session read before
    // the rows were deleted from one begun after.
    await adapter?.deleteSessionsByUserId?.(userId);
  } else {
    // JWT sessions, their bearer tokens and refresh families are all checked against the store.
    await revocation?.revokeUser(userId, new Date(), revocationHorizon(resolved));
  }
  await emitAudit(resolved, { type: "session-revoked", userId, scope: "user", reason }, request);
}
