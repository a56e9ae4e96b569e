/**
 * `latch/adapters/postgres`: an adapter for PostgreSQL through `pg` (node-postgres).
 *
 * The tables are Auth.js's default schema exactly as `@auth/pg-adapter`'s `schema.sql` creates
 * them (serial integer ids), plus `authenticators` for WebAuthn. An app can switch between this
 * adapter and `@auth/pg-adapter` on the same tables, in either direction.
 */
import type { Pool, PoolClient, QueryResultRow } from "pg";
import type { Adapter, AdapterAccount, AdapterAuthenticator, AdapterSession, AdapterUser, VerificationToken } from "./types.js";

/** What the adapter needs of `pg`: a `Pool`, a `Client` or a checked-out `PoolClient`. */
export type PostgresQueryable = Pick<Pool, "query">;

/** A `pg` Pool (it hands out connections of their own); a Client or PoolClient is one connection. */
function isPool(db: PostgresQueryable): db is Pick<Pool, "query" | "connect"> {
  return typeof (db as Partial<Pool>).connect === "function" && typeof (db as Partial<Pool>).totalCount === "number";
}

/** The version `migratePostgres` records in `latch_migrations` once `postgresSchema` is applied. */
export const POSTGRES_SCHEMA_VERSION = 1;

/**
 * The unique keys the adapter relies on (one user per email, one row per session token and per
 * provider account). Tables made from @auth/pg-adapter's documentation have none of them: the
 * schema adds them as unique indexes, named as the constraints of its own tables name theirs, so
 * that on those (and on tables @auth/pg-adapter's `schema.sql` made) it adds nothing.
 */
const UNIQUE_KEYS = [
  { index: "users_email_key", table: "users", columns: ["email"] },
  { index: "accounts_provider_providerAccountId_key", table: "accounts", columns: ["provider", "providerAccountId"] },
  { index: "sessions_sessionToken_key", table: "sessions", columns: ["sessionToken"] },
] as const;

const quoted = (name: string) => `"${name}"`;

/**
 * Auth.js's default PostgreSQL schema (as `@auth/pg-adapter`'s `schema.sql`) plus `authenticators`,
 * the indexes the cascades use and the unique keys the adapter relies on. Idempotent: run it on an
 * empty database or on one that `@auth/pg-adapter` already uses. Tables are created in the
 * connection's `search_path`.
 *
 * @example
 * ```ts
 * import { postgresSchema } from "latch/adapters/postgres";
 * await pool.query(postgresSchema);
 * ```
 */
export const postgresSchema = `
CREATE TABLE IF NOT EXISTS users (
  id SERIAL,
  name VARCHAR(255),
  email VARCHAR(255) UNIQUE,
  "emailVerified" TIMESTAMPTZ,
  image TEXT,
  PRIMARY KEY (id)
);
CREATE TABLE IF NOT EXISTS accounts (
  id SERIAL,
  "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
  type VARCHAR(255) NOT NULL,
  provider VARCHAR(255) NOT NULL,
  "providerAccountId" VARCHAR(255) NOT NULL,
  refresh_token TEXT,
  access_token TEXT,
  expires_at BIGINT,
  id_token TEXT,
  scope TEXT,
  session_state TEXT,
  token_type TEXT,
  PRIMARY KEY (id),
  UNIQUE (provider, "providerAccountId")
);
CREATE TABLE IF NOT EXISTS sessions (
  id SERIAL,
  "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
  expires TIMESTAMPTZ NOT NULL,
  "sessionToken" VARCHAR(255) UNIQUE NOT NULL,
  PRIMARY KEY (id)
);
CREATE TABLE IF NOT EXISTS verification_token (
  identifier TEXT NOT NULL,
  expires TIMESTAMPTZ NOT NULL,
  token TEXT NOT NULL,
  PRIMARY KEY (identifier, token)
);
CREATE TABLE IF NOT EXISTS authenticators (
  "credentialID" TEXT NOT NULL UNIQUE,
  "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
  "providerAccountId" TEXT NOT NULL,
  "credentialPublicKey" TEXT NOT NULL,
  counter BIGINT NOT NULL,
  "credentialDeviceType" TEXT NOT NULL,
  "credentialBackedUp" BOOLEAN NOT NULL,
  transports TEXT,
  PRIMARY KEY ("userId", "credentialID")
);
CREATE INDEX IF NOT EXISTS accounts_user_id_idx ON accounts ("userId");
CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON sessions ("userId");
${UNIQUE_KEYS.map(({ index, table, columns }) => `CREATE UNIQUE INDEX IF NOT EXISTS ${quoted(index)} ON ${table} (${columns.map(quoted).join(", ")});`).join("\n")}
`;

