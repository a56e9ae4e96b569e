/**
 * Session cookies for the benchmark, each minted by the library that will read it, with its own
 * code — latch's `encode` from the built dist the app bundles, next-auth's from `next-auth/jwt`,
 * Better Auth's through its sign-in functions (better-auth-cookie.ts), the baseline's with its
 * own `seal`.
 */
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { encode as nextAuthEncode } from "next-auth/jwt";
import type * as LatchJwt from "../../packages/latch/src/jwt.js";
import { SEALED_COOKIE, seal } from "../apps/no-auth-proxy/seal.js";
import type { App } from "./apps.js";
import { repoRoot } from "./apps.js";
import { signInBetterAuth } from "./better-auth-cookie.js";

/** The cookie latch and next-auth read over plain http (no `__Secure-` prefix), and the JWE salt. */
const SESSION_COOKIE = "authjs.session-token";

/** The session cookie each app renews, when it renews one (the baseline does not). */
export const RENEWED_COOKIE: Record<App["key"], string | null> = {
  latch: SESSION_COOKIE,
  nextAuth: SESSION_COOKIE,
  betterAuth: "better-auth.session_data",
  noAuth: null,
};

/** A typical signed-in user. */
const payload = {
  name: "Alice Example",
  email: "alice@example.com",
  picture: "https://avatars.githubusercontent.com/u/1?v=4",
  sub: "6f1c2a9e-3b7d-4e58-9a0c-2d4b6e8f1a3c",
};

/** A session's lifetime in the baseline's cookie; the libraries use their own defaults. */
const SEALED_MAX_AGE = 30 * 24 * 60 * 60;

/** One library's signed-in state: the `Cookie` header a browser sends, and what makes it up. */
export interface SignedInCookie {
  header: string;
  /** Bytes of each cookie's value, by cookie name. */
  values: Record<string, number>;
}

function signedIn(cookies: Array<{ name: string; value: string }>): SignedInCookie {
  return {
    header: cookies.map(({ name, value }) => `${name}=${value}`).join("; "),
    values: Object.fromEntries(cookies.map(({ name, value }) => [name, Buffer.byteLength(value)])),
  };
}

/**
 * Mints the signed-in cookies of every app, for servers that run with `AUTH_SECRET=secret`.
 * Call after latch's dist is built: it is loaded from there, as the latch app loads it.
 *
 * @example
 * ```ts
 * const cookies = await mintSessionCookies(secret);
 * await fetch(url, { headers: { cookie: cookies.latch.header } });
 * ```
 */
export async function mintSessionCookies(secret: string): Promise<Record<App["key"], SignedInCookie>> {
  // A computed path, so that type-checking bench/ does not depend on a built dist.
  const distJwt = pathToFileURL(path.join(repoRoot, "packages", "latch", "dist", "jwt.js")).href;
  const latch = (await import(distJwt)) as typeof LatchJwt;
  const latchToken = await latch.encode({ token: payload, secret, salt: SESSION_COOKIE });
  const nextAuthToken = await nextAuthEncode({ token: payload, secret, salt: SESSION_COOKIE });
  const sealed = seal({ ...payload, exp: Math.floor(Date.now() / 1000) + SEALED_MAX_AGE }, secret);
  return {
    latch: signedIn([{ name: SESSION_COOKIE, value: latchToken }]),
    nextAuth: signedIn([{ name: SESSION_COOKIE, value: nextAuthToken }]),
    betterAuth: signedIn(await signInBetterAuth(secret)),
    noAuth: signedIn([{ name: SEALED_COOKIE, value: sealed }]),
  };
}
