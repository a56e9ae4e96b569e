/**
 * Callbacks, events, pages and theme with Auth.js's arguments and call sites, and the generic
 * OAuth 2 provider — against the real local OpenID provider.
 */
import { loginThroughIdP, startLocalIdP, type LocalIdP } from "@latch/local-idp";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import Credentials from "../src/providers/credentials.js";
import OAuth from "../src/providers/oauth.js";
import OIDC from "../src/providers/oidc.js";
import type { AuthConfig, Provider } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3997";
const SECRET = "callbacks-test-secret-of-enough-length-0123456789";
let idp: LocalIdP;

beforeAll(async () => {
  idp = await startLocalIdP({
    clients: [
      {
        client_id: "latch-callbacks",
        client_secret: "latch-callbacks-secret",
        redirect_uris: [`${ORIGIN}/api/auth/callback/local`, `${ORIGIN}/api/auth/callback/plain`],
      },
    ],
  });
});

afterAll(async () => {
  await idp?.close();
});

function local(): Provider {
  return OIDC({ id: "local", name: "Local", issuer: idp.issuer, clientId: "latch-callbacks", clientSecret: "latch-callbacks-secret" });
}

async function signIn(client: EngineClient, provider = "local", login = "alice"): Promise<Response> {
  const csrfToken = await client.csrfToken();
  const start = await client.fetch(`/api/auth/signin/${provider}`, { form: { csrfToken, callbackUrl: "/home" } });
  const callback = await loginThroughIdP(start.response.headers.get("location") ?? "", login);
  return (await client.fetch(callback)).response;
}

describe("the generic OAuth 2 provider", () => {
  it("signs in with explicit endpoints and reads the profile from userinfo", async () => {
    const config: AuthConfig = {
      secret: SECRET,
      trustHost: true,
      providers: [
        OAuth({
          id: "plain",
          name: "Plain OAuth",
          authorization: { url: `${idp.url}/auth`, params: { scope: "openid profile email" } },
          token: `${idp.url}/token`,
          userinfo: `${idp.url}/me`,
          issuer: idp.issuer,
          clientId: "latch-callbacks",
          clientSecret: "latch-callbacks-secret",
          profile: (profile) => ({ id: String(profile.sub), name: `${String(profile.name)} (plain)`, email: profile.email ?? null }),
        }),
      ],
    };
    const client = new EngineClient(ORIGIN, config);
    const response = await signIn(client, "plain", "carol");
    expect(response.headers.get("location")).toBe(`${ORIGIN}/home`);
    const session = (await client.session()) as { user: { name: string; email: string } };
    expect(session.user).toEqual({ name: "Carol (plain)", email: "carol@example.test", image: null });
  });
});