const codeOf = (error: unknown): unknown => (typeof error === "object" && error !== null && "code" in error ? error.code : undefined);

/**
 * Why a unique key could not be added: the values its table holds more than once. Session tokens
 * (next-auth's rows hold the cookie's token itself) are counted, not shown.
 */
async function duplicatesError(client: PoolClient, error: unknown): Promise<unknown> {
  const index = typeof error === "object" && error !== null && "constraint" in error ? error.constraint : undefined;
  const key = UNIQUE_KEYS.find((candidate) => candidate.index === index);
  if (codeOf(error) !== "23505" || !key) return error;
  const columns = key.columns.map(quoted).join(", ");
  const { rows } = await client.query<{ value: string; n: number }>(
    `SELECT concat_ws(', ', ${columns}) AS value, count(*)::int AS n FROM ${key.table} WHERE ${key.columns.map((column) => `${quoted(column)} IS NOT NULL`).join(" AND ")} GROUP BY ${columns} HAVING count(*) > 1 ORDER BY 2 DESC LIMIT 5`,
  );
  const shown = key.table === "sessions" ? `${rows.length === 5 ? "5 or more" : rows.length} duplicated value(s), not shown` : rows.map(({ value, n }) => `${JSON.stringify(value)} (${n} rows)`).join(", ");
  return new Error(
    `latch: migratePostgres: ${key.table} holds rows that share their ${key.columns.join(" and ")}: ${shown}. The adapter needs these to be unique (${quoted(key.index)}); merge or delete the duplicate rows, then migrate again.`,
    { cause: error },
  );
}

/**
 * Applies `postgresSchema` in one transaction, serialized by an advisory lock so that several
 * instances starting at once do not race, and records `POSTGRES_SCHEMA_VERSION` in
 * `latch_migrations`. Running it again is harmless. Tables that hold duplicates where the adapter
 * needs unique values (users' emails, say) are left as they were, with an error naming them.
 *
 * @example
 * ```ts
 * import { Pool } from "pg";
 * import { migratePostgres } from "latch/adapters/postgres";
 * await migratePostgres(new Pool({ connectionString: process.env.DATABASE_URL }));
 * ```
 */
