import type { Pool } from "pg";
import { lazySchema } from "../core/pg-schema.js";
import type { RevocationStore } from "./types.js";

/** What the store needs of a pg client: `query` (a Pool, Client or PoolClient). */
export type PostgresRevocationClient = Pick<Pool, "query">;

/** The table the PostgreSQL revocation store uses; `PostgresRevocationStore` creates it on first use. */
export const postgresRevocationSchema = `
CREATE TABLE IF NOT EXISTS latch_revocations (
  kind TEXT NOT NULL CHECK (kind IN ('sid', 'user')),
  key TEXT NOT NULL,
  value BIGINT NOT NULL,
  expires TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (kind, key)
)`;

/**
 * Revocation in PostgreSQL, shared by every instance that uses the database: one row per revoked
 * session and per user cut-off; a check is one indexed query. Expired rows are purged as new
 * ones arrive.
 *
 * @example
 * ```ts
 * import { Pool } from "pg";
 * import { PostgresRevocationStore } from "latch/revocation/postgres";
 * NextAuth({ providers, revocation: PostgresRevocationStore(new Pool({ connectionString: process.env.DATABASE_URL })) });
 * ```
 */
export function PostgresRevocationStore(client: PostgresRevocationClient, options: { maxAge?: number | undefined } = {}): RevocationStore {
  const maxAgeMs = (options.maxAge ?? 30 * 24 * 60 * 60) * 1000;
  const schema = lazySchema(client, postgresRevocationSchema, "postgresRevocationSchema");
  return {
    async revokeSession(sid, until) {
      await schema();
      await client.query("DELETE FROM latch_revocations WHERE expires < now()");
      await client.query(
        "INSERT INTO latch_revocations (kind, key, value, expires) VALUES ('sid', $1, 0, $2) ON CONFLICT (kind, key) DO UPDATE SET expires = GREATEST(latch_revocations.expires, EXCLUDED.expires)",
        [sid, new Date(Math.max(until.getTime(), Date.now() + 1000))],
      );
    },
    async revokeUser(userId, before, until) {
      await schema();
      await client.query(
        "INSERT INTO latch_revocations (kind, key, value, expires) VALUES ('user', $1, $2, $3) ON CONFLICT (kind, key) DO UPDATE SET value = GREATEST(latch_revocations.value, EXCLUDED.value), expires = GREATEST(latch_revocations.expires, EXCLUDED.expires)",
        [userId, before.getTime(), new Date(Math.max(Date.now() + maxAgeMs, until?.getTime() ?? 0))],
      );
    },
    async isRevoked({ sid, userId, authTime }) {
      await schema();
      const { rows } = await client.query<{ kind: string; value: string }>(
        "SELECT kind, value::text AS value FROM latch_revocations WHERE ((kind = 'sid' AND key = $1) OR (kind = 'user' AND key = $2)) AND expires >= now()",
        [sid ?? "\u0001", userId ?? "\u0001"],
      );
      for (const row of rows) {
        if (row.kind === "sid") return true;
        if (authTime === undefined || authTime * 1000 < Number(row.value)) return true;
      }
      return false;
    },
  };
}
