import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { migrateSQLite } from "../../adapters/sqlite.js";
import { checkDatabase } from "./database.js";
import { redactUrl, resolveDatabaseTarget } from "./database-target.js";
import { checkSQLiteSchema, sqliteReference } from "./schema-sqlite.js";

const dir = mkdtempSync(join(tmpdir(), "latch-doctor-db-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sqliteFile(name: string, setup: (db: Database.Database) => void): string {
  const file = join(dir, name);
  const db = new Database(file);
  setup(db);
  db.close();
  return file;
}

function target(file: string, explicit = true) {
  return { file, shown: file, explicit, from: explicit ? "--database" : "LATCH_DB_FILE" };
}

function codes(findings: Array<{ severity: string; code: string }>): string[] {
  return findings.map((f) => `${f.severity}:${f.code}`);
}

describe("resolveDatabaseTarget", () => {
  it("reads --database, then LATCH_DB_FILE, then DATABASE_URL", () => {
    expect(resolveDatabaseTarget("sqlite:auth.db", {}, "/app")).toMatchObject({ kind: "sqlite", file: "/app/auth.db", explicit: true });
    expect(resolveDatabaseTarget("file:///var/auth.db", {}, "/app")).toMatchObject({ kind: "sqlite", file: "/var/auth.db" });
    expect(resolveDatabaseTarget("./auth.sqlite", {}, "/app")).toMatchObject({ kind: "sqlite", file: "/app/auth.sqlite" });
    expect(resolveDatabaseTarget("postgres://u:pw@db/app", {}, "/app")).toMatchObject({ kind: "postgres", shown: "postgres://u:***@db/app", explicit: true });
    expect(resolveDatabaseTarget(undefined, { LATCH_DB_FILE: ".data/latch.db", DATABASE_URL: "postgres://db/app" }, "/app")).toMatchObject({ kind: "sqlite", explicit: false, from: "LATCH_DB_FILE" });
    expect(resolveDatabaseTarget(undefined, { DATABASE_URL: "postgresql://db/app" }, "/app")).toMatchObject({ kind: "postgres", explicit: false });
    expect(resolveDatabaseTarget(undefined, { DATABASE_URL: "mysql://db/app" }, "/app")).toBeUndefined();
    expect(resolveDatabaseTarget("mongodb://db", {}, "/app")).toContain("neither sqlite:<file> nor a postgres:// URL");
  });

  it("never shows a password", () => {
    expect(redactUrl("postgres://user:hunter2@db:5432/app")).toBe("postgres://user:***@db:5432/app");
  });
});

describe("checkSQLiteSchema", () => {
  it("reads latch's current version from migrateSQLite itself", () => {
    const reference = sqliteReference(Database);
    expect(reference.version).toBeGreaterThanOrEqual(1);
    expect(Object.keys(reference.tables)).toEqual(expect.arrayContaining(["users", "accounts", "sessions", "verification_token", "authenticators"]));
  });

  it("is content with a migrated file, and opens it read-only", () => {
    const file = sqliteFile("ok.db", (db) => migrateSQLite(db));
    expect(codes(checkSQLiteSchema(Database, target(file)))).toEqual(["ok:schema-ok"]);
  });

  it("errors on a database that was never migrated, naming the command", () => {
    const file = sqliteFile("empty.db", (db) => db.exec("CREATE TABLE notes (id INTEGER)"));
    const [finding] = checkSQLiteSchema(Database, target(file));
    expect(finding).toMatchObject({ code: "schema-not-migrated", severity: "error" });
    expect(finding?.message).toContain("users");
    expect(finding?.fix).toContain(`npx latch migrate sqlite ${file}`);
  });

  it("warns about a database DATABASE_URL names that latch never migrated (another adapter's, maybe), as for PostgreSQL", () => {
    const file = sqliteFile("drizzle.db", (db) => db.exec('CREATE TABLE user (id TEXT PRIMARY KEY); CREATE TABLE session ("sessionToken" TEXT PRIMARY KEY)'));
    const [shared] = checkSQLiteSchema(Database, { file, shown: "./drizzle.db", explicit: false, from: "DATABASE_URL" });
    expect(shared).toMatchObject({ code: "schema-not-migrated", severity: "warn" });
    expect(shared?.message).toContain("If another adapter (Prisma, Drizzle) owns this database");
    // LATCH_DB_FILE and --database name latch's own database.
    expect(checkSQLiteSchema(Database, target(file, false))[0]).toMatchObject({ code: "schema-not-migrated", severity: "error" });
  });

  it("errors when behind, ahead or drifted; warns when the tables are there but unrecorded", () => {
    const file = sqliteFile("current.db", (db) => migrateSQLite(db));
    const reference = sqliteReference(Database);
    expect(codes(checkSQLiteSchema(Database, target(file), { ...reference, version: reference.version + 1 }))).toEqual(["error:schema-behind"]);
    expect(codes(checkSQLiteSchema(Database, target(file), { ...reference, version: reference.version - 1 }))).toEqual(["error:schema-ahead"]);
    expect(codes(checkSQLiteSchema(Database, target(file), { ...reference, tables: { ...reference.tables, users: [...(reference.tables.users ?? []), "locale"] } }))).toEqual(["error:schema-drift"]);
    const unrecorded = sqliteFile("unrecorded.db", (db) => {
      migrateSQLite(db);
      db.exec("DROP TABLE latch_migrations");
    });
    expect(codes(checkSQLiteSchema(Database, target(unrecorded)))).toEqual(["warn:schema-unrecorded"]);
    const empty = sqliteFile("no-rows.db", (db) => {
      migrateSQLite(db);
      db.exec("DELETE FROM latch_migrations");
    });
    expect(checkSQLiteSchema(Database, target(empty))[0]?.message).toContain("schema version 0");
  });

  it("reports a missing file (an error only when named by --database) and a file that is not SQLite", () => {
    expect(codes(checkSQLiteSchema(Database, target(join(dir, "absent.db"))))).toEqual(["error:database-missing"]);
    expect(codes(checkSQLiteSchema(Database, target(join(dir, "absent.db"), false)))).toEqual(["warn:database-missing"]);
    writeFileSync(join(dir, "text.db"), "this is not a database, just text that is long enough to have a header of sorts ".repeat(10));
    expect(codes(checkSQLiteSchema(Database, target(join(dir, "text.db"))))).toEqual(["error:database-unreachable"]);
  });
});

describe("checkDatabase", () => {
  it("skips without a database and names the package to install when a driver is missing", async () => {
    expect(codes(await checkDatabase(undefined, { timeout: 1000 }))).toEqual(["skip:database-skipped"]);
    const missing = await checkDatabase({ kind: "sqlite", ...target(join(dir, "x.db")) }, { timeout: 1000, load: async () => undefined });
    expect(missing[0]).toMatchObject({ code: "database-driver-missing", severity: "error", fix: "npm install better-sqlite3" });
    const pg = await checkDatabase({ kind: "postgres", url: "postgres://db/app", shown: "postgres://db/app", explicit: false, from: "DATABASE_URL" }, { timeout: 1000, load: async () => undefined });
    expect(pg[0]).toMatchObject({ code: "database-driver-missing", severity: "warn", fix: "npm install pg" });
    expect(codes(await checkDatabase("--database is neither", { timeout: 1000 }))).toEqual(["error:database-unreachable"]);
  });

  it("loads better-sqlite3 itself", async () => {
    const file = sqliteFile("loaded.db", (db) => migrateSQLite(db));
    expect(codes(await checkDatabase({ kind: "sqlite", ...target(file) }, { timeout: 1000 }))).toEqual(["ok:schema-ok"]);
  });
});
