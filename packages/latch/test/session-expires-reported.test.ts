/**
 * What `session.expires` reports where the cookie is not renewed (auth() in a server component):
 * never later than the cookie's own expiry, which follows `session.maxAge` even when the token's
 * `exp` follows a longer `jwt.maxAge`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRequestContext, resolveConfig } from "../src/core/config.js";
import { readRequestAuth } from "../src/core/session/read-session.js";
import Credentials from "../src/providers/credentials.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3979";
const SECRET = "expires-reported-secret-of-enough-length-0123456789";
const SALT = "authjs.session-token";
const HOUR = 3600;
const START = Math.floor(Date.now() / 1000) * 1000;
const T0 = START / 1000;
const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };

beforeEach(() => vi.useFakeTimers({ toFake: ["Date"], now: START }));
afterEach(() => vi.useRealTimers());

describe("auth() in a server component (no renewal): session.expires", () => {
  it("is no later than the cookie's expiry when jwt.maxAge is longer than session.maxAge", async () => {
    const cfg: AuthConfig = {
      secret: SECRET,
      trustHost: true,
      logger: { error: () => undefined, warn: () => undefined },
      session: { maxAge: HOUR },
      jwt: { maxAge: 24 * HOUR },
      providers: [Credentials({ credentials: { email: {} }, authorize: ({ email }) => (email === alice.email ? { ...alice } : null) })],
    };
    const client = new EngineClient(ORIGIN, cfg);
    const csrfToken = await client.csrfToken();
    const { cookies } = await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: alice.email } });
    const cookie = cookies.find((c) => c.name === SALT);
    const cookieExpires = Date.parse(String(cookie?.attributes.expires));
    expect(cookieExpires).toBe((T0 + HOUR) * 1000);

    // The browser drops the cookie in an hour; GET /session says so too…
    vi.setSystemTime(START + 60_000);
    const viaRoute = new EngineClient(ORIGIN, cfg);
    viaRoute.jar.set(SALT, cookie?.value ?? "");
    const routeSession = (await (await viaRoute.fetch("/api/auth/session")).response.json()) as { expires: string };
    expect(Date.parse(routeSession.expires)).toBe((T0 + 60 + HOUR) * 1000);

    // …but auth() in a server component ("reports the expiry the cookie really has") says a day.
    const ctx = createRequestContext(resolveConfig(cfg, {}), new Headers({ host: new URL(ORIGIN).host }), ORIGIN);
    const read = await readRequestAuth(ctx, null, new Map([[SALT, cookie?.value ?? ""]]), { renew: false });
    expect(Date.parse(read.session?.expires ?? "")).toBeLessThanOrEqual(cookieExpires);
  });
});
