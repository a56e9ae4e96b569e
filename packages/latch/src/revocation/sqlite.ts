import type BetterSqlite3 from "better-sqlite3";
import type { RevocationStore } from "./types.js";

/**
 * Revocation in SQLite (one machine, or a shared file): a `latch_revocations` table, created on
 * first use; a check is one indexed query. Rows past their expiry are purged as new ones arrive.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { SQLiteRevocationStore } from "latch/revocation/sqlite";
 * NextAuth({ providers, revocation: SQLiteRevocationStore(new Database("auth.db")) });
 * ```
 */
export function SQLiteRevocationStore(db: BetterSqlite3.Database, options: { maxAge?: number | undefined } = {}): RevocationStore {
  const maxAgeMs = (options.maxAge ?? 30 * 24 * 60 * 60) * 1000;
  db.exec(`CREATE TABLE IF NOT EXISTS latch_revocations (
    kind TEXT NOT NULL CHECK (kind IN ('sid', 'user')),
    key TEXT NOT NULL,
    value INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
  )`);
  const upsertSession = db.prepare("INSERT INTO latch_revocations (kind, key, value, expires) VALUES ('sid', ?, 0, ?) ON CONFLICT (kind, key) DO UPDATE SET expires = max(expires, excluded.expires)");
  const upsertUser = db.prepare("INSERT INTO latch_revocations (kind, key, value, expires) VALUES ('user', ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET value = max(value, excluded.value), expires = max(expires, excluded.expires)");
  const purge = db.prepare("DELETE FROM latch_revocations WHERE expires < ?");
  const check = db.prepare<[string, string, number], { kind: string; value: number }>(
    "SELECT kind, value FROM latch_revocations WHERE ((kind = 'sid' AND key = ?) OR (kind = 'user' AND key = ?)) AND expires >= ?",
  );
  return {
    async revokeSession(sid, until) {
      purge.run(Date.now());
      upsertSession.run(sid, Math.max(until.getTime(), Date.now() + 1000));
    },
    async revokeUser(userId, before, until) {
      const now = Date.now();
      purge.run(now);
      upsertUser.run(userId, before.getTime(), Math.max(now + maxAgeMs, until?.getTime() ?? 0));
    },
    async isRevoked({ sid, userId, authTime }) {
      const rows = check.all(sid ?? "\0", userId ?? "\0", Date.now());
      for (const row of rows) {
        if (row.kind === "sid") return true;
        if (authTime === undefined || authTime * 1000 < row.value) return true;
      }
      return false;
    },
  };
}
