import type BetterSqlite3 from "better-sqlite3";
import type { RateLimitHit, RateLimitStore } from "./types.js";

/** How often a store deletes the rows of finished windows. */
const PURGE_EVERY_MS = 60_000;

/**
 * Rate limiting in SQLite (one machine, or a file shared by its processes): a `latch_rate_limits`
 * table, created here, with one row per key holding its current window (times in milliseconds);
 * a hit is one upsert that counts and returns the window, atomic however many processes share the
 * file. Rows of finished windows are deleted at most once a minute per store.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { SQLiteRateLimitStore } from "latch/rate-limit/sqlite";
 * NextAuth({ providers, rateLimit: { store: SQLiteRateLimitStore(new Database("auth.db")) } });
 * ```
 */
export function SQLiteRateLimitStore(db: BetterSqlite3.Database): RateLimitStore {
  db.exec(`CREATE TABLE IF NOT EXISTS latch_rate_limits (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    reset_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS latch_rate_limits_reset_at ON latch_rate_limits (reset_at)`);
  // Insert the key's first window, or count into the current one, or start a new one if it has ended.
  const upsert = db.prepare<{ key: string; now: number; resetAt: number }, { count: number | bigint; reset_at: number | bigint }>(
    `INSERT INTO latch_rate_limits (key, count, reset_at) VALUES (@key, 1, @resetAt)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN reset_at <= @now THEN 1 ELSE count + 1 END,
      reset_at = CASE WHEN reset_at <= @now THEN excluded.reset_at ELSE reset_at END
    RETURNING count, reset_at`,
  );
  const remove = db.prepare<[string]>("DELETE FROM latch_rate_limits WHERE key = ?");
  const undo = db.prepare<[string, number]>("UPDATE latch_rate_limits SET count = count - 1 WHERE key = ? AND count > 0 AND reset_at > ?");
  const purge = db.prepare<[number]>("DELETE FROM latch_rate_limits WHERE reset_at <= ?");
  let nextPurge = 0;
  return {
    async hit(key, windowMs): Promise<RateLimitHit> {
      if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`latch: rate-limit window must be a positive number of milliseconds, got ${windowMs}`);
      const now = Date.now();
      if (now >= nextPurge) {
        nextPurge = now + PURGE_EVERY_MS;
        purge.run(now);
      }
      const row = upsert.get({ key, now, resetAt: now + Math.ceil(windowMs) });
      if (row === undefined) throw new Error("latch: the rate-limit upsert returned no row");
      return { count: Number(row.count), resetAt: new Date(Number(row.reset_at)) };
    },
    async reset(key) {
      remove.run(key);
    },
    async undo(key) {
      undo.run(key, Date.now());
    },
  };
}
