import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import type { AdapterUser } from "latch/adapters";
import { SQLiteAdapter, migrateSQLite } from "latch/adapters/sqlite";
import { hashPassword } from "latch/password";

/**
 * The example's own table, next to latch's: one password hash per user who signed up with an
 * email and a password, keyed by the adapter's user id. Deleting the user deletes the hash.
 */
const passwordSchema = `
CREATE TABLE IF NOT EXISTS latch_example_passwords (
  "userId" TEXT NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  "passwordHash" TEXT NOT NULL
);
`;

/**
 * Opens the example's database: one SQLite file (LATCH_DB_FILE, default .data/latch.db), created
 * and migrated on first use — latch's tables, then the example's password table. SQLite is latch's
 * embedded default; an app on several machines uses PostgreSQL or Redis instead.
 */
export function openDatabase(): Database.Database {
  const file = resolve(process.env.LATCH_DB_FILE ?? ".data/latch.db");
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  migrateSQLite(db);
  db.exec(passwordSchema);
  return db;
}

/** The one connection of this process: latch's adapter and the password helpers below share it. */
export const db = openDatabase();

/** latch's SQLite adapter over {@link db}: users, accounts and database sessions. */
export const adapter = SQLiteAdapter(db);

const selectHash = db.prepare<[string], { passwordHash: string }>(`SELECT "passwordHash" FROM latch_example_passwords WHERE "userId" = ?`);
const upsertHash = db.prepare<[string, string]>(
  `INSERT INTO latch_example_passwords ("userId", "passwordHash") VALUES (?, ?)
   ON CONFLICT ("userId") DO UPDATE SET "passwordHash" = excluded."passwordHash"`,
);

/** The stored password hash of a user, or `undefined` when they have none (e.g. an OIDC-only user). */
export function getPasswordHash(userId: string): string | undefined {
  return selectHash.get(userId)?.passwordHash;
}

/** Stores (or replaces) a user's password hash. The user must exist. */
export function setPasswordHash(userId: string, passwordHash: string): void {
  upsertHash.run(userId, passwordHash);
}

/**
 * The users table's row for an email address, compared exactly: callers pass the address
 * normalized (see `normalizeEmail`), the form in which sign-up stores it.
 */
export async function getUserByEmail(email: string): Promise<AdapterUser | null> {
  if (!adapter.getUserByEmail) throw new Error("The SQLite adapter lacks getUserByEmail");
  return adapter.getUserByEmail(email);
}

/**
 * Creates a user through the adapter (no name, email not verified) with a password hash, or
 * answers `null` when the email address is taken. `email` must be normalized already.
 *
 * Not one SQL transaction: the adapter's methods are asynchronous, while a better-sqlite3
 * transaction must run synchronously, and holding `BEGIN … COMMIT` open across an `await` on
 * this shared connection would sweep other requests' statements into it (and roll them back
 * with it). So the user row comes first — its UNIQUE email settles races between two sign-ups —
 * and the user is deleted again if the hash cannot be stored.
 */
export async function createUserWithPassword(email: string, password: string): Promise<AdapterUser | null> {
  if (!adapter.createUser || !adapter.deleteUser) throw new Error("The SQLite adapter lacks createUser or deleteUser");
  // Checked before hashing so a taken address costs no scrypt work; the UNIQUE constraint below
  // still decides when two sign-ups race.
  if (await getUserByEmail(email)) return null;
  const passwordHash = await hashPassword(password);

  let user: AdapterUser;
  try {
    user = await adapter.createUser({ id: crypto.randomUUID(), name: null, email, emailVerified: null, image: null });
  } catch (error) {
    if (await getUserByEmail(email)) return null;
    throw error;
  }
  try {
    setPasswordHash(user.id, passwordHash);
  } catch (error) {
    await adapter.deleteUser(user.id);
    throw error;
  }
  return user;
}
