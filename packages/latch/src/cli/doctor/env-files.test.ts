import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nextEnv from "@next/env";
import { afterEach, describe, expect, it } from "vitest";
import { envFileEntries, envFileNames, envModeOf, loadProjectEnv, parseEnvFile } from "./env-files.js";

const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "latch-doctor-env-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("parseEnvFile", () => {
  it("reads dotenv syntax: export, comments, quotes, multi-line double quotes", () => {
    const parsed = parseEnvFile(
      [
        "# a comment",
        "export AUTH_URL=http://127.0.0.1:3000 # trailing comment",
        'AUTH_SECRET="abc def" # quoted',
        "SINGLE='$NOT_EXPANDED'",
        'MULTI="line one',
        'line two"',
        'ESCAPED="a\\nb"',
        "HASH=abc#def",
        "EMPTY=",
        "not a line",
        "SPACED = value  ",
      ].join("\r\n"),
    );
    expect(Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v.value]))).toEqual({
      AUTH_URL: "http://127.0.0.1:3000",
      AUTH_SECRET: "abc def",
      SINGLE: "$NOT_EXPANDED",
      MULTI: "line one\nline two",
      ESCAPED: "a\nb",
      // As for Next.js: `#` starts a comment in an unquoted value, even inside it.
      HASH: "abc",
      EMPTY: "",
      SPACED: "value",
    });
  });
});

describe("envFileEntries", () => {
  it("lists every definition with where it starts and ends, a key defined twice twice", () => {
    const text = 'AUTH_SECRET=\n# note\nexport AUTH_SECRET = "a\nb" # two lines\nX=1';
    const entries = envFileEntries(text);
    expect(entries.map(({ key, value }) => [key, value])).toEqual([
      ["AUTH_SECRET", ""],
      ["AUTH_SECRET", "a\nb"],
      ["X", "1"],
    ]);
    expect(entries.map(({ start, end }) => text.slice(start, end))).toEqual(["AUTH_SECRET=", 'export AUTH_SECRET = "a\nb" # two lines', "X=1"]);
    expect(parseEnvFile(text).AUTH_SECRET?.value).toBe("a\nb");
  });
});

describe("envModeOf", () => {
  it("picks Next.js's env-file set from NODE_ENV, or production when asked", () => {
    expect(envModeOf({})).toBe("development");
    expect(envModeOf({ NODE_ENV: "test" })).toBe("test");
    expect(envModeOf({ NODE_ENV: "production" })).toBe("production");
    expect(envModeOf({ NODE_ENV: "test" }, true)).toBe("production");
  });
});

/** What Next.js (`next dev`) would give the app for `names`, from the env files in `dir` alone. */
function nextEnvOf(dir: string, names: readonly string[]): Record<string, string | undefined> {
  const saved = Object.fromEntries(["NODE_ENV", ...names].map((name) => [name, process.env[name]]));
  for (const name of names) delete process.env[name];
  // Vitest runs with NODE_ENV=test, in which Next.js skips .env.local.
  process.env.NODE_ENV = "development";
  try {
    const { combinedEnv } = nextEnv.loadEnvConfig(dir, true, { info: () => undefined, error: () => undefined }, true);
    return Object.fromEntries(names.map((name) => [name, combinedEnv[name]]));
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe("loadProjectEnv", () => {
  it("gives Next.js's precedence: process env, --env-file, .env.<mode>.local, .env.local, .env.<mode>, .env", () => {
    const dir = project({
      ".env": "A=env\nB=env\nC=env\nD=env\nE=env\nF=env\n",
      ".env.development": "A=dev\nB=dev\nC=dev\nD=dev\nE=dev\n",
      ".env.local": "A=local\nB=local\nC=local\nD=local\n",
      ".env.development.local": "A=devlocal\nB=devlocal\nC=devlocal\n",
      "extra.env": "A=extra\nB=extra\n",
      ".env.production": "F=production\n",
    });
    const loaded = loadProjectEnv(dir, "development", [join(dir, "extra.env")], { A: "process" });
    expect([loaded.env.A, loaded.env.B, loaded.env.C, loaded.env.D, loaded.env.E, loaded.env.F]).toEqual(["process", "extra", "devlocal", "local", "dev", "env"]);
    expect(loaded.sources).toMatchObject({ A: "process environment", B: "extra.env", C: ".env.development.local", F: ".env" });
    expect(loaded.files).toEqual(["extra.env", ".env.development.local", ".env.local", ".env.development", ".env"]);
  });

  it("skips .env.local in test mode and reads the production files in production", () => {
    const dir = project({ ".env.local": "A=local\n", ".env.production": "A=production\n", ".env.test": "A=test\n" });
    expect(loadProjectEnv(dir, "test", [], {}).env.A).toBe("test");
    expect(loadProjectEnv(dir, "production", [], {}).env.A).toBe("local");
    expect(envFileNames("test")).toEqual([".env.test.local", ".env.test", ".env"]);
  });

  it("expands $VAR and ${VAR:-default} like dotenv-expand, preferring the process environment", () => {
    const dir = project({ ".env": "HOST=127.0.0.1\nAUTH_URL=http://${HOST}:${PORT:-3000}\nFROM_PROCESS=$USER_NAME\nSINGLE='${HOST}'\nDOLLAR=pa\\$\\$word\n" });
    const { env } = loadProjectEnv(dir, "development", [], { USER_NAME: "ada" });
    expect(env.AUTH_URL).toBe("http://127.0.0.1:3000");
    expect(env.FROM_PROCESS).toBe("ada");
    // The dotenv-expand in @next/env expands single-quoted values too (unlike a shell).
    expect(env.SINGLE).toBe("127.0.0.1");
    expect(env.DOLLAR).toBe("pa$$word");
  });

  it("reads quoted and unquoted values with a $ as the installed @next/env does", () => {
    const dir = project({
      ".env.local": [
        "AUTH_SECRET='$K7x9fPz2LqV8mN4tR6wY1uE3oI5aS0dG7hJ2kL9zX4cV'",
        'DOUBLE="pa$word-${LATCH_TEST_HOST}"',
        "UNQUOTED=a$LATCH_TEST_HOST-b",
        "ESCAPED='pa\\$word'",
        "BACKQUOTED=`x-${LATCH_TEST_MISSING:-fallback}`",
        "LATCH_TEST_HOST=db",
      ].join("\n"),
    });
    const names = ["AUTH_SECRET", "DOUBLE", "UNQUOTED", "ESCAPED", "BACKQUOTED", "LATCH_TEST_HOST"];
    const { env } = loadProjectEnv(dir, "development", [], {});
    const next = nextEnvOf(dir, names);
    for (const name of names) expect(env[name], name).toBe(next[name]);
    expect(env.AUTH_SECRET).toBe("");
  });

  it("skips an env file that is a directory, as Next.js does, and says so", () => {
    const dir = project({ ".env": "A=env\n" });
    mkdirSync(join(dir, ".env.local"));
    const loaded = loadProjectEnv(dir, "development", [], {});
    expect(loaded.env.A).toBe("env");
    expect(loaded.files).toEqual([".env"]);
    expect(loaded.skipped).toEqual([{ file: ".env.local", reason: "it is a directory, not a file" }]);
  });
});
