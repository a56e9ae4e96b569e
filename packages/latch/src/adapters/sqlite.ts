/**
 * `latch/adapters/sqlite`: an adapter for SQLite through a `better-sqlite3` (v12) database the app
 * opens itself. Auth.js's default schema (tables `users`, `accounts`, `sessions`,
 * `verification_token`, `authenticators`; camelCase columns for Auth.js fields, snake_case for OAuth
 * token fields). Dates are stored as INTEGER milliseconds since the epoch; `accounts.expires_at`
 * stays in seconds, as OAuth gives it; `credentialBackedUp` is 0 or 1.
 */
import type BetterSqlite3 from "better-sqlite3";
import type {
  Adapter,
  AdapterAccount,
  AdapterAccountType,
  AdapterAuthenticator,
  AdapterSession,
  AdapterUser,
  VerificationToken,
} from "./types.js";

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement<unknown[], unknown>;
type Bind = string | number | bigint | null;
/** What SQLite hands back for an INTEGER column: a number, or a bigint under `safeIntegers`. */
type Int = number | bigint;

/**
 * The DDL of Auth.js's default schema for SQLite, idempotent (`IF NOT EXISTS`). Apply it with
 * {@link migrateSQLite}, or feed it to your own migration tool.
 *
 * @example
 * ```ts
 * import { sqliteSchema } from "latch/adapters/sqlite";
 * await writeFile("migrations/0001_auth.sql", sqliteSchema);
 * ```
 */
export const sqliteSchema = `
CREATE TABLE IF NOT EXISTS users (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT,
  email TEXT UNIQUE,
  "emailVerified" INTEGER,
  image TEXT
);
CREATE TABLE IF NOT EXISTS accounts (
  id TEXT NOT NULL PRIMARY KEY,
  "userId" TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  provider TEXT NOT NULL,
  "providerAccountId" TEXT NOT NULL,
  refresh_token TEXT,
  access_token TEXT,
  expires_at INTEGER,
  id_token TEXT,
  scope TEXT,
  session_state TEXT,
  token_type TEXT,
  UNIQUE (provider, "providerAccountId")
);
CREATE INDEX IF NOT EXISTS accounts_user_id ON accounts ("userId");
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT NOT NULL PRIMARY KEY,
  "sessionToken" TEXT NOT NULL UNIQUE,
  "userId" TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user_id ON sessions ("userId");
CREATE TABLE IF NOT EXISTS verification_token (
  identifier TEXT NOT NULL,
  token TEXT NOT NULL,
  expires INTEGER NOT NULL,
  PRIMARY KEY (identifier, token)
);
CREATE TABLE IF NOT EXISTS authenticators (
  "credentialID" TEXT NOT NULL UNIQUE,
  "userId" TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  "providerAccountId" TEXT NOT NULL,
  "credentialPublicKey" TEXT NOT NULL,
  counter INTEGER NOT NULL,
  "credentialDeviceType" TEXT NOT NULL,
  "credentialBackedUp" INTEGER NOT NULL,
  transports TEXT,
  PRIMARY KEY ("userId", "credentialID")
);
`;

// Append only: a later release adds { version: 2, sql: "ALTER TABLE …" } and migrateSQLite
// applies whatever a database has not seen yet.
const migrations: readonly { version: number; sql: string }[] = [{ version: 1, sql: sqliteSchema }];

/**
 * Creates the tables if they are missing and records the applied schema version in
 * `latch_migrations`. Safe to run at every start, from several processes at once: the pending
 * versions are applied in one transaction that holds the write lock from its start and reads the
 * recorded version under it, so each version is applied once. An up-to-date database is only read.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import { migrateSQLite } from "latch/adapters/sqlite";
 * const db = new Database("auth.db");
 * migrateSQLite(db);
 * ```
 */
export function migrateSQLite(db: Database): void {
  db.pragma("foreign_keys = ON");
  db.exec("CREATE TABLE IF NOT EXISTS latch_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)");
  const recorded = db.prepare("SELECT max(version) AS version FROM latch_migrations");
  const recordedVersion = (): number => {
    const row = recorded.get() as { version: Int | null };
    return row.version === null ? 0 : Number(row.version);
  };
  const latest = Math.max(0, ...migrations.map((migration) => migration.version));
  // Every start after the first: nothing to do, and no write lock taken.
  if (recordedVersion() >= latest) return;
  db.transaction(() => {
    // Read again under the write lock (BEGIN IMMEDIATE): another process may have migrated since.
    const current = recordedVersion();
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      db.prepare("INSERT INTO latch_migrations (version, applied_at) VALUES (?, ?)").run(migration.version, Date.now());
    }
  }).immediate();
}

