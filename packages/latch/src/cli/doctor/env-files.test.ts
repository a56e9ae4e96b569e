import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { envFileNames, loadProjectEnv, parseEnvFile } from "./env-files.js";

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
    const dir = project({ ".env": "HOST=127.0.0.1\nAUTH_URL=http://${HOST}:${PORT:-3000}\nFROM_PROCESS=$USER_NAME\nLITERAL='${HOST}'\nDOLLAR=pa\\$\\$word\n" });
    const { env } = loadProjectEnv(dir, "development", [], { USER_NAME: "ada" });
    expect(env.AUTH_URL).toBe("http://127.0.0.1:3000");
    expect(env.FROM_PROCESS).toBe("ada");
    expect(env.LITERAL).toBe("${HOST}");
    expect(env.DOLLAR).toBe("pa$$word");
  });
});
