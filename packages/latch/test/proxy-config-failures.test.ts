/**
 * A config the proxy cannot answer with (an unusable `pages.signIn`, a session cookie name
 * Set-Cookie cannot carry) makes every matched request denied, never a throw to Next.js (a 500):
 * latch/next's proxy answers as the lean proxy does.
 */
import { describe, expect, it, vi } from "vitest";
import { RUNTIMES, request, type ProxyFn } from "./helpers/proxy-requests.js";
import { encode } from "../src/jwt.js";
import EngineNextAuth from "../src/next/index.js";
import type { NextAuthConfig } from "../src/next/types.js";
import { createProxyAuth } from "../src/proxy/create-proxy-auth.js";

const SECRET = "throws-secret-of-enough-length-0123456789";
const quiet = { error: () => undefined, warn: () => undefined };

// [what, config, session cookie name to send (undefined: a signed-out request)]
const cases: Array<[string, Partial<NextAuthConfig>, string | undefined]> = [
  ["an unusable pages.signIn (signed out)", { pages: { signIn: "http://exa mple/login" } }, undefined],
  ["a session cookie name Set-Cookie cannot carry (signed in)", { cookies: { sessionToken: { name: "my session" } } }, "my session"],
];

describe.each(cases)("with %s", (_what, extra, name) => {
  const config = (): NextAuthConfig => ({ secret: SECRET, trustHost: true, providers: [], logger: quiet, callbacks: { authorized: ({ auth }) => !!auth }, ...extra });

  it("latch/next's proxy denies (as latch/proxy does) instead of throwing to Next.js", async () => {
    vi.stubEnv("AUTH_SECRET", "");
    try {
      const headers = name === undefined ? {} : { cookie: `${name}=${await encode({ token: { name: "A", sub: "u1" }, secret: SECRET, salt: name })}` };
      const lean = createProxyAuth(config(), { jwe: RUNTIMES[0]![1], env: () => ({}) }).auth as ProxyFn;
      const leanAnswer = await lean(request("/dashboard", headers));
      expect(leanAnswer.status).toBe(307);
      const engine = EngineNextAuth(config()).auth as unknown as ProxyFn;
      const engineAnswer = await engine(request("/dashboard", headers)).catch((error: unknown) => error);
      expect(engineAnswer).toBeInstanceOf(Response);
      expect((engineAnswer as Response).status).toBe(leanAnswer.status);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
