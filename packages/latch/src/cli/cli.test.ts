import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { postgresUrl, requirePostgres } from "../../test/helpers/services.js";
import { main } from "./index.js";

const dirs: string[] = [];
function tempFile(content?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "latch-cli-"));
  dirs.push(dir);
  const file = join(dir, ".env.local");
  if (content !== undefined) writeFileSync(file, content);
  return file;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

describe("latch secret", () => {
  it("prints a new 256-bit base64 secret each time", async () => {
    const a = await run(["secret"]);
    const b = await run(["secret"]);
    expect(a.code).toBe(0);
    expect(Buffer.from(a.out[0] ?? "", "base64")).toHaveLength(32);
    expect(a.out[0]).not.toBe(b.out[0]);
  });

  it("writes AUTH_SECRET to a new env file, readable by the owner only", async () => {
    const file = tempFile();
    expect((await run(["secret", "--write", file])).code).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^AUTH_SECRET="[A-Za-z0-9+/=]{44}"/);
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it("appends after existing lines without breaking the last one", async () => {
    const file = tempFile("OTHER=1");
    await run(["secret", "--write", file]);
    expect(readFileSync(file, "utf8")).toMatch(/^OTHER=1\nAUTH_SECRET="/);
  });

  it("keeps an existing AUTH_SECRET unless --force, and says why", async () => {
    const file = tempFile('AUTH_SECRET="old"\n');
    const kept = await run(["secret", "--write", file]);
    expect(kept.code).toBe(1);
    expect(kept.err.join("")).toContain("--force");
    expect(readFileSync(file, "utf8")).toBe('AUTH_SECRET="old"\n');
    expect((await run(["secret", "--write", file, "--force"])).code).toBe(0);
    expect(readFileSync(file, "utf8")).not.toContain('"old"');
  });

  it("refuses unknown commands with the usage", async () => {
    const result = await run(["frobnicate"]);
    expect(result.code).toBe(1);
    expect(result.err.join("")).toContain("usage: latch");
  });
});

describe("latch migrate", () => {
  it("creates the SQLite tables in a file, and running it again changes nothing", async () => {
    const file = tempFile().replace(/\.env\.local$/, "auth.db");
    const first = await run(["migrate", "sqlite", file]);
    expect(first.code).toBe(0);
    expect(first.out.join("")).toContain("up to date");
    expect((await run(["migrate", "sqlite", file])).code).toBe(0);
    const db = new Database(file, { readonly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
    const versions = db.prepare("SELECT count(*) AS n FROM latch_migrations").get() as { n: number };
    db.close();
    expect(tables).toEqual(expect.arrayContaining(["users", "accounts", "sessions", "verification_token", "authenticators"]));
    expect(versions.n).toBe(1);
  });

  it("creates the PostgreSQL tables", async () => {
    const namespace = await requirePostgres();
    try {
      const url = new URL(postgresUrl());
      url.searchParams.set("options", `-c search_path=${namespace.schema}`);
      const result = await run(["migrate", "postgres", url.href]);
      expect(result.err).toEqual([]);
      expect(result.code).toBe(0);
      const { rows } = await namespace.pool.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name", [namespace.schema]);
      expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(["users", "accounts", "sessions", "verification_token", "authenticators"]));
    } finally {
      await namespace.drop();
    }
  });

  it("says what is missing instead of crashing", async () => {
    const noFile = await run(["migrate", "sqlite"]);
    expect(noFile.code).toBe(1);
    expect(noFile.err.join("")).toContain("needs the database file");
    const unknown = await run(["migrate", "mongodb"]);
    expect(unknown.code).toBe(1);
    expect(unknown.err.join("")).toContain('"sqlite <file>" or "postgres <url>"');
  });
});
