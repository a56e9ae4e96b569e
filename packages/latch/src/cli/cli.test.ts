import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { postgresUrl, requirePostgres } from "../../test/helpers/services.js";
import type { EnvMap } from "./doctor/types.js";
import { main } from "./index.js";

const dirs: string[] = [];
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "latch-cli-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the command in-process; with `context`, in that directory with only that environment. */
async function run(args: string[], context?: { env: EnvMap; cwd: string }): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, (l) => out.push(l), (l) => err.push(l), context);
  return { code, out, err };
}

/** Runs `fn` with `dir` as the process's working directory, as `npx latch` run there has it. */
async function inDirectory<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return await fn();
  } finally {
    process.chdir(before);
  }
}

/** A PostgreSQL URL whose search_path is the test's own schema. */
function schemaUrl(schema: string): string {
  const url = new URL(postgresUrl());
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.href;
}

describe("latch", () => {
  it("refuses unknown commands with the usage", async () => {
    const result = await run(["frobnicate"]);
    expect(result.code).toBe(1);
    expect(result.err.join("")).toContain("usage: latch");
  });
});

describe("latch migrate", () => {
  it("creates the SQLite tables in a file, and running it again changes nothing", async () => {
    const file = join(project(), "auth.db");
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
      const result = await run(["migrate", "postgres", schemaUrl(namespace.schema)]);
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

  it("prints its help for --help, and creates no database file named after a flag", async () => {
    const dir = project();
    await inDirectory(dir, async () => {
      for (const args of [["migrate", "--help"], ["migrate", "sqlite", "--help"], ["migrate", "postgres", "-h"]]) {
        const result = await run(args, { env: {}, cwd: dir });
        expect(result.code, args.join(" ")).toBe(0);
        expect(result.out.join("\n"), args.join(" ")).toContain("usage: latch migrate sqlite <file>");
      }
      const unknown = await run(["migrate", "sqlite", "--frobnicate"], { env: {}, cwd: dir });
      expect(unknown.code).toBe(1);
      expect(unknown.err.join("")).toContain('unknown option "--frobnicate"');
      const twoFiles = await run(["migrate", "sqlite", "a.db", "b.db"], { env: {}, cwd: dir });
      expect(twoFiles.err.join("")).toContain("takes one file");
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("creates a relative SQLite file in the directory it is given to run in, and says why it cannot", async () => {
    const dir = project();
    const elsewhere = project();
    await inDirectory(elsewhere, async () => {
      expect((await run(["migrate", "sqlite", "auth.db"], { env: {}, cwd: dir })).code).toBe(0);
    });
    expect(existsSync(join(dir, "auth.db"))).toBe(true);
    expect(readdirSync(elsewhere)).toEqual([]);
    const noDir = await run(["migrate", "sqlite", "no/such/dir/auth.db"], { env: {}, cwd: dir });
    expect(noDir.code).toBe(1);
    expect(noDir.err.join("")).toMatch(/^latch migrate sqlite: could not migrate no\/such\/dir\/auth\.db: .*directory does not exist/);
  });

  it("says a URL is not a PostgreSQL URL instead of failing to resolve a host name", async () => {
    const dir = project();
    for (const url of ["not-a-url", "mysql://app:hunter22@db/app", "postgres:/db.internal/app"]) {
      const result = await run(["migrate", "postgres", url], { env: {}, cwd: dir });
      expect(result.code, url).toBe(1);
      expect(result.err.join(""), url).toContain("latch migrate postgres: the URL given is not a PostgreSQL URL; pass one like postgres://user:password@host:5432/db.");
      expect(result.err.join(""), url).not.toContain("hunter22");
    }
    const sqlite = await run(["migrate", "postgres"], { env: { DATABASE_URL: "file:./dev.db" }, cwd: dir });
    expect(sqlite.err.join("")).toContain("DATABASE_URL from process environment is not a PostgreSQL URL");
    expect(sqlite.err.join("")).toContain("run `latch migrate sqlite <file>` instead");
  });

  it("names the server it cannot reach and why, without the password", async () => {
    const result = await run(["migrate", "postgres", "postgres://app:hunter22@127.0.0.1:1/app"], { env: {}, cwd: project() });
    expect(result.code).toBe(1);
    expect(result.err.join("")).toMatch(/^latch migrate postgres: could not migrate postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app: .*ECONNREFUSED/);
    expect(result.err.join("")).not.toContain("hunter22");
  });

  it('finds DATABASE_URL in .env.local as doctor does, so doctor\'s fix `npx latch migrate postgres "$DATABASE_URL"` works with the variable unset in the shell', async () => {
    const namespace = await requirePostgres();
    try {
      const dir = project();
      writeFileSync(join(dir, ".env.local"), `DATABASE_URL=${schemaUrl(namespace.schema)}\n`);
      const doctor = await run(["doctor", "--dir", dir, "--offline", "--json"], { env: {}, cwd: dir });
      const fix = (JSON.parse(doctor.out.join("\n")) as { findings: Array<{ code: string; fix?: string }> }).findings.find((f) => f.code === "schema-not-migrated")?.fix;
      expect(fix).toContain('npx latch migrate postgres "$DATABASE_URL"');
      // Next.js reads DATABASE_URL from .env.local, so in the shell "$DATABASE_URL" is "".
      const result = await run(["migrate", "postgres", ""], { env: {}, cwd: dir });
      expect(result.err).toEqual([]);
      expect(result.out.join("")).toContain("(DATABASE_URL from .env.local)");
      expect(result.code).toBe(0);
      const migrated = await run(["doctor", "--dir", dir, "--offline", "--json"], { env: {}, cwd: dir });
      expect((JSON.parse(migrated.out.join("\n")) as { findings: Array<{ code: string }> }).findings.map((f) => f.code)).toContain("schema-ok");
    } finally {
      await namespace.drop();
    }
  });

  it("without a URL and without DATABASE_URL anywhere, says where it looked", async () => {
    const result = await run(["migrate", "postgres"], { env: {}, cwd: project() });
    expect(result.code).toBe(1);
    expect(result.err.join("")).toContain("or DATABASE_URL in the environment or in .env.development.local, .env.local, .env.development, .env.");
  });
});
