import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { resolveCsrf } from "./csrf.js";

const SECRET = "current-secret-0123456789abcdef0123456789";
const OLD_SECRET = "previous-secret-abcdef0123456789abcdef012";

function sha256hex(input: string): string {
  return createHash("sha256").update(input).digest("hex");
}

/** A cookie value as another implementation of the format would mint it. */
function cookieFor(token: string, secret: string): string {
  return `${token}|${sha256hex(`${token}${secret}`)}`;
}

describe("resolveCsrf: minting", () => {
  it("mints `token|sha256hex(token + secret)` when there is no cookie", async () => {
    const state = await resolveCsrf(undefined, [SECRET], undefined);
    expect(state.token).toMatch(/^[0-9a-f]{64}$/);
    expect(state.cookie).toBe(`${state.token}|${sha256hex(`${state.token}${SECRET}`)}`);
    expect(state.verified).toBe(false);
  });

  it("mints with the first (newest) secret", async () => {
    const state = await resolveCsrf(undefined, [SECRET, OLD_SECRET], undefined);
    expect(state.cookie).toBe(cookieFor(state.token, SECRET));
  });

  it("mints a different random token each time", async () => {
    const tokens = new Set((await Promise.all(Array.from({ length: 20 }, () => resolveCsrf(undefined, [SECRET], undefined)))).map((s) => s.token));
    expect(tokens.size).toBe(20);
  });

  it("mints for an empty cookie value", async () => {
    const state = await resolveCsrf("", [SECRET], undefined);
    expect(state.cookie).toBe(cookieFor(state.token, SECRET));
  });

  it("never verifies a freshly minted token, even when the body guesses a value", async () => {
    expect((await resolveCsrf(undefined, [SECRET], "anything")).verified).toBe(false);
    expect((await resolveCsrf(undefined, [SECRET], "")).verified).toBe(false);
  });
});

describe("resolveCsrf: accepting its own cookie", () => {
  it("accepts a cookie it minted: same token, no new cookie", async () => {
    const minted = await resolveCsrf(undefined, [SECRET], undefined);
    const again = await resolveCsrf(minted.cookie, [SECRET], undefined);
    expect(again.token).toBe(minted.token);
    expect(again.cookie).toBeUndefined();
    expect(again.verified).toBe(false);
  });

  it("accepts a cookie in Auth.js's format minted elsewhere", async () => {
    const token = "a".repeat(64);
    const state = await resolveCsrf(cookieFor(token, SECRET), [SECRET], undefined);
    expect(state).toEqual({ token, verified: false });
  });

  it("is verified only when the body token equals the cookie token", async () => {
    const token = "0123456789abcdef".repeat(4);
    const cookie = cookieFor(token, SECRET);
    expect((await resolveCsrf(cookie, [SECRET], token)).verified).toBe(true);
    expect((await resolveCsrf(cookie, [SECRET], token.toUpperCase())).verified).toBe(false);
    expect((await resolveCsrf(cookie, [SECRET], `${token}0`)).verified).toBe(false);
    expect((await resolveCsrf(cookie, [SECRET], token.slice(1))).verified).toBe(false);
    expect((await resolveCsrf(cookie, [SECRET], "")).verified).toBe(false);
    expect((await resolveCsrf(cookie, [SECRET], undefined)).verified).toBe(false);
  });

  it("does not accept the whole cookie value, or its hash, as the body token", async () => {
    const token = "b".repeat(64);
    const cookie = cookieFor(token, SECRET);
    expect((await resolveCsrf(cookie, [SECRET], cookie)).verified).toBe(false);
    expect((await resolveCsrf(cookie, [SECRET], cookie.split("|")[1])).verified).toBe(false);
  });

  it.each<[string, unknown]>([
    ["an array holding the token", ["c".repeat(64)]],
    ["an object", { csrfToken: "c".repeat(64) }],
    ["an object with toString", { toString: () => "c".repeat(64) }],
    ["a number", 1],
    ["null", null],
    ["true", true],
  ])("is not verified when the body token is %s", async (_label, bodyToken) => {
    const token = "c".repeat(64);
    expect((await resolveCsrf(cookieFor(token, SECRET), [SECRET], bodyToken)).verified).toBe(false);
  });
});

