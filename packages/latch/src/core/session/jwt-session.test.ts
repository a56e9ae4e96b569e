import { describe, expect, it } from "vitest";
import { encode } from "../../jwt.js";
import { createRequestContext, resolveConfig } from "../config.js";
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
});
