/**
 * The bearer client against a fake token route and API: when it renews (the server's clock does
 * not matter, concurrent refusals share one renewal) and what survives a page load with
 * `storage: "localStorage"`. test/bearer-client.integration.test.ts runs it against the engine.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { sessionKey } from "../react/session-key.js";
import { SessionStore } from "../react/session-store.js";
import type { Session } from "../types.js";
import { createBearerClient } from "./bearer.js";

const alice: Session = { user: { name: "Alice", email: "alice@example.com", image: null }, expires: new Date(Date.now() + 86_400_000).toISOString() };
const bob: Session = { user: { name: "Bob", email: "bob@example.com", image: null }, expires: alice.expires };
const STORAGE_KEY = "latch.bearer:/api/auth";
const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/** A token route (10-minute tokens for Alice) and an API. `serverSkewMs`: server clock minus browser clock. */
function fakeBackend(options: { serverSkewMs?: number; reject?: (token: string, path: string) => boolean | Promise<boolean> } = {}) {
  let issued = 0;
  const tokenCalls: number[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), "http://app.test"), init);
    const url = new URL(request.url);
    if (url.pathname === "/api/auth/token") {
      issued++;
      tokenCalls.push(issued);
      const serverNow = Date.now() + (options.serverSkewMs ?? 0);
      return json({ token: `T${issued}`, tokenType: "Bearer", expiresAt: new Date(serverNow + 600_000).toISOString(), expiresIn: 600, session: alice });
    }
    const token = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
    if (await options.reject?.(token, url.pathname)) return json({ error: "invalid_token" }, 401);
    return json({ ok: true, token });
  };
  return { fetchImpl, tokenCalls };
}

/** A localStorage of this test's own. */
function stubLocalStorage(): Map<string, string> {
  const map = new Map<string, string>();
  vi.stubGlobal("localStorage", {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  });
  vi.stubGlobal("window", { location: { href: "http://app.test/" }, localStorage: globalThis.localStorage });
  return map;
}

/** What the provider of a freshly loaded page does: start() announces the session it was rendered with. */
async function providerMounts(session: Session | null): Promise<void> {
  const store = new SessionStore("/api/auth", session);
  store.start();
  await tick();
  store.stop();
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("createBearerClient: when it renews", () => {
  it("a browser clock ahead of the server (here 1 h) does not renew before every request: expiresIn counts from the answer", async () => {
    const backend = fakeBackend({ serverSkewMs: -3_600_000 });
    const api = createBearerClient({ fetch: backend.fetchImpl });
    for (let i = 0; i < 5; i++) expect((await api.fetch("http://app.test/api/orders")).status).toBe(200);
    api.close();
    expect(backend.tokenCalls).toHaveLength(1);
  });

  it("a browser clock behind the server (here 1 h) still renews before the token expires", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const backend = fakeBackend({ serverSkewMs: 3_600_000 });
    const api = createBearerClient({ fetch: backend.fetchImpl });
    expect(await api.getToken()).toBe("T1");
    vi.setSystemTime(Date.now() + 530_000);
    expect(await api.getToken()).toBe("T1");
    // Within the 60-second margin of its 10 minutes: renewed.
    vi.setSystemTime(Date.now() + 20_000);
    expect(await api.getToken()).toBe("T2");
    api.close();
  });

  it("concurrent requests refused with the same stale token renew it once, not once each", async () => {
    let releaseB!: () => void;
    const bMayAnswer = new Promise<void>((resolve) => (releaseB = resolve));
    const backend = fakeBackend({
      // T1 is revoked; /b's answer arrives later than /a's (a slower endpoint).
      reject: async (token, path) => {
        if (token !== "T1") return false;
        if (path === "/b") await bMayAnswer;
        return true;
      },
    });
    const api = createBearerClient({ fetch: backend.fetchImpl });
    await api.getToken(); // T1
    const a = api.fetch("http://app.test/a");
    const b = api.fetch("http://app.test/b");
    expect(await (await a).json()).toEqual({ ok: true, token: "T2" });
    releaseB();
    // /b is retried with the T2 that /a's refusal brought.
    expect(await (await b).json()).toEqual({ ok: true, token: "T2" });
    api.close();
    expect(backend.tokenCalls).toHaveLength(2);
  });
});

