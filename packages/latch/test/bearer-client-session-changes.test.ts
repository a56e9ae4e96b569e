/**
 * The bearer client and SessionProvider when the session changes under them: a renewal in flight
 * at sign-out, a client first used after its page announced another user, a worker's origin, and
 * a refetchInterval past what timers can hold. React runs here without a DOM: the provider's
 * effects once, in order (see the mock below).
 */
import type * as React from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createBearerClient, sessionChannelName } from "../src/client/bearer.js";
import { sessionKey } from "../src/react/session-key.js";
import { SessionStore } from "../src/react/session-store.js";
import { SessionProvider } from "../src/react/session-provider.js";
import type { Session } from "../src/types.js";

// What React does when it mounts <SessionProvider> in a browser, without a DOM: run the effects
// once, in order. Only session-provider.ts imports react in this file's module graph.
const mounted = vi.hoisted(() => ({ cleanups: [] as Array<() => void> }));
vi.mock("react", async (importOriginal) => {
  const actual = await importOriginal<typeof React>();
  return {
    ...actual,
    useState: <T>(init: T | (() => T)) => [typeof init === "function" ? (init as () => T)() : init, () => undefined],
    useSyncExternalStore: <T>(_subscribe: unknown, getSnapshot: () => T) => getSnapshot(),
    useMemo: <T>(make: () => T) => make(),
    useEffect: (effect: () => void | (() => void)) => {
      const cleanup = effect();
      if (typeof cleanup === "function") mounted.cleanups.push(cleanup);
    },
  };
});

const DAY = 86_400_000;
const alice: Session = { user: { name: "Alice", email: "alice@example.com", image: null }, expires: new Date(Date.now() + DAY).toISOString() };
const bob: Session = { user: { name: "Bob", email: "bob@example.com", image: null }, expires: alice.expires };
const STORAGE_KEY = "latch.bearer:/api/auth";
const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", date: new Date().toUTCString() } });
}

/** Another tab of the origin posting on latch's session channel. */
function postFromAnotherTab(message: unknown): void {
  const channel = new BroadcastChannel(sessionChannelName("/api/auth"));
  channel.postMessage(message);
  channel.close();
}

