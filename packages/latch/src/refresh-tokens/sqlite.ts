import type BetterSqlite3 from "better-sqlite3";
import { retryWindowMs } from "./retry-window.js";
import type { RefreshFamily, RefreshTokenStore, RotateOptions, RotateResult } from "./types.js";

/** How often a store deletes the families that have ended (and their tokens). */
const PURGE_EVERY_MS = 60_000;

type Integer = number | bigint;

interface FamilyRow {
  id: string;
  user_id: string;
  sid: string | null;
  session_token: string | null;
  auth_time: Integer | null;
  claims: string;
  expires_at: Integer;
}

interface FoundRow extends FamilyRow {
  revoked_at: Integer | null;
  token_expires_at: Integer;
  used_at: Integer | null;
  successor: string | null;
}

interface TokenRow {
  used_at: Integer | null;
  expires_at: Integer;
}

/**
 * Refresh tokens in SQLite (one machine, or a file shared by its processes): tables
 * `latch_refresh_families` and `latch_refresh_tokens`, created here (times in milliseconds). A
 * rotation is one `BEGIN IMMEDIATE` transaction — read the token and its family, then mark the
 * token used and insert its successor, or revoke the family on reuse — so it is atomic however
 * many processes share the file. This process's clock decides expiry. Families that have ended
 * are deleted, with their tokens, at most once a minute per store.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { SQLiteRefreshTokenStore } from "latch/refresh-tokens/sqlite";
 * NextAuth({ providers, bearer: { refreshTokens: { store: SQLiteRefreshTokenStore(new Database("auth.db")) } } });
 * ```
 */
