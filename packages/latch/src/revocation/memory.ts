import type { RevocationStore } from "./types.js";

/** Options of the in-memory revocation store. */
export interface MemoryRevocationOptions {
  /** Seconds a user's "signed out everywhere" cut-off is kept: at least the session's maxAge. Default 30 days. */
  maxAge?: number | undefined;
}

/**
 * Revocation in this process's memory, for development, tests and single-process servers: a
 * revoked session is refused at once here, but another instance or a restarted process does not
 * know of it. Entries are dropped when they expire and never before — a store that forgot a
 * revocation to save memory would bring the session back — so memory grows with the sign-outs
 * of one session lifetime. Use Redis, PostgreSQL or SQLite anywhere else.
 *
 * @example
 * ```ts
 * import { MemoryRevocationStore } from "latch/revocation/memory";
 * NextAuth({ providers, revocation: MemoryRevocationStore() });
 * ```
 */
export function MemoryRevocationStore(options: MemoryRevocationOptions = {}): RevocationStore {
  const maxAgeMs = (options.maxAge ?? 30 * 24 * 60 * 60) * 1000;
  if (!Number.isFinite(maxAgeMs) || maxAgeMs <= 0) throw new RangeError(`latch: maxAge must be a positive number of seconds, got ${options.maxAge}`);
  // sid → expiry; user id → { cut-off, expiry } (ms).
  const sessions = new Map<string, number>();
  const users = new Map<string, { before: number; expires: number }>();
  let nextPurge = 0;

  const purge = (now: number): void => {
    if (now < nextPurge) return;
    nextPurge = now + 60_000;
    for (const [sid, expires] of sessions) if (expires < now) sessions.delete(sid);
    for (const [userId, entry] of users) if (entry.expires < now) users.delete(userId);
  };

  return {
    async revokeSession(sid, until) {
      const now = Date.now();
      purge(now);
      sessions.set(sid, Math.max(sessions.get(sid) ?? 0, until.getTime(), now + 1000));
    },
    async revokeUser(userId, before, until) {
      const now = Date.now();
      purge(now);
      const current = users.get(userId);
      users.set(userId, { before: Math.max(current?.before ?? 0, before.getTime()), expires: Math.max(current?.expires ?? 0, now + maxAgeMs, until?.getTime() ?? 0) });
    },
    async isRevoked({ sid, userId, authTime }) {
      const now = Date.now();
      if (sid !== undefined) {
        const expires = sessions.get(sid);
        if (expires !== undefined && expires >= now) return true;
      }
      if (userId !== undefined) {
        const entry = users.get(userId);
        if (entry && entry.expires >= now && (authTime === undefined || authTime * 1000 < entry.before)) return true;
      }
      return false;
    },
  };
}
