import type { Pool } from "pg";
import { lazySchema } from "../core/pg-schema.js";
import { retryWindowMs } from "./retry-window.js";
import type { RefreshFamily, RefreshTokenStore, RotateResult } from "./types.js";

/** What the store needs of a pg client: `query` (a Pool, Client or PoolClient). */
export type PostgresRefreshTokenClient = Pick<Pool, "query">;

/**
 * The tables the PostgreSQL refresh-token store uses; `PostgresRefreshTokenStore` creates them on
 * first use. A token row stays until its family ends (deleting the family deletes its tokens):
 * used tokens must stay recognizable for reuse detection. `successor` names the token a use made
 * current (added to tables created before it existed).
 */
export const postgresRefreshTokenSchema = `
CREATE TABLE IF NOT EXISTS latch_refresh_families (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  sid TEXT,
  session_token TEXT,
  auth_time BIGINT,
  claims JSONB NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS latch_refresh_families_expires_at ON latch_refresh_families (expires_at);
CREATE TABLE IF NOT EXISTS latch_refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  family_id TEXT NOT NULL REFERENCES latch_refresh_families (id) ON DELETE CASCADE,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ,
  successor TEXT
);
-- Tables created before the column get it. Looked up first: ALTER TABLE locks the table against
-- every reader, even when there is nothing to add, and this script runs at each store's start.
DO $latch$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('latch_refresh_tokens') AND attname = 'successor' AND NOT attisdropped) THEN
    ALTER TABLE latch_refresh_tokens ADD COLUMN IF NOT EXISTS successor TEXT;
  END IF;
END $latch$;
CREATE INDEX IF NOT EXISTS latch_refresh_tokens_family_id ON latch_refresh_tokens (family_id)`;

const FAMILY_COLUMNS = "f.id, f.user_id, f.sid, f.session_token, f.auth_time::text AS auth_time, f.claims, f.expires_at";

// The family and its first token in one statement, so neither exists without the other.
const CREATE = `
WITH family AS (
  INSERT INTO latch_refresh_families (id, user_id, sid, session_token, auth_time, claims, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
  RETURNING id
)
INSERT INTO latch_refresh_tokens (token_hash, family_id, expires_at) SELECT $8, id, $9 FROM family`;

// The token is unused and unexpired, its family live: mark the token used and insert its successor,
// in one statement. The token row's update serializes concurrent rotations of one token: the
// others wait, re-check the row, find it used and get no row. A revocation that commits while
// this runs may go unseen (the two are concurrent): the successor is then dead on arrival.
const ROTATE = `
WITH used AS (
  UPDATE latch_refresh_tokens t SET used_at = now(), successor = $2
  FROM latch_refresh_families f
  WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > now()
    AND f.id = t.family_id AND f.revoked_at IS NULL AND f.expires_at > now()
  RETURNING ${FAMILY_COLUMNS}
), next AS (
  INSERT INTO latch_refresh_tokens (token_hash, family_id, expires_at) SELECT $2, id, $3 FROM used
)
SELECT * FROM used`;

// No rotation, but the token was used within the retry window ($4 seconds) and its successor is
// still unused: a retry after a lost answer. The successor is retired (used, without a successor
// of its own, so it counts as reused if it ever comes back) and $2 takes its place. The presented
// token's row lock orders concurrent retries; a successor another statement inserted after this
// one began is not seen, so a retry that finds nothing is tried once more, with a fresh snapshot,
// before the token counts as reused. A third retry racing those two may still fail closed.
const RETRY = `
WITH presented AS (
  SELECT t.token_hash, t.successor, t.family_id
  FROM latch_refresh_tokens t JOIN latch_refresh_families f ON f.id = t.family_id
  WHERE t.token_hash = $1 AND t.used_at IS NOT NULL AND t.successor IS NOT NULL
    AND t.used_at >= now() - make_interval(secs => $4::double precision) AND t.used_at <= now()
    AND f.revoked_at IS NULL AND f.expires_at > now()
  FOR UPDATE OF t
), retired AS (
  UPDATE latch_refresh_tokens s SET used_at = now()
  FROM presented p
  WHERE s.token_hash = p.successor AND s.used_at IS NULL AND s.expires_at > now()
  RETURNING p.token_hash, p.family_id
), relinked AS (
  UPDATE latch_refresh_tokens t SET successor = $2 FROM retired r WHERE t.token_hash = r.token_hash
), next AS (
  INSERT INTO latch_refresh_tokens (token_hash, family_id, expires_at) SELECT $2, family_id, $3 FROM retired
)
SELECT ${FAMILY_COLUMNS} FROM retired r JOIN latch_refresh_families f ON f.id = r.family_id`;

// No rotation: if the token was used and its family is live, this is a reuse — revoke the family.
// Of concurrent reuses, only the first finds the family unrevoked.
const REUSE = `
UPDATE latch_refresh_families f SET revoked_at = now()
FROM latch_refresh_tokens t
WHERE t.token_hash = $1 AND t.used_at IS NOT NULL AND f.id = t.family_id AND f.revoked_at IS NULL AND f.expires_at > now()
RETURNING ${FAMILY_COLUMNS}`;

// What ROTATE, or RETRY within a window of $2 seconds, would rotate, read without writing.
const PEEK = `
SELECT ${FAMILY_COLUMNS} FROM latch_refresh_tokens t JOIN latch_refresh_families f ON f.id = t.family_id
LEFT JOIN latch_refresh_tokens s ON s.token_hash = t.successor
WHERE t.token_hash = $1 AND f.revoked_at IS NULL AND f.expires_at > now()
  AND ((t.used_at IS NULL AND t.expires_at > now())
    OR ($2::double precision > 0 AND t.used_at >= now() - make_interval(secs => $2::double precision) AND t.used_at <= now()
      AND s.used_at IS NULL AND s.expires_at > now()))`;