// Prepared once per database and statement text; a WeakMap so a closed database is collected.
const statementCache = new WeakMap<Database, Map<string, Statement>>();

function statement(db: Database, sql: string): Statement {
  let cache = statementCache.get(db);
  if (!cache) statementCache.set(db, (cache = new Map<string, Statement>()));
  let prepared = cache.get(sql);
  if (!prepared) cache.set(sql, (prepared = db.prepare<unknown[], unknown>(sql)));
  return prepared;
}

interface UserRow { id: string; name: string | null; email: string | null; emailVerified: Int | null; image: string | null }
interface SessionRow { sessionToken: string; userId: string; expires: Int }
interface TokenRow { identifier: string; token: string; expires: Int }
interface AuthenticatorRow {
  credentialID: string; userId: string; providerAccountId: string; credentialPublicKey: string;
  counter: Int; credentialDeviceType: string; credentialBackedUp: Int; transports: string | null;
}
interface AccountRow {
  userId: string; type: string; provider: string; providerAccountId: string; expires_at: Int | null;
  access_token: string | null; refresh_token: string | null; id_token: string | null;
  scope: string | null; token_type: string | null; session_state: string | null;
}

const userColumns = `id, name, email, "emailVerified", image`;
const accountColumns = `"userId", type, provider, "providerAccountId", access_token, refresh_token, expires_at, id_token, scope, token_type, session_state`;
const authenticatorColumns = `"credentialID", "userId", "providerAccountId", "credentialPublicKey", counter, "credentialDeviceType", "credentialBackedUp", transports`;

const toMillis = (date: Date | null | undefined): number | null => (date ? date.getTime() : null);
const toDate = (millis: Int): Date => new Date(Number(millis));

function toUser(row: UserRow): AdapterUser {
  return {
    id: row.id,
    name: row.name,
    // Auth.js types email as a string, yet its schemas allow NULL (a profile without an email); as
    // Auth.js's own SQL adapters do, pass what is stored.
    email: row.email as string,
    emailVerified: row.emailVerified === null ? null : toDate(row.emailVerified),
    image: row.image,
  };
}

function toAccount(row: AccountRow): AdapterAccount {
  const account: AdapterAccount = {
    userId: row.userId,
    type: row.type as AdapterAccountType,
    provider: row.provider,
    providerAccountId: row.providerAccountId,
  };
  // Absent, not null: AdapterAccount's token fields are optional strings.
  for (const key of ["access_token", "refresh_token", "id_token", "scope", "token_type", "session_state"] as const) {
    const value = row[key];
    if (value !== null) account[key] = value;
  }
  if (row.expires_at !== null) account.expires_at = Number(row.expires_at);
  return account;
}

const toSession = (row: SessionRow): AdapterSession => ({ sessionToken: row.sessionToken, userId: row.userId, expires: toDate(row.expires) });

const toAuthenticator = (row: AuthenticatorRow): AdapterAuthenticator => ({
  credentialID: row.credentialID,
  userId: row.userId,
  providerAccountId: row.providerAccountId,
  credentialPublicKey: row.credentialPublicKey,
  counter: Number(row.counter),
  credentialDeviceType: row.credentialDeviceType,
  credentialBackedUp: Number(row.credentialBackedUp) === 1,
  transports: row.transports,
});

/**
 * An Auth.js-compatible adapter over a `better-sqlite3` database opened by the app. Run
 * {@link migrateSQLite} once first. Turns on `PRAGMA foreign_keys` for the connection, so deleting a
 * user cascades to their accounts, sessions and authenticators. New users get a
 * `crypto.randomUUID()` id unless one is given.
 *
 * @example
 * ```ts
 * import Database from "better-sqlite3";
 * import NextAuth from "latch/next";
 * import GitHub from "latch/providers/github";
 * import { SQLiteAdapter, migrateSQLite } from "latch/adapters/sqlite";
 * const db = new Database("auth.db");
 * migrateSQLite(db);
 * export const { handlers, auth } = NextAuth({ adapter: SQLiteAdapter(db), session: { strategy: "database" }, providers: [GitHub] });
 * ```
 */
