import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
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

function run(args: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

describe("latch secret", () => {
  it("prints a new 256-bit base64 secret each time", () => {
    const a = run(["secret"]);
    const b = run(["secret"]);
    expect(a.code).toBe(0);
    expect(Buffer.from(a.out[0] ?? "", "base64")).toHaveLength(32);
    expect(a.out[0]).not.toBe(b.out[0]);
  });

  it("writes AUTH_SECRET to a new env file, readable by the owner only", () => {
    const file = tempFile();
    expect(run(["secret", "--write", file]).code).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^AUTH_SECRET="[A-Za-z0-9+/=]{44}"/);
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it("appends after existing lines without breaking the last one", () => {
    const file = tempFile("OTHER=1");
    run(["secret", "--write", file]);
    expect(readFileSync(file, "utf8")).toMatch(/^OTHER=1\nAUTH_SECRET="/);
  });

  it("keeps an existing AUTH_SECRET unless --force, and says why", () => {
    const file = tempFile('AUTH_SECRET="old"\n');
    const kept = run(["secret", "--write", file]);
    expect(kept.code).toBe(1);
    expect(kept.err.join("")).toContain("--force");
    expect(readFileSync(file, "utf8")).toBe('AUTH_SECRET="old"\n');
    expect(run(["secret", "--write", file, "--force"]).code).toBe(0);
    expect(readFileSync(file, "utf8")).not.toContain('"old"');
  });

  it("refuses unknown commands with the usage", () => {
    const result = run(["frobnicate"]);
    expect(result.code).toBe(1);
    expect(result.err.join("")).toContain("usage: latch");
  });
});
