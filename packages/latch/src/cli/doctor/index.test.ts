import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../index.js";
import type { DoctorReport } from "./report.js";
import type { EnvMap } from "./types.js";

const dir = mkdtempSync(join(tmpdir(), "latch-doctor-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], env: EnvMap = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["doctor", ...args], (l) => out.push(l), (l) => err.push(l), { env, cwd: dir });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

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
