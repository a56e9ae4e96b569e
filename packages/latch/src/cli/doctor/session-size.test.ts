import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkSessionSize } from "./session-size.js";

const dir = mkdtempSync(join(tmpdir(), "latch-doctor-size-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const secret = randomBytes(32).toString("base64");
const base = { secrets: [secret], secure: false, payloadFile: undefined, dir, databaseSessions: false };

function payloadFile(name: string, payload: unknown): string {
  writeFileSync(join(dir, name), JSON.stringify(payload));
  return name;
}

describe("checkSessionSize", () => {
  it("measures a typical session with latch's codec and finds it within the 1 KB budget", async () => {
    const [finding] = await checkSessionSize(base);
    expect(finding).toMatchObject({ code: "session-cookie-size", severity: "ok" });
    expect(finding?.message).toMatch(/encrypts to a \d+-character token: the cookie \(authjs\.session-token\) is \d+ bytes, one Set-Cookie header/);
    expect(finding?.message).not.toContain(secret);
  });

  it("names the __Secure- cookie over https, and mentions database sessions", async () => {
    const [finding] = await checkSessionSize({ ...base, secure: true, databaseSessions: true });
    expect(finding?.message).toContain("__Secure-authjs.session-token");
    expect(finding?.message).toContain("64-character id");
  });

  it("warns over the budget and when the token is chunked", async () => {
    const [over] = await checkSessionSize({ ...base, payloadFile: payloadFile("over.json", { sub: "1", roles: "r".repeat(600) }) });
    expect(over).toMatchObject({ severity: "warn" });
    expect(over?.message).toContain("over the budget");
    const [chunked] = await checkSessionSize({ ...base, payloadFile: payloadFile("chunked.json", { sub: "1", blob: "b".repeat(4000) }) });
    expect(chunked?.message).toMatch(/2 chunked cookies/);
  });

  it("errors past the 8 KB header limits of proxies", async () => {
    const [finding] = await checkSessionSize({ ...base, payloadFile: payloadFile("huge.json", { sub: "1", blob: "b".repeat(9000) }) });
    expect(finding).toMatchObject({ severity: "error" });
    expect(finding?.message).toContain("431");
  });

  it("measures without a project secret too, and reports an unreadable payload file", async () => {
    expect((await checkSessionSize({ ...base, secrets: [] }))[0]?.severity).toBe("ok");
    expect((await checkSessionSize({ ...base, payloadFile: payloadFile("list.json", [1, 2]) }))[0]?.message).toContain("not a JSON object");
    expect((await checkSessionSize({ ...base, payloadFile: "missing.json" }))[0]).toMatchObject({ severity: "error" });
  });
});