describe("callbacks", () => {
  it("passes Auth.js's arguments to signIn and jwt, and session sees the token", async () => {
    const seen: Record<string, unknown> = {};
    const client = new EngineClient(ORIGIN, {
      secret: SECRET,
      trustHost: true,
      providers: [local()],
      callbacks: {
        signIn(params) {
          seen.signIn = params;
          return true;
        },
        jwt(params) {
          if (params.trigger === "signIn") seen.jwt = params;
          return { ...params.token, role: "admin" };
        },
        session({ session, token }) {
          seen.sessionToken = token;
          return { ...session, role: token.role };
        },
      },
    });
    await signIn(client);
    expect(seen.signIn).toMatchObject({
      user: { name: "Alice", email: "alice@example.test" },
      account: { provider: "local", type: "oidc", providerAccountId: "alice", token_type: expect.any(String) as unknown },
      profile: { sub: "alice", email: "alice@example.test" },
    });
    expect(seen.jwt).toMatchObject({
      token: { name: "Alice", email: "alice@example.test", sub: expect.any(String) as unknown },
      user: { name: "Alice" },
      account: { provider: "local" },
      profile: { sub: "alice" },
      trigger: "signIn",
    });
    expect(await client.session()).toMatchObject({ role: "admin", user: { name: "Alice" } });
    expect(seen.sessionToken).toMatchObject({ role: "admin", sub: expect.any(String) as unknown, exp: expect.any(Number) as unknown });
  });

  it("a redirect callback that throws at the callback leads to the error page and signs nobody in", async () => {
    let failing = false;
    const client = new EngineClient(ORIGIN, {
      secret: SECRET,
      trustHost: true,
      providers: [local()],
      logger: { error: () => undefined },
      callbacks: {
        redirect({ url }) {
          if (failing) throw new Error("the app's redirect rules failed");
          return url;
        },
      },
    });
    const csrfToken = await client.csrfToken();
    const start = await client.fetch("/api/auth/signin/local", { form: { csrfToken, callbackUrl: "/home" } });
    const callback = await loginThroughIdP(start.response.headers.get("location") ?? "", "alice");
    failing = true;
    const { response } = await client.fetch(callback);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/api/auth/error?error=Configuration`);
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith("authjs.session-token"))).toBe(false);
    failing = false;
    expect(await client.session()).toBeNull();
  });

  it("a redirect callback that throws, with database sessions: no session row, no signIn event for the sign-in that did not happen", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const signInEvents: string[] = [];
    let failing = false;
    const client = new EngineClient(ORIGIN, {
      secret: SECRET,
      trustHost: true,
      adapter: SQLiteAdapter(db),
      session: { strategy: "database" },
      providers: [Credentials({ credentials: { email: { type: "email" } }, authorize: ({ email }) => (email === "alice@example.com" ? { id: "user-alice", email } : null) })],
      callbacks: {
        redirect({ url }) {
          if (failing) throw new Error("the app's redirect rules failed");
          return url;
        },
      },
      events: { signIn: ({ user }) => void signInEvents.push(String(user.id)) },
      logger: { error: () => undefined },
    });
    db.prepare(`INSERT INTO users (id, email) VALUES (?, ?)`).run("user-alice", "alice@example.com");
    const csrfToken = await client.csrfToken();
    failing = true;
    const { response, cookies } = await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: "alice@example.com" } });
    failing = false;
    expect(response.headers.get("location")).toBe(`${ORIGIN}/api/auth/error?error=Configuration`);
    expect(cookies.map((cookie) => cookie.name)).not.toContain("authjs.session-token");
    expect(db.prepare("SELECT COUNT(*) AS n FROM sessions").get()).toEqual({ n: 0 });
    expect(signInEvents).toEqual([]);
    // Control: the same sign-in with the callback working leaves one row and one event.
    await client.fetch("/api/auth/callback/credentials", { form: { csrfToken: await client.csrfToken(), email: "alice@example.com" } });
    expect(db.prepare("SELECT COUNT(*) AS n FROM sessions").get()).toEqual({ n: 1 });
    expect(signInEvents).toEqual(["user-alice"]);
  });

  it("refuses the sign-in when signIn returns false, and redirects when it returns a path", async () => {
    const denied = new EngineClient(ORIGIN, { secret: SECRET, trustHost: true, providers: [local()], callbacks: { signIn: () => false } });
    const refused = await signIn(denied);
    const location = new URL(refused.headers.get("location") ?? "");
    expect(location.pathname).toBe("/api/auth/error");
    expect(location.searchParams.get("error")).toBe("AccessDenied");
    expect(await denied.session()).toBeNull();
    const page = await denied.fetch(location.href);
    expect(page.response.status).toBe(403);

    const elsewhere = new EngineClient(ORIGIN, { secret: SECRET, trustHost: true, providers: [local()], callbacks: { signIn: () => "/not-yet" } });
    const redirected = await signIn(elsewhere);
    expect(redirected.headers.get("location")).toBe(`${ORIGIN}/not-yet`);
    expect(await elsewhere.session()).toBeNull();
  });

  it("treats a signIn callback that throws as a refusal, never as a session", async () => {
    const client = new EngineClient(ORIGIN, {
      secret: SECRET,
      trustHost: true,
      providers: [local()],
      logger: { error: () => undefined },
      callbacks: {
        signIn: () => {
          throw new Error("database down");
        },
      },
    });
    const response = await signIn(client);
    expect(new URL(response.headers.get("location") ?? "").searchParams.get("error")).toBe("AccessDenied");
    expect(await client.session()).toBeNull();
  });

  it("signs out when the jwt callback returns null on a later read", async () => {
    let revoked = false;
    const client = new EngineClient(ORIGIN, {
      secret: SECRET,
      trustHost: true,
      providers: [local()],
      callbacks: { jwt: ({ token }) => (revoked ? null : token) },
    });
    await signIn(client);
    expect(await client.session()).not.toBeNull();
    revoked = true;
    expect(await client.session()).toBeNull();
    expect(client.jar.has("authjs.session-token")).toBe(false);
  });

  it("lets a redirect callback allow another origin the app trusts, and nothing non-http", async () => {
    const client = new EngineClient(ORIGIN, {
      secret: SECRET,
      trustHost: true,
      providers: [local()],
      callbacks: {
        redirect: ({ url, baseUrl }) => (url.startsWith("https://docs.example.test/") || url.startsWith("javascript:") ? url : baseUrl),
      },
    });
    const csrfToken = await client.csrfToken();
    const out = await client.fetch("/api/auth/signout", { form: { csrfToken, callbackUrl: "https://docs.example.test/guide" } });
    expect(out.response.headers.get("location")).toBe("https://docs.example.test/guide");
    const bad = await client.fetch("/api/auth/signout", { form: { csrfToken, callbackUrl: "javascript:alert(1)" } });
    expect(bad.response.headers.get("location")).toBe(ORIGIN);
  });
});

describe("events, pages and theme", () => {
  it("fires signIn, session and signOut events, and survives a throwing handler", async () => {
    const events: string[] = [];
    const errors: string[] = [];
    const client = new EngineClient(ORIGIN, {
      secret: SECRET,
      trustHost: true,
      providers: [local()],
      logger: { error: (error) => errors.push(error.name) },
      events: {
        signIn: ({ user, account }) => void events.push(`signIn:${String(user.name)}:${String(account?.provider)}`),
        session: ({ session }) => void events.push(`session:${String(session.user?.name)}`),
        signOut: ({ token }) => {
          events.push(`signOut:${String(token?.name)}`);
          throw new Error("the audit log is down");
        },
      },
    });
    await signIn(client);
    await client.session();
    const csrfToken = await client.csrfToken();
    const out = await client.fetch("/api/auth/signout", { form: { csrfToken } });
    expect(out.response.status).toBe(302);
    expect(events).toEqual(["signIn:Alice:local", "session:Alice", "signOut:Alice"]);
    expect(errors).toContain("EventError");
    expect(await client.session()).toBeNull();
  });

  it("sends users to custom pages", async () => {
    const client = new EngineClient(ORIGIN, {
      secret: SECRET,
      trustHost: true,
      providers: [local()],
      pages: { signIn: "/login", signOut: "/logout", error: "/oops" },
      logger: { error: () => undefined },
    });
    const signin = await client.fetch("/api/auth/signin?callbackUrl=%2Fprivate");
    expect(signin.response.headers.get("location")).toBe(`${ORIGIN}/login?callbackUrl=${encodeURIComponent(`${ORIGIN}/private`)}`);
    const signout = await client.fetch("/api/auth/signout");
    expect(new URL(signout.response.headers.get("location") ?? "").pathname).toBe("/logout");
    const error = await client.fetch("/api/auth/error?error=AccessDenied");
    expect(error.response.headers.get("location")).toBe(`${ORIGIN}/oops?error=AccessDenied`);
    // A sign-in error (missing CSRF) goes to the custom sign-in page.
    const missing = await client.fetch("/api/auth/signin/local", { form: { csrfToken: "wrong" } });
    expect(missing.response.headers.get("location")).toBe(`${ORIGIN}/login?error=MissingCSRF`);
  });

  it("themes the built-in pages and ignores unsafe theme values", async () => {
    const themed = new EngineClient(ORIGIN, {
      secret: SECRET,
      trustHost: true,
      providers: [local()],
      theme: { colorScheme: "dark", brandColor: "#ff0066", logo: "/logo.png" },
    });
    const html = await (await themed.fetch("/api/auth/signin")).response.text();
    expect(html).toContain("color-scheme:dark");
    expect(html).toContain("--brand:#ff0066");
    expect(html).toContain(`src="${ORIGIN}/logo.png"`);
    expect(html).toContain("Sign in with Local");

    // A logo on another origin would tell that site who opens the page (RFC 9700 §4.2.4): left out.
    const remote = new EngineClient(ORIGIN, { secret: SECRET, trustHost: true, providers: [local()], theme: { logo: "https://cdn.example.test/logo.png" } });
    expect(await (await remote.fetch("/api/auth/signin")).response.text()).not.toContain("cdn.example.test");

    const hostile = new EngineClient(ORIGIN, {
      secret: SECRET,
      trustHost: true,
      providers: [local()],
      theme: { brandColor: "red;}</style><script>alert(1)</script>", logo: "javascript:alert(1)" },
    });
    const page = await (await hostile.fetch("/api/auth/signin")).response.text();
    expect(page).not.toContain("<script>");
    expect(page).not.toContain("javascript:");
  });
});
