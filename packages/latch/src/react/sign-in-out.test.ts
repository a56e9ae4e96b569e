/**
 * `signIn(…, { redirect: false })` and `signOut({ redirect: false })` resolve only once the
 * providers of this tab hold the new session, as next-auth's do (they await a refetch of every
 * provider): code such as
 *   const r = await signIn("credentials", { …, redirect: false }); if (!r.error) router.push("/dashboard")
 * must not land on a `useSession({ required: true })` page that still sees "unauthenticated".
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Session } from "../types.js";
import { signIn } from "./sign-in.js";
import { signOut } from "./sign-out.js";
import { ClientFetchError } from "./client-fetch-error.js";
import { afterSessionReads, duringSessionRead, SIGN_OUT_WAIT_MS } from "./session-lock.js";
import { mountProvider, urlOf } from "../../test/helpers/react-provider.js";

const alice: Session = { user: { name: "Alice", email: "alice@example.com", image: null }, expires: new Date(Date.now() + 86_400_000).toISOString() };

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", date: new Date().toUTCString() } });
}

/** latch's routes, a few milliseconds away, with one password and one session. */
function fakeServer(initiallySignedIn: boolean) {
  let signedIn = initiallySignedIn;
  const requests: string[] = [];
  vi.stubGlobal("window", { location: { href: "http://app.test/login" } });
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(urlOf(input), "http://app.test");
    requests.push(`${init?.method ?? "GET"} ${url.pathname}`);
    // A little latency, as on a real network.
    await new Promise((resolve) => setTimeout(resolve, 5));
    switch (url.pathname) {
      case "/api/auth/providers":
        return json({ credentials: { id: "credentials", name: "Credentials", type: "credentials", signinUrl: "", callbackUrl: "" } });
      case "/api/auth/csrf":
        return json({ csrfToken: "csrf" });
      case "/api/auth/callback/credentials": {
        const fields = init?.body instanceof URLSearchParams ? init.body : new URLSearchParams();
        if (fields.get("password") !== "pw") return json({ url: "http://app.test/api/auth/signin?error=CredentialsSignin&code=credentials" });
        signedIn = true;
        return json({ url: "http://app.test/" });
      }
      case "/api/auth/signout":
        signedIn = false;
        return json({ url: "http://app.test/" });
      case "/api/auth/session":
        return json(signedIn ? alice : null);
      default:
        return json({}, 404);
    }
  });
  return { requests };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("signIn and signOut with redirect: false", () => {
  it("signIn resolves once the providers of this tab are authenticated", async () => {
    const server = fakeServer(false);
    const provider = mountProvider(null);
    try {
      const result = await signIn("credentials", { username: "alice", password: "pw", redirect: false });
      expect(result).toMatchObject({ ok: true, error: undefined, url: "http://app.test/" });
      expect(provider.store.getSnapshot()).toMatchObject({ status: "authenticated", data: { user: { name: "Alice" } } });
      // The provider's own refetch, once.
      expect(server.requests.filter((request) => request === "GET /api/auth/session")).toHaveLength(1);
    } finally {
      provider.unmount();
    }
  });

  it("signOut resolves once the providers of this tab are unauthenticated", async () => {
    fakeServer(true);
    const provider = mountProvider(alice);
    try {
      expect(await signOut({ redirect: false })).toEqual({ url: "http://app.test/" });
      expect(provider.store.getSnapshot().status).toBe("unauthenticated");
    } finally {
      provider.unmount();
    }
  });

  it("a refused password resolves with the error and sets off no refetch", async () => {
    const server = fakeServer(false);
    const provider = mountProvider(null);
    try {
      const result = await signIn("credentials", { username: "alice", password: "wrong", redirect: false });
      expect(result).toMatchObject({ ok: true, error: "CredentialsSignin", url: null });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(server.requests).not.toContain("GET /api/auth/session");
      expect(provider.store.getSnapshot().status).toBe("unauthenticated");
    } finally {
      provider.unmount();
    }
  });
});

describe("signOut that does not happen, and signOut racing a renewal", () => {
  /** latch's routes with a signed-in session; `/signout` answers as `answer` says, `/session` after `sessionDelay` ms. */
  function server(answer: () => Response, sessionDelay = 0) {
    const events: string[] = [];
    vi.stubGlobal("window", { location: { href: "http://app.test/account" } });
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(urlOf(input), "http://app.test");
      const request = `${init?.method ?? "GET"} ${url.pathname}`;
      events.push(`sent ${request}`);
      if (url.pathname === "/api/auth/session") await new Promise((resolve) => setTimeout(resolve, sessionDelay));
      const response = url.pathname === "/api/auth/csrf" ? json({ csrfToken: "csrf" }) : url.pathname === "/api/auth/signout" ? answer() : json(alice);
      events.push(`answered ${request}`);
      return response;
    });
    return { events };
  }

  it("a refused sign-out (no CSRF cookie) rejects with the reason and leaves every provider signed in", async () => {
    const { events } = server(() => json({ url: "http://app.test/api/auth/signin?error=MissingCSRF", error: "MissingCSRF" }));
    const provider = mountProvider(alice);
    try {
      await expect(signOut({ redirect: false })).rejects.toThrow(/refused the sign-out \(MissingCSRF\); the session is unchanged/);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(provider.store.getSnapshot().status).toBe("authenticated");
      // Nothing was announced: no provider asked for the session again.
      expect(events).not.toContain("sent GET /api/auth/session");
    } finally {
      provider.unmount();
    }
  });

  it("a sign-out answered with an error status rejects, with the status", async () => {
    server(() => json({ error: "MethodNotAllowed" }, 405));
    const provider = mountProvider(alice);
    try {
      const error: unknown = await signOut({ redirect: false }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ClientFetchError);
      expect(error).toMatchObject({ status: 405 });
      expect(provider.store.getSnapshot().status).toBe("authenticated");
    } finally {
      provider.unmount();
    }
  });

  it("the sign-out POST waits for a session request in flight, whose answer could write the cookie back", async () => {
    const { events } = server(() => json({ url: "http://app.test/" }), 60);
    const provider = mountProvider(alice);
    try {
      const renewal = provider.store.load();
      // Sent before the sign-out is asked for, answered after it would otherwise have gone out.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const result = await signOut({ redirect: false });
      await renewal;
      expect(result).toEqual({ url: "http://app.test/" });
      expect(events.indexOf("sent POST /api/auth/signout")).toBeGreaterThan(events.indexOf("answered GET /api/auth/session"));
    } finally {
      provider.unmount();
    }
  });

  it("a session request that hangs holds the sign-out back for at most a few seconds", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      let release: () => void = () => undefined;
      const hung = duringSessionRead("/api/auth", () => new Promise<void>((resolve) => (release = resolve)));
      let sent = false;
      const signingOut = afterSessionReads("/api/auth", async () => (sent = true));
      await vi.advanceTimersByTimeAsync(SIGN_OUT_WAIT_MS - 1);
      expect(sent).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await signingOut;
      expect(sent).toBe(true);
      release();
      await hung;
    } finally {
      vi.useRealTimers();
    }
  });
});

