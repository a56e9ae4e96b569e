import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { migrateSQLite, SQLiteAdapter } from "latch/adapters/sqlite";
import NextAuth from "latch/next";
import Passkey from "latch/providers/passkey";

/**
 * Passkeys with users, accounts, authenticators and database sessions in one SQLite file
 * (PASSKEY_DB_FILE, default .data/passkey.db). The relying party is what AUTH_URL says: its
 * origin is the only one accepted, its hostname the RP ID. `PASSKEY_CONDITIONAL_UI=off` turns
 * the autofill (conditional UI) off, so a test can press the button with a passkey on the device;
 * `PASSKEY_SIGN_UP_LIMIT` sets how many accounts one client address may start in 15 minutes.
 */
function openDatabase(): Database.Database {
  const file = resolve(/*turbopackIgnore: true*/ process.env.PASSKEY_DB_FILE ?? ".data/passkey.db");
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  migrateSQLite(db);
  return db;
}

export const { handlers, auth, signOut } = NextAuth({
  adapter: SQLiteAdapter(openDatabase()),
  providers: [
    Passkey({
      enableConditionalUI: process.env.PASSKEY_CONDITIONAL_UI !== "off",
      ...(process.env.PASSKEY_SIGN_UP_LIMIT ? { rateLimit: { source: { max: Number(process.env.PASSKEY_SIGN_UP_LIMIT), window: 900 } } } : {}),
    }),
  ],
});
