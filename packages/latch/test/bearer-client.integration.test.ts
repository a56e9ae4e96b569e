/**
 * The bearer client (`latch/client`) against the real engine: a small "browser" keeps cookies,
 * routes `/api/auth/*` to `Auth()` and `/api/me` to the same session reading `auth()` does. No
 * network, no mocks of latch: every token is issued and verified by latch itself.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createBearerClient, sessionChannelName, type BearerClient } from "../src/client/bearer.js";
import { createRequestContext, getResolvedConfig } from "../src/core/config.js";
import { parseCookieHeader } from "../src/core/cookies.js";
import { readRequestAuth } from "../src/core/session/read-session.js";
import { Auth } from "../src/index.js";
import Credentials from "../src/providers/credentials.js";
import { sessionKey } from "../src/react/session-key.js";
import type { AuthConfig, Session } from "../src/types.js";
import { parseSetCookie } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3999";
const SECRET = "bearer-client-secret-of-enough-length-0123456789";

function config(maxAge = 600): AuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    bearer: { maxAge },
    logger: { error: () => undefined, warn: () => undefined },
    providers: [Credentials({ credentials: { email: {} }, authorize: ({ email }) => (email === "alice@example.com" ? { id: "alice", name: "Alice" } : null) })],
  };
}

/** A browser tab's view of the app: one cookie jar, the auth routes and one API route. */
function browser(cfg: AuthConfig) {
  const jar = new Map<string, string>();
  const log: Array<{ path: string; authorization: string | null; status: number; body?: string }> = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const incoming = new Request(typeof input === "string" && input.startsWith("/") ? `${ORIGIN}${input}` : input, init);
    const headers = new Headers(incoming.headers);
    headers.set("host", new URL(ORIGIN).host);
    headers.set("cookie", [...jar].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; "));
    const request = new Request(incoming, { headers });
    const path = new URL(request.url).pathname;
    let response: Response;
    if (path.startsWith("/api/auth/")) {
      response = await Auth(request, cfg);
    } else {
      const resolved = getResolvedConfig(cfg);
      const ctx = createRequestContext(resolved, request.headers, request.url);
      const result = await readRequestAuth(ctx, request.headers.get("authorization"), parseCookieHeader(request.headers.get("cookie")), { renew: false });
      const body = request.method === "POST" ? await request.text() : undefined;
      // /api/admin: Alice is never an admin, so it answers 401 whatever token she sends.
      const allowed = result.session && path !== "/api/admin";
      response = allowed ? Response.json({ user: result.session?.user, echo: body }) : Response.json({ error: "Unauthorized" }, { status: 401 });
    }
    for (const header of response.headers.getSetCookie()) {
      const cookie = parseSetCookie(header);
      if (cookie.attributes["max-age"] === "0") jar.delete(cookie.name);
      else jar.set(cookie.name, cookie.value);
    }
    log.push({ path, authorization: request.headers.get("authorization"), status: response.status });
    return response;
  };
  return {
    jar,
    log,
    fetch,
    async signIn() {
      const csrf = (await (await fetch("/api/auth/csrf")).json()) as { csrfToken: string };
      const body = new URLSearchParams({ csrfToken: csrf.csrfToken, email: "alice@example.com" });
      await fetch("/api/auth/callback/credentials", { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } });
      expect(jar.has("authjs.session-token")).toBe(true);
    },
  };
}

const clients: BearerClient[] = [];
function client(tab: ReturnType<typeof browser>, extra: Parameters<typeof createBearerClient>[0] = {}): BearerClient {
  const made = createBearerClient({ fetch: tab.fetch, ...extra });
  clients.push(made);
  return made;
}

afterEach(() => {
  for (const made of clients.splice(0)) made.close();
});

