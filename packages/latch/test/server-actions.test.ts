/**
 * Server actions and config resolution where they used to fail open or differ from next-auth:
 * an engine answer without a redirect (413, a callback that throws), refusals, option values,
 * a config built per request, and config values read from process.env in a JS config.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { resolveConfig, createRequestContext } from "../src/core/config.js";
import { encode } from "../src/jwt.js";
import { Auth } from "../src/index.js";
import NextAuth, { AuthError, CredentialsSignin, RateLimited } from "../src/next/index.js";
import type { NextAuthConfig } from "../src/next/types.js";
import Credentials from "../src/providers/credentials.js";

// Server components and server actions read the request through next/headers: a stand-in per test.
const next = vi.hoisted(() => ({ headers: new Headers(), cookies: new Map<string, string>() }));
vi.mock("next/headers", async () => (await import("./helpers/next-request-scope.js")).nextHeaders(() => next));
vi.mock("next/navigation", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  ...(await import("./helpers/next-request-scope.js")).navigation,
}));

const SECRET = "server-actions-secret-of-enough-length-0123456789";
const ORIGIN = "https://app.test";
const SESSION_COOKIE = "__Secure-authjs.session-token";
const quiet = { error: () => undefined, warn: () => undefined, debug: () => undefined };

/** Runs a server action and returns where it redirected (or what it returned). */
async function serverAction(run: () => Promise<unknown>): Promise<string> {
  try {
    const value = await run();
    return typeof value === "string" ? value : JSON.stringify(value);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("NEXT_REDIRECT ")) return error.message.slice("NEXT_REDIRECT ".length);
    throw error;
  }
}

function serverRequest(extra: Record<string, string> = {}): void {
  next.headers = new Headers({ host: "app.test", "x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.7", ...extra });
}

function credentialsConfig(extra: Partial<NextAuthConfig> = {}, authorize?: (c: Record<string, unknown>) => unknown): NextAuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    logger: quiet,
    providers: [
      Credentials({
        credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
        authorize: async (c) => (authorize ? (authorize(c) as never) : c.email === "alice@app.test" && c.password === "right" ? { id: "u1", email: "alice@app.test" } : null),
      }),
    ],
    ...extra,
  };
}

beforeEach(() => {
  next.cookies = new Map();
  serverRequest();
});

/** Runs a server action that must fail: what it threw, or a message naming where it went instead. */
async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return `did not throw: ${await serverAction(run)}`;
  } catch (error) {
    return error;
  }
}