describe("createBearerClient with storage: \"localStorage\"", () => {
  it("a page load (its <SessionProvider> announcing the same session) keeps the stored token", async () => {
    const map = stubLocalStorage();
    // A token the previous page stored, for Alice's session.
    map.set(STORAGE_KEY, JSON.stringify({ token: "T0", expiresAt: Date.now() + 600_000, receivedAt: Date.now(), sessionKey: sessionKey(alice) }));
    const backend = fakeBackend();
    const api = createBearerClient({ storage: "localStorage", fetch: backend.fetchImpl });
    // A child component fetches on mount (children's effects run before the provider's).
    expect(await (await api.fetch("http://app.test/api/orders")).json()).toEqual({ ok: true, token: "T0" });
    await providerMounts(alice);
    expect(map.get(STORAGE_KEY)).toBeDefined();
    expect(await (await api.fetch("http://app.test/api/orders")).json()).toEqual({ ok: true, token: "T0" });
    api.close();
    expect(backend.tokenCalls).toHaveLength(0);
  });

  it("stores the session a token was issued for, so the next page can tell", async () => {
    const map = stubLocalStorage();
    const api = createBearerClient({ storage: "localStorage", fetch: fakeBackend().fetchImpl });
    await api.getToken();
    api.close();
    expect(JSON.parse(map.get(STORAGE_KEY) ?? "null")).toMatchObject({ token: "T1", sessionKey: sessionKey(alice) });
  });

  it("a page load announcing another session, or none, drops the stored token", async () => {
    for (const [stored, rendered] of [
      [sessionKey(alice), bob],
      [sessionKey(alice), null],
      // Stored without its session (by an older version): not known to be this session's.
      [undefined, alice],
    ] as const) {
      const map = stubLocalStorage();
      map.set(STORAGE_KEY, JSON.stringify({ token: "T0", expiresAt: Date.now() + 600_000, receivedAt: Date.now(), sessionKey: stored }));
      const api = createBearerClient({ storage: "localStorage", fetch: fakeBackend().fetchImpl });
      await api.getToken();
      await providerMounts(rendered);
      api.close();
      expect(map.get(STORAGE_KEY)).toBeUndefined();
      vi.unstubAllGlobals();
    }
  });
});

describe("createBearerClient: where the token goes", () => {
  /** A page at http://app.test, and a fetch that records the Authorization header per URL. */
  function page(origins?: readonly string[]) {
    vi.stubGlobal("window", { location: { href: "http://app.test/orders" } });
    const backend = fakeBackend();
    const sent: Array<[string, string | null]> = [];
    const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const request = input instanceof Request ? input : new Request(new URL(String(input), "http://app.test"), init);
      if (!request.url.endsWith("/api/auth/token")) sent.push([request.url, request.headers.get("authorization")]);
      return backend.fetchImpl(request);
    };
    return { api: createBearerClient({ fetch: fetchImpl, ...(origins ? { origins } : {}) }), sent, backend };
  }

  it("sends it to the page's own origin only: another origin gets the request without Authorization, and no token is fetched for it", async () => {
    const { api, sent, backend } = page();
    await api.fetch("https://tracker.example/collect");
    expect(backend.tokenCalls).toHaveLength(0);
    await api.fetch("http://app.test/api/orders");
    await api.fetch("http://app.test.evil.example/api/orders");
    expect(sent).toEqual([
      ["https://tracker.example/collect", null],
      ["http://app.test/api/orders", "Bearer T1"],
      ["http://app.test.evil.example/api/orders", null],
    ]);
  });

  it("sends it to the origins the app lists as well", async () => {
    const { api, sent } = page(["https://api.example.com/v1"]);
    await api.fetch("https://api.example.com/v1/orders");
    await api.fetch("https://other.example.com/v1/orders");
    expect(sent).toEqual([
      ["https://api.example.com/v1/orders", "Bearer T1"],
      ["https://other.example.com/v1/orders", null],
    ]);
  });

  it("refuses an origin that is not an absolute URL, saying what it wants", () => {
    expect(() => createBearerClient({ origins: ["api.example.com"] })).toThrow(/absolute URLs such as "https:\/\/api\.example\.com"/);
  });
});

describe("createBearerClient: clear()", () => {
  it("a renewal in flight when clear() is called writes nothing back, and the next call asks again", async () => {
    const map = stubLocalStorage();
    const backend = fakeBackend();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      if (first) {
        first = false;
        await held;
      }
      return backend.fetchImpl(input, init);
    };
    const api = createBearerClient({ storage: "localStorage", fetch: fetchImpl });
    const inFlight = api.getToken();
    await tick();
    api.clear();
    release();
    expect(await inFlight, "the token of a session the app let go of").toBeNull();
    expect(map.get(STORAGE_KEY)).toBeUndefined();
    expect(await api.getToken()).toBe("T2");
    api.close();
  });
});
