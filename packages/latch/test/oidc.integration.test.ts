/**
 * End to end against a real OpenID provider (oidc-provider on 127.0.0.1, PKCE required, RFC 9207
 * `iss` in responses): sign-in, session read, update, sign-out, and every way a callback must fail.
 */
import { loginThroughIdP, startLocalIdP, type LocalIdP } from "@latch/local-idp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encode } from "../src/jwt.js";
import OIDC from "../src/providers/oidc.js";
import type { AuthConfig, JWT } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3999";
const SECRET = "integration-test-secret-of-enough-length-0123456789";
let idp: LocalIdP;
let config: AuthConfig;
const jwtCalls: Array<{ trigger: string | undefined; session: unknown; account: unknown }> = [];

beforeAll(async () => {
  idp = await startLocalIdP({
    clients: [
      {
        client_id: "latch-test",
        client_secret: "latch-test-secret",
        redirect_uris: [`${ORIGIN}/api/auth/callback/local`, `${ORIGIN}/api/auth/callback/other`],
      },
    ],
  });
  config = {
    secret: SECRET,
    trustHost: true,
    providers: [
      OIDC({ id: "local", name: "Local", issuer: idp.issuer, clientId: "latch-test", clientSecret: "latch-test-secret" }),
      OIDC({ id: "other", name: "Other", issuer: idp.issuer, clientId: "latch-test", clientSecret: "latch-test-secret" }),
    ],
    callbacks: {
      jwt({ token, account, trigger, session }) {
        jwtCalls.push({ trigger, session, account });
        if (account) token.provider = account.provider;
        if (trigger === "update" && typeof session === "object" && session !== null && "name" in session && typeof session.name === "string") {
          token.name = session.name;
        }
        return token;
      },
      session({ session, token }) {
        if (session.user) session.user.id = token.sub;
        return { ...session, provider: token.provider };
      },
    },
  };
});

afterAll(async () => {
  await idp?.close();
});

/** Starts a sign-in: returns the authorization URL the browser is sent to. */
async function startSignIn(client: EngineClient, provider = "local", callbackUrl = "/dashboard"): Promise<URL> {
  const csrfToken = await client.csrfToken();
  const { response } = await client.fetch(`/api/auth/signin/${provider}`, { form: { csrfToken, callbackUrl } });
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location") ?? "");
}

async function signIn(client: EngineClient, callbackUrl = "/dashboard"): Promise<Response> {
  const authorization = await startSignIn(client, "local", callbackUrl);
  const callback = await loginThroughIdP(authorization.href, "alice");
  const { response } = await client.fetch(callback);
  return response;
}