export function SQLiteRefreshTokenStore(db: BetterSqlite3.Database): RefreshTokenStore {
  // Tokens are deleted with their family by the statements below, so this works whether or not
  // the connection enforces foreign keys.
  db.exec(`CREATE TABLE IF NOT EXISTS latch_refresh_families (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    sid TEXT,
    session_token TEXT,
    auth_time INTEGER,
    claims TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS latch_refresh_families_expires_at ON latch_refresh_families (expires_at);
  CREATE TABLE IF NOT EXISTS latch_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id TEXT NOT NULL REFERENCES latch_refresh_families (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    successor TEXT
  );
  CREATE INDEX IF NOT EXISTS latch_refresh_tokens_family_id ON latch_refresh_tokens (family_id)`);
  addSuccessorColumn(db);

  const insertFamily = db.prepare<[string, string, string | null, string | null, number | null, string, number]>(
    "INSERT INTO latch_refresh_families (id, user_id, sid, session_token, auth_time, claims, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const insertToken = db.prepare<[string, string, number]>("INSERT INTO latch_refresh_tokens (token_hash, family_id, expires_at) VALUES (?, ?, ?)");
  const find = db.prepare<[string], FoundRow>(
    `SELECT f.id, f.user_id, f.sid, f.session_token, f.auth_time, f.claims, f.expires_at, f.revoked_at,
      t.expires_at AS token_expires_at, t.used_at, t.successor
    FROM latch_refresh_tokens t JOIN latch_refresh_families f ON f.id = t.family_id
    WHERE t.token_hash = ?`,
  );
  const findToken = db.prepare<[string], TokenRow>("SELECT used_at, expires_at FROM latch_refresh_tokens WHERE token_hash = ?");
  const markUsed = db.prepare<[number, string | null, string]>("UPDATE latch_refresh_tokens SET used_at = ?, successor = ? WHERE token_hash = ?");
  const setSuccessor = db.prepare<[string, string]>("UPDATE latch_refresh_tokens SET successor = ? WHERE token_hash = ?");
  const revoke = db.prepare<[number, string]>("UPDATE latch_refresh_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
  const purgeTokens = db.prepare<[number]>("DELETE FROM latch_refresh_tokens WHERE family_id IN (SELECT id FROM latch_refresh_families WHERE expires_at <= ?)");
  const purgeFamilies = db.prepare<[number]>("DELETE FROM latch_refresh_families WHERE expires_at <= ?");

  const create = db.transaction((family: RefreshFamily, expiresAt: number, tokenHash: string, tokenExpiresAt: number) => {
    insertFamily.run(family.id, family.userId, family.sid ?? null, family.sessionToken ?? null, family.authTime ?? null, JSON.stringify(family.claims), expiresAt);
    insertToken.run(tokenHash, family.id, tokenExpiresAt);
  });
  /** The unused successor a retry of the used token in `row` would retire, if it is within the window. */
  const retriedSuccessor = (row: FoundRow, now: number, options: RotateOptions | undefined): string | undefined => {
    const window = retryWindowMs(options);
    // A clock stepped back since the use is no retry either: the window has two ends.
    const since = row.used_at === null ? -1 : now - Number(row.used_at);
    if (window === 0 || row.successor === null || since < 0 || since > window) return undefined;
    const successor = findToken.get(row.successor);
    return successor && successor.used_at === null && Number(successor.expires_at) > now ? row.successor : undefined;
  };
  const rotate = db.transaction((tokenHash: string, nextHash: string, nextExpiresAt: number, options: RotateOptions | undefined): RotateResult => {
    // Read inside the transaction: with BEGIN IMMEDIATE no other connection writes in between.
    const now = Date.now();
    const row = find.get(tokenHash);
    if (row === undefined || row.revoked_at !== null || Number(row.expires_at) <= now) return { status: "invalid" };
    if (row.used_at !== null) {
      const retired = retriedSuccessor(row, now, options);
      if (retired === undefined) {
        revoke.run(now, row.id);
        return { status: "reused", family: familyOf(row) };
      }
      // Retired, not used: it has no successor, so presenting it later is a reuse.
      markUsed.run(now, null, retired);
      setSuccessor.run(nextHash, tokenHash);
      insertToken.run(nextHash, row.id, nextExpiresAt);
      return { status: "rotated", family: familyOf(row), retried: true };
    }
    if (Number(row.token_expires_at) <= now) return { status: "invalid" };
    markUsed.run(now, nextHash, tokenHash);
    insertToken.run(nextHash, row.id, nextExpiresAt);
    return { status: "rotated", family: familyOf(row) };
  });
  const purge = db.transaction((now: number) => {
    purgeTokens.run(now);
    purgeFamilies.run(now);
  });

  let nextPurge = 0;
  const maybePurge = (): void => {
    const now = Date.now();
    if (now < nextPurge) return;
    nextPurge = now + PURGE_EVERY_MS;
    purge(now);
  };

  return {
    async createFamily(family, first) {
      const expiresAt = timeOf(family.expiresAt, "family expiry");
      const firstExpiresAt = timeOf(first.expiresAt, "token expiry");
      maybePurge();
      create(family, expiresAt, first.tokenHash, firstExpiresAt);
    },
    async rotate(tokenHash, next, options) {
      const nextExpiresAt = timeOf(next.expiresAt, "token expiry");
      maybePurge();
      // IMMEDIATE: take the write lock before reading, so two processes cannot both read the
      // token as unused (and a deferred transaction's read-to-write upgrade cannot fail as busy).
      return rotate.immediate(tokenHash, next.tokenHash, nextExpiresAt, options);
    },
    async peek(tokenHash, options) {
      const now = Date.now();
      const row = find.get(tokenHash);
      if (row === undefined || row.revoked_at !== null || Number(row.expires_at) <= now) return null;
      if (row.used_at !== null ? retriedSuccessor(row, now, options) === undefined : Number(row.token_expires_at) <= now) return null;
      return familyOf(row);
    },
    async revokeFamily(familyId) {
      revoke.run(Date.now(), familyId);
    },
  };
}

/**
 * Tables created before retries existed get the `successor` column. Another process may add it
 * between the look and the ALTER: its "duplicate column" is then success too.
 */
function addSuccessorColumn(db: BetterSqlite3.Database): void {
  const hasSuccessor = () => db.prepare<[], { name: string }>("PRAGMA table_info(latch_refresh_tokens)").all().some((column) => column.name === "successor");
  if (hasSuccessor()) return;
  try {
    db.exec("ALTER TABLE latch_refresh_tokens ADD COLUMN successor TEXT");
  } catch (error) {
    if (!hasSuccessor()) throw error;
  }
}

function familyOf(row: FamilyRow): RefreshFamily {
  const family: RefreshFamily = { id: row.id, userId: row.user_id, claims: JSON.parse(row.claims) as Record<string, unknown>, expiresAt: new Date(Number(row.expires_at)) };
  if (row.sid !== null) family.sid = row.sid;
  if (row.session_token !== null) family.sessionToken = row.session_token;
  if (row.auth_time !== null) family.authTime = Number(row.auth_time);
  return family;
}

/** A date's time in ms, refusing an invalid date. */
function timeOf(date: Date, what: string): number {
  const time = date.getTime();
  if (!Number.isFinite(time)) throw new RangeError(`latch: invalid ${what}`);
  return time;
}
