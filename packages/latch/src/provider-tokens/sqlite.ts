import { randomUUID } from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";
import type { ProviderTokenLock, ProviderTokenStore } from "./types.js";
import { checkPut, checkTtl, storedOfRow } from "../core/provider-token-rows.js";

type Integer = number | bigint;

interface TokensRow {
  access_token: string;
  refresh_token: string | null;
  expires_at: Integer | null;
  scope: string | null;
  token_type: string | null;
  error: string | null;
  version: Integer;
}

interface TokensParams {
  userId: string;
  provider: string;
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number | null;
  scope: string | null;
  tokenType: string | null;
  error: string | null;
}

/**
 * Provider tokens in SQLite (one machine, or a file shared by its processes): tables
 * `latch_provider_tokens` and `latch_provider_token_locks`, created here (lock expiry in
 * milliseconds, token expiry in seconds as the provider gave it). Each write and each lock is one
 * statement — an insert that does nothing if a row exists, an update guarded by the expected
 * version, an upsert when forced, an upsert that only takes over an expired lock — and SQLite runs
 * every statement under its write lock, so these are atomic however many processes share the
 * file, with no read-then-write in between. This process's clock decides when locks expire.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { SQLiteProviderTokenStore } from "latch/provider-tokens/sqlite";
 * NextAuth({ providers: [Google], providerTokens: { store: SQLiteProviderTokenStore(new Database("auth.db")) } });
 * ```
 */
export function SQLiteProviderTokenStore(db: BetterSqlite3.Database): ProviderTokenStore {
  db.exec(`CREATE TABLE IF NOT EXISTS latch_provider_tokens (
    user_id TEXT,
    provider TEXT,
    access_token TEXT NOT NULL,
    refresh_token TEXT,
    expires_at INTEGER,
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
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, provider)
  )`);

  const find = db.prepare<[string, string], TokensRow>(
    "SELECT access_token, refresh_token, expires_at, scope, token_type, error, version FROM latch_provider_tokens WHERE user_id = ? AND provider = ?",
  );
  const values = "(@userId, @provider, @accessToken, @refreshToken, @expiresAt, @scope, @tokenType, @error, 1)";
  const columns = "(user_id, provider, access_token, refresh_token, expires_at, scope, token_type, error, version)";
  // Only when nothing is stored.
  const insert = db.prepare<TokensParams, { version: Integer }>(
    `INSERT INTO latch_provider_tokens ${columns} VALUES ${values} ON CONFLICT (user_id, provider) DO NOTHING RETURNING version`,
  );
  // Only at the expected version.
  const update = db.prepare<TokensParams & { expected: number }, { version: Integer }>(
    `UPDATE latch_provider_tokens SET access_token = @accessToken, refresh_token = @refreshToken, expires_at = @expiresAt,
      scope = @scope, token_type = @tokenType, error = @error, version = version + 1
    WHERE user_id = @userId AND provider = @provider AND version = @expected
    RETURNING version`,
  );
  // Whatever is stored.
  const force = db.prepare<TokensParams, { version: Integer }>(
    `INSERT INTO latch_provider_tokens ${columns} VALUES ${values}
    ON CONFLICT (user_id, provider) DO UPDATE SET access_token = excluded.access_token, refresh_token = excluded.refresh_token,
      expires_at = excluded.expires_at, scope = excluded.scope, token_type = excluded.token_type, error = excluded.error,
      version = latch_provider_tokens.version + 1
    RETURNING version`,
  );
  const remove = db.prepare<[string, string]>("DELETE FROM latch_provider_tokens WHERE user_id = ? AND provider = ?");
  // A new lock, or an expired one taken over; a lock still held is left alone and no row comes back.
  const lock = db.prepare<{ userId: string; provider: string; owner: string; now: number; expiresAt: number }, { owner: string }>(
    `INSERT INTO latch_provider_token_locks (user_id, provider, owner, expires_at) VALUES (@userId, @provider, @owner, @expiresAt)
    ON CONFLICT (user_id, provider) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
    WHERE latch_provider_token_locks.expires_at <= @now
    RETURNING owner`,
  );
  const release = db.prepare<[string, string, string]>("DELETE FROM latch_provider_token_locks WHERE user_id = ? AND provider = ? AND owner = ?");

  return {
    async get(userId, provider) {
      const row = find.get(userId, provider);
      return row === undefined ? null : storedOfRow(row);
    },

    async put(userId, provider, tokens, expectedVersion, options = {}) {
      checkPut(tokens, expectedVersion);
      const params: TokensParams = {
        userId,
        provider,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken ?? null,
        expiresAt: tokens.expiresAt ?? null,
        scope: tokens.scope ?? null,
        tokenType: tokens.tokenType ?? null,
        error: tokens.error ?? null,
      };
      const row = options.force === true ? force.get(params) : expectedVersion === null ? insert.get(params) : update.get({ ...params, expected: expectedVersion });
      return row === undefined ? null : Number(row.version);
    },

    async delete(userId, provider) {
      remove.run(userId, provider);
    },

    async lock(userId, provider, ttlMs): Promise<ProviderTokenLock | null> {
      checkTtl(ttlMs);
      const owner = randomUUID();
      const now = Date.now();
      const row = lock.get({ userId, provider, owner, now, expiresAt: now + Math.ceil(ttlMs) });
      if (row?.owner !== owner) return null;
      return {
        async release() {
          release.run(userId, provider, owner);
        },
      };
    },
  };
}
