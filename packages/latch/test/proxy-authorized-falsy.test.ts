/**
 * `callbacks.authorized` answering anything falsy (`false`, `undefined` from a callback that
 * falls off its end, `null`) denies, as in next-auth v5 (`else if (!authorized)`): a migrated
 * `if (auth) return true;` must not let every signed-out request through. Checked on the lean
 * proxy (both cryptographies) and on `auth` from latch/next.
 */
import { describe, expect, it } from "vitest";
import { RUNTIMES, request, type ProxyFn } from "./helpers/proxy-requests.js";
import EngineNextAuth from "../src/next/index.js";
import type { NextAuthConfig } from "../src/next/types.js";
import { createProxyAuth } from "../src/proxy/create-proxy-auth.js";

const SECRET = "falsy-secret-of-enough-length-0123456789";
const quiet = { error: () => undefined, warn: () => undefined };

const answers: Array<[string, NonNullable<NonNullable<NextAuthConfig["callbacks"]>["authorized"]>]> = [
  // `if (auth) return true;` and nothing else, as a plain-JS or non-noImplicitReturns app writes it.
  ["nothing for signed-out users", ({ auth }) => (auth ? true : undefined)],
  ["undefined", () => undefined],
  ["null (plain JS)", () => null as unknown as boolean],
];

const makers: Array<[string, (c: NextAuthConfig) => ProxyFn]> = [
  ...RUNTIMES.map(([name, jwe]): [string, (c: NextAuthConfig) => ProxyFn] => [`latch/proxy on ${name}`, (c) => createProxyAuth(c, { jwe, env: () => ({}) }).auth]),
  ["latch/next", (c) => EngineNextAuth(c).auth],
];

describe.each(makers)("%s", (_name, make) => {
  it.each(answers)("a signed-out request is denied when authorized answers %s (as next-auth does)", async (_what, authorized) => {
    const proxy = make({ secret: SECRET, trustHost: true, providers: [], logger: quiet, callbacks: { authorized } });
    const response = await proxy(request("/dashboard"));
    expect(response.headers.get("x-middleware-next")).toBeNull();
    expect(response.status).toBe(307);
  });
});
