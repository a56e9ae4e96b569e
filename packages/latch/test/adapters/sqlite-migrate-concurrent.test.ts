/**
 * migrateSQLite run by several processes on one file at once: Next.js workers (next build's
 * page-data collection, several `next start` instances) each importing the app's db module on a
 * fresh machine. Its documentation says it is safe to run at every start.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { migrateSQLite } from "../../src/adapters/sqlite.js";

const dirs: string[] = [];
function databaseFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "latch-sqlite-migrate-"));
  dirs.push(dir);
  return join(dir, "auth.db");
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `db`, except that right after each read of the recorded version, `meanwhile` runs (another process, say). */
function interleaved(db: Database.Database, meanwhile: () => void): Database.Database {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property !== "prepare") return Reflect.get(target, property, receiver) as unknown;
      return (sql: string) => {
        const statement = target.prepare(sql);
        if (!/SELECT max\(version\)/i.test(sql)) return statement;
        return new Proxy(statement, {
          get(s, p, r) {
            if (p !== "get") return Reflect.get(s, p, r) as unknown;
            return (...args: unknown[]) => {
              const row = s.get(...args);
              meanwhile();
              return row;
            };
          },
        });
      };
    },
  });
}

describe("migrateSQLite from several processes", () => {
  it("applies each version once when another process migrates between its version read and its write", () => {
    const file = databaseFile();
    const first = new Database(file);
    const second = new Database(file);
    try {
      expect(() => migrateSQLite(interleaved(second, () => migrateSQLite(first)))).not.toThrow();
      expect(second.prepare("SELECT count(*) AS n FROM latch_migrations").get()).toEqual({ n: 1 });
      expect(second.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'users'").get()).toEqual({ n: 1 });
    } finally {
      first.close();
      second.close();
    }
  });

  it("only reads a database that is up to date: it runs on a read-only connection", () => {
    const file = databaseFile();
    const writer = new Database(file);
    migrateSQLite(writer);
    writer.close();
    const reader = new Database(file, { readonly: true, fileMustExist: true });
    try {
      expect(() => migrateSQLite(reader)).not.toThrow();
    } finally {
      reader.close();
    }
  });
});