describe("resolveCsrf: forged cookies", () => {
  it("rejects a forged hash and mints a new token", async () => {
    const token = "d".repeat(64);
    const forged = `${token}|${sha256hex(`${token}guessed-secret`)}`;
    const state = await resolveCsrf(forged, [SECRET], token);
    expect(state.token).not.toBe(token);
    expect(state.cookie).toBe(cookieFor(state.token, SECRET));
    expect(state.verified).toBe(false);
  });

  it("rejects a valid hash paired with another token", async () => {
    const hashOfA = cookieFor("a".repeat(64), SECRET).split("|")[1]!;
    const swapped = `${"e".repeat(64)}|${hashOfA}`;
    const state = await resolveCsrf(swapped, [SECRET], "e".repeat(64));
    expect(state.verified).toBe(false);
    expect(state.cookie).toBeDefined();
  });

  it("rejects a hash of the token alone (no secret)", async () => {
    const token = "f".repeat(64);
    const state = await resolveCsrf(`${token}|${sha256hex(token)}`, [SECRET], token);
    expect(state.verified).toBe(false);
    expect(state.token).not.toBe(token);
  });

  it("rejects an upper-cased hash, a truncated hash and an extra segment", async () => {
    const token = "1".repeat(64);
    const good = cookieFor(token, SECRET);
    const [, hash = ""] = good.split("|");
    for (const bad of [`${token}|${hash.toUpperCase()}`, `${token}|${hash.slice(0, -1)}`, `${good}|extra`, `${token}|`]) {
      const state = await resolveCsrf(bad, [SECRET], token);
      expect(state.verified).toBe(false);
      expect(state.token).not.toBe(token);
    }
  });

  it.each(["no-bar-at-all", "|", `|${"0".repeat(64)}`, "||", "%%%", "\u0000|\u0000", "x".repeat(10_000)])("mints a new token for the malformed cookie %j", async (cookie) => {
    const state = await resolveCsrf(cookie, [SECRET], cookie);
    expect(state.verified).toBe(false);
    expect(state.cookie).toBe(cookieFor(state.token, SECRET));
  });

  it("does not accept an empty token even when its hash is right", async () => {
    const state = await resolveCsrf(cookieFor("", SECRET), [SECRET], "");
    expect(state.verified).toBe(false);
    expect(state.token).not.toBe("");
  });
});

describe("resolveCsrf: secret rotation", () => {
  it("accepts a cookie made with an older secret that is still in the list", async () => {
    const token = "2".repeat(64);
    const state = await resolveCsrf(cookieFor(token, OLD_SECRET), [SECRET, OLD_SECRET], token);
    expect(state.token).toBe(token);
    expect(state.cookie).toBeUndefined();
    expect(state.verified).toBe(true);
  });

  it("accepts a cookie made with any secret of the list", async () => {
    const secrets = ["s3-newest-secret-xxxxxxxxxxxxxxxxxxxxx", "s2-secret-xxxxxxxxxxxxxxxxxxxxxxxxxxxx", "s1-secret-xxxxxxxxxxxxxxxxxxxxxxxxxxxx"];
    for (const secret of secrets) {
      const token = sha256hex(secret);
      expect(await resolveCsrf(cookieFor(token, secret), secrets, token)).toEqual({ token, verified: true });
    }
  });

  it("rejects a cookie made with a secret that was removed, and re-mints with the newest", async () => {
    const token = "3".repeat(64);
    const state = await resolveCsrf(cookieFor(token, OLD_SECRET), [SECRET], token);
    expect(state.verified).toBe(false);
    expect(state.token).not.toBe(token);
    expect(state.cookie).toBe(cookieFor(state.token, SECRET));
  });
});
