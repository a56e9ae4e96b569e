/**
 * the CSRF cookie next-auth set, with `secret: [current, previous]` (rotation), on the
 * first latch request.
 *
 * Auth.js hashes the CSRF cookie as `sha256(token + options.secret)`, and with a secret list
 * `options.secret` is the array, so the string is `token + "current,previous"`
 * (@auth/core lib/actions/callback/oauth/csrf-token.js). latch checks the hash against each
 * secret alone (core/csrf.ts), finds no match, and treats the cookie as forged: the page next-auth
 * rendered before the deploy (its sign-out or sign-in form, with next-auth's token in it) is
 * refused with `MissingCSRF` and the user stays signed in / cannot sign in. With one secret the
 * same flow works (checked).
 */
import NextAuthCredentials from "@auth/core/providers/credentials";
import { describe, expect, it } from "vitest";
import { Auth } from "../src/index.js";
import Credentials from "../src/providers/credentials.js";
import type { AuthConfig } from "../src/types.js";
import { absorbCookies, cookieHeaderOf, type CookieJar } from "./helpers/engine-client.js";
import { nextAuthCredentialsSignIn, nextAuthCsrf } from "./helpers/next-auth-engine.js";


const ORIGIN = "https://app.test";
const CURRENT = "migration-csrf-current-secret-0123456789abcdef";
const PREVIOUS = "migration-csrf-previous-secret-0123456789abcdef";
const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };


const authorize = (c: Partial<Record<string, unknown>>) => (c.email === alice.email ? { ...alice } : null);
const nextAuthConfig = {
  secret: [CURRENT, PREVIOUS],
  trustHost: true,
  basePath: "/api/auth",
  providers: [NextAuthCredentials({ credentials: { email: {}, password: {} }, authorize })],
  logger: { error: () => undefined, warn: () => undefined, debug: () => undefined },
};
const latchConfig: AuthConfig = {
  secret: [CURRENT, PREVIOUS],
  trustHost: true,
  providers: [Credentials({ credentials: { email: {}, password: {} }, authorize })],
  logger: { error: () => undefined, warn: () => undefined },
};

function post(path: string, jar: CookieJar, form: Record<string, string>): Request {
  return new Request(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeaderOf(jar), host: "app.test", origin: ORIGIN },
    body: new URLSearchParams(form),
  });
}

/** A page next-auth rendered before the deploy: its CSRF cookie, and the token in its form. */
async function nextAuthPage(signIn: boolean): Promise<{ jar: CookieJar; csrfToken: string }> {
  const jar: CookieJar = new Map();
  const csrfToken = await nextAuthCsrf(nextAuthConfig, ORIGIN, jar);
  if (signIn) {
    await nextAuthCredentialsSignIn(nextAuthConfig, ORIGIN, jar, csrfToken, { email: alice.email, password: "pw" });
    expect(jar.has("__Secure-authjs.session-token")).toBe(true);
  }
  expect(jar.has("__Host-authjs.csrf-token")).toBe(true);
  return { jar, csrfToken };
}

describe("next-auth's CSRF cookie under a secret list, after the switch to latch", () => {
  it("the sign-out form next-auth rendered signs the user out", async () => {
    const { jar, csrfToken } = await nextAuthPage(true);
    const response = await Auth(post("/api/auth/signout", jar, { csrfToken }), latchConfig);
    expect(response.headers.get("location") ?? "").not.toContain("error=MissingCSRF");
    absorbCookies(jar, response);
    expect(jar.has("__Secure-authjs.session-token")).toBe(false);
  });

  it("the sign-in form next-auth rendered signs the user in", async () => {
    const { jar, csrfToken } = await nextAuthPage(false);
    const response = await Auth(post("/api/auth/callback/credentials", jar, { csrfToken, email: alice.email, password: "pw" }), latchConfig);
    expect(response.headers.get("location") ?? "").not.toContain("error=MissingCSRF");
    absorbCookies(jar, response);
    expect(jar.has("__Secure-authjs.session-token")).toBe(true);
  });
});
