/**
 * Ending every session of one user, as `signOutEverywhere()` (the user's own choice) and
 * `revokeUser()` (the app's: a ban, a deleted account, a password reset) do: database rows are
 * deleted, JWT sessions and the refresh-token families of both strategies are cut off through
 * the revocation store. One rule, so the two cannot drift apart.
 */
import { MissingAdapterMethods, UnsupportedStrategy } from "../errors.js";
import type { SessionRevokedAuditEvent } from "../types.js";
import { emitAudit } from "./audit.js";
import type { ResolvedConfig } from "./config.js";

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
 * Ends every session of `userId` on every device, now. Database sessions need the adapter's
 * `deleteSessionsByUserId`; JWT sessions a `revocation` store. With database sessions and a
 * revocation store, the user's bearer tokens are revoked too (without one they live out their
 * short lifetime). Throws what is missing, saying what to set, before ending anything.
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
  if (resolved.strategy === "database") await adapter?.deleteSessionsByUserId?.(userId);
  // Bearer tokens and refresh families of JWT sessions are checked against the store, as are
  // those of database sessions when the app set one.
  if (revocation) await revocation.revokeUser(userId, new Date());
  await emitAudit(resolved, { type: "session-revoked", userId, scope: "user", reason }, request);
}
