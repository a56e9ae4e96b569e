/**
 * Session cookies across the lean proxy (`latch/proxy`, on node:crypto and on WebCrypto), the full
 * engine (`auth` from `latch/next`, `latch/jwt`) and next-auth v5 (`next-auth/jwt`, the oracle):
 * each reads what the others write, renewals included, chunked sessions included; and what one
 * refuses (tampered, expired, foreign or rotated-out secrets, check cookies) the lean proxy
 * refuses and clears as the engine does.
 */
import { decode as nextAuthDecode, encode as nextAuthEncode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { RUNTIMES, cookieHeaderFrom, issuedSession, request, setCookies, type ProxyFn } from "../../test/helpers/proxy-requests.js";
import { sessionTokenCookie, writeChunkedCookie } from "../core/cookies.js";
import { decode, encode } from "../jwt.js";
import EngineNextAuth from "../next/index.js";
import type { NextAuthConfig } from "../next/types.js";
import type { JWT } from "../types.js";
import { createProxyAuth } from "./create-proxy-auth.js";

const SECRET = "interop-secret-of-enough-length-0123456789";
const OLD_SECRET = "rotated-out-secret-of-enough-length-987654";
const SALT = "authjs.session-token";
const SECURE_SALT = "__Secure-authjs.session-token";
const alice: JWT = { name: "Alice", email: "alice@example.test", picture: "https://example.test/a.png", sub: "u1" };

function config(extra: Partial<NextAuthConfig> = {}): NextAuthConfig {
  return { secret: SECRET, trustHost: true, providers: [], logger: { error: () => undefined, warn: () => undefined }, callbacks: { authorized: ({ auth }) => !!auth }, ...extra };
}

/** `auth` from latch/next, used as the proxy. */
function engineProxy(extra: Partial<NextAuthConfig> = {}): ProxyFn {
  return EngineNextAuth(config(extra)).auth;
}

/** A session too large for one cookie: the engine writes it in chunks. */
const big: JWT = { ...alice, groups: Array.from({ length: 400 }, (_, i) => `group-${i}-${"x".repeat(8)}`) };

describe.each(RUNTIMES)("the lean proxy on %s", (_name, jwe) => {
  const lean = (extra: Partial<NextAuthConfig> = {}): ProxyFn => createProxyAuth(config(extra), { jwe, env: () => ({}) }).auth;

  it("reads cookies latch/jwt issued and the engine renewed, and the engine reads what it renews, back and forth", async () => {
    let cookie = `${SALT}=${await encode({ token: alice, secret: SECRET, salt: SALT, maxAge: 120 })}`;
    for (let hop = 0; hop < 4; hop++) {
      const proxy = hop % 2 === 0 ? lean() : engineProxy();
      const response = await proxy(request("/dashboard", { cookie }));
      expect(response.status, `hop ${hop}`).toBe(200);
      const renewed = issuedSession(response);
      expect(renewed, `hop ${hop} renews`).toBeDefined();
      expect(await decode({ token: renewed ?? "", secret: SECRET, salt: SALT })).toMatchObject({ ...alice, exp: expect.any(Number) as unknown });
      cookie = `${SALT}=${renewed ?? ""}`;
    }
  });

  it("writes the same cookie as the engine: name, attributes and token header, only the encrypted part differs", async () => {
    const cookie = `${SALT}=${await encode({ token: { ...alice, sid: "sid-1" }, secret: SECRET, salt: SALT })}`;
    const [ours] = setCookies(await lean()(request("/x", { cookie })));
    const [theirs] = setCookies(await engineProxy()(request("/x", { cookie })));
    expect(ours?.name).toBe(theirs?.name);
    expect(Object.keys(ours?.attributes ?? {})).toEqual(Object.keys(theirs?.attributes ?? {}));
    expect(ours?.value.split(".")[0]).toBe(theirs?.value.split(".")[0]);
    const [a, b] = [await decode({ token: ours?.value ?? "", secret: SECRET, salt: SALT }), await decode({ token: theirs?.value ?? "", secret: SECRET, salt: SALT })];
    expect(Object.keys(a ?? {})).toEqual(Object.keys(b ?? {}));
    expect({ ...a, iat: 0, exp: 0, jti: "" }).toEqual({ ...b, iat: 0, exp: 0, jti: "" });
  });

  it("renews a cookie without sid (next-auth's) with the sid the engine derives from it: sign-out, copies and refresh families name one session", async () => {
    const cookie = `${SALT}=${await encode({ token: alice, secret: SECRET, salt: SALT })}`;
    const byProxy = await decode({ token: issuedSession(await lean()(request("/x", { cookie }))) ?? "", secret: SECRET, salt: SALT });
    const byEngine = await decode({ token: issuedSession(await engineProxy()(request("/x", { cookie }))) ?? "", secret: SECRET, salt: SALT });
    expect(byEngine).toMatchObject({ ...alice, sid: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown });
    expect(byProxy).toMatchObject({ ...alice, sid: byEngine?.sid });
  });

  it("reads a chunked session the engine wrote, renews it into chunks the engine reads, and deletes chunks a smaller session no longer uses", async () => {
    const value = await encode({ token: big, secret: SECRET, salt: SALT });
    const chunks = writeChunkedCookie(sessionTokenCookie(false), value, [], 3600);
    expect(chunks.length).toBeGreaterThan(1);
    const cookie = chunks.map((c) => `${c.name}=${c.value}`).join("; ");
    const response = await lean()(request("/dashboard", { cookie }));
    expect(response.status).toBe(200);
    const written = setCookies(response).map((c) => c.name);
    expect(written).toEqual(chunks.map((c) => c.name));
    expect(await decode({ token: issuedSession(response) ?? "", secret: SECRET, salt: SALT })).toMatchObject({ groups: big.groups });
    expect((await engineProxy()(request("/dashboard", { cookie: cookieHeaderFrom(response) }))).status).toBe(200);

    // The jwt callback shrinks the session: the chunks go, the plain cookie comes.
    const shrinking = lean({ callbacks: { jwt: ({ token }) => ({ name: token.name, sub: token.sub }), authorized: ({ auth }) => !!auth } });
    const shrunk = setCookies(await shrinking(request("/dashboard", { cookie })));
    expect(shrunk.filter((c) => c.attributes["max-age"] === "0").map((c) => c.name).sort()).toEqual(chunks.map((c) => c.name).sort());
    expect(shrunk.find((c) => c.name === SALT)?.value).not.toBe("");
  });

  it("reads next-auth v5's cookies (over http and https) and writes renewals next-auth reads", async () => {
    for (const [salt, origin] of [[SALT, "http://127.0.0.1:3000"], [SECURE_SALT, "https://app.test"]] as const) {
      const issued = await nextAuthEncode({ token: alice, secret: SECRET, salt });
      const response = await lean()(request("/dashboard", { cookie: `${salt}=${issued}` }, "GET", origin));
      expect(response.status, salt).toBe(200);
      const renewed = issuedSession(response, salt);
      expect(await nextAuthDecode({ token: renewed ?? "", secret: SECRET, salt })).toMatchObject(alice);
    }
    const chunkedByNextAuth = writeChunkedCookie(sessionTokenCookie(false), await nextAuthEncode({ token: big, secret: SECRET, salt: SALT }), [], 3600);
    const response = await lean()(request("/dashboard", { cookie: chunkedByNextAuth.map((c) => `${c.name}=${c.value}`).join("; ") }));
    expect(response.status).toBe(200);
    expect(await nextAuthDecode({ token: issuedSession(response) ?? "", secret: SECRET, salt: SALT })).toMatchObject({ groups: big.groups });
  });

  it("reads cookies of a rotated-out secret while it is listed, and renews them under the new one", async () => {
    const old = `${SALT}=${await encode({ token: alice, secret: OLD_SECRET, salt: SALT })}`;
    const rotating = lean({ secret: [SECRET, OLD_SECRET] });
    const response = await rotating(request("/dashboard", { cookie: old }));
    expect(response.status).toBe(200);
    expect(await decode({ token: issuedSession(response) ?? "", secret: SECRET, salt: SALT })).toMatchObject(alice);
    // Once the old secret is dropped, its cookies open nothing.
    expect((await lean()(request("/dashboard", { cookie: old }))).status).toBe(307);
  });

  it("refuses and clears what the engine refuses and clears: tampered, expired, foreign, check cookies, garbage", async () => {
    const good = await encode({ token: alice, secret: SECRET, salt: SALT });
    const parts = good.split(".");
    const flipped = [...parts];
    flipped[3] = `${(parts[3] ?? "").startsWith("A") ? "B" : "A"}${(parts[3] ?? "").slice(1)}`;
    const values = [
      flipped.join("."),
      `${good.slice(0, -2)}AA`,
      await encode({ token: alice, secret: SECRET, salt: SALT, maxAge: -60 }),
      await encode({ token: alice, secret: "another-secret-of-enough-length-000000000", salt: SALT }),
      await encode({ token: { value: "verifier", provider: "local" }, secret: SECRET, salt: "authjs.pkce.code_verifier" }),
      await nextAuthEncode({ token: alice, secret: SECRET, salt: SECURE_SALT }),
      `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"name":"Mallory"}').toString("base64url")}.`,
      "%%%",
      "a".repeat(5000),
    ];
    for (const value of values) {
      const cookies = [`${SALT}=${value}`, `${SALT}.0=${value.slice(0, 40)}; ${SALT}.1=${value.slice(40)}`];
      for (const cookie of cookies) {
        const ours = await lean()(request("/dashboard", { cookie }));
        const theirs = await engineProxy()(request("/dashboard", { cookie }));
        expect(ours.status, value.slice(0, 30)).toBe(307);
        expect(issuedSession(ours), "no session cookie is issued").toBeUndefined();
        const summary = (r: Response) => setCookies(r).map((c) => `${c.name} max-age=${String(c.attributes["max-age"])}`);
        expect(summary(ours)).toEqual(summary(theirs));
        expect((await lean()(request("/api/x", { cookie }))).headers.get("www-authenticate")).toBe((await engineProxy()(request("/api/x", { cookie }))).headers.get("www-authenticate"));
      }
    }
  });
});
