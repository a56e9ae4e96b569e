import { describe, expect, it } from "vitest";
import { decode, encode } from "../../jwt.js";
import { createRequestContext, resolveConfig } from "../config.js";
import type { JWT } from "../../types.js";
import { readJwtSession } from "./jwt-session.js";

const SECRET = "jwt-session-test-secret-of-enough-length-0123";

async function read(renew: boolean, maxAgeLeft: number) {
  const resolved = resolveConfig({ secret: SECRET, trustHost: true, providers: [], logger: { error: () => undefined } }, {});
  const ctx = createRequestContext(resolved, new Headers({ host: "127.0.0.1:3000" }));
  const token = await encode({ token: { sub: "u1", name: "Alice" }, secret: SECRET, salt: "authjs.session-token", maxAge: maxAgeLeft });
  return readJwtSession(ctx, new Map([["authjs.session-token", token]]), { renew });
}

describe("readJwtSession", () => {
  it("reports the cookie's real expiry when it does not renew (auth() in a server component)", async () => {
    const before = Date.now();
    const result = await read(false, 120);
    const expires = Date.parse(result.session?.expires ?? "");
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 119_000);
    expect(expires).toBeLessThanOrEqual(before + 121_000);
    expect(result.cookies).toEqual([]);
  });

  it("reports the renewed expiry when it renews (GET /session)", async () => {
    const before = Date.now();
    const result = await read(true, 120);
    expect(Date.parse(result.session?.expires ?? "")).toBeGreaterThanOrEqual(before + 30 * 24 * 3600 * 1000 - 1000);
    expect(result.cookies.some((c) => c.name === "authjs.session-token")).toBe(true);
  });

  describe("the session id (sid)", () => {
    const SALT = "authjs.session-token";
    const rebuild = { jwt: ({ token }: { token: JWT }) => ({ sub: token.sub, name: token.name }) };
    async function readRaw(raw: string, renew: boolean, callbacks = {}) {
      const resolved = resolveConfig({ secret: SECRET, trustHost: true, providers: [], logger: { error: () => undefined }, callbacks }, {});
      const result = await readJwtSession(createRequestContext(resolved, new Headers({ host: "127.0.0.1:3000" })), new Map([[SALT, raw]]), { renew });
      const written = result.cookies[0]?.value;
      return { token: result.token, renewed: written ? await decode({ token: written, secret: SECRET, salt: SALT }) : null };
    }

    it("survives a jwt callback that rebuilds the token, in what the app sees and in the renewed cookie", async () => {
      const raw = await encode({ token: { sub: "u1", name: "Alice", sid: "sid-1" }, secret: SECRET, salt: SALT });
      const { token, renewed } = await readRaw(raw, true, rebuild);
      expect(token?.sid).toBe("sid-1");
      expect(renewed?.sid).toBe("sid-1");
    });

    it("is derived from a token that has none (a next-auth cookie), alike on every read, and written at renewal", async () => {
      const raw = await encode({ token: { sub: "u1", name: "Alice" }, secret: SECRET, salt: SALT });
      const sid = (await readRaw(raw, false)).token?.sid;
      expect(sid).toMatch(/^[0-9a-f]{32}$/);
      expect((await readRaw(raw, false)).token?.sid).toBe(sid);
      const renewing = await readRaw(raw, true, rebuild);
      expect(renewing.token?.sid).toBe(sid);
      expect(renewing.renewed?.sid).toBe(sid);
    });
  });
});
