/**
 * SQLiteAdapter: the conformance suite in memory and on a file, then what is SQLite's own.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { migrateSQLite, SQLiteAdapter, sqliteSchema } from "../../src/adapters/sqlite.js";
import type { Adapter } from "../../src/adapters/types.js";
import { runAdapterConformance } from "../adapter-conformance.js";

const TABLES = ["authenticators", "verification_token", "sessions", "accounts", "users"];

function target(db: Database.Database, onClose: () => void = () => undefined) {
  migrateSQLite(db);
  return {
    adapter: SQLiteAdapter(db),
    reset: async () => void db.transaction(() => TABLES.forEach((table) => db.exec(`DELETE FROM ${table}`)))(),
    close: async () => {
      db.close();
      onClose();
    },
  };
}

runAdapterConformance("SQLiteAdapter (:memory:)", async () => target(new Database(":memory:")));

const dir = mkdtempSync(join(tmpdir(), "latch-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runAdapterConformance("SQLiteAdapter (file)", async () => {
  const file = join(dir, "auth.db");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  return target(db, () => rmSync(file, { force: true }));
});

const columnsOf = (db: Database.Database, table: string) =>
  (db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).all(table) as { name: string }[]).map((column) => column.name);

describe("SQLiteAdapter: SQLite specifics", () => {
  it("has Auth.js's tables and column names (camelCase for Auth.js fields, snake_case for OAuth tokens)", () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    expect(columnsOf(db, "users")).toEqual(["id", "name", "email", "emailVerified", "image"]);
    expect(columnsOf(db, "accounts")).toEqual([
      "id", "userId", "type", "provider", "providerAccountId",
      "refresh_token", "access_token", "expires_at", "id_token", "scope", "session_state", "token_type",
    ]);
    expect(columnsOf(db, "sessions")).toEqual(["id", "sessionToken", "userId", "expires"]);
    expect(columnsOf(db, "verification_token")).toEqual(["identifier", "token", "expires"]);
    expect(columnsOf(db, "authenticators")).toEqual([
      "credentialID", "userId", "providerAccountId", "credentialPublicKey",
      "counter", "credentialDeviceType", "credentialBackedUp", "transports",
    ]);
    db.close();
  });

  it("migrates twice without harm: data kept, version 1 recorded once", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const adapter = SQLiteAdapter(db) as Required<Adapter>;
    const user = await adapter.createUser({ id: "", email: "twice@example.com", emailVerified: null });
    migrateSQLite(db);
    expect((await adapter.getUser(user.id))?.email).toBe("twice@example.com");
    expect(db.prepare("SELECT version FROM latch_migrations").all()).toEqual([{ version: 1 }]);
    db.close();
  });

  it("sqliteSchema applies on its own, twice (IF NOT EXISTS)", () => {
    const db = new Database(":memory:");
    db.exec(sqliteSchema);
    db.exec(sqliteSchema);
    expect(columnsOf(db, "users")).toContain("emailVerified");
    db.close();
  });

  it("stores dates as integer milliseconds and generates UUIDs when no id is given", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const adapter = SQLiteAdapter(db) as Required<Adapter>;
    const verified = new Date("2026-01-02T03:04:05.678Z");
    const user = await adapter.createUser({ id: "", email: "dates@example.com", emailVerified: verified });
    expect(user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(db.prepare(`SELECT "emailVerified" AS v, typeof("emailVerified") AS t FROM users`).get()).toEqual({ v: verified.getTime(), t: "integer" });
    db.close();
  });

  it("turns foreign keys on for its connection, so the cascade holds even for raw deletes", async () => {
    const db = new Database(":memory:");
    db.pragma("foreign_keys = OFF");
    migrateSQLite(db);
    const adapter = SQLiteAdapter(db) as Required<Adapter>;
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    const user = await adapter.createUser({ id: "", email: "fk@example.com", emailVerified: null });
    await adapter.createSession({ sessionToken: "t", userId: user.id, expires: new Date(Date.now() + 60_000) });
    db.prepare("DELETE FROM users WHERE id = ?").run(user.id);
    expect(await adapter.getSessionAndUser("t")).toBeNull();
    expect(db.prepare("SELECT count(*) AS n FROM sessions").get()).toEqual({ n: 0 });
    db.close();
  });

  it("reads integers back as numbers even when the app turned on safeIntegers (bigint)", async () => {
    const db = new Database(":memory:");
    db.defaultSafeIntegers(true);
    migrateSQLite(db);
    const adapter = SQLiteAdapter(db) as Required<Adapter>;
    const user = await adapter.createUser({ id: "", email: "big@example.com", emailVerified: new Date(1_700_000_000_123) });
    expect((await adapter.getUser(user.id))?.emailVerified?.getTime()).toBe(1_700_000_000_123);
    await adapter.linkAccount({ userId: user.id, type: "oauth", provider: "p", providerAccountId: "1", expires_at: 1_700_000_000 });
    expect((await adapter.getAccount("1", "p"))?.expires_at).toBe(1_700_000_000);
    db.close();
  });
});