export async function migratePostgres(pool: Pick<Pool, "connect">): Promise<void> {
  const client: PoolClient = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext('latch_migrations'))");
    await client.query(postgresSchema);
    await client.query(`CREATE TABLE IF NOT EXISTS latch_migrations (
      version INTEGER PRIMARY KEY,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    await client.query("INSERT INTO latch_migrations (version) VALUES ($1) ON CONFLICT (version) DO NOTHING", [POSTGRES_SCHEMA_VERSION]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw await duplicatesError(client, error).catch(() => error);
  } finally {
    client.release();
  }
}

const USER = `id, name, email, "emailVerified", image`;
const SESSION = `"sessionToken", "userId", expires`;
const ACCOUNT = `"userId", type, provider, "providerAccountId", access_token, refresh_token, expires_at, id_token, scope, token_type, session_state`;
const AUTHENTICATOR = `"credentialID", "userId", "providerAccountId", "credentialPublicKey", counter, "credentialDeviceType", "credentialBackedUp", transports`;
const ACCOUNT_TOKENS = ["access_token", "refresh_token", "expires_at", "id_token", "scope", "token_type", "session_state"] as const;

/**
 * Ids are `SERIAL` integers: a string that is not one names no row. Checked here because
 * PostgreSQL answers `id = 'abc'` with an error rather than with no rows.
 */
function dbId(id: string): string | null {
  return /^[1-9][0-9]{0,9}$/.test(id) && Number(id) <= 2_147_483_647 ? id : null;
}

/**
 * PostgreSQL text cannot hold NUL (it answers "invalid byte sequence"), so no row has a key that
 * does: such a key (a cookie `%00`, a crafted link) names nothing rather than failing the call.
 */
const unstorable = (...keys: unknown[]): boolean => keys.some((key) => typeof key === "string" && key.includes("\0"));

function toUser(row: QueryResultRow): AdapterUser {
  return { id: String(row["id"]), name: row["name"] as string | null, email: row["email"] as string, emailVerified: row["emailVerified"] as Date | null, image: row["image"] as string | null };
}

function toSession(row: QueryResultRow): AdapterSession {
  return { sessionToken: row["sessionToken"] as string, userId: String(row["userId"]), expires: row["expires"] as Date };
}

function toAccount(row: QueryResultRow): AdapterAccount {
  const tokens: Record<string, unknown> = {};
  for (const field of ACCOUNT_TOKENS) {
    const value: unknown = row[field];
    // BIGINT arrives as a string; absent tokens are left out rather than null, as the type says.
    if (value !== null && value !== undefined) tokens[field] = field === "expires_at" ? Number(value) : value;
  }
  return { ...tokens, userId: String(row["userId"]), type: row["type"] as AdapterAccount["type"], provider: row["provider"] as string, providerAccountId: row["providerAccountId"] as string };
}

function toAuthenticator(row: QueryResultRow): AdapterAuthenticator {
  return {
    credentialID: row["credentialID"] as string,
    userId: String(row["userId"]),
    providerAccountId: row["providerAccountId"] as string,
    credentialPublicKey: row["credentialPublicKey"] as string,
    counter: Number(row["counter"]),
    credentialDeviceType: row["credentialDeviceType"] as string,
    credentialBackedUp: row["credentialBackedUp"] as boolean,
    transports: row["transports"] as string | null,
  };
}

function toVerificationToken(row: QueryResultRow): VerificationToken {
  return { identifier: row["identifier"] as string, token: row["token"] as string, expires: row["expires"] as Date };
}

/**
 * The PostgreSQL adapter, on a pool (or client) the app created. Run `migratePostgres` (or
 * `postgresSchema`) once before use. User ids are assigned by the database (`SERIAL`, as in
 * `@auth/pg-adapter`) and returned as strings; the id passed to `createUser` is not used.
 *
 * @example
 * ```ts
 * import { Pool } from "pg";
 * import { PostgresAdapter } from "latch/adapters/postgres";
 * const adapter = PostgresAdapter(new Pool({ connectionString: process.env.DATABASE_URL }));
 * ```
 */
export function PostgresAdapter(pool: PostgresQueryable): Adapter {
  async function rows(sql: string, params: unknown[]): Promise<QueryResultRow[]> {
    return (await pool.query<QueryResultRow>(sql, params)).rows;
  }
  async function one<T>(sql: string, params: unknown[], map: (row: QueryResultRow) => T): Promise<T | null> {
    const [row] = await rows(sql, params);
    return row ? map(row) : null;
  }

  return {
    async createUser(user) {
      const row = await one(`INSERT INTO users (name, email, "emailVerified", image) VALUES ($1, $2, $3, $4) RETURNING ${USER}`, [user.name ?? null, user.email, user.emailVerified, user.image ?? null], toUser);
      if (!row) throw new Error("latch: INSERT INTO users returned no row");
      return row;
    },
    async getUser(id) {
      const key = dbId(id);
      return key ? one(`SELECT ${USER} FROM users WHERE id = $1`, [key], toUser) : null;
    },
    async getUserByEmail(email) {
      if (unstorable(email)) return null;
      return one(`SELECT ${USER} FROM users WHERE email = $1`, [email], toUser);
    },
    async getUserByAccount({ provider, providerAccountId }) {
      if (unstorable(provider, providerAccountId)) return null;
      return one(`SELECT u.id, u.name, u.email, u."emailVerified", u.image FROM users u JOIN accounts a ON a."userId" = u.id WHERE a.provider = $1 AND a."providerAccountId" = $2`, [provider, providerAccountId], toUser);
    },
    async updateUser(user) {
      const key = dbId(user.id);
      // COALESCE keeps a column the caller left out; `has` tells "set to null" from "left out".
      const has = (field: keyof AdapterUser) => field in user && user[field] !== undefined;
      const updated = key
        ? await one(
            `UPDATE users SET
               name = CASE WHEN $2 THEN $3 ELSE name END,
               email = CASE WHEN $4 THEN $5 ELSE email END,
               "emailVerified" = CASE WHEN $6 THEN $7::timestamptz ELSE "emailVerified" END,
               image = CASE WHEN $8 THEN $9 ELSE image END
             WHERE id = $1 RETURNING ${USER}`,
            [key, has("name"), user.name ?? null, has("email"), user.email ?? null, has("emailVerified"), user.emailVerified ?? null, has("image"), user.image ?? null],
            toUser,
          )
        : null;
      if (!updated) throw new Error(`latch: updateUser: no user with id ${JSON.stringify(user.id)}`);
      return updated;
    },
    async deleteUser(userId) {
      const key = dbId(userId);
      if (!key) return null;
      // One statement, so one transaction. Its accounts, sessions and authenticators are deleted
      // here rather than left to ON DELETE CASCADE: tables made from @auth/pg-adapter's
      // documentation have no foreign keys. A database with Auth.js's four tables alone (no
      // authenticators yet) deletes the other three.
      const owned = (tables: string[]) => tables.map((table, i) => `c${i} AS (DELETE FROM ${table} WHERE "userId" = $1)`).join(", ");
      const remove = (tables: string[]) => one(`${tables.length > 0 ? `WITH ${owned(tables)} ` : ""}DELETE FROM users WHERE id = $1 RETURNING ${USER}`, [key], toUser);
      // A role granted the four tables before latch added authenticators (grants are not
      // retroactive) may not touch it: its rows then go by the foreign key's cascade, which runs
      // as the table's owner — as does everything where no grant covers the explicit deletes.
      return remove(["sessions", "accounts", "authenticators"]).catch((error: unknown) => {
        const code = codeOf(error);
        if ((code === "42P01" || code === "42501") && error instanceof Error && error.message.includes('"authenticators"')) {
          return remove(["sessions", "accounts"]).catch((again: unknown) => {
            if (codeOf(again) === "42501") return remove([]);
            throw again;
          });
        }
        if (code === "42501") return remove([]);
        throw error;
      });
    },
    async linkAccount(account) {
      const values = [account.userId, account.type, account.provider, account.providerAccountId, ...ACCOUNT_TOKENS.map((field) => account[field] ?? null)];
      return one(`INSERT INTO accounts (${ACCOUNT}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${ACCOUNT}`, values, toAccount);
    },
    async unlinkAccount({ provider, providerAccountId }) {
      if (unstorable(provider, providerAccountId)) return undefined;
      const removed = await one(`DELETE FROM accounts WHERE provider = $1 AND "providerAccountId" = $2 RETURNING ${ACCOUNT}`, [provider, providerAccountId], toAccount);
      // A passkey's authenticator goes with its account: left behind, it would still be listed as
      // the user's though it can no longer sign in. Only for a passkey's account, so that a
      // database with Auth.js's four tables alone (no authenticators) unlinks OAuth accounts.
      if (removed?.type === "webauthn") {
        await pool.query(`DELETE FROM authenticators WHERE "userId" = $1 AND "providerAccountId" = $2`, [dbId(removed.userId), removed.providerAccountId]);
      }
      return removed ?? undefined;
    },
    async listAccountsByUserId(userId) {
      const key = dbId(userId);
      return key ? rows(`SELECT ${ACCOUNT} FROM accounts WHERE "userId" = $1 ORDER BY provider, "providerAccountId"`, [key]).then((found) => found.map(toAccount)) : [];
    },
    async getAccount(providerAccountId, provider) {
      if (unstorable(provider, providerAccountId)) return null;
      return one(`SELECT ${ACCOUNT} FROM accounts WHERE provider = $1 AND "providerAccountId" = $2`, [provider, providerAccountId], toAccount);
    },
    async createSession({ sessionToken, userId, expires }) {
      const session = await one(`INSERT INTO sessions ("sessionToken", "userId", expires) VALUES ($1, $2, $3) RETURNING ${SESSION}`, [sessionToken, userId, expires], toSession);
      if (!session) throw new Error("latch: INSERT INTO sessions returned no row");
      return session;
    },
    async getSessionAndUser(sessionToken) {
      if (unstorable(sessionToken)) return null;
      const [row] = await rows(
        `SELECT s."sessionToken", s."userId", s.expires, u.id, u.name, u.email, u."emailVerified", u.image
         FROM sessions s JOIN users u ON u.id = s."userId" WHERE s."sessionToken" = $1`,
        [sessionToken],
      );
      return row ? { session: toSession(row), user: toUser(row) } : null;
    },
    async updateSession({ sessionToken, expires, userId }) {
      if (unstorable(sessionToken)) return null;
      return one(
        `UPDATE sessions SET expires = COALESCE($2::timestamptz, expires), "userId" = COALESCE($3::integer, "userId") WHERE "sessionToken" = $1 RETURNING ${SESSION}`,
        [sessionToken, expires ?? null, userId ?? null],
        toSession,
      );
    },
    async deleteSession(sessionToken) {
      if (unstorable(sessionToken)) return null;
      return one(`DELETE FROM sessions WHERE "sessionToken" = $1 RETURNING ${SESSION}`, [sessionToken], toSession);
    },
    async deleteSessionsByUserId(userId) {
      const key = dbId(userId);
      return key ? ((await pool.query(`DELETE FROM sessions WHERE "userId" = $1`, [key])).rowCount ?? 0) : 0;
    },
    async createVerificationToken({ identifier, token, expires }) {
      return one(`INSERT INTO verification_token (identifier, token, expires) VALUES ($1, $2, $3) RETURNING identifier, token, expires`, [identifier, token, expires], toVerificationToken);
    },
    async replaceVerificationToken({ identifier, token, expires }) {
      const replace = async (db: PostgresQueryable) =>
        // The same token again (a code generator that repeats) gets the new expiry.
        (
          await db.query<QueryResultRow>(
            `WITH older AS (DELETE FROM verification_token WHERE identifier = $1 AND token <> $2)
            INSERT INTO verification_token (identifier, token, expires) VALUES ($1, $2, $3)
            ON CONFLICT (identifier, token) DO UPDATE SET expires = EXCLUDED.expires
            RETURNING identifier, token, expires`,
            [identifier, token, expires],
          )
        ).rows.map(toVerificationToken)[0] ?? null;
      // One statement cannot see a replacement committed while it runs: two sends at the same
      // moment would both keep their code. With a Pool, replacements of one address take turns
      // (an advisory lock in a transaction of their own), so one code lives and a guess has one
      // code to hit. A single Client (or a checked-out PoolClient) may carry the app's other
      // queries: the one statement alone, as it was.
      if (!isPool(pool)) return replace(pool);
      const client = await pool.connect();
      try {
        // READ COMMITTED whatever the server's default: under REPEATABLE READ the snapshot would
        // be taken before the lock is granted, and the delete miss what committed meanwhile.
        await client.query("BEGIN ISOLATION LEVEL READ COMMITTED");
        await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`latch.verification_token:${identifier}`]);
        const stored = await replace(client);
        await client.query("COMMIT");
        return stored;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async useVerificationToken({ identifier, token }) {
      if (unstorable(identifier, token)) return null;
      // One statement: the row is matched on both columns and removed, so of any number of
      // concurrent uses exactly one gets it back (GHSA-pg53-56cg-4m8q, GHSA-4rxr-27mm-mxq9).
      return one(`DELETE FROM verification_token WHERE identifier = $1 AND token = $2 RETURNING identifier, token, expires`, [identifier, token], toVerificationToken);
    },
    async createAuthenticator(authenticator) {
      const { credentialID, userId, providerAccountId, credentialPublicKey, counter, credentialDeviceType, credentialBackedUp, transports } = authenticator;
      const created = await one(
        `INSERT INTO authenticators (${AUTHENTICATOR}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${AUTHENTICATOR}`,
        [credentialID, userId, providerAccountId, credentialPublicKey, counter, credentialDeviceType, credentialBackedUp, transports ?? null],
        toAuthenticator,
      );
      if (!created) throw new Error("latch: INSERT INTO authenticators returned no row");
      return created;
    },
    async getAuthenticator(credentialID) {
      if (unstorable(credentialID)) return null;
      return one(`SELECT ${AUTHENTICATOR} FROM authenticators WHERE "credentialID" = $1`, [credentialID], toAuthenticator);
    },
    async listAuthenticatorsByUserId(userId) {
      const key = dbId(userId);
      return key ? (await rows(`SELECT ${AUTHENTICATOR} FROM authenticators WHERE "userId" = $1 ORDER BY "credentialID"`, [key])).map(toAuthenticator) : [];
    },
    async updateAuthenticatorCounter(credentialID, newCounter) {
      const updated = unstorable(credentialID) ? null : await one(`UPDATE authenticators SET counter = $2 WHERE "credentialID" = $1 RETURNING ${AUTHENTICATOR}`, [credentialID, newCounter], toAuthenticator);
      if (!updated) throw new Error(`latch: updateAuthenticatorCounter: no authenticator with credentialID ${JSON.stringify(credentialID)}`);
      return updated;
    },
  };
}