describe("sign-in through a real OpenID provider", () => {
  it("signs in, reads, updates and ends the session", async () => {
    const client = new EngineClient(ORIGIN, config);
    const authorization = await startSignIn(client);
    expect(authorization.origin).toBe(idp.url);
    expect(authorization.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorization.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(authorization.searchParams.get("state")).toBeTruthy();
    expect(authorization.searchParams.get("nonce")).toBeTruthy();
    expect(authorization.searchParams.get("redirect_uri")).toBe(`${ORIGIN}/api/auth/callback/local`);
    expect(authorization.searchParams.get("scope")).toBe("openid profile email");
    for (const name of ["authjs.pkce.code_verifier", "authjs.state", "authjs.nonce", "authjs.callback-url"]) expect(client.jar.has(name)).toBe(true);

    const callback = new URL(await loginThroughIdP(authorization.href, "alice"));
    expect(callback.searchParams.get("iss")).toBe(idp.issuer);
    const { response, cookies } = await client.fetch(callback.href);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    const sessionCookie = cookies.find((c) => c.name === "authjs.session-token");
    expect(sessionCookie?.attributes.httponly).toBe(true);
    expect(sessionCookie?.attributes.samesite).toBe("Lax");
    expect(sessionCookie?.attributes.path).toBe("/");
    // Check cookies are single use: the callback deletes them.
    for (const name of ["authjs.pkce.code_verifier", "authjs.state", "authjs.nonce"]) expect(client.jar.has(name)).toBe(false);
    const signInCall = jwtCalls.at(-1);
    expect(signInCall?.trigger).toBe("signIn");
    expect(signInCall?.account).toMatchObject({ provider: "local", type: "oidc", providerAccountId: "alice" });

    const session = (await client.session()) as { user: { name: string; email: string; id: string }; expires: string; provider: string };
    expect(session.user.name).toBe("Alice");
    expect(session.user.email).toBe("alice@example.test");
    expect(session.user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(session.provider).toBe("local");
    expect(Date.parse(session.expires) - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);

    const csrfToken = await client.csrfToken();
    const updated = await client.fetch("/api/auth/session", { json: { csrfToken, data: { name: "Alice Updated" } } });
    expect(updated.response.status).toBe(200);
    expect(((await updated.response.json()) as { user: { name: string } }).user.name).toBe("Alice Updated");
    expect(jwtCalls.at(-1)).toMatchObject({ trigger: "update", session: { name: "Alice Updated" } });
    expect(((await client.session()) as { user: { name: string } }).user.name).toBe("Alice Updated");

    const signOut = await client.fetch("/api/auth/signout", { form: { csrfToken, callbackUrl: "/bye" } });
    expect(signOut.response.status).toBe(302);
    expect(signOut.response.headers.get("location")).toBe(`${ORIGIN}/bye`);
    expect(signOut.cookies.find((c) => c.name === "authjs.session-token")?.attributes["max-age"]).toBe("0");
    expect(await client.session()).toBeNull();
  });

  it("gives the same token.sub at every sign-in of the same account", async () => {
    const first = new EngineClient(ORIGIN, config);
    await signIn(first);
    const second = new EngineClient(ORIGIN, config);
    await signIn(second);
    const a = (await first.session()) as { user: { id: string } };
    const b = (await second.session()) as { user: { id: string } };
    expect(a.user.id).toBe(b.user.id);
  });

  it("keeps an open-redirect callbackUrl on the site's own origin", async () => {
    for (const evil of ["https://evil.test/x", "//evil.test", "/\\evil.test", "javascript:alert(1)", "http://127.0.0.1:3999@evil.test/"]) {
      const client = new EngineClient(ORIGIN, config);
      const response = await signIn(client, evil);
      expect(response.status).toBe(302);
      expect(new URL(response.headers.get("location") ?? "").origin).toBe(ORIGIN);
    }
  });
});

describe("callbacks that must fail", () => {
  /** Completes the provider part of a flow and returns the callback URL without calling it. */
  async function pendingCallback(client: EngineClient, provider = "local"): Promise<URL> {
    const authorization = await startSignIn(client, provider);
    return new URL(await loginThroughIdP(authorization.href, "alice"));
  }

  async function expectRefused(client: EngineClient, url: string, expectedError = "Configuration"): Promise<void> {
    const { response, cookies } = await client.fetch(url);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.searchParams.get("error")).toBe(expectedError);
    expect(cookies.some((c) => c.name.startsWith("authjs.session-token") && c.value !== "")).toBe(false);
    expect(await client.session()).toBeNull();
  }

  it("refuses a callback without state", async () => {
    const client = new EngineClient(ORIGIN, config);
    const callback = await pendingCallback(client);
    callback.searchParams.delete("state");
    await expectRefused(client, callback.href);
  });

  it("refuses a wrong state", async () => {
    const client = new EngineClient(ORIGIN, config);
    const callback = await pendingCallback(client);
    callback.searchParams.set("state", "forged-state-value");
    await expectRefused(client, callback.href);
  });

  it("refuses a wrong iss (mix-up)", async () => {
    const client = new EngineClient(ORIGIN, config);
    const callback = await pendingCallback(client);
    callback.searchParams.set("iss", "https://evil.test");
    await expectRefused(client, callback.href);
  });

  it("refuses a reused callback, even with the original cookies replayed", async () => {
    const client = new EngineClient(ORIGIN, config);
    const callback = await pendingCallback(client);
    const saved = new Map(client.jar);
    const first = await client.fetch(callback.href);
    expect(first.response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    // Second use in the same browser: the check cookies are gone.
    const again = new EngineClient(ORIGIN, config);
    await expectRefused(again, callback.href);
    // An attacker who kept the cookies: the provider refuses the used code.
    const replay = new EngineClient(ORIGIN, config);
    for (const [name, value] of saved) replay.jar.set(name, value);
    await expectRefused(replay, callback.href, "OAuthCallbackError");
  });

  it("refuses a missing PKCE verifier, a missing nonce, or any missing check cookie", async () => {
    for (const missing of ["authjs.pkce.code_verifier", "authjs.nonce", "authjs.state"]) {
      const client = new EngineClient(ORIGIN, config);
      const callback = await pendingCallback(client);
      client.jar.delete(missing);
      await expectRefused(client, callback.href);
    }
  });

  it("refuses a PKCE verifier or nonce from another flow", async () => {
    for (const swapped of ["authjs.pkce.code_verifier", "authjs.nonce"]) {
      const other = new EngineClient(ORIGIN, config);
      await startSignIn(other);
      const client = new EngineClient(ORIGIN, config);
      const callback = await pendingCallback(client);
      client.jar.set(swapped, other.jar.get(swapped) ?? "");
      await expectRefused(client, callback.href, swapped === "authjs.nonce" ? "OAuthCallbackError" : "OAuthCallbackError");
    }
  });

  it("refuses check cookies minted for another provider", async () => {
    const client = new EngineClient(ORIGIN, config);
    const callback = await pendingCallback(client, "other");
    const crossed = new URL(callback.href.replace("/callback/other", "/callback/local"));
    await expectRefused(client, crossed.href);
  });

  it("shows the provider's error without signing in", async () => {
    const client = new EngineClient(ORIGIN, config);
    const authorization = await startSignIn(client);
    const state = authorization.searchParams.get("state") ?? "";
    const url = `${ORIGIN}/api/auth/callback/local?error=access_denied&state=${state}&iss=${encodeURIComponent(idp.issuer)}`;
    const { response } = await client.fetch(url);
    expect(new URL(response.headers.get("location") ?? "").pathname).toBe("/api/auth/signin");
    expect(new URL(response.headers.get("location") ?? "").searchParams.get("error")).toBe("OAuthCallbackError");
  });
});

describe("session cookies that must not give a session", () => {
  async function signedIn(): Promise<{ client: EngineClient; token: string }> {
    const client = new EngineClient(ORIGIN, config);
    await signIn(client);
    return { client, token: client.jar.get("authjs.session-token") ?? "" };
  }

  async function expectNoSession(token: string): Promise<void> {
    const client = new EngineClient(ORIGIN, config);
    client.jar.set("authjs.session-token", token);
    const { response, cookies } = await client.fetch("/api/auth/session");
    expect(response.status).toBe(200);
    expect(await response.json()).toBeNull();
    expect(cookies.find((c) => c.name === "authjs.session-token")?.attributes["max-age"]).toBe("0");
  }

  it("refuses tampered, truncated, expired and foreign-secret tokens", async () => {
    const { token } = await signedIn();
    const parts = token.split(".");
    const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);
    await expectNoSession(token.slice(0, -5));
    await expectNoSession(token.slice(0, token.length / 2));
    await expectNoSession([parts[0], parts[1], parts[2], flip(parts[3] ?? ""), parts[4]].join("."));
    await expectNoSession([parts[0], parts[1], parts[2], parts[3], flip(parts[4] ?? "")].join("."));
    await expectNoSession([parts[0], parts[1], flip(parts[2] ?? ""), parts[3], parts[4]].join("."));
    const payload: JWT = { name: "Mallory", sub: "x" };
    await expectNoSession(await encode({ token: payload, secret: "another-secret-of-enough-length-0123456789", salt: "authjs.session-token" }));
    await expectNoSession(await encode({ token: payload, secret: SECRET, salt: "authjs.session-token", maxAge: -60 }));
    // A check cookie (different salt) must never pass as a session (GHSA-v64w-49xw-qq89).
    await expectNoSession(await encode({ token: { value: "x", provider: "local" }, secret: SECRET, salt: "authjs.state" }));
  });

  it("accepts a token sealed with an older secret during rotation", async () => {
    const { token } = await signedIn();
    const rotated = new EngineClient(ORIGIN, { ...config, secret: ["a-brand-new-secret-of-enough-length-987654321", SECRET] });
    rotated.jar.set("authjs.session-token", token);
    const session = (await rotated.session()) as { user: { name: string } } | null;
    expect(session?.user.name).toBe("Alice");
  });
});
