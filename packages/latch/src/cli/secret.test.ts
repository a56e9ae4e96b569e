/**
 * `latch secret`, on env files as users have them. What the app would read is decided by
 * @next/env itself (what `next dev` and `next start` load), not by latch's own parser.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import nextEnv from "@next/env";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "./index.js";
import { parseSecretArgs } from "./secret.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const SECRET_LINE = /^[A-Za-z0-9+/]{43}=$/m;

const dirs: string[] = [];
function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "latch-secret-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["secret", ...args], (l) => out.push(l), (l) => err.push(l), { env: {}, cwd });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** The AUTH_SECRET a Next.js app in `dir` would run with (`next dev`, nothing in process.env). */
function appSecret(dir: string): string | undefined {
  // Vitest runs with NODE_ENV=test, in which Next.js skips .env.local: read as `next dev` does.
  const saved = { AUTH_SECRET: process.env.AUTH_SECRET, NODE_ENV: process.env.NODE_ENV };
  delete process.env.AUTH_SECRET;
  process.env.NODE_ENV = "development";
  try {
    const { combinedEnv } = nextEnv.loadEnvConfig(dir, true, { info: () => undefined, error: () => undefined }, true);
    return combinedEnv.AUTH_SECRET;
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

function secretLines(file: string): string[] {
  return readFileSync(file, "utf8")
    .split(/\r?\n/)
    .filter((line) => /^\s*(export\s+)?AUTH_SECRET\s*=/.test(line));
}

describe("latch secret", () => {
  it("prints a new 256-bit base64 secret each time", async () => {
    const dir = project();
    const a = await run([], dir);
    const b = await run([], dir);
    expect(a.code).toBe(0);
    expect(Buffer.from(a.out, "base64")).toHaveLength(32);
    expect(a.out).not.toBe(b.out);
  });

  it("prints no secret for a misspelled flag, a stray argument, --force alone or --help", async () => {
    const dir = project();
    for (const args of [["--wirte", ".env.local"], ["--write=.env.local", "extra"], [".env.local"], ["--force"], ["--write", ".env.local", "--froce"]]) {
      const result = await run(args, dir);
      expect(result.code, args.join(" ")).toBe(1);
      expect(result.out, args.join(" ")).not.toMatch(SECRET_LINE);
      expect(result.err, args.join(" ")).toContain("usage: latch secret");
    }
    expect((await run(["--wirte=.env.local"], dir)).err).toContain('unknown argument "--wirte"');
    const help = await run(["--help"], dir);
    expect(help.code).toBe(0);
    expect(help.out).toContain("usage: latch secret");
    expect(help.out).not.toMatch(SECRET_LINE);
  });
});

describe("parseSecretArgs", () => {
  it("reads --write [file], --write=<file> and --force; the file defaults to .env.local", () => {
    expect(parseSecretArgs([])).toEqual({ action: "print" });
    expect(parseSecretArgs(["--write"])).toEqual({ action: "write", file: ".env.local", force: false });
    expect(parseSecretArgs(["--write", "--force"])).toEqual({ action: "write", file: ".env.local", force: true });
    expect(parseSecretArgs(["--force", "--write", ".env.production.local"])).toEqual({ action: "write", file: ".env.production.local", force: true });
    expect(parseSecretArgs(["--write=.env"])).toEqual({ action: "write", file: ".env", force: false });
    expect(parseSecretArgs(["-h"])).toEqual({ action: "help" });
    expect(parseSecretArgs(["--write="])).toContain("needs a file name");
  });
});

describe("latch secret --write", () => {
  it("writes AUTH_SECRET to a new env file, readable by the owner only", async () => {
    const dir = project();
    const file = join(dir, ".env.local");
    expect((await run(["--write", file], dir)).code).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^AUTH_SECRET="[A-Za-z0-9+/=]{44}"/);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(Buffer.from(appSecret(dir) ?? "", "base64")).toHaveLength(32);
  });

  it("writes to .env.local of the directory it runs in by default", async () => {
    const dir = project();
    const result = await run(["--write"], dir);
    expect(result).toMatchObject({ code: 0, out: "Wrote a new AUTH_SECRET to .env.local." });
    expect(Buffer.from(appSecret(dir) ?? "", "base64")).toHaveLength(32);
  });

  it("appends after existing lines without breaking the last one", async () => {
    const dir = project({ ".env.local": "OTHER=1" });
    await run(["--write", join(dir, ".env.local")], dir);
    expect(readFileSync(join(dir, ".env.local"), "utf8")).toMatch(/^OTHER=1\nAUTH_SECRET="/);
  });

  it("fills in place the empty AUTH_SECRET= of a .env.local copied from the example's .env.example", async () => {
    // The example says "Copy to .env.local"; doctor then reports secret-missing with the fix `npx latch secret --write .env.local`.
    const dir = project();
    const file = join(dir, ".env.local");
    copyFileSync(join(REPO, "examples/next-app/.env.example"), file);
    const example = readFileSync(file, "utf8");
    expect(appSecret(dir)).toBe("");
    const result = await run(["--write", file], dir);
    expect(result).toMatchObject({ code: 0, err: "" });
    expect(Buffer.from(appSecret(dir) ?? "", "base64")).toHaveLength(32);
    expect(secretLines(file)).toHaveLength(1);
    // Where the example has it, and every other line as it was.
    expect(readFileSync(file, "utf8").replace(/^AUTH_SECRET=.*$/m, "AUTH_SECRET=")).toBe(example);
  });

  it("keeps an AUTH_SECRET that is set, however it is written, unless --force, and says why", async () => {
    const kept = "the-secret-every-session-is-encrypted-with-0123456789";
    for (const line of [`AUTH_SECRET="${kept}"`, `export AUTH_SECRET="${kept}"`, `AUTH_SECRET = "${kept}"`, `  AUTH_SECRET='${kept}' # in use`, `AUTH_SECRET=${kept}`]) {
      const dir = project({ ".env.local": `${line}\n` });
      const result = await run(["--write", join(dir, ".env.local")], dir);
      expect(result.code, line).toBe(1);
      expect(result.err, line).toContain("--force");
      // The secret users' sessions depend on stays the one the app reads.
      expect(appSecret(dir), line).toBe(kept);
      expect(readFileSync(join(dir, ".env.local"), "utf8"), line).toBe(`${line}\n`);
    }
  });

  it("--force replaces the AUTH_SECRET the app reads and leaves exactly one AUTH_SECRET line", async () => {
    // The file `npm run demo` leaves after `cp .env.example .env.local`: the empty line, then its own.
    const old = "old-secret-written-by-the-demo-script-abcdefghij";
    const dir = project({ ".env.local": `AUTH_SECRET=\nAUTH_URL=http://127.0.0.1:3000\nAUTH_SECRET=${old}\nLATCH_DB_FILE=.data/latch.db\n` });
    const file = join(dir, ".env.local");
    const result = await run(["--write", file, "--force"], dir);
    expect(result.out).toContain("Wrote a new AUTH_SECRET");
    expect(Buffer.from(appSecret(dir) ?? "", "base64")).toHaveLength(32);
    expect(readFileSync(file, "utf8")).toMatch(/^AUTH_SECRET="[^"]{44}"\nAUTH_URL=http:\/\/127\.0\.0\.1:3000\nLATCH_DB_FILE=\.data\/latch\.db\n$/);
  });

  it("--force keeps `export`, a multi-line neighbour and CRLF line ends", async () => {
    const dir = project({ ".env.local": 'export AUTH_SECRET="old-secret-0123456789-0123456789"\r\nKEY="-----BEGIN-----\r\nabc\r\n-----END-----"\r\n' });
    const file = join(dir, ".env.local");
    expect((await run(["--write", file, "--force"], dir)).code).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^export AUTH_SECRET="[^"]{44}"\r\nKEY="-----BEGIN-----\r\nabc\r\n-----END-----"\r\n$/);
    expect(appSecret(dir)).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it("says what is wrong, with exit code 1, when the file cannot be written (no stack trace)", async () => {
    const dir = project();
    const missingDir = await run(["--write", join(dir, "no/such/dir/.env.local")], dir);
    expect(missingDir.code).toBe(1);
    expect(missingDir.err).toContain(`the directory ${join(dir, "no/such/dir")} does not exist`);
    mkdirSync(join(dir, "config"));
    const aDirectory = await run(["--write", "config"], dir);
    expect(aDirectory.code).toBe(1);
    expect(aDirectory.err).toContain("it is a directory; pass the env file inside it");
    expect(`${missingDir.out}${aDirectory.out}`).not.toMatch(SECRET_LINE);
  });
});