afterEach(() => {
  for (const cleanup of mounted.cleanups.splice(0)) cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("the bearer client when the session changes", () => {
  it("a renewal in flight when another tab signs out (or clears) does not write the old session's token back", async () => {
    for (const announcement of [{ kind: "changed", from: "other-tab", key: sessionKey(null) }, { kind: "bearer-cleared" }]) {
      // The token route: signed in until the other tab signs out; the first answer is slow.
      let signedIn = true;
      let issued = 0;
      let releaseFirst!: () => void;
      const firstMayAnswer = new Promise<void>((resolve) => (releaseFirst = resolve));
      const fetchImpl = async (input: RequestInfo | URL): Promise<Response> => {
        const url = new URL(input instanceof Request ? input.url : String(input), "http://app.test");
        if (url.pathname !== "/api/auth/token") return json({ ok: true });
        // Issued for the session the request carried: it was sent before the sign-out.
        const answer = signedIn ? json({ token: `T${++issued}`, tokenType: "Bearer", expiresIn: 600, session: alice }) : json({ error: "Unauthorized" }, 401);
        if (issued === 1) await firstMayAnswer;
        return answer;
      };
      const api = createBearerClient({ fetch: fetchImpl });
      const inFlight = api.getToken();
      await tick();
      // Another tab signs out: its <SessionProvider> announces "no session" (or its client clears).
      signedIn = false;
      postFromAnotherTab(announcement);
      await tick();
      releaseFirst();
      await inFlight;
      // The session has ended: the client must not keep (and send) the token issued before.
      const after = await api.getToken();
      api.close();
      expect(after, `after ${announcement.kind}: the token of a session that has ended`).toBeNull();
    }
  });

  it("with storage \"localStorage\", a client not used before its page's <SessionProvider> mounts still drops the previous user's token", async () => {
    const map = new Map<string, string>();
    vi.stubGlobal("localStorage", {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    });
    vi.stubGlobal("window", { location: { href: "http://app.test/" }, localStorage: globalThis.localStorage });
    // Alice's page stored a token (Alice then signed out through a server action, on a page
    // whose client had not been used, so nobody dropped it).
    map.set(STORAGE_KEY, JSON.stringify({ token: "T-alice", expiresAt: Date.now() + 600_000, receivedAt: Date.now(), sessionKey: sessionKey(alice) }));
    const sent: Array<string | null> = [];
    const fetchImpl = async (input: RequestInfo | URL): Promise<Response> => {
      const request = input instanceof Request ? input : new Request(new URL(String(input), "http://app.test"));
      if (new URL(request.url).pathname === "/api/auth/token") return json({ token: "T-bob", tokenType: "Bearer", expiresIn: 600, session: bob });
      sent.push(request.headers.get("authorization"));
      return json({ ok: true });
    };
    // Bob's page: a component creates its client while rendering (useBearerClient) and uses it
    // later, on a click; the provider, rendered with Bob's session, announces it on mount.
    const api = createBearerClient({ storage: "localStorage", fetch: fetchImpl });
    const provider = new SessionStore("/api/auth", bob);
    provider.start();
    await tick();
    provider.stop();
    await api.fetch("http://app.test/api/orders");
    api.close();
    expect(sent, "Bob's request must not carry Alice's token").toEqual(["Bearer T-bob"]);
  });
});

describe("where the bearer token goes", () => {
  it("in a Web Worker (a browser context with an origin, but no `window`) the token goes to the worker's origin only", async () => {
    // A dedicated worker of http://app.test: `self.location` is a WorkerLocation, there is no `window`.
    vi.stubGlobal("location", { href: "http://app.test/workers/api.js", origin: "http://app.test" });
    expect(typeof (globalThis as { window?: unknown }).window).toBe("undefined");
    const sent: Array<[string, string | null]> = [];
    const fetchImpl = async (input: RequestInfo | URL): Promise<Response> => {
      const request = input instanceof Request ? input : new Request(new URL(String(input), "http://app.test"));
      if (new URL(request.url).pathname === "/api/auth/token") return json({ token: "T1", tokenType: "Bearer", expiresIn: 600, session: alice });
      sent.push([request.url, request.headers.get("authorization")]);
      return json({ ok: true });
    };
    const api = createBearerClient({ fetch: fetchImpl });
    // A URL that came from user input or a third party.
    await api.fetch("https://tracker.example/collect");
    api.close();
    expect(sent).toEqual([["https://tracker.example/collect", null]]);
  });
});

describe("SessionProvider timers", () => {
  it("a refetchInterval past what setInterval honours (~24.8 days) does not poll /session every millisecond", async () => {
    for (const refetchInterval of [30 * 24 * 3600, Number.POSITIVE_INFINITY]) {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
      let sessionRequests = 0;
      vi.stubGlobal("window", { location: { href: "http://app.test/" }, addEventListener: () => undefined, removeEventListener: () => undefined });
      vi.stubGlobal("fetch", async (input: RequestInfo | URL) => {
        const url = new URL(input instanceof Request ? input.url : String(input), "http://app.test");
        if (url.pathname === "/api/auth/session") sessionRequests++;
        return json(alice);
      });
      // Mounted with a session valid for a day: nothing is due for a day, or for a month.
      SessionProvider({ session: alice, refetchInterval, refetchOnWindowFocus: false, refetchWhenOffline: true, children: null });
      await vi.advanceTimersByTimeAsync(100);
      for (const cleanup of mounted.cleanups.splice(0)) cleanup();
      vi.useRealTimers();
      vi.unstubAllGlobals();
      expect(sessionRequests, `refetchInterval=${refetchInterval}: session requests in 100 ms`).toBe(0);
    }
  });
});
