import type { Pool } from "pg";
import { lazySchema } from "../core/pg-schema.js";
import type { RateLimitHit, RateLimitStore } from "./types.js";

/** What the store needs of a pg client: `query` (a Pool, Client or PoolClient). */
export type PostgresRateLimitClient = Pick<Pool, "query">;

/** The table the PostgreSQL rate-limit store uses; `PostgresRateLimitStore` creates it on first use. */
export const postgresRateLimitSchema = `
CREATE TABLE IF NOT EXISTS latch_rate_limits (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  reset_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS latch_rate_limits_reset_at ON latch_rate_limits (reset_at)`;

// Insert the key's first window, or count into the current one, or start a new one if it has
// ended: one statement, and the row lock of ON CONFLICT serializes concurrent hits on a key.
const HIT = `
INSERT INTO latch_rate_limits AS r (key, count, reset_at)
VALUES ($1, 1, now() + $2::double precision * interval '1 millisecond')
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN r.reset_at <= now() THEN 1 ELSE r.count + 1 END,
  reset_at = CASE WHEN r.reset_at <= now() THEN EXCLUDED.reset_at ELSE r.reset_at END
RETURNING count, reset_at`;

/** How often a store deletes the rows of finished windows. */
const PURGE_EVERY_MS = 60_000;

/**
 * Rate limiting in PostgreSQL, shared by every instance that uses the database: one row per key
 * holding its current window; a hit is one upsert that counts and returns the window, atomic
 * under concurrency. The database's clock decides when windows end. Rows of finished windows are
 * deleted at most once a minute per store.
 *
 * @example
 * ```ts
 * import { Pool } from "pg";
 * import { PostgresRateLimitStore } from "latch/rate-limit/postgres";
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL });
 * NextAuth({ providers, rateLimit: { store: PostgresRateLimitStore(pool) } });
 * ```
 */
export function PostgresRateLimitStore(client: PostgresRateLimitClient): RateLimitStore {
  const schema = lazySchema(client, postgresRateLimitSchema, "postgresRateLimitSchema");
  let nextPurge = 0;
  return {
    async hit(key, windowMs): Promise<RateLimitHit> {
      if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`latch: rate-limit window must be a positive number of milliseconds, got ${windowMs}`);
      await schema();
      if (Date.now() >= nextPurge) {
        nextPurge = Date.now() + PURGE_EVERY_MS;
        await client.query("DELETE FROM latch_rate_limits WHERE reset_at <= now()");
      }
      const { rows } = await client.query<{ count: number; reset_at: Date }>(HIT, [key, Math.ceil(windowMs)]);
      const row = rows[0];
      if (row === undefined) throw new Error("latch: the rate-limit upsert returned no row");
      return { count: Number(row.count), resetAt: new Date(row.reset_at) };
    },
    async reset(key) {
      await schema();
      await client.query("DELETE FROM latch_rate_limits WHERE key = $1", [key]);
    },
    async undo(key) {
      await schema();
      await client.query("UPDATE latch_rate_limits SET count = count - 1 WHERE key = $1 AND count > 0 AND reset_at > now()", [key]);
    },
  };
}
