/**
 * Session cookies for the benchmark, each minted by the library that will read it, with its own
 * `encode` — latch's from the built dist the app bundles, next-auth's from `next-auth/jwt`.
 */
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { encode as nextAuthEncode } from "next-auth/jwt";
import type * as LatchJwt from "../../packages/latch/src/jwt.js";
import { repoRoot } from "./apps.js";

/** The cookie both libraries read over plain http (no `__Secure-` prefix), and the JWE salt. */
export const SESSION_COOKIE = "authjs.session-token";

/** A typical signed-in user. */
const payload = {
  name: "Alice Example",
  email: "alice@example.com",
  picture: "https://avatars.githubusercontent.com/u/1?v=4",
  sub: "6f1c2a9e-3b7d-4e58-9a0c-2d4b6e8f1a3c",
};

/** A `Cookie` header value per library, sealed with `secret`. */
export interface SessionCookies {
  latch: string;
  nextAuth: string;
}

/**
 * Mints one session cookie per library for a server that runs with `AUTH_SECRET=secret`.
 * Call after latch's dist is built: it is loaded from there, as the latch app loads it.
 *
 * @example
 * ```ts
 * const cookies = await mintSessionCookies(secret);
 * await fetch(url, { headers: { cookie: cookies.latch } });
 * ```
 */
export async function mintSessionCookies(secret: string): Promise<SessionCookies> {
  // A computed path, so that type-checking bench/ does not depend on a built dist.
  const distJwt = pathToFileURL(path.join(repoRoot, "packages", "latch", "dist", "jwt.js")).href;
  const latch = (await import(distJwt)) as typeof LatchJwt;
  const latchToken = await latch.encode({ token: payload, secret, salt: SESSION_COOKIE });
  const nextAuthToken = await nextAuthEncode({ token: payload, secret, salt: SESSION_COOKIE });
  return { latch: `${SESSION_COOKIE}=${latchToken}`, nextAuth: `${SESSION_COOKIE}=${nextAuthToken}` };
}