describe("server actions: an engine answer without a redirect throws, never redirects to redirectTo", () => {
  it("signOut() throws SignOutError with the app's error when its redirect callback throws, and redirects nowhere (\\\\evil.test is //evil.test to a browser)", async () => {
    // The redirect callback of Auth.js's docs: `new URL(url)` throws for `\\evil.test` (no scheme).
    const { signOut } = NextAuth({
      ...credentialsConfig(),
      callbacks: {
        redirect: ({ url, baseUrl }) => {
          if (url.startsWith("/")) return `${baseUrl}${url}`;
          if (new URL(url).origin === baseUrl) return url;
          return baseUrl;
        },
      },
    });
    next.cookies.set(SESSION_COOKIE, await encode({ token: { sub: "u1" }, secret: SECRET, salt: SESSION_COOKIE }));
    const thrown = await failure(() => signOut({ redirectTo: "\\\\evil.test/phish" }));
    expect(thrown).toBeInstanceOf(TypeError); // the callback's own error, for the app's error boundary and logs
    expect(next.cookies.has(SESSION_COOKIE)).toBe(true);
  });

  it("signOut() says it failed (SignOutError, the 413's reason) rather than redirect as signed out while the cookie stays", async () => {
    const { signOut } = NextAuth(credentialsConfig());
    next.cookies.set(SESSION_COOKIE, await encode({ token: { sub: "u1" }, secret: SECRET, salt: SESSION_COOKIE }));
    const thrown = await failure(() => signOut({ redirectTo: `https://evil.test/#${"x".repeat(70 * 1024)}` }));
    expect(thrown).toBeInstanceOf(AuthError);
    expect((thrown as AuthError).type).toBe("SignOutError");
    expect((thrown as AuthError).message).toMatch(/signOut\(\) failed: latch answered 413: The request body exceeds 65536 bytes/);
    expect(next.cookies.has(SESSION_COOKIE)).toBe(true);
    const quietSignOut = await failure(() => signOut({ redirectTo: `https://evil.test/#${"x".repeat(70 * 1024)}`, redirect: false }));
    expect(quietSignOut).toBeInstanceOf(AuthError);
  });

  it("signIn('credentials') with a form over 64 KiB throws CallbackRouteError instead of redirecting to its off-site redirectTo", async () => {
    const { signIn } = NextAuth(credentialsConfig());
    const form = new FormData();
    form.set("email", "alice@app.test");
    form.set("password", "right");
    form.set("redirectTo", "https://evil.test/phish");
    // Any field of the form (a textarea, a hidden field) is forwarded to the engine.
    form.set("note", "x".repeat(70 * 1024));
    const thrown = await failure(() => signIn("credentials", form));
    expect(thrown).toBeInstanceOf(AuthError);
    expect((thrown as AuthError).type).toBe("CallbackRouteError");
    expect((thrown as AuthError).message).toMatch(/signIn\("credentials"\) failed: latch answered 413/);
    expect(next.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it("signIn('credentials', { redirect: false }) throws on a 413 instead of returning the off-site redirectTo", async () => {
    const { signIn } = NextAuth(credentialsConfig());
    const thrown = await failure(() => signIn("credentials", { email: "alice@app.test", password: "right", note: "x".repeat(70 * 1024), redirectTo: "https://evil.test/", redirect: false }));
    expect(thrown).toBeInstanceOf(AuthError);
  });

  it("control: with a normal answer the off-site redirectTo is still replaced by the app's origin", async () => {
    const { signIn, signOut } = NextAuth(credentialsConfig());
    const signedIn = await serverAction(() => signIn("credentials", { email: "alice@app.test", password: "right", redirectTo: "https://evil.test/phish" }));
    expect(new URL(signedIn).origin).toBe(ORIGIN);
    expect(next.cookies.has(SESSION_COOKIE)).toBe(true);
    // The next request carries the cookie the action set.
    serverRequest({ cookie: `${SESSION_COOKIE}=${next.cookies.get(SESSION_COOKIE) ?? ""}` });
    const signedOut = await serverAction(() => signOut({ redirectTo: "https://evil.test/phish" }));
    expect(new URL(signedOut).origin).toBe(ORIGIN);
    expect(next.cookies.has(SESSION_COOKIE)).toBe(false);
  });
});

describe("unstable_update()", () => {
  it("returns null, not the engine's error body, when the update is refused (413)", async () => {
    const { unstable_update } = NextAuth(credentialsConfig());
    next.cookies.set(SESSION_COOKIE, await encode({ token: { sub: "u1", name: "Alice" }, secret: SECRET, salt: SESSION_COOKIE }));
    const session = await unstable_update({ user: { name: "x".repeat(70 * 1024) } });
    // latch returns the engine's error body { error: "PayloadTooLarge", message } as if it were the session.
    expect(session === null || (typeof session === "object" && "user" in session && "expires" in session)).toBe(true);
  });
});

describe("signIn() fields, as next-auth sends them", () => {
  it("passes non-string option values (numbers, booleans) to authorize() as strings, as next-auth's URLSearchParams does", async () => {
    let seen: Record<string, unknown> = {};
    const { signIn } = NextAuth(
      credentialsConfig({}, (c) => {
        seen = c;
        return { id: "u1", email: "alice@app.test" };
      }),
    );
    await serverAction(() => signIn("credentials", { email: "alice@app.test", pin: 1234, remember: true, redirectTo: "/" }));
    expect(seen.pin).toBe("1234");
    expect(seen.remember).toBe("true");
  });
});

describe("signIn('credentials') refusals other than CredentialsSignin", () => {
  it("throws AccessDenied (an AuthError) when the signIn callback refuses, as next-auth's raw-mode signIn does, instead of redirecting", async () => {
    const { signIn } = NextAuth(credentialsConfig({ callbacks: { signIn: () => false } }));
    let outcome: unknown;
    try {
      outcome = await serverAction(() => signIn("credentials", { email: "alice@app.test", password: "right", redirectTo: "/" }));
    } catch (error) {
      outcome = error;
    }
    expect(outcome).toBeInstanceOf(AuthError);
    expect((outcome as AuthError).type).toBe("AccessDenied");
  });
});

describe("lazy config: NextAuth((request) => config)", () => {
  it("still throttles credentials guessing when the function builds its config object per call", async () => {
    const { signIn } = NextAuth(() => credentialsConfig());
    let last: unknown;
    for (let attempt = 0; attempt < 12; attempt++) {
      try {
        await serverAction(() => signIn("credentials", { email: "alice@app.test", password: `guess-${attempt}`, redirectTo: "/" }));
      } catch (error) {
        last = error;
      }
    }
    // The static form refuses the 11th attempt with RateLimited (10 per account per 15 min).
    expect(last).toBeInstanceOf(RateLimited);
    expect(last).not.toBeInstanceOf(CredentialsSignin);
  });

  it("Auth(request, config) built per request: latch warns in production that nothing is throttled, and says to build it once", async () => {
    const warnings: string[] = [];
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      for (let i = 0; i < 100; i++) {
        await Auth(new Request(`${ORIGIN}/api/auth/providers`), { ...credentialsConfig(), logger: { ...quiet, warn: (code) => warnings.push(code) } });
      }
    } finally {
      process.env.NODE_ENV = previous;
    }
    const hint = warnings.filter((w) => w.startsWith("config-per-request:"));
    expect(hint).toHaveLength(1);
    expect(hint[0]).toMatch(/build the config once, at module scope/);
  });

  it("control: the static config does throttle", async () => {
    const { signIn } = NextAuth(credentialsConfig());
    let last: unknown;
    for (let attempt = 0; attempt < 12; attempt++) {
      try {
        await serverAction(() => signIn("credentials", { email: "alice@app.test", password: `guess-${attempt}`, redirectTo: "/" }));
      } catch (error) {
        last = error;
      }
    }
    expect(last).toBeInstanceOf(RateLimited);
  });
});

describe("config validation", () => {
  it("does not trust the Host header for trustHost: \"false\" (a string from process.env in a JS config)", () => {
    const resolved = resolveConfig({ secret: SECRET, providers: [], trustHost: "false" as unknown as boolean }, { NODE_ENV: "production" });
    expect(() => createRequestContext(resolved, new Headers({ host: "evil.test" }))).toThrow(/not trusted/);
    const trusting = resolveConfig({ secret: SECRET, providers: [], trustHost: "true" as unknown as boolean }, { NODE_ENV: "production" });
    expect(createRequestContext(trusting, new Headers({ host: "app.test" })).origin).toBe("http://app.test");
    // Unset (undefined) falls back to AUTH_TRUST_HOST and the defaults, as before.
    expect(resolveConfig({ secret: SECRET, providers: [], trustHost: "" as unknown as boolean }, { NODE_ENV: "production", AUTH_TRUST_HOST: "1" }).trustHost).toBe(true);
  });

  it("skips an unset entry of a secret array (`[process.env.NEW, process.env.OLD]` before NEW is set), as it skips unset AUTH_SECRET_n", () => {
    const resolved = resolveConfig({ secret: [undefined, "old-secret-of-enough-length-0123456789"] as unknown as string[], providers: [] }, {});
    expect(resolved.secrets).toEqual(["old-secret-of-enough-length-0123456789"]);
    expect(() => createRequestContext(resolved, new Headers({ host: "app.test" }))).not.toThrow();
  });
});
