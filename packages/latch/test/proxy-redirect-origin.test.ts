/**
 * When the session cannot be read before the request's origin is worked out (no secret, an option
 * the lean proxy refuses), the sign-in redirect and its callbackUrl are still built on AUTH_URL,
 * never on the Host header: "with AUTH_URL set, latch never reads Host to build a URL".
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { RUNTIMES, request, type ProxyFn } from "./helpers/proxy-requests.js";
import EngineNextAuth from "../src/next/index.js";
import type { NextAuthConfig } from "../src/next/types.js";
import { createProxyAuth } from "../src/proxy/create-proxy-auth.js";

const SECRET = "host-secret-of-enough-length-0123456789";
const quiet = { error: () => undefined, warn: () => undefined };
const SITE = "https://app.example";
const authorized: NonNullable<NextAuthConfig["callbacks"]> = { authorized: ({ auth }) => !!auth };

afterEach(() => vi.unstubAllEnvs());

function expectOnSite(response: Response): void {
  expect(response.status).toBe(307);
  const location = new URL(response.headers.get("location") ?? "");
  expect(location.origin).toBe(SITE);
  expect(new URL(location.searchParams.get("callbackUrl") ?? "", "http://x").origin).not.toBe("http://evil.example");
}

describe("the sign-in redirect stays on AUTH_URL when the session cannot be read", () => {
  it.each(RUNTIMES)("lean proxy (%s), config with a refused option (revocation)", async (_n, jwe) => {
    const config: NextAuthConfig = { secret: SECRET, providers: [], logger: quiet, revocation: {} as never, callbacks: authorized };
    const proxy = createProxyAuth(config, { jwe, env: () => ({ AUTH_URL: SITE, NODE_ENV: "production" }) }).auth as ProxyFn;
    expectOnSite(await proxy(request("/dashboard", {}, "GET", "http://evil.example")));
  });

  it.each(RUNTIMES)("lean proxy (%s), no secret", async (_n, jwe) => {
    const config: NextAuthConfig = { providers: [], logger: quiet, callbacks: authorized };
    const proxy = createProxyAuth(config, { jwe, env: () => ({ AUTH_URL: SITE, NODE_ENV: "production" }) }).auth as ProxyFn;
    expectOnSite(await proxy(request("/dashboard", {}, "GET", "http://evil.example")));
  });

  it("engine proxy (latch/next), no secret", async () => {
    vi.stubEnv("AUTH_SECRET", "");
    vi.stubEnv("AUTH_URL", SITE);
    const proxy = EngineNextAuth({ providers: [], logger: quiet, callbacks: authorized }).auth as unknown as ProxyFn;
    expectOnSite(await proxy(request("/dashboard", {}, "GET", "http://evil.example")));
  });
});
