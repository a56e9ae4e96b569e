/**
 * "If you set `jwt.encode`/`jwt.decode` in next-auth, keep the same values in latch"
 * (docs/migrating-from-next-auth.md, "What stays compatible" → Session tokens).
 *
 * next-auth hands a custom codec the secret exactly as configured: `AUTH_SECRET` (or
 * `secret: "…"`) arrives as a string. A codec written for next-auth therefore uses it as one
 * (an HS256 JWS, as Hasura/Supabase integrations do). latch always passes its list
 * (`secret: string[]`), so the same codec throws on every decode: every user next-auth signed in
 * is signed out by the deploy (and new sign-ins fail too).
 */
import NextAuthCredentials from "@auth/core/providers/credentials";
import { createHmac } from "node:crypto";
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { nodeJwe, nodeRuntime } from "../src/core/session/jwe-fast.js";
import { Auth } from "../src/index.js";
import type { NextAuthConfig } from "../src/next/types.js";
import { createProxyAuth } from "../src/proxy/create-proxy-auth.js";
import type { AuthConfig, JWT, JWTDecodeParams, JWTEncodeParams } from "../src/types.js";
import { cookieHeaderOf, type CookieJar } from "./helpers/engine-client.js";
import { nextAuthCredentialsSignIn, nextAuthCsrf, nextAuthEngine } from "./helpers/next-auth-engine.js";


const ORIGIN = "https://app.test";
const SECRET = "migration-codec-secret-of-enough-length-0123456789";
const COOKIE = "__Secure-authjs.session-token";
const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };


const b64 = (s: string) => Buffer.from(s).toString("base64url");
/** A custom session codec as next-auth apps write it: a signed HS256 JWT keyed by the secret (a string in next-auth). */
const hs256 = {
  encode({ token, secret, maxAge }: JWTEncodeParams): string {
    const now = Math.floor(Date.now() / 1000);
    const body = `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(JSON.stringify({ ...token, iat: now, exp: now + (maxAge ?? 2592000) }))}`;
    return `${body}.${createHmac("sha256", secret as string).update(body).digest("base64url")}`;
  },
  decode({ token, secret }: JWTDecodeParams): JWT | null {
    if (!token) return null;
    const [header = "", payload = "", signature] = token.split(".");
    if (createHmac("sha256", secret as string).update(`${header}.${payload}`).digest("base64url") !== signature) return null;
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as JWT;
    return typeof claims.exp === "number" && claims.exp > Date.now() / 1000 ? claims : null;
  },
};

const nextAuthConfig = {
  secret: SECRET,
  trustHost: true,
  basePath: "/api/auth",
  jwt: hs256,
  providers: [NextAuthCredentials({ credentials: { email: {}, password: {} }, authorize: (c: Partial<Record<string, unknown>>) => (c.email === alice.email ? { ...alice } : null) })],
  logger: { error: () => undefined, warn: () => undefined, debug: () => undefined },
};

function latchConfig(): AuthConfig & NextAuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    jwt: hs256,
    providers: [],
    callbacks: { authorized: ({ auth }) => !!auth },
    logger: { error: () => undefined, warn: () => undefined },
  };
}

/** A browser next-auth signed in, with its custom codec. */
async function signedInWithNextAuth(): Promise<CookieJar> {
  const jar: CookieJar = new Map();
  const csrfToken = await nextAuthCsrf(nextAuthConfig, ORIGIN, jar);
  await nextAuthCredentialsSignIn(nextAuthConfig, ORIGIN, jar, csrfToken, { email: alice.email, password: "pw" });
  // next-auth itself reads its cookie back: the codec works there.
  const own = (await (await nextAuthEngine(new Request(`${ORIGIN}/api/auth/session`, { headers: { cookie: cookieHeaderOf(jar) } }), nextAuthConfig as never)).json()) as { user?: { email?: string } } | null;
  expect(own?.user?.email).toBe(alice.email);
  expect(jar.get(COOKIE)?.split(".")).toHaveLength(3);
  return jar;
}

describe("a next-auth app with a custom jwt.encode/jwt.decode, migrated with the same values", () => {
  it("GET /api/auth/session keeps the user next-auth signed in", async () => {
    const jar = await signedInWithNextAuth();
    const response = await Auth(new Request(`${ORIGIN}/api/auth/session`, { headers: { cookie: cookieHeaderOf(jar), host: "app.test" } }), latchConfig());
    const session = (await response.json()) as { user?: { email?: string } } | null;
    expect(session?.user?.email).toBe(alice.email);
    // …and does not delete the session cookie.
    expect(response.headers.getSetCookie().filter((c) => c.startsWith(`${COOKIE}=;`))).toEqual([]);
  });

  it("the lean proxy (latch/proxy) lets the signed-in user through", async () => {
    const jar = await signedInWithNextAuth();
    const { auth } = createProxyAuth(latchConfig(), { jwe: nodeJwe(nodeRuntime!), env: () => ({}) });
    const response = await auth(new NextRequest(`${ORIGIN}/dashboard`, { headers: { host: "app.test", accept: "text/html", cookie: cookieHeaderOf(jar) } }));
    expect(response.status).toBe(200);
  });
});
