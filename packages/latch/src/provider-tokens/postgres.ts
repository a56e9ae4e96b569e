import { randomUUID } from "node:crypto";
import type { Pool } from "pg";
import { lazySchema } from "../core/pg-schema.js";
import type { ProviderTokenLock, ProviderTokenStore } from "./types.js";
import { checkPut, checkTtl, storedOfRow } from "../core/provider-token-rows.js";

/** What the store needs of a pg client: `query` (a Pool, Client or PoolClient). */
export type PostgresProviderTokenClient = Pick<Pool, "query">;

/**
 * The tables the PostgreSQL provider-token store uses; `PostgresProviderTokenStore` creates them
 * on first use. `expires_at` of the tokens is in seconds since the epoch, as the provider gave it;
 * a lock row is deleted when released, and taken over by the next holder once it has expired.
 */
export const postgresProviderTokenSchema = `
CREATE TABLE IF NOT EXISTS latch_provider_tokens (
  user_id TEXT,
  provider TEXT,
  access_token TEXT NOT NULL,
  refresh_token TEXT,
  expires_at BIGINT,
  scope TEXT,
  token_type TEXT,
  error TEXT,
  version INTEGER NOT NULL,
  PRIMARY KEY (user_id, provider)
);
CREATE TABLE IF NOT EXISTS latch_provider_token_locks (
  user_id TEXT,
  provider TEXT,
  owner TEXT NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (user_id, provider)
)`;

// $1 user, $2 provider, $3–$8 the tokens; $9 the expected version where there is one.
const COLUMNS = "user_id, provider, access_token, refresh_token, expires_at, scope, token_type, error, version";

// Only when nothing is stored: of concurrent inserts exactly one gets a row back.
const INSERT = `
INSERT INTO latch_provider_tokens (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)
ON CONFLICT (user_id, provider) DO NOTHING
RETURNING version`;

// Only at the expected version: concurrent updates wait on the row lock, then re-check the version
// against the row the winner wrote, and find it changed.
const UPDATE = `
UPDATE latch_provider_tokens SET access_token = $3, refresh_token = $4, expires_at = $5, scope = $6, token_type = $7, error = $8, version = version + 1
WHERE user_id = $1 AND provider = $2 AND version = $9::bigint
RETURNING version`;

// Whatever is stored.
const FORCE = `
INSERT INTO latch_provider_tokens AS t (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)
ON CONFLICT (user_id, provider) DO UPDATE SET
  access_token = EXCLUDED.access_token, refresh_token = EXCLUDED.refresh_token, expires_at = EXCLUDED.expires_at,
  scope = EXCLUDED.scope, token_type = EXCLUDED.token_type, error = EXCLUDED.error, version = t.version + 1
RETURNING version`;

// A new lock, or a lock that has expired taken over: one statement, serialized by the row lock of
// ON CONFLICT. A lock still held is left alone and no row comes back.
const LOCK = `
INSERT INTO latch_provider_token_locks (user_id, provider, owner, expires_at)
VALUES ($1, $2, $3, now() + $4::double precision * interval '1 millisecond')
ON CONFLICT (user_id, provider) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
WHERE latch_provider_token_locks.expires_at <= now()
RETURNING owner`;

const RELEASE = "DELETE FROM latch_provider_token_locks WHERE user_id = $1 AND provider = $2 AND owner = $3";

interface TokensRow {
  access_token: string;
  refresh_token: string | null;
  expires_at: string | number | null;
  scope: string | null;
  token_type: string | null;
  error: string | null;
  version: number;
}

/**
 * Provider tokens in PostgreSQL, shared by every instance that uses the database: a row per user
 * and provider with the tokens and their version. Each write is one statement — an insert that
 * does nothing if a row exists, an update guarded by the expected version, or an upsert when
 * forced — so of concurrent writers with the same expected version exactly one wins. The refresh
 * lock is a row taken by one upsert that only overwrites an expired lock, and released by deleting
 * it only while it still names its holder. The database's clock decides when locks expire.
 *
 * @example
 * ```ts
 * import { Pool } from "pg";
 * import { PostgresProviderTokenStore } from "latch/provider-tokens/postgres";
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL });
 * NextAuth({ providers: [Google], providerTokens: { store: PostgresProviderTokenStore(pool) } });
 * ```
 */
export function PostgresProviderTokenStore(client: PostgresProviderTokenClient): ProviderTokenStore {
  const schema = lazySchema(client, postgresProviderTokenSchema, "postgresProviderTokenSchema");
  return {
    async get(userId, provider) {
      await schema();
      const { rows } = await client.query<TokensRow>(
        "SELECT access_token, refresh_token, expires_at, scope, token_type, error, version FROM latch_provider_tokens WHERE user_id = $1 AND provider = $2",
        [userId, provider],
      );
      const row = rows[0];
      return row === undefined ? null : storedOfRow(row);
    },

    async put(userId, provider, tokens, expectedVersion, options = {}) {
      checkPut(tokens, expectedVersion);
      await schema();
      const values = [
        userId,
        provider,
        tokens.accessToken,
        tokens.refreshToken ?? null,
        tokens.expiresAt ?? null,
        tokens.scope ?? null,
        tokens.tokenType ?? null,
        tokens.error ?? null,
      ];
      const { rows } =
        options.force === true
          ? await client.query<{ version: number }>(FORCE, values)
          : expectedVersion === null
            ? await client.query<{ version: number }>(INSERT, values)
            : await client.query<{ version: number }>(UPDATE, [...values, expectedVersion]);
      const row = rows[0];
      return row === undefined ? null : Number(row.version);
    },

    async delete(userId, provider) {
      await schema();
      await client.query("DELETE FROM latch_provider_tokens WHERE user_id = $1 AND provider = $2", [userId, provider]);
    },

    async lock(userId, provider, ttlMs): Promise<ProviderTokenLock | null> {
      checkTtl(ttlMs);
      await schema();
      const owner = randomUUID();
      const { rows } = await client.query<{ owner: string }>(LOCK, [userId, provider, owner, Math.ceil(ttlMs)]);
      if (rows[0]?.owner !== owner) return null;
      return {
        async release() {
          await client.query(RELEASE, [userId, provider, owner]);
        },
      };
    },
  };
}