describe("createBearerClient", () => {
  it("gets a token once, reuses it, and sends it as Authorization: Bearer", async () => {
    const tab = browser(config());
    await tab.signIn();
    const api = client(tab);
    const response = await api.fetch(`${ORIGIN}/api/me`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user: { name: "Alice" } });
    await api.fetch(`${ORIGIN}/api/me`);
    expect(tab.log.filter((entry) => entry.path === "/api/auth/token")).toHaveLength(1);
    const calls = tab.log.filter((entry) => entry.path === "/api/me");
    expect(calls.every((entry) => entry.authorization?.startsWith("Bearer ey"))).toBe(true);
  });

  it("shares one renewal between concurrent callers", async () => {
    const tab = browser(config());
    await tab.signIn();
    const api = client(tab);
    const tokens = await Promise.all(Array.from({ length: 8 }, () => api.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(tab.log.filter((entry) => entry.path === "/api/auth/token")).toHaveLength(1);
  });

  it("renews before expiry: a token near its end is replaced before it is sent", async () => {
    const tab = browser(config(2));
    await tab.signIn();
    const api = client(tab);
    const first = await api.getToken();
    await new Promise((resolve) => setTimeout(resolve, 1900));
    const response = await api.fetch(`${ORIGIN}/api/me`);
    expect(response.status).toBe(200);
    const second = tab.log.filter((entry) => entry.path === "/api/me")[0]?.authorization;
    expect(second).not.toBe(`Bearer ${first}`);
    expect(tab.log.filter((entry) => entry.path === "/api/auth/token")).toHaveLength(2);
  });

  it("on a 401 renews once and retries once, with the same body", async () => {
    const tab = browser(config());
    await tab.signIn();
    const storage = new Map<string, string>();
    Object.assign(globalThis, {
      localStorage: {
        getItem: (key: string) => storage.get(key) ?? null,
        setItem: (key: string, value: string) => storage.set(key, value),
        removeItem: (key: string) => storage.delete(key),
      },
    });
    try {
      const api = client(tab, { storage: "localStorage" });
      await api.getToken();
      const key = [...storage.keys()][0] ?? "";
      expect(key).toBe("latch.bearer:/api/auth");
      // The stored token goes bad while the client still believes it fresh (e.g. the server restarted with a new key).
      const stored = JSON.parse(storage.get(key) ?? "{}") as { token: string };
      storage.set(key, JSON.stringify({ ...stored, token: `${stored.token.slice(0, -4)}AAAA` }));
      const response = await api.fetch(`${ORIGIN}/api/me`, { method: "POST", body: "payload-1", headers: { "content-type": "text/plain" } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ echo: "payload-1" });
      const calls = tab.log.filter((entry) => entry.path === "/api/me").map((entry) => entry.status);
      expect(calls).toEqual([401, 200]);
    } finally {
      Reflect.deleteProperty(globalThis, "localStorage");
    }
  });

  it("renews when the fingerprint cookie is gone (a new one comes with the new token)", async () => {
    const tab = browser(config());
    await tab.signIn();
    const api = client(tab);
    await api.getToken();
    const before = tab.jar.get("latch.bearer-fingerprint");
    tab.jar.delete("latch.bearer-fingerprint");
    const response = await api.fetch(`${ORIGIN}/api/me`);
    expect(response.status).toBe(200);
    expect(tab.log.filter((entry) => entry.path === "/api/me").map((entry) => entry.status)).toEqual([401, 200]);
    expect(tab.jar.get("latch.bearer-fingerprint")).not.toBe(before);
  });

  it("gives up after one retry: a request that stays 401 is returned, not looped", async () => {
    const tab = browser(config());
    await tab.signIn();
    const api = client(tab);
    await api.getToken();
    const response = await api.fetch(`${ORIGIN}/api/admin`);
    expect(response.status).toBe(401);
    expect(tab.log.filter((entry) => entry.path === "/api/admin")).toHaveLength(2);
    expect(tab.log.filter((entry) => entry.path === "/api/auth/token")).toHaveLength(2);
  });

  it("without a session: no token, the request goes out without Authorization", async () => {
    const tab = browser(config());
    const api = client(tab);
    expect(await api.getToken()).toBeNull();
    const response = await api.fetch(`${ORIGIN}/api/me`);
    expect(response.status).toBe(401);
    expect(tab.log.find((entry) => entry.path === "/api/me")?.authorization).toBeNull();
  });

  it("forgets the token in every client when one clears it or the session ends", async () => {
    const tab = browser(config());
    await tab.signIn();
    const first = client(tab);
    const second = client(tab);
    await first.getToken();
    await second.getToken();
    expect(tab.log.filter((entry) => entry.path === "/api/auth/token")).toHaveLength(2);

    first.clear();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await second.getToken();
    expect(tab.log.filter((entry) => entry.path === "/api/auth/token")).toHaveLength(3);

    // latch/react announces session changes on the same channel: the same session keeps the
    // token, a sign-out or another user drops it.
    const session = (await (await tab.fetch("/api/auth/session")).json()) as Session;
    const announce = async (key: string) => {
      const announcer = new BroadcastChannel(sessionChannelName("/api/auth"));
      announcer.postMessage({ kind: "changed", from: "another-tab", key });
      announcer.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await second.getToken();
    };
    await announce(sessionKey(session));
    expect(tab.log.filter((entry) => entry.path === "/api/auth/token")).toHaveLength(3);
    await announce(sessionKey(null));
    expect(tab.log.filter((entry) => entry.path === "/api/auth/token")).toHaveLength(4);
    await announce(sessionKey({ ...session, user: { name: "Mallory" } }));
    expect(tab.log.filter((entry) => entry.path === "/api/auth/token")).toHaveLength(5);
  });
});