interface FamilyRow {
  id: string;
  user_id: string;
  sid: string | null;
  session_token: string | null;
  auth_time: string | null;
  claims: Record<string, unknown>;
  expires_at: Date;
}

/** How often a store deletes the families that have ended (and their tokens). */
const PURGE_EVERY_MS = 60_000;

/**
 * Refresh tokens in PostgreSQL, shared by every instance that uses the database: a row per family
 * and one per token hash. A rotation is one statement that marks the token used and inserts its
 * successor, atomic under concurrency; when it finds nothing to rotate, a second statement
 * retries a token used within the retry window, and a third revokes the family if the token was
 * already used. The database's clock decides expiry.
 * Families that have ended are deleted, with their tokens, at most once a minute per store.
 *
 * @example
 * ```ts
 * import { Pool } from "pg";
 * import { PostgresRefreshTokenStore } from "latch/refresh-tokens/postgres";
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL });
 * NextAuth({ providers, bearer: { refreshTokens: { store: PostgresRefreshTokenStore(pool) } } });
 * ```
 */
export function PostgresRefreshTokenStore(client: PostgresRefreshTokenClient): RefreshTokenStore {
  const schema = lazySchema(client, postgresRefreshTokenSchema, "postgresRefreshTokenSchema");
  let nextPurge = 0;
  const ready = async (): Promise<void> => {
    await schema();
    if (Date.now() >= nextPurge) {
      nextPurge = Date.now() + PURGE_EVERY_MS;
      await client.query("DELETE FROM latch_refresh_families WHERE expires_at <= now()");
    }
  };
  return {
    async createFamily(family, first) {
      const expiresAt = validDate(family.expiresAt, "family expiry");
      const firstExpiresAt = validDate(first.expiresAt, "token expiry");
      await ready();
      await client.query(CREATE, [
        family.id,
        family.userId,
        family.sid ?? null,
        family.sessionToken ?? null,
        family.authTime ?? null,
        storedClaims(family.claims),
        expiresAt,
        first.tokenHash,
        firstExpiresAt,
      ]);
    },
    async rotate(tokenHash, next, options): Promise<RotateResult> {
      const nextExpiresAt = validDate(next.expiresAt, "token expiry");
      await ready();
      const rotated = await client.query<FamilyRow>(ROTATE, [tokenHash, next.tokenHash, nextExpiresAt]);
      const row = rotated.rows[0];
      if (row !== undefined) return { status: "rotated", family: familyOf(row) };
      const window = retryWindowMs(options);
      for (let attempt = 0; window > 0 && attempt < 2; attempt++) {
        const retried = (await client.query<FamilyRow>(RETRY, [tokenHash, next.tokenHash, nextExpiresAt, window / 1000])).rows[0];
        if (retried !== undefined) return { status: "rotated", family: familyOf(retried), retried: true };
      }
      const reused = (await client.query<FamilyRow>(REUSE, [tokenHash])).rows[0];
      if (reused !== undefined) return { status: "reused", family: familyOf(reused) };
      return { status: "invalid" };
    },
    async peek(tokenHash, options) {
      await schema();
      const row = (await client.query<FamilyRow>(PEEK, [tokenHash, retryWindowMs(options) / 1000])).rows[0];
      return row === undefined ? null : familyOf(row);
    },
    async revokeFamily(familyId) {
      await schema();
      await client.query("UPDATE latch_refresh_families SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", [familyId]);
    },
  };
}

function familyOf(row: FamilyRow): RefreshFamily {
  const family: RefreshFamily = { id: row.id, userId: row.user_id, claims: claimsOf(row.claims), expiresAt: new Date(row.expires_at) };
  if (row.sid !== null) family.sid = row.sid;
  if (row.session_token !== null) family.sessionToken = row.session_token;
  if (row.auth_time !== null) family.authTime = Number(row.auth_time);
  return family;
}

/** A copy of the date, refusing an invalid one. */
function validDate(date: Date, what: string): Date {
  const time = date.getTime();
  if (!Number.isFinite(time)) throw new RangeError(`latch: invalid ${what}`);
  return new Date(time);
}

// JSONB refuses what JSON itself allows in a string: "\u0000", and the escapes JSON.stringify
// writes for unpaired surrogates. Claims that hold one (a user's name, from a profile) are kept as
// their JSON text, a string under this key (its backslashes are escaped in turn, so JSONB takes
// it), and this store keeps every claim the other stores keep.
const CLAIMS_AS_TEXT = "$latch.claims.json";
const JSONB_REFUSES = /\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})/;

/** The claims as the JSONB column takes them. */
function storedClaims(claims: Record<string, unknown>): string {
  const json = JSON.stringify(claims);
  // Claims that look like the wrapping are wrapped too, so that reading can never mistake them.
  const looksWrapped = Object.keys(claims).length === 1 && CLAIMS_AS_TEXT in claims;
  return JSONB_REFUSES.test(json) || looksWrapped ? JSON.stringify({ [CLAIMS_AS_TEXT]: json }) : json;
}

/** The claims storedClaims wrote. */
function claimsOf(stored: Record<string, unknown>): Record<string, unknown> {
  const text = stored[CLAIMS_AS_TEXT];
  if (typeof text !== "string" || Object.keys(stored).length !== 1) return stored;
  return JSON.parse(text) as Record<string, unknown>;
}
