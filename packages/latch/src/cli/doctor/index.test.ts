import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../index.js";
import type { DoctorReport } from "./report.js";
import type { EnvMap } from "./types.js";

const dir = mkdtempSync(join(tmpdir(), "latch-doctor-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], env: EnvMap = {}, cwd = dir) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["doctor", ...args], (l) => out.push(l), (l) => err.push(l), { env, cwd });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** A directory of its own, removed with the shared one. */
function project(): string {
  const own = join(dir, `project-${randomBytes(4).toString("hex")}`);
  mkdirSync(own);
  return own;
}

const goodSecret = randomBytes(32).toString("base64");

describe("latch doctor", () => {
  it("prints its help with exit code 0, and exits 2 on arguments it cannot use", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("usage: latch doctor");
    const bad = await run(["--frobnicate"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown argument "--frobnicate"');
    expect((await run(["--dir", join(dir, "nowhere")])).err).toContain("is not a directory");
    expect((await run(["--env-file", "missing.env"])).err).toContain("does not exist (--env-file)");
  });

  it("exits 1 and names the missing secret in an empty project", async () => {
    const result = await run(["--offline"]);
    expect(result.code).toBe(1);
    expect(result.out).toContain("[secret-missing]");
    expect(result.out).toContain("1 error");
  });

  it("exits 0 with warnings only, and prints JSON for machines", async () => {
    writeFileSync(join(dir, ".env.local"), `AUTH_SECRET=${randomBytes(32).toString("hex")}\n`);
    const result = await run(["--offline", "--json"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as DoctorReport;
    expect(report).toMatchObject({ project: dir, mode: "development", production: false, envFiles: [".env.local"], exitCode: 0 });
    expect(report.summary.error).toBe(0);
    expect(report.findings.map((f) => f.code)).toEqual(expect.arrayContaining(["env-files", "secret-ok", "route-not-found", "provider-none", "session-cookie-size", "database-skipped", "live-skipped"]));
  });

  it("checks for production when NODE_ENV says so", async () => {
    const result = await run(["--offline", "--json"], { NODE_ENV: "production" });
    const report = JSON.parse(result.out) as DoctorReport;
    expect(report.production).toBe(true);
    // .env.local is read in production too (not .env.development*), so the secret is still found.
    expect(report.findings.find((f) => f.code === "auth-url-missing")?.severity).toBe("error");
    expect(result.code).toBe(1);
  });
});

describe("latch doctor on unusual input", () => {
  it("exits 2 with a message when --env-file names a directory", async () => {
    const own = project();
    mkdirSync(join(own, "config"));
    const result = await run(["--dir", own, "--env-file", "config"], { AUTH_SECRET: goodSecret }, own);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`the env file ${join(own, "config")} is not a file (a directory?) (--env-file)`);
  });

  it("warns that a .env.local which is a directory is skipped, as Next.js skips it, instead of crashing", async () => {
    const own = project();
    mkdirSync(join(own, ".env.local"));
    const result = await run(["--dir", own, "--offline", "--json"], { AUTH_SECRET: goodSecret }, own);
    const report = JSON.parse(result.out) as DoctorReport;
    expect(report.findings.find((f) => f.code === "env-file-unreadable")).toMatchObject({ severity: "warn", message: expect.stringContaining(".env.local was not read: it is a directory, not a file") as unknown });
    expect(result.code).toBe(0);
  });

  it("does not echo the value of a misspelled flag, which may carry a database password", async () => {
    const result = await run(["--offline", "--database-url=postgres://app:Sup3rS3cretPassw0rd@db.internal:5432/app"]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('unknown argument "--database-url=…"');
    expect(result.err).not.toContain("Sup3rS3cretPassw0rd");
  });

  it("errors on a single-quoted secret that Next.js expands to empty ($ starts a variable there too)", async () => {
    const own = project();
    writeFileSync(join(own, ".env.local"), "AUTH_SECRET='$K7x9fPz2LqV8mN4tR6wY1uE3oI5aS0dG7hJ2kL9zX4cV'\n");
    const result = await run(["--dir", own, "--offline"], {}, own);
    expect(result.out).toContain("[secret-missing]");
    expect(result.code).toBe(1);
  });
});

describe("latch doctor names the database it checks", () => {
  it("prints the SQLite file given as --database ./data/auth.db, and a fix that can be run", async () => {
    const own = project();
    const result = await run(["--dir", own, "--offline", "--database", "./data/auth.db"], { AUTH_SECRET: goodSecret }, own);
    expect(result.out).not.toContain("[redacted]");
    expect(result.out).toContain("The SQLite database ./data/auth.db (--database) does not exist");
    expect(result.out).toContain("npx latch migrate sqlite ./data/auth.db");
  });

  it("hides only the password of a --database URL", async () => {
    const own = project();
    const result = await run(["--dir", own, "--offline", "--timeout", "2000", "--json", "--database", "postgres://app:hunter22@127.0.0.1:1/app"], { AUTH_SECRET: goodSecret }, own);
    const report = JSON.parse(result.out) as DoctorReport;
    const unreachable = report.findings.find((f) => f.code === "database-unreachable");
    expect(unreachable?.message).toContain("PostgreSQL at postgres://app:***@127.0.0.1:1/app (--database) is unreachable");
    expect(result.out).not.toContain("hunter22");
  });

  it("warns, as for PostgreSQL, when DATABASE_URL=file:… names another adapter's SQLite database", async () => {
    // e.g. @auth/drizzle-adapter on better-sqlite3: its tables are user/account/session/verificationToken.
    const own = project();
    const db = new Database(join(own, "app.db"));
    db.exec(`CREATE TABLE user (id TEXT PRIMARY KEY, name TEXT, email TEXT UNIQUE, emailVerified INTEGER, image TEXT);
      CREATE TABLE session ("sessionToken" TEXT PRIMARY KEY, "userId" TEXT NOT NULL, expires INTEGER NOT NULL);`);
    db.close();
    const result = await run(["--dir", own, "--offline", "--json"], { AUTH_SECRET: goodSecret, DATABASE_URL: "file:./app.db" }, own);
    const report = JSON.parse(result.out) as DoctorReport;
    const database = report.findings.filter((f) => f.area === "database");
    expect(database.map((f) => `${f.severity}:${f.code}`)).toEqual(["warn:schema-not-migrated"]);
    expect(database[0]?.message).toContain("./app.db (DATABASE_URL) is not migrated");
    expect(database[0]?.fix).toContain("npx latch migrate sqlite ./app.db");
    expect(result.code).toBe(0);
  });
});