export function SQLiteAdapter(db: Database): Adapter {
  db.pragma("foreign_keys = ON");
  const run = (sql: string, ...params: Bind[]): void => void statement(db, sql).run(...params);
  const get = <Row>(sql: string, ...params: Bind[]): Row | undefined => statement(db, sql).get(...params) as Row | undefined;
  const all = <Row>(sql: string, ...params: Bind[]): Row[] => statement(db, sql).all(...params) as Row[];
  const userWhere = (where: string, ...params: Bind[]): AdapterUser | null => {
    const row = get<UserRow>(`SELECT ${userColumns} FROM users WHERE ${where}`, ...params);
    return row ? toUser(row) : null;
  };

  const updateUser = db.transaction((patch: Partial<AdapterUser> & Pick<AdapterUser, "id">): AdapterUser => {
    const current = userWhere("id = ?", patch.id);
    if (!current) throw new Error(`[latch] SQLiteAdapter.updateUser: no user with id ${JSON.stringify(patch.id)}; create it first`);
    const next = { ...current, ...patch };
    const row = get<UserRow>(
      `UPDATE users SET name = ?, email = ?, "emailVerified" = ?, image = ? WHERE id = ? RETURNING ${userColumns}`,
      next.name ?? null, next.email ?? null, toMillis(next.emailVerified), next.image ?? null, patch.id,
    );
    return toUser(row as UserRow);
  });

  // Also deletes the children outright: a database created elsewhere may lack the cascades.
  const deleteUser = db.transaction((userId: string): AdapterUser | null => {
    for (const table of ["accounts", "sessions", "authenticators"]) run(`DELETE FROM ${table} WHERE "userId" = ?`, userId);
    const row = get<UserRow>(`DELETE FROM users WHERE id = ? RETURNING ${userColumns}`, userId);
    return row ? toUser(row) : null;
  });

  // A passkey's authenticator goes with its account: left behind, it would still be listed as the
  // user's (listAuthenticatorsByUserId) though it can no longer sign in.
  const unlinkAccount = db.transaction((provider: string, providerAccountId: string): AccountRow | undefined => {
    const row = get<AccountRow>(`DELETE FROM accounts WHERE provider = ? AND "providerAccountId" = ? RETURNING ${accountColumns}`, provider, providerAccountId);
    if (row?.type === "webauthn") run(`DELETE FROM authenticators WHERE "userId" = ? AND "providerAccountId" = ?`, row.userId, row.providerAccountId);
    return row;
  });

  const replaceToken = db.transaction((identifier: string, token: string, expires: number): void => {
    run("DELETE FROM verification_token WHERE identifier = ?", identifier);
    run("INSERT INTO verification_token (identifier, token, expires) VALUES (?, ?, ?)", identifier, token, expires);
  });

  return {
    async createUser(user) {
      const row = get<UserRow>(
        `INSERT INTO users (id, name, email, "emailVerified", image) VALUES (?, ?, ?, ?, ?) RETURNING ${userColumns}`,
        user.id || crypto.randomUUID(), user.name ?? null, user.email ?? null, toMillis(user.emailVerified), user.image ?? null,
      );
      return toUser(row as UserRow);
    },
    async getUser(id) {
      return userWhere("id = ?", id);
    },
    async getUserByEmail(email) {
      return userWhere("email = ?", email);
    },
    async getUserByAccount({ provider, providerAccountId }) {
      return userWhere(`id = (SELECT "userId" FROM accounts WHERE provider = ? AND "providerAccountId" = ?)`, provider, providerAccountId);
    },
    async updateUser(patch) {
      return updateUser.immediate(patch);
    },
    async deleteUser(userId) {
      return deleteUser.immediate(userId);
    },
    async linkAccount(account) {
      const row = get<AccountRow>(
        `INSERT INTO accounts (id, ${accountColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${accountColumns}`,
        crypto.randomUUID(), account.userId, account.type, account.provider, account.providerAccountId,
        account.access_token ?? null, account.refresh_token ?? null, account.expires_at ?? null,
        account.id_token ?? null, account.scope ?? null, account.token_type ?? null, account.session_state ?? null,
      );
      return toAccount(row as AccountRow);
    },
    async unlinkAccount({ provider, providerAccountId }) {
      const row = unlinkAccount(provider, providerAccountId);
      return row ? toAccount(row) : undefined;
    },
    async listAccountsByUserId(userId) {
      return all<AccountRow>(`SELECT ${accountColumns} FROM accounts WHERE "userId" = ? ORDER BY provider, "providerAccountId"`, userId).map(toAccount);
    },
    async getAccount(providerAccountId, provider) {
      const row = get<AccountRow>(`SELECT ${accountColumns} FROM accounts WHERE provider = ? AND "providerAccountId" = ?`, provider, providerAccountId);
      return row ? toAccount(row) : null;
    },
    async createSession({ sessionToken, userId, expires }) {
      const row = get<SessionRow>(
        `INSERT INTO sessions (id, "sessionToken", "userId", expires) VALUES (?, ?, ?, ?) RETURNING "sessionToken", "userId", expires`,
        crypto.randomUUID(), sessionToken, userId, expires.getTime(),
      );
      return toSession(row as SessionRow);
    },
    async getSessionAndUser(sessionToken) {
      const row = get<SessionRow & { uid: string } & Omit<UserRow, "id">>(
        `SELECT s."sessionToken", s."userId", s.expires, u.id AS uid, u.name, u.email, u."emailVerified", u.image
         FROM sessions s JOIN users u ON u.id = s."userId" WHERE s."sessionToken" = ?`,
        sessionToken,
      );
      return row ? { session: toSession(row), user: toUser({ ...row, id: row.uid }) } : null;
    },
    async updateSession({ sessionToken, userId, expires }) {
      const row = get<SessionRow>(
        `UPDATE sessions SET expires = coalesce(?, expires), "userId" = coalesce(?, "userId") WHERE "sessionToken" = ? RETURNING "sessionToken", "userId", expires`,
        toMillis(expires), userId ?? null, sessionToken,
      );
      return row ? toSession(row) : null;
    },
    async deleteSession(sessionToken) {
      const row = get<SessionRow>(`DELETE FROM sessions WHERE "sessionToken" = ? RETURNING "sessionToken", "userId", expires`, sessionToken);
      return row ? toSession(row) : null;
    },
    async deleteSessionsByUserId(userId) {
      return statement(db, `DELETE FROM sessions WHERE "userId" = ?`).run(userId).changes;
    },
    async createVerificationToken({ identifier, token, expires }) {
      run("INSERT INTO verification_token (identifier, token, expires) VALUES (?, ?, ?)", identifier, token, expires.getTime());
      return { identifier, token, expires };
    },
    async replaceVerificationToken({ identifier, token, expires }) {
      replaceToken(identifier, token, expires.getTime());
      return { identifier, token, expires };
    },
    async useVerificationToken({ identifier, token }) {
      // One statement: the match on both columns and the delete cannot be split by a concurrent use.
      const row = get<TokenRow>("DELETE FROM verification_token WHERE identifier = ? AND token = ? RETURNING identifier, token, expires", identifier, token);
      return row ? ({ identifier: row.identifier, token: row.token, expires: toDate(row.expires) } satisfies VerificationToken) : null;
    },
    async createAuthenticator(authenticator) {
      const row = get<AuthenticatorRow>(
        `INSERT INTO authenticators (${authenticatorColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${authenticatorColumns}`,
        authenticator.credentialID, authenticator.userId, authenticator.providerAccountId, authenticator.credentialPublicKey,
        authenticator.counter, authenticator.credentialDeviceType, authenticator.credentialBackedUp ? 1 : 0, authenticator.transports ?? null,
      );
      return toAuthenticator(row as AuthenticatorRow);
    },
    async getAuthenticator(credentialID) {
      const row = get<AuthenticatorRow>(`SELECT ${authenticatorColumns} FROM authenticators WHERE "credentialID" = ?`, credentialID);
      return row ? toAuthenticator(row) : null;
    },
    async listAuthenticatorsByUserId(userId) {
      return all<AuthenticatorRow>(`SELECT ${authenticatorColumns} FROM authenticators WHERE "userId" = ? ORDER BY rowid`, userId).map(toAuthenticator);
    },
    async updateAuthenticatorCounter(credentialID, counter) {
      const row = get<AuthenticatorRow>(`UPDATE authenticators SET counter = ? WHERE "credentialID" = ? RETURNING ${authenticatorColumns}`, counter, credentialID);
      if (!row) throw new Error(`[latch] SQLiteAdapter.updateAuthenticatorCounter: no authenticator with credentialID ${JSON.stringify(credentialID)}`);
      return toAuthenticator(row);
    },
  };
}
